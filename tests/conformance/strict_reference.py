"""The reference functions behind the strictest signatures ``dltheory check`` accepts.

``dltheory check`` promises that a target function taking the claims' calls in the shape
:func:`dltheory.core.target.signature_calls` describes can run every claim: required
arguments positionally, defaulted ones positionally or by name, keyword-only ones by name.
Here each reference function gets exactly that signature (required parameters made
positional-only, so a claim passing ``input=`` by name would fail) and refuses any other call;
``tests/test_claims.py`` runs every claim on it, so a leg that calls a function another way
fails there. Built from the registry: a chapter added later is covered without a change here.
"""

from __future__ import annotations

import functools
import inspect

from dltheory.core.implementation import Implementation
from dltheory.core.target import checkable_functions


def _strict(name: str, function):
    signature = inspect.signature(function)
    parameters = [
        p.replace(kind=p.POSITIONAL_ONLY)
        if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
        else p
        for p in signature.parameters.values()
    ]
    strict = signature.replace(parameters=parameters)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            strict.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(
                f"a claim called {name} outside the signature convention: {exc}"
            ) from None
        return function(*args, **kwargs)

    wrapper.__signature__ = strict  # type: ignore[attr-defined]
    return wrapper


DLTHEORY_FUNCTIONS = {
    name: _strict(name, Implementation.reference().get(name)) for name in checkable_functions()
}
