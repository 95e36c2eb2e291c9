"""The functions a claim's numeric and property legs check.

An :class:`Implementation` maps qualified names (``"classification.softmax"``) to callables.
:meth:`Implementation.reference` is dltheory's own reference functions (loaded lazily from
``dltheory.<chapter>.reference``); ``dltheory check`` builds one from someone else's module.

A leg does not get the whole implementation: it gets a :class:`ClaimFunctions` view that
exposes exactly the functions the claim's record declares in ``code``, by their bare names
(``impl.softmax``). Reaching for anything else is an error, so a claim's ``code`` says
precisely what its legs exercise, and a target that provides those functions can run it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dltheory.core.claim import Claim

__all__ = ["ClaimFunctions", "Implementation"]


class Implementation:
    """Callables under test, by qualified name ``<chapter>.<function>``.

    Args:
        functions: the callables, by qualified name.
        name: what to call the implementation in reports (``"dltheory reference"``, a module
            name or a file path).
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]], name: str) -> None:
        self._functions = dict(functions)
        self.name = name

    @classmethod
    def reference(cls) -> Implementation:
        """dltheory's reference functions, every chapter (imported on first use)."""
        return _REFERENCE

    def get(self, qualified: str) -> Callable[..., Any] | None:
        return self._functions.get(qualified)

    def provides(self, qualified_names: Iterable[str]) -> bool:
        return all(self.get(name) is not None for name in qualified_names)

    def missing(self, qualified_names: Iterable[str]) -> list[str]:
        return [name for name in qualified_names if self.get(name) is None]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._functions)

    def for_claim(self, claim: Claim) -> ClaimFunctions:
        """The view a leg of ``claim`` receives."""
        return ClaimFunctions(claim, self)

    def __repr__(self) -> str:
        return f"Implementation({self.name!r}, {len(self._functions)} functions)"


class _ReferenceImplementation(Implementation):
    """The reference functions, resolved lazily so that nothing is imported up front."""

    def __init__(self) -> None:
        super().__init__({}, "dltheory reference")

    def get(self, qualified: str) -> Callable[..., Any] | None:
        chapter, _, name = qualified.partition(".")
        if qualified not in self._functions:
            try:
                module = importlib.import_module(f"dltheory.{chapter}.reference")
            except ModuleNotFoundError:
                return None
            if name not in getattr(module, "__all__", ()):
                return None
            self._functions[qualified] = getattr(module, name)
        return self._functions[qualified]


_REFERENCE = _ReferenceImplementation()


class ClaimFunctions:
    """Attribute access to the functions one claim declares in ``code``, and nothing else.

    ``accessed`` records which names the legs used (the traceability tests compare it with
    ``code``).
    """

    def __init__(self, claim: Claim, implementation: Implementation) -> None:
        self._claim = claim
        self._implementation = implementation
        self._by_name = {q.rpartition(".")[2]: q for q in claim.functions}
        self.accessed: set[str] = set()

    @property
    def implementation(self) -> Implementation:
        return self._implementation

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        qualified = self._by_name.get(name)
        if qualified is None:
            raise AttributeError(
                f"{self._claim.id}: its legs may use only the functions its record declares in "
                f"`code` ({', '.join(self._by_name) or 'none'}); add {name!r} there"
            )
        function = self._implementation.get(qualified)
        if function is None:
            raise AttributeError(f"{self._implementation.name} provides no {qualified}")
        self.accessed.add(name)
        return function

    def __repr__(self) -> str:
        return f"<functions {sorted(self._by_name)} of {self._implementation.name}>"
