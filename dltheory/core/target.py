r"""Someone else's implementation as a conformance target (``dltheory check TARGET``).

A target is an importable module (``mypkg.ops``) or a path to a ``.py`` file. It provides
functions under the names of dltheory's reference functions (``softmax``, ``cross_entropy``,
``entropy``, ...), any subset of them; :func:`checkable_functions` lists every name a claim
checks, so a chapter added later joins without a change here.

How names are matched:

* a module attribute named like a reference function (only names in ``__all__`` when the
  module defines it);
* ``DLTHEORY_FUNCTIONS = {"classification.cross_entropy": my_ce, ...}`` at module level maps
  qualified (``<chapter>.<name>``) or bare names to callables explicitly; it wins over
  attributes;
* a bare name two chapters share (``cross_entropy`` is in ``classification`` and
  ``information``) goes to the chapter whose reference signature the function can take; if it
  can take both (or neither), the target must say which, with ``--chapter`` or a qualified
  key in ``DLTHEORY_FUNCTIONS``.

The signature check: the claims call a function the way its reference signature allows —
required arguments positionally, defaulted ones positionally or by name, keyword-only ones
by name (``tests/test_claims.py`` checks that the claims keep to this). A target function
must accept every such call; :func:`load_target` checks that up front with
:func:`inspect.signature` (functions without an introspectable signature, such as some
torch built-ins, are accepted as they are).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from dltheory.core.implementation import Implementation

__all__ = [
    "MAPPING_NAME",
    "Target",
    "TargetError",
    "checkable_functions",
    "load_target",
    "plain_signature",
    "signature_calls",
    "signature_problem",
]

#: the module-level mapping a target may define to name its functions explicitly
MAPPING_NAME = "DLTHEORY_FUNCTIONS"


class TargetError(ValueError):
    """The target cannot be used: not importable, no function matched, a signature that
    cannot take the claims' calls, an ambiguous name. The message is one line."""


def checkable_functions(chapter: str | None = None) -> dict[str, tuple[str, ...]]:
    """Every function some claim checks, by qualified name, with the ids of those claims.

    In the order of the notes (chapters, then first use). ``chapter`` keeps one chapter's
    functions.
    """
    from dltheory.core.registry import select

    found: dict[str, list[str]] = {}
    for claim in select(chapter):
        for name in claim.functions:
            if chapter is None or name.partition(".")[0] == chapter:
                found.setdefault(name, []).append(claim.id)
    return {name: tuple(ids) for name, ids in found.items()}


# -- signatures ---------------------------------------------------------------------------


class _Arg:
    """A placeholder argument, shown by its parameter name in error messages."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def signature_calls(reference: inspect.Signature) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """The shapes of call the claims may make to a function with this reference signature.

    Required parameters positionally; parameters with a default once all positionally and
    once all by name; keyword-only parameters by name.
    """
    required, optional, keyword = [], [], {}
    for p in reference.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind is p.KEYWORD_ONLY:
            keyword[p.name] = _Arg(p.name)
        elif p.default is p.empty:
            required.append(_Arg(p.name))
        else:
            optional.append(_Arg(p.name))
    by_position = (tuple(required + optional), dict(keyword))
    by_name = (tuple(required), {**{a.name: a for a in optional}, **keyword})
    return [by_position, by_name] if optional else [by_position]


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):  # a built-in without an introspectable signature
        return None


def plain_signature(function: Callable[..., Any]) -> str:
    """``(input, dim=-1)``: the signature without annotations, for messages and listings."""
    signature = _signature(function)
    if signature is None:
        return "(...)"
    parameters = [p.replace(annotation=p.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=parameters, return_annotation=signature.empty))


def signature_problem(function: Callable[..., Any], reference: Callable[..., Any]) -> str | None:
    """Why ``function`` cannot take a call the claims make to ``reference`` (None if it can)."""
    theirs, ours = _signature(function), _signature(reference)
    if theirs is None or ours is None:
        return None
    for args, kwargs in signature_calls(ours):
        try:
            theirs.bind(*args, **kwargs)
        except TypeError as exc:
            call = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
            return f"it cannot be called as ({call}): {exc}"
    return None


# -- loading ------------------------------------------------------------------------------


@dataclass
class Target:
    """A loaded target: its functions by qualified name, and where each came from.

    Attributes:
        spec: the target as given (module name or file path).
        module: the imported module.
        functions: qualified reference name -> the target's callable.
        origins: qualified reference name -> the target's name for it (``softmax``, or
            ``DLTHEORY_FUNCTIONS['classification.cross_entropy']``).
        notes: how names two chapters share were resolved (shown above the report).
    """

    spec: str
    module: ModuleType
    functions: dict[str, Callable[..., Any]]
    origins: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def implementation(self) -> Implementation:
        return Implementation(self.functions, self.spec)

    def describe(self, qualified: str) -> str:
        """``module.name`` of the target's function for ``qualified`` (for reports)."""
        origin = self.origins[qualified]
        return f"{self.spec}:{origin}" if _is_path(self.spec) else f"{self.spec}.{origin}"

    def import_lines(self, qualified: str, callee: str) -> list[str]:
        """Python lines that bind the target's function for ``qualified`` to ``callee``, the
        way a user would import it (for reproduction snippets)."""
        origin = self.origins[qualified]
        if _is_path(self.spec):
            path = Path(self.spec)
            if path.stem.isidentifier():
                lines = ["import sys", f"sys.path.insert(0, {str(path.parent) or '.'!r})"]
                module = path.stem
            else:
                return [
                    "import importlib.util",
                    f"_spec = importlib.util.spec_from_file_location('target', {self.spec!r})",
                    "_target = importlib.util.module_from_spec(_spec)",
                    "_spec.loader.exec_module(_target)",
                    f"{callee} = _target.{origin}",
                ]
        else:
            lines, module = [], self.spec
        if origin.startswith(MAPPING_NAME):
            return [*lines, f"from {module} import {MAPPING_NAME}", f"{callee} = {origin}"]
        alias = "" if origin == callee else f" as {callee}"
        return [*lines, f"from {module} import {origin}{alias}"]


