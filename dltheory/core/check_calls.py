"""Recording the calls a claim's legs make to a check target, replaying them, and measuring
how far the target's results are from the reference's (for :mod:`dltheory.core.check`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dltheory.core.implementation import Implementation

__all__ = [
    "Evaluation",
    "RecordedCall",
    "Recorder",
    "budget",
    "copy_arguments",
    "eps_distance",
    "evaluate",
    "mismatch",
    "result_distance",
    "where_differs",
    "worst_element",
]


@dataclass
class RecordedCall:
    qualified: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    names: dict[int, str]  # id of an argument object in the leg -> the claim's name for it
    ids: list[int]  # ids of the positional arguments, then the keyword ones


def copy_arguments(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        copy = value.detach().clone()
        return copy.requires_grad_() if value.requires_grad and value.is_floating_point() else copy
    if isinstance(value, torch.Generator):  # its state as passed: each replay draws the same
        generator = torch.Generator(device=value.device)
        generator.set_state(value.get_state())
        return generator
    if isinstance(value, tuple | list):
        return type(value)(copy_arguments(v) for v in value)
    if isinstance(value, dict):
        return {k: copy_arguments(v) for k, v in value.items()}
    return value


class Recorder(Implementation):
    """The target's functions, each call recorded (arguments copied as they were passed)."""

    def __init__(self, inner: Implementation) -> None:
        super().__init__({}, inner.name)
        self._inner = inner
        self.calls: list[RecordedCall] = []
        self.labels: dict[int, str] = {}

    def get(self, qualified: str) -> Callable[..., Any] | None:
        function = self._inner.get(qualified)
        if function is None:
            return None

        def recorded(*args: Any, **kwargs: Any) -> Any:
            ids = [id(a) for a in args] + [id(v) for v in kwargs.values()]
            self.calls.append(
                RecordedCall(
                    qualified, copy_arguments(args), copy_arguments(kwargs), dict(self.labels), ids
                )
            )
            return function(*args, **kwargs)

        return recorded


@dataclass
class Evaluation:
    value: Any = None
    grads: tuple[Any, ...] | None = None
    error: BaseException | None = None


def evaluate(function: Callable[..., Any], call: RecordedCall) -> Evaluation:
    """Call ``function`` on fresh copies of the recorded arguments; with the gradient of the
    (summed) result with respect to the arguments that required it, if any did."""
    import torch

    args, kwargs = copy_arguments(call.args), copy_arguments(call.kwargs)
    leaves = [
        a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor) and a.requires_grad
    ]
    try:
        with torch.enable_grad():
            value = function(*args, **kwargs)
            grads = None
            if leaves and isinstance(value, torch.Tensor) and value.requires_grad:
                grads = torch.autograd.grad(value.sum(), leaves, allow_unused=True)
    except Exception as exc:
        return Evaluation(error=exc)
    return Evaluation(
        copy_arguments(value), None if grads is None else tuple(copy_arguments(list(grads)))
    )


def eps_distance(got: Any, want: Any) -> float:
    """How far ``got`` is from ``want``: the largest error in eps of the result's dtype,
    relative to ``want`` (``inf`` for a non-finite mismatch, a shape or dtype change)."""
    import torch

    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            return math.inf
        if got.dtype != want.dtype:
            return math.inf
        if not want.is_floating_point():
            return 0.0 if torch.equal(got, want) else math.inf
        a, e = got.detach().double().cpu(), want.detach().double().cpu()
        same = (a == e) | (torch.isnan(a) & torch.isnan(e))
        if (~same & ~(torch.isfinite(a) & torch.isfinite(e))).any():
            return math.inf
        if a.numel() == 0:
            return 0.0
        info = torch.finfo(want.dtype)
        scale = torch.clamp(e.abs(), min=info.tiny)
        return float(torch.where(same, 0.0, (a - e).abs() / scale).max()) / info.eps
    if isinstance(want, tuple | list):
        if not isinstance(got, tuple | list) or len(got) != len(want):
            return math.inf
        return max((eps_distance(g, w) for g, w in zip(got, want, strict=True)), default=0.0)
    if want is None:
        return 0.0 if got is None else math.inf
    try:
        return 0.0 if bool(got == want) else math.inf
    except Exception:
        return math.inf


def worst_element(got: Any, want: Any, what: str) -> str | None:
    """Where two same-shaped float tensors differ most (relative to ``want``), or None."""
    import torch

    if not (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor)):
        return None
    if got.shape != want.shape or not want.is_floating_point() or want.numel() < 2:
        return None
    a, e = got.detach().double().cpu(), want.detach().double().cpu()
    same = (a == e) | (torch.isnan(a) & torch.isnan(e))
    error = torch.where(same, 0.0, (a - e).abs() / e.abs().clamp(min=1e-300))
    error = torch.where(torch.isnan(error), math.inf, error)
    if not bool((error > 0).any()):
        return None
    at = tuple(int(i) for i in (error == error.max()).nonzero()[0])
    return f"{what} at index {at}: yours {a[at].item()!r}, expected {e[at].item()!r}"


def mismatch(got: Any, want: Any) -> str:
    """What makes a result infinitely far from the reference's (see :func:`eps_distance`)."""
    import torch

    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"a {type(got).__name__} where the reference returns a tensor"
        if got.shape != want.shape:
            return f"shape {tuple(got.shape)} where the reference's is {tuple(want.shape)}"
        if got.dtype != want.dtype:
            return f"dtype {got.dtype} where the reference's is {want.dtype}"
        if want.is_floating_point():
            a, e = got.detach().double().cpu(), want.detach().double().cpu()
            if bool((torch.isnan(a) & ~torch.isnan(e)).any()):
                return "NaN where the reference returns a number"
            if bool((torch.isinf(a) & (a != e)).any()):
                return "an infinity where the reference does not"
            if bool((torch.isinf(e) & (a != e)).any()):
                return "a finite value where the reference returns an infinity"
            if bool((torch.isnan(e) & ~torch.isnan(a)).any()):
                return "a number where the reference returns NaN"
        return "a different value"
    if isinstance(want, tuple | list) and isinstance(got, tuple | list) and len(got) == len(want):
        for g, w in zip(got, want, strict=True):
            if math.isinf(eps_distance(g, w)):
                return mismatch(g, w)
    return "a different result"


def where_differs(got: Evaluation, want: Evaluation) -> str | None:
    where = worst_element(got.value, want.value, "value")
    if where is None and got.grads is not None and want.grads is not None:
        for g, w in zip(got.grads, want.grads, strict=True):
            where = where or worst_element(g, w, "gradient")
    return where


def result_distance(got: Evaluation, want: Evaluation) -> float:
    """How far the target's result is from the reference's, in eps of the result's dtype
    (gradients compared too when both are differentiable)."""
    if want.error is not None:
        return 0.0  # the reference rejects this input: no expected value to compare with
    if got.error is not None:
        return math.inf
    grads = 0.0
    if want.grads is not None and got.grads is not None:
        grads = eps_distance(got.grads, want.grads)
    return max(eps_distance(got.value, want.value), grads)


def budget(evaluation: Evaluation) -> float:
    """The eps budget of the reference result's dtype (see ``tolerances.TOLERANCES``)."""
    import torch

    from dltheory.core.tolerances import TOLERANCES

    value = evaluation.value
    if isinstance(value, torch.Tensor) and value.dtype in TOLERANCES:
        return TOLERANCES[value.dtype].ulps
    return 1.0
