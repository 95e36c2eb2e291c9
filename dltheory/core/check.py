r"""Run the claims against someone else's implementation (``dltheory check TARGET``).

A claim is *covered* by a target when the target provides every function its record declares
in ``code``; its numeric and property legs then run with the target's functions in place of
the reference ones (:func:`check_claim`). Its symbolic leg is about the mathematics, not the
code, and is not rerun: the report shows the status the reference run establishes
(:func:`dltheory.core.runner.declared_symbolic`). Each claim stands on its own legs: a claim it
``uses`` is not rerun with it (when that claim is covered, it is checked as a row of its own).

When a covered claim fails, :func:`reproduce` replays the failing leg on the counterexample
(or, for a numeric leg, on the dtype that failed), records every call the leg made to the
target, calls the reference function on the same arguments, and turns the call that differs
most into a snippet the user can paste: it imports their function, calls it on the values,
and shows what it returned next to what the reference returns.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import pprint
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dltheory.core.check_calls import (
    Evaluation,
    RecordedCall,
    Recorder,
    budget,
    evaluate,
    mismatch,
    result_distance,
    where_differs,
)
from dltheory.core.claim import Claim, NotApplicable, NumericLeg, PropertyLeg
from dltheory.core.implementation import Implementation
from dltheory.core.runner import (
    ClaimResult,
    decide_outcome,
    declared_symbolic,
    describe_value,
    run_leg,
)
from dltheory.core.target import Target

#: a property's counterexample: show every call it makes to the target, up to this many
_PROPERTY_CALLS = 6

__all__ = ["CheckPlan", "check_claim", "not_covered_lines", "plan_check", "reproduce"]


@dataclass
class CheckPlan:
    """Which selected claims a target covers.

    Attributes:
        target: the loaded target.
        covered: claims whose ``code`` the target provides fully, in the order of the notes.
        not_covered: claims it does not, each with the qualified names it lacks.
        symbolic_only: how many selected claims check no function at all (symbolic legs,
            existence witnesses with built-ins, notation notes): nothing to run on a target.
    """

    target: Target
    covered: tuple[Claim, ...]
    not_covered: tuple[tuple[Claim, tuple[str, ...]], ...]
    symbolic_only: int


def plan_check(target: Target, claims: Sequence[Claim]) -> CheckPlan:
    """Split ``claims`` into those ``target`` covers and those it does not."""
    impl = target.implementation
    covered, missing = [], []
    for claim in claims:
        if not claim.code:
            continue
        lacking = tuple(impl.missing(claim.functions))
        if lacking:
            missing.append((claim, lacking))
        else:
            covered.append(claim)
    symbolic_only = sum(1 for c in claims if not c.code)
    return CheckPlan(target, tuple(covered), tuple(missing), symbolic_only)


def check_claim(
    claim: Claim,
    target: Target,
    *,
    device: str = "cpu",
    settings: Any = None,
    command: str | None = None,
) -> ClaimResult:
    """Run ``claim``'s numeric and property legs on ``target``'s functions.

    The result's ``extra`` holds ``functions`` (qualified name -> the target's function that
    replaced it), ``command`` (how to rerun this claim) and, when the claim did not end as
    declared, ``reproduction`` (see :func:`reproduce`).
    """
    impl = target.implementation
    start = time.perf_counter()
    legs = {"symbolic": declared_symbolic(claim)}
    for name in ("numeric", "property"):
        legs[name] = run_leg(claim, name, device=device, settings=settings, implementation=impl)
    result = ClaimResult(claim, decide_outcome(claim, legs), legs, time.perf_counter() - start)
    result.extra["functions"] = {q: target.describe(q) for q in claim.functions}
    if command:
        result.extra["command"] = command
    if not result.as_declared:
        reproduction = reproduce(result, target, device=device, settings=settings)
        if reproduction is not None:
            result.extra["reproduction"] = reproduction
    return result


# -- reproduction ---------------------------------------------------------------------------


class _Literal:
    """Prints as the Python source that builds a value (floats exactly, inf and NaN too)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __repr__(self) -> str:
        return self.source


