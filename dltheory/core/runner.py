"""Run the legs of a claim and decide its outcome.

Leg statuses:

* symbolic: ``proved`` (general), ``proved_fixed_size``, ``disproved`` (an erratum's statement
  as written is nonzero at a witness), ``failed``;
* numeric: ``passed`` (every dtype agreed with the oracle) or ``failed``;
* property: ``passed`` (no counterexample in the profile's budget; for :class:`Exists`, a
  witness was found), ``refuted`` (Hypothesis found and shrank a counterexample), ``failed``;
* any leg: ``not_applicable`` (the record says why) or ``skipped`` (not selected for this run).

``dltheory check`` does not rerun symbolic legs (they are about the mathematics, not the code
under test): :func:`declared_symbolic` gives the status the record's leg establishes in the
reference run, marked ``rerun: False``.

Outcome: a theorem, identity or definition is ``verified`` when every leg that ran succeeded
and every claim it uses ended as declared; an erratum is ``refuted_as_expected`` when its
property leg was refuted and its other legs agree; a notation note is ``noted``; otherwise
``failed``; ``skipped`` when no leg ran.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dltheory.core.claim import (
    LEG_NAMES,
    Claim,
    Derivation,
    Exists,
    ForAll,
    Kind,
    NotApplicable,
    NumericLeg,
    PropertyLeg,
    SymbolicLeg,
)
from dltheory.core.implementation import Implementation

__all__ = [
    "ALL_LEGS",
    "ClaimResult",
    "LegResult",
    "decide_outcome",
    "declared_symbolic",
    "describe_value",
    "label_values",
    "run_claim",
    "run_claims",
    "run_leg",
]

ALL_LEGS = LEG_NAMES
_SNIPPET_LINES = 40  # reproduction snippets longer than this are shortened in failure reports
_MESSAGE_LINES = 12  # and leg messages longer than this
_GOOD = {"proved", "proved_fixed_size", "passed"}


@dataclass
class LegResult:
    status: str
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ClaimResult:
    claim: Claim
    outcome: str
    legs: dict[str, LegResult]
    seconds: float
    #: ids of used claims that did not end as declared (they make this claim fail)
    failed_dependencies: list[str] = field(default_factory=list)
    #: what a caller adds to the report entry (``dltheory check``: the functions substituted,
    #: a reproduction snippet, the command that reruns the claim)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def as_declared(self) -> bool:
        """True when the outcome is what the record declares (or nothing was selected to run)."""
        return self.outcome in (self.claim.expected_outcome, "skipped")

    def failure_report(self) -> str:
        """A readable account of every leg that did not do what the record declares."""
        lines = [f"{self.claim.id}: outcome {self.outcome}, expected {self.claim.expected_outcome}"]
        for used in self.failed_dependencies:
            lines.append(f"  uses {used}, which did not end as declared")
        for name, leg in self.legs.items():
            lines.append(f"  {name}: {leg.status}")
            for key in ("message", "counterexample", "witness"):
                if leg.details.get(key):
                    text = str(leg.details[key]).splitlines()
                    if len(text) > _MESSAGE_LINES:  # e.g. Jacobians: the JSON report keeps all
                        text = [
                            *text[:_MESSAGE_LINES],
                            f"... ({len(text) - _MESSAGE_LINES} more lines)",
                        ]
                    lines.append(f"    {key}: " + "\n      ".join(text))
        reproduction = self.extra.get("reproduction")
        if reproduction:
            lines.append(f"  {reproduction['summary']}")
            snippet = reproduction.get("snippet", "").splitlines()
            if len(snippet) > _SNIPPET_LINES:  # long inputs: the JSON report keeps them all
                cut = len(snippet) - _SNIPPET_LINES
                snippet[_SNIPPET_LINES - 4 : -4] = [f"# ... {cut} lines cut: --json PATH has them"]
            lines.extend(f"    {line}".rstrip() for line in snippet)
        command = self.extra.get("command", f"dltheory verify --claim {self.claim.id}")
        lines.append(f"  rerun: {command}")
        return "\n".join(lines)


def describe_value(value: Any) -> str:
    """A compact, reproducible rendering of a Hypothesis example (tensors as nested lists)."""
    import torch

    if isinstance(value, torch.Tensor):
        body = repr(value.tolist())
        return body if value.dtype in (torch.float64, torch.int64) else f"{body} ({value.dtype})"
    if isinstance(value, tuple):
        return "(" + ", ".join(describe_value(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(describe_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {describe_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data (tensors and arrays as nested lists)."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.tolist()
    if hasattr(value, "tolist"):  # NumPy arrays and scalars
        return value.tolist()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return repr(value)


def label_values(names: Sequence[str], value: Any) -> dict[str, Any] | None:
    """``{name: value}`` for a drawn example: one name, or one per element of a tuple."""
    if len(names) == 1:
        return {names[0]: _plain(value)}
    if names and isinstance(value, tuple) and len(value) == len(names):
        return {name: _plain(v) for name, v in zip(names, value, strict=True)}
    return None


def _labelled(names: Sequence[str], value: Any) -> str:
    labelled = label_values(names, value)
    if labelled is None:
        return describe_value(value)
    if len(names) == 1:
        return f"{names[0]} = {describe_value(value)}"
    return ", ".join(f"{n} = {describe_value(v)}" for n, v in zip(names, value, strict=True))


def _error_message(exc: BaseException) -> str:
    notes = "\n".join(getattr(exc, "__notes__", []))
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return f"{text}\n{notes}".strip()


def _run_symbolic(claim: Claim, leg: SymbolicLeg) -> LegResult:
    import sympy as sp

    details: dict[str, Any] = {"scope": leg.scope}
    derivation = leg.run()
    if not isinstance(derivation, Derivation):
        raise TypeError(f"symbolic leg of {claim.id} returned {type(derivation).__name__}")
    details["derivation"] = derivation  # for the docs; not part of the JSON report
    uncited = [c for c in derivation.cited if c not in claim.uses]
    if uncited:
        details["message"] = (
            f"the derivation cites {uncited}, which the record does not list in uses"
        )
        return LegResult("failed", details=details)
    simplified = [_simplify(r) for r in derivation.residuals]
    details["residuals"] = [str(r) for r in simplified]
    if claim.kind is Kind.ERRATUM:
        witness = derivation.witness or {}
        values = [_simplify(r.subs(witness)) for r in simplified] if witness else []
        false_at_witness = [v for v in values if v is sp.false or (v.is_number and v != 0)]
        if false_at_witness:
            details["witness"] = {str(k): str(v) for k, v in witness.items()}
            bad = false_at_witness[0]
            details["value_at_witness"] = str(bad if bad is sp.false else sp.N(bad))
            return LegResult("disproved", details=details)
        details["message"] = "the statement as written was not shown to be false at a witness"
        return LegResult("failed", details=details)
    if not simplified:
        details["message"] = "the derivation has no residual: nothing was proved"
        return LegResult("failed", details=details)
    if all(r == 0 or r is sp.true for r in simplified):
        return LegResult("proved" if leg.general else "proved_fixed_size", details=details)
    details["message"] = f"residuals did not simplify to zero (or True): {details['residuals']}"
    return LegResult("failed", details=details)


def _simplify(residual: Any) -> Any:
    """Simplify a residual: expressions must reach 0, relations and facts ``True``."""
    import sympy as sp

    if isinstance(residual, bool) or residual is None:
        return sp.true if residual else sp.false  # e.g. an `expr.is_positive` fact
    return sp.simplify(residual)


def _run_numeric(claim: Claim, leg: NumericLeg, device: str, impl: Implementation) -> LegResult:
    from dltheory.core.tolerances import dtype_from_name

    details: dict[str, Any] = {"oracle": leg.oracle, "device": device, "dtypes": []}
    functions = impl.for_claim(claim)
    details["used"] = functions.accessed  # filled in as the leg runs
    for name in leg.dtypes:
        try:
            leg.run(functions, device, dtype_from_name(name))
        except AssertionError as exc:
            details["message"] = f"{name}: {_error_message(exc)}"
            details["failed_dtype"] = name
            return LegResult("failed", details=details)
        details["dtypes"].append(name)
    return LegResult("passed", details=details)


def _run_property(claim: Claim, leg: PropertyLeg, settings: Any, impl: Implementation) -> LegResult:
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    functions = impl.for_claim(claim)
    spec = leg.run(functions)
    calls = 0

    def counted(x: Any) -> bool:
        nonlocal calls
        calls += 1
        return bool(spec.predicate(x))

    details: dict[str, Any] = {
        "description": leg.description,
        "counterexample": None,
        "used": functions.accessed,  # filled in as the predicate runs
    }
    if isinstance(spec, ForAll):
        try:
            example = find(spec.strategy, lambda x: not counted(x), settings=settings)
        except NoSuchExample:
            details["examples"] = calls
            return LegResult("passed", details=details)
        details["examples"] = calls
        details["counterexample"] = _labelled(spec.names, example)
        details["counterexample_values"] = label_values(spec.names, example)
        details["example"] = example  # the drawn object itself (for reproduction snippets)
        return LegResult("refuted", details=details)
    if isinstance(spec, Exists):
        try:
            example = find(spec.strategy, counted, settings=settings)
        except NoSuchExample:
            details["examples"] = calls
            details["message"] = "no witness found"
            return LegResult("failed", details=details)
        details["examples"] = calls
        details["witness"] = _labelled(spec.names, example)
        details["witness_values"] = label_values(spec.names, example)
        return LegResult("passed", details=details)
    raise TypeError(f"property leg of {claim.id} returned {type(spec).__name__}")


def run_leg(
    claim: Claim,
    name: str,
    *,
    device: str = "cpu",
    settings: Any = None,
    implementation: Implementation | None = None,
) -> LegResult:
    """Run one leg; exceptions become a ``failed`` status with the error message."""
    leg = claim.legs[name]
    if isinstance(leg, NotApplicable):
        return LegResult("not_applicable", details={"reason": leg.reason})
    impl = implementation or Implementation.reference()
    start = time.perf_counter()
    try:
        if isinstance(leg, SymbolicLeg):
            result = _run_symbolic(claim, leg)
        elif isinstance(leg, NumericLeg):
            result = _run_numeric(claim, leg, device, impl)
        else:
            if settings is None:
                from dltheory.core.profiles import load_profile

                settings = load_profile()
            result = _run_property(claim, leg, settings, impl)
    except Exception as exc:
        result = LegResult("failed", details={"message": _error_message(exc)})
    result.seconds = time.perf_counter() - start
    result.details.setdefault("location", leg.location)
    return result


def declared_symbolic(claim: Claim) -> LegResult:
    """The symbolic leg's status as the reference run establishes it, without rerunning it.

    ``proved`` or ``proved_fixed_size`` for a theorem, ``disproved`` for an erratum (that is
    what ``dltheory verify`` requires of them), ``not_applicable`` where the claim has none.
    """
    leg = claim.legs["symbolic"]
    if isinstance(leg, NotApplicable):
        return LegResult("not_applicable", details={"reason": leg.reason})
    assert isinstance(leg, SymbolicLeg)
    if claim.kind is Kind.ERRATUM:
        status = "disproved"
    else:
        status = "proved" if leg.general else "proved_fixed_size"
    details = {"scope": leg.scope, "rerun": False, "location": leg.location}
    return LegResult(status, details=details)


def decide_outcome(
    claim: Claim, legs: dict[str, LegResult], failed_dependencies: Sequence[str] = ()
) -> str:
    """The claim's outcome from its legs' statuses (see the module docstring)."""
    if claim.kind is Kind.NOTATION:
        return "noted"
    ran = {
        name: r.status for name, r in legs.items() if r.status not in ("not_applicable", "skipped")
    }
    if not ran:
        return "skipped"
    if failed_dependencies:
        return "failed"
    if claim.kind is Kind.ERRATUM:
        prop = ran.get("property")
        others_ok = all(
            status in ("disproved", "passed") for name, status in ran.items() if name != "property"
        )
        if prop in ("refuted", None) and others_ok and ("property" in ran or "symbolic" in ran):
            return "refuted_as_expected"
        return "failed"
    return "verified" if all(status in _GOOD for status in ran.values()) else "failed"


def run_claim(
    claim: Claim,
    *,
    device: str = "cpu",
    legs: Iterable[str] = ALL_LEGS,
    settings: Any = None,
    implementation: Implementation | None = None,
    dependency_results: dict[str, ClaimResult] | None = None,
) -> ClaimResult:
    """Run the selected legs of ``claim`` and decide its outcome.

    The claims it ``uses`` are run first (with the same legs, device and implementation)
    unless ``dependency_results`` already holds them; if one of them does not end as declared,
    ``claim`` fails and the report names it.
    """
    selected = tuple(legs)
    cache = {} if dependency_results is None else dependency_results
    failed_dependencies = []
    for used in claim.uses:
        from dltheory.core.registry import get_claim

        if used not in cache:
            cache[used] = run_claim(
                get_claim(used),
                device=device,
                legs=selected,
                settings=settings,
                implementation=implementation,
                dependency_results=cache,
            )
        if not cache[used].as_declared:
            failed_dependencies.append(used)
    start = time.perf_counter()
    results = {
        name: run_leg(claim, name, device=device, settings=settings, implementation=implementation)
        if name in selected
        else LegResult("skipped")
        for name in ALL_LEGS
    }
    outcome = decide_outcome(claim, results, failed_dependencies)
    return ClaimResult(claim, outcome, results, time.perf_counter() - start, failed_dependencies)


def run_claims(
    claims: Sequence[Claim],
    *,
    device: str = "cpu",
    legs: Iterable[str] = ALL_LEGS,
    settings: Any = None,
    implementation: Implementation | None = None,
    on_start: Callable[[int, Claim], None] | None = None,
    on_result: Callable[[int, ClaimResult], None] | None = None,
) -> list[ClaimResult]:
    """Run ``claims`` in order (each claim's dependencies once, first) and return their results.

    ``on_start(index, claim)`` and ``on_result(index, result)`` report progress (index from 1).
    """
    selected = tuple(legs)
    cache: dict[str, ClaimResult] = {}
    results = []
    for index, claim in enumerate(claims, 1):
        if on_start is not None:
            on_start(index, claim)
        result = cache.get(claim.id)
        if result is None:
            result = run_claim(
                claim,
                device=device,
                legs=selected,
                settings=settings,
                implementation=implementation,
                dependency_results=cache,
            )
            cache[claim.id] = result
        results.append(result)
        if on_result is not None:
            on_result(index, result)
    return results
