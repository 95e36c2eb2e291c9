"""Argument checks shared by the regression reference functions (private).

Each raises ``TypeError`` (wrong kind of object or dtype) or ``ValueError`` (wrong shape or
value) with a message that starts with the argument's name.
"""

from __future__ import annotations

import math
import numbers

import torch

from dltheory.core.validation import check_same_device, describe

__all__ = ["check_design", "check_params", "real_argument", "same_dtype", "tensor_argument"]


def tensor_argument(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    return value


def same_dtype(*named: tuple[str, torch.Tensor]) -> torch.dtype:
    (first, a), *rest = named
    for name, t in rest:
        if t.dtype != a.dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype} but {first} has {a.dtype}; they must match"
            )
        check_same_device(name, t, first, a)
    return a.dtype


def real_argument(name: str, value: object, *, minimum: float = 0.0) -> float:
    """A finite Python real ``>= minimum`` (``bool`` rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        v = float(value)
    except OverflowError:  # an int beyond float's range: not finite either
        v = math.inf
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {describe(value)}")
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {describe(value)}")
    return v


def check_design(X: torch.Tensor, y: torch.Tensor | None = None) -> None:
    if X.dim() < 2:
        raise ValueError(f"X must have shape (..., n, d), got {tuple(X.shape)}")
    if y is not None and (y.dim() < 1 or y.shape[-1] != X.shape[-2]):
        raise ValueError(
            f"y of shape {tuple(y.shape)} needs n = {X.shape[-2]} targets along its last "
            f"dimension (X has shape {tuple(X.shape)})"
        )


def check_params(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> None:
    if w.dim() < 1 or w.shape[-1] != X.shape[-1]:
        raise ValueError(
            f"w of shape {tuple(w.shape)} needs d = {X.shape[-1]} entries along its last "
            f"dimension (X has shape {tuple(X.shape)})"
        )
    try:
        torch.broadcast_shapes(X.shape[:-2], w.shape[:-1], b.shape)
    except RuntimeError:
        raise ValueError(
            f"batch shapes do not broadcast: X {tuple(X.shape[:-2])}, w {tuple(w.shape[:-1])}, "
            f"b {tuple(b.shape)}"
        ) from None