def _is_path(spec: str) -> bool:
    return spec.endswith(".py") or os.sep in spec or "/" in spec


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


_loaded = 0


def _import(spec: str) -> ModuleType:
    """Import the target, a module name or a ``.py`` path (its directory goes on sys.path, as
    ``python file.py`` would do; for a module name the current directory does, as
    ``python -m`` would do)."""
    global _loaded
    if _is_path(spec):
        path = Path(spec)
        if not path.is_file():
            raise TargetError(f"cannot import target {spec!r}: no such file")
        directory = str(path.resolve().parent)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        _loaded += 1
        stem = re.sub(r"\W", "_", path.stem)
        name = f"_dltheory_target_{_loaded}_{stem}"
        loader_spec = importlib.util.spec_from_file_location(name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise TargetError(f"cannot import target {spec!r}: not a Python file")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        try:
            loader_spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:
            del sys.modules[name]
            raise TargetError(f"cannot import target {spec!r}: {_one_line(exc)}") from exc
        return module
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(spec)
    except (Exception, SystemExit) as exc:
        raise TargetError(f"cannot import target {spec!r}: {_one_line(exc)}") from exc


def _offered(module: ModuleType, known: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """What the target offers, by qualified name (``DLTHEORY_FUNCTIONS`` keys with a chapter)
    or bare name (the other keys, and attributes named like a reference function; only those
    in ``__all__`` when the module defines it). Explicit keys win over attributes."""
    bare_known = {q.rpartition(".")[2] for q in known}
    every = checkable_functions()
    public = getattr(module, "__all__", None)
    offered: dict[str, tuple[Any, str]] = {}
    for name in sorted(bare_known):
        value = getattr(module, name, None)
        if callable(value) and (public is None or name in public):
            offered[name] = (value, name)
    mapping = getattr(module, MAPPING_NAME, None)
    if mapping is None:
        return offered
    if not isinstance(mapping, Mapping):
        raise TargetError(f"{MAPPING_NAME} must be a dict of reference name -> function")
    registered = {q.partition(".")[0] for q in every}
    for key, value in mapping.items():
        key = str(key)
        if "." in key and key.partition(".")[0] not in registered:
            continue  # a chapter this version of dltheory does not have (yet)
        if key not in every and key not in {q.rpartition(".")[2] for q in every}:
            raise TargetError(
                f"{MAPPING_NAME} names {key!r}, which no claim checks "
                "(`dltheory list --functions` lists the names)"
            )
        if not callable(value):
            raise TargetError(f"{MAPPING_NAME}[{key!r}] is not callable")
        if key in known or key in bare_known:  # else: outside --chapter
            offered[key] = (value, f"{MAPPING_NAME}[{key!r}]")
    return offered


def load_target(spec: str, chapter: str | None = None) -> Target:
    """Import ``spec`` and match its functions to the reference names the claims check.

    Raises:
        TargetError: the target cannot be imported, provides no function a claim checks, a
            function's signature cannot take the claims' calls, or a name is ambiguous.
    """
    known = checkable_functions(chapter)
    references: dict[str, Callable[..., Any]] = {}
    for name in known:
        function = Implementation.reference().get(name)
        assert function is not None, f"no reference function for {name}"
        references[name] = function
    module = _import(spec)
    offered = _offered(module, known)
    functions: dict[str, Callable[..., Any]] = {}
    origins: dict[str, str] = {}
    notes: list[str] = []
    # qualified keys first: a bare name then goes to a chapter not named explicitly
    for key in sorted(offered, key=lambda k: "." not in k):
        function, origin = offered[key]
        if "." in key:
            candidates = [key]
        else:
            candidates = [q for q in known if q.rpartition(".")[2] == key and q not in functions]
            if not candidates:
                continue
        problems = {q: signature_problem(function, references[q]) for q in candidates}
        fits = [q for q, problem in problems.items() if problem is None]
        if not fits and len(candidates) == 1:
            (qualified,) = candidates
            raise TargetError(
                f"{spec}: {origin}{plain_signature(function)} cannot take the claims' calls to "
                f"{qualified}{plain_signature(references[qualified])}: {problems[qualified]}; "
                "accept the reference's parameters (extra ones may go to **kwargs) or write "
                "an adapter"
            )
        if len(fits) != 1:
            which = fits or candidates
            raise TargetError(
                f"{spec}: {origin}{plain_signature(function)} "
                + ("could be " if fits else "fits none of ")
                + " or ".join(f"{q}{plain_signature(references[q])}" for q in which)
                + f"; say which with --chapter or {MAPPING_NAME} = {{'{which[0]}': {key}}}"
            )
        (qualified,) = fits
        if len(candidates) > 1:
            others = ", ".join(q for q in candidates if q != qualified)
            notes.append(
                f"{origin} is checked as {qualified}: its signature fits that, not {others}"
            )
        functions[qualified] = function
        origins[qualified] = origin
    if not functions:
        names = ", ".join(sorted({q.rpartition(".")[2] for q in known}))
        scope = f" of chapter {chapter}" if chapter else ""
        raise TargetError(
            f"{spec} provides none of the functions the claims{scope} check ({names})"
        )
    ordered = [q for q in known if q in functions]
    return Target(
        spec=spec,
        module=module,
        functions={q: functions[q] for q in ordered},
        origins={q: origins[q] for q in ordered},
        notes=notes,
    )