def _number(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return _Literal('float("nan")')
        if math.isinf(value):
            return _Literal('float("inf")' if value > 0 else '-float("inf")')
        return _Literal(repr(value))
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def _source(value: Any, indent: int = 0) -> str:
    """Python source for ``value`` (tensors as ``torch.tensor([...], dtype=...)``)."""
    import torch

    if isinstance(value, torch.Tensor):
        options = [f"dtype={value.dtype}"]
        if value.device.type != "cpu":
            options.append(f'device="{value.device}"')
        if value.requires_grad:
            options.append("requires_grad=True")
        flat = value.detach().cpu().flatten()
        if flat.numel() > 4 and bool((flat == flat[0]).all()):  # constant: say it short
            first = _number(flat[0].item())
            return f"torch.full({tuple(value.shape)}, {first!r}, {', '.join(options)})"
        body = pprint.pformat(
            _number(value.detach().cpu().tolist()), width=92 - indent, compact=True
        )
        text = f"torch.tensor({body}, {', '.join(options)})"
        return text.replace("\n", "\n" + " " * (indent + len("torch.tensor(")))
    if isinstance(value, tuple):
        inner = ", ".join(_source(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return repr(_number(value))
    if isinstance(value, torch.Generator):
        device = "" if value.device.type == "cpu" else f'device="{value.device}"'
        return f"torch.Generator({device}).manual_seed({value.initial_seed()})"
    if isinstance(value, torch.dtype | torch.device):
        return f"torch.{value}" if isinstance(value, torch.device) else str(value)
    return repr(value)


def _shown(evaluation: Evaluation) -> str:
    if evaluation.error is not None:
        return f"raises {type(evaluation.error).__name__}: {evaluation.error}".splitlines()[0]
    text = describe_value(evaluation.value)
    if evaluation.grads is not None:
        text += ", gradient " + ", ".join(describe_value(g) for g in evaluation.grads)
    return text


class _Names:
    """Variable names for the tensors of a snippet: the claim's name for a drawn value, else
    the reference's parameter name; one variable per distinct tensor."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.lines: list[str] = []

    def bind(self, wanted: str, value: Any) -> str:
        import torch

        for name, bound in self.values.items():
            if (
                name.rstrip("0123456789") == wanted
                and bound.dtype == value.dtype
                and bound.shape == value.shape
                and bound.requires_grad == value.requires_grad
                and torch.equal(bound, value)
            ):
                return name
        name, n = wanted, 1
        while name in self.values or name in ("torch", "sys", "out") or name.startswith("out"):
            n += 1
            name = f"{wanted}{n}"
        self.values[name] = value
        self.lines.append(f"{name} = {_source(value, len(name) + 3)}")
        return name


def _parameters_of(qualified: str) -> list[str]:
    reference = Implementation.reference().get(qualified)
    try:
        return list(inspect.signature(reference).parameters) if reference else []
    except (TypeError, ValueError):
        return []


#: a snippet's helper for results that hold tensors in tuples or lists (clip_grad_norm's)
_PLAIN = [
    "def plain(value):  # tensors as lists, tuples and lists kept",
    "    if isinstance(value, torch.Tensor):",
    "        return value.tolist()",
    "    if isinstance(value, tuple | list):",
    "        return type(value)(plain(v) for v in value)",
    "    return value",
    "",
    "",
]


def _snippet(calls: list[tuple[RecordedCall, Evaluation, Evaluation]], target: Target) -> str:
    """Python that imports the target's functions and makes ``calls`` again, each followed by
    what it returned and what the reference returns on the same arguments."""
    import torch

    imports: list[str] = []
    for call, _, _ in calls:
        callee = call.qualified.rpartition(".")[2]
        for line in target.import_lines(call.qualified, callee):
            if line not in imports:
                imports.append(line)
    names = _Names()
    body: list[str] = []
    nested = False
    for number, (call, got, want) in enumerate(calls, 1):
        callee = call.qualified.rpartition(".")[2]
        parameters = _parameters_of(call.qualified)
        arguments, leaves = [], []
        items: list[tuple[int, str | None, Any]] = [(i, None, v) for i, v in enumerate(call.args)]
        items += [(len(call.args) + j, k, v) for j, (k, v) in enumerate(call.kwargs.items())]
        for index, key, value in items:
            if isinstance(value, torch.Tensor):
                default = key or (parameters[index] if index < len(parameters) else "x")
                name = names.bind(call.names.get(call.ids[index]) or default, value)
                if value.requires_grad:
                    leaves.append(name)
            else:
                name = _source(value)
            arguments.append(name if key is None else f"{key}={name}")
        out = "out" if len(calls) == 1 else f"out{number}"
        body.append(f"{out} = {callee}({', '.join(arguments)})")
        if isinstance(want.value, torch.Tensor):
            shown = f"{out}.tolist()"
        elif isinstance(want.value, tuple | list):  # tensors inside: shown as the comments are
            shown, nested = f"plain({out})", True
        else:
            shown = out
        if want.grads is not None and got.grads is not None and leaves:
            grads = [f"grad_{n}" for n in leaves]
            body.append(
                f"{', '.join(grads)}, = torch.autograd.grad({out}.sum(), [{', '.join(leaves)}])"
            )
            body.append(f"print({shown}, {', '.join(g + '.tolist()' for g in grads)})")
        else:
            body.append(f"print({shown})")
        body.append(f"# yours:    {_short(_shown(got))}")
        body.append(
            f"# expected: {_short(_shown(want))}  (dltheory.{call.qualified}, same arguments)"
        )
    helper = _PLAIN if nested else []
    return "\n".join(["import torch", *imports, "", *helper, *names.lines, *body])


def _failing_leg(result: ClaimResult) -> str | None:
    for name in ("property", "numeric"):
        if result.legs[name].status in ("failed", "refuted"):
            return name
    return None


def _record_property(
    claim: Claim, leg: PropertyLeg, recorder: Recorder, details: dict[str, Any], settings: Any
) -> None:
    """Replay the property on its counterexample; if it raised instead of returning False,
    first let Hypothesis shrink an input on which it raises."""
    spec = leg.run(recorder.for_claim(claim))
    example = details.get("example")
    if example is None:
        from hypothesis import find
        from hypothesis.errors import NoSuchExample

        def raises(x: Any) -> bool:
            try:
                spec.predicate(x)
            except Exception:
                return True
            return False

        try:
            example = find(spec.strategy, raises, settings=settings)
        except NoSuchExample:
            return
        recorder.calls.clear()
    if spec.names and isinstance(example, tuple) and len(example) == len(spec.names):
        recorder.labels = {id(v): n for n, v in zip(spec.names, example, strict=True)}
    elif len(spec.names) == 1:
        recorder.labels = {id(example): spec.names[0]}
    with contextlib.suppress(Exception):
        spec.predicate(example)


def _record_numeric(
    claim: Claim, leg: NumericLeg, recorder: Recorder, details: dict[str, Any], device: str
) -> None:
    """Replay the numeric leg until it fails: at the dtype that failed (or each in turn)."""
    from dltheory.core.tolerances import dtype_from_name

    dtypes = [details["failed_dtype"]] if details.get("failed_dtype") else list(leg.dtypes)
    for name in dtypes:
        recorder.calls.clear()
        try:
            leg.run(recorder.for_claim(claim), device, dtype_from_name(name))
        except Exception:
            return


def reproduce(
    result: ClaimResult, target: Target, *, device: str = "cpu", settings: Any = None
) -> dict[str, Any] | None:
    """A reproduction of ``result``'s failure on ``target``, or None when no leg failed.

    Returns a JSON-ready dict: ``leg``, ``function`` (qualified name), ``summary`` (one line),
    and, when one call to the target disagrees with the reference, ``snippet`` (Python that
    imports the target's function and calls it on the recorded arguments, with what it
    returned and what the reference returns as comments), ``got``, ``expected`` and
    ``error_eps`` (the largest relative error in eps of the result's dtype; ``inf`` for a
    non-finite mismatch or an exception).
    """
    leg_name = _failing_leg(result)
    if leg_name is None:
        return None
    claim = result.claim
    leg = claim.legs[leg_name]
    if isinstance(leg, NotApplicable):
        return None
    recorder = Recorder(target.implementation)
    details = result.legs[leg_name].details
    if settings is None:
        from dltheory.core.profiles import load_profile

        settings = load_profile()
    if isinstance(leg, PropertyLeg):
        _record_property(claim, leg, recorder, details, settings)
    elif isinstance(leg, NumericLeg):
        _record_numeric(claim, leg, recorder, details, device)
    reference = Implementation.reference()
    evaluated = []
    seen: set[str] = set()
    for call in recorder.calls:
        ours, theirs = reference.get(call.qualified), target.functions[call.qualified]
        assert ours is not None
        got, want = evaluate(theirs, call), evaluate(ours, call)
        key = _source((call.qualified, call.args, call.kwargs))
        if key not in seen:  # the same call twice (e.g. both sides of an identity) shows once
            seen.add(key)
            evaluated.append((result_distance(got, want), call, got, want))
    report: dict[str, Any] = {"leg": leg_name}
    if not evaluated:
        report["summary"] = f"the {leg_name} leg made no call to the target before it failed"
        return report
    worst = max(evaluated, key=lambda e: e[0])
    distance, call, got, want = worst
    # both sides may be off by their eps budget: within twice that is no disagreement
    disagrees = distance > 2 * budget(want)
    if isinstance(leg, PropertyLeg) and len(evaluated) <= _PROPERTY_CALLS:
        shown = [(c, g, w) for _, c, g, w in evaluated]  # every call on the counterexample
    elif disagrees:
        shown = [(call, got, want)]
    else:
        report["summary"] = (
            f"no call the {leg_name} leg made to the target differs from the reference by "
            "more than rounding; the leg's message says what failed"
        )
        return report
    name = target.describe(call.qualified)
    if not disagrees:
        summary = (
            f"on the counterexample every call agrees with the reference to within rounding "
            f"(largest difference: {name}, {_eps_text(distance)}); the calls the property makes:"
        )
    elif got.error is not None:
        summary = f"{name} raises where the reference returns a value:"
    else:
        where = where_differs(got, want)
        if math.isinf(distance):
            what = mismatch(got.value, want.value)
            if what == "a different result" and got.grads is not None and want.grads is not None:
                what = "a gradient with " + mismatch(got.grads, want.grads)
        else:
            what = f"a result {_eps_text(distance)} away"
        summary = (
            f"{name} differs from the reference: it returns {what}"
            + (f" ({where})" if where else "")
            + ":"
        )
    report.update(
        function=call.qualified,
        summary=summary,
        snippet=_snippet(shown, target),
        got=_shown(got),
        expected=_shown(want),
        error_eps=distance if math.isfinite(distance) else "inf",
    )
    return report


def _short(text: str, limit: int = 400) -> str:
    """A result shown in a snippet's comment, cut for the terminal (the JSON keeps it all)."""
    return text if len(text) <= limit else text[: limit - 40] + " ... (--json PATH has it all)"


def _eps_text(distance: float) -> str:
    if distance > 1e6:
        return "more than 1e6 eps of its dtype (relative)"
    return f"{distance:.3g} eps of its dtype"


def not_covered_lines(plan: CheckPlan) -> list[str]:
    """The claims the target does not cover, each once with the functions it lacks; claims
    of chapters the target provides no function of are counted in one line per chapter."""
    provided = {q.partition(".")[0] for q in plan.target.functions}
    listed = [(c, lacking) for c, lacking in plan.not_covered if c.chapter in provided]
    others: dict[str, int] = {}
    for claim, _ in plan.not_covered:
        if claim.chapter not in provided:
            others[claim.chapter] = others.get(claim.chapter, 0) + 1
    if not plan.not_covered:
        return []
    lines = [f"Not covered ({len(plan.not_covered)}): the target lacks a function they check"]
    bare = [q.rpartition(".")[2] for c, lacking in plan.not_covered for q in c.functions]
    shared = {name for name in bare if len({q for q in _all_named(plan, name)}) > 1}
    width = max([len(c.id) for c, _ in listed] + [0])
    for claim, lacking in listed:
        names = ", ".join(
            q if q.rpartition(".")[2] in shared else q.rpartition(".")[2] for q in lacking
        )
        lines.append(f"  {claim.id:<{width}}  needs {names}")
    for chapter, count in others.items():
        lines.append(
            f"  {count} claims of chapter {chapter}: the target provides none of its functions"
        )
    return lines


def _all_named(plan: CheckPlan, bare: str) -> set[str]:
    """Qualified names with this bare name among the claims of the plan."""
    claims = [*plan.covered, *(c for c, _ in plan.not_covered)]
    return {q for c in claims for q in c.functions if q.rpartition(".")[2] == bare}
