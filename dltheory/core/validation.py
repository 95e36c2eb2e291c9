"""Argument checks shared by the reference functions.

Each check raises ``TypeError`` (wrong kind of object or dtype) or ``ValueError`` (wrong
shape or values) with a message that starts with the argument's name. Value checks that
need a device-to-host sync (signs, sums, index ranges) are skipped when the caller passes
``validate=False``, and always skipped for tensors on the ``meta`` device, which have a
shape and a dtype but no values (:func:`has_values`).
"""

from __future__ import annotations

import math
import numbers
import operator

import torch

from dltheory.core.tolerances import tolerance

# tensors of at most this many entries (on the CPU) are checked in Python: a small call
_SMALL_CALL = 64

__all__ = [
    "as_parameter",
    "check_bool",
    "check_broadcastable",
    "check_floating",
    "check_int",
    "check_log_base",
    "check_probabilities",
    "check_real",
    "check_reduction",
    "check_same_device",
    "check_same_dtype",
    "check_same_shape",
    "describe",
    "has_values",
    "normalize_dim",
    "opmath_dtype",
    "probability_rows",
    "rows_on_simplex",
]

REDUCTIONS = ("none", "mean", "sum")


def has_values(*tensors: torch.Tensor) -> bool:
    """False if any tensor is on the ``meta`` device: value checks must be skipped then."""
    if len(tensors) == 1:  # the common case, without a generator (small calls count µs)
        return not tensors[0].is_meta
    return not any(t.is_meta for t in tensors)


def describe(value: object) -> str:
    """A short ``repr`` for messages (a huge int becomes ``2**N``-sized, not 400 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        sign = "a negative" if value < 0 else "an"
        return f"{sign} int of {abs(value).bit_length()} bits"
    return repr(value)


def check_floating(name: str, x: object) -> torch.Tensor:
    """``x`` must be a floating-point tensor with at least one dimension."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if x.dim() == 0:
        raise ValueError(f"{name} must have at least one dimension, got a 0-d tensor")
    return x


def check_bool(name: str, value: object) -> bool:
    """``value`` must be a ``bool`` (a flag such as ``keepdim`` or ``validate``)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def normalize_dim(name: str, x: torch.Tensor, dim: int) -> int:
    """Turn a possibly negative ``dim`` into an index, and reject empty dimensions."""
    if type(dim) is not int:
        check_int("dim", dim)
    ndim = x.dim()
    if not -ndim <= dim < ndim:
        raise ValueError(f"dim {describe(dim)} is out of range for {name} with {ndim} dimension(s)")
    dim %= ndim
    if x.shape[dim] == 0:
        raise ValueError(f"{name} has an empty dimension {dim} (shape {tuple(x.shape)})")
    return dim


def check_reduction(reduction: object) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def check_same_device(name: str, x: torch.Tensor, other_name: str, other: torch.Tensor) -> None:
    if x.device != other.device:
        raise ValueError(f"{name} is on {x.device} but {other_name} is on {other.device}")


def opmath_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype arithmetic is carried out in: float32 for float16/bfloat16, else ``dtype``."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def in_compute_dtype(x: torch.Tensor) -> torch.Tensor:
    """``x`` in the dtype arithmetic is carried out in (float32 for float16/bfloat16); ``x``
    itself when it already is (no ``.to()`` call: a microsecond counts in small calls)."""
    t = opmath_dtype(x.dtype)
    return x if x.dtype == t else x.to(t)


def in_dtype(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``x`` rounded to ``dtype`` (the result's dtype), or ``x`` itself when it already is."""
    return x if x.dtype == dtype else x.to(dtype)


def probability_rows(p: torch.Tensor, dim: int) -> list[list[float]]:
    """The slices of a small CPU tensor along ``dim`` (normalized, ``p`` at least 1-D) as
    Python lists: one copy, with no tensor operation when ``dim`` is the last."""
    if p.dim() == 1:
        return [p.tolist()]
    if dim == p.dim() - 1:
        return p.tolist() if p.dim() == 2 else p.reshape(-1, p.shape[-1]).tolist()
    return p.movedim(dim, -1).reshape(-1, p.shape[dim]).tolist()


def rows_on_simplex(rows: list[list[float]], dtype: torch.dtype) -> bool:
    """Every row nonnegative and summing to 1 (exactly, by ``math.fsum``) within ``dtype``'s
    ``rtol``: the test of :func:`check_probabilities`, on rows from :func:`probability_rows`."""
    # a NaN entry may pass min() but never the sum's test; -inf fails min() before fsum
    if not min(map(min, rows)) >= 0:
        return False
    tol = tolerance(dtype).rtol
    for row in rows:  # noqa: SIM110 (a loop: all() of a generator costs a frame per call)
        if not abs(math.fsum(row) - 1) <= tol:
            return False
    return True


def check_probabilities(name: str, p: torch.Tensor, dim: int | tuple[int, ...] = -1) -> None:
    r"""``p`` must be finite, nonnegative and sum to 1 along ``dim`` (within the dtype's
    tolerance).

    The sum is taken in float64 so that the check itself adds no rounding error; rows may
    deviate from 1 by at most the dtype's ``rtol`` from :mod:`dltheory.core.tolerances`.
    Nothing is checked on the ``meta`` device.

    Raises:
        ValueError: ``p`` has a NaN, infinite or negative entry, or a slice whose sum is not 1.
    """
    if p.numel() == 0 or not has_values(p):
        return
    tol = tolerance(p.dtype).rtol
    # a small call: one copy to Python, exact row sums by math.fsum, no tensor operations
    # (each costs about a microsecond, more than the checks themselves)
    if isinstance(dim, int) and p.dim() and p.numel() <= _SMALL_CALL and p.is_cpu:  # noqa: SIM102
        if rows_on_simplex(probability_rows(p, dim % p.dim()), p.dtype):
            return
    # the common case in one host sync: the smallest entry and the largest deviation of a
    # sum from 1 (a NaN or infinite entry makes one of them NaN or infinite, failing both)
    sums = p.sum(dim=dim, dtype=torch.float64)
    low, high = torch.aminmax(sums)
    smallest = p.amin()
    smallest, low, high = torch.stack(
        (smallest if smallest.dtype == torch.float64 else smallest.double(), low, high)
    ).tolist()
    deviation = max(1 - low, high - 1)  # NaN compares false: it fails the test below
    if smallest >= 0 and deviation <= tol and low == low and high == high:
        return
    if not bool(torch.isfinite(p).all()):
        what = "NaN" if bool(torch.isnan(p).any()) else "an infinite entry"
        raise ValueError(f"{name} contains {what}; expected probabilities")
    smallest = p.min()
    if smallest < 0:
        raise ValueError(
            f"{name} has a negative entry ({smallest.item():.6g}); probabilities must be >= 0"
        )
    if not deviation <= tol:
        worst = sums.flatten()[(sums - 1).abs().flatten().argmax()].item()
        raise ValueError(
            f"{name} must sum to 1 along dim {dim} (within {tol:g} for {p.dtype}); "
            f"found a sum of {worst:.9g}. Pass validate=False to skip this check."
        )


def check_log_base(base: object) -> float:
    r"""The natural logarithm of a logarithm base (``None`` means :math:`e`, i.e. nats).

    Information measures in base :math:`b` are the natural-log values divided by
    :math:`\ln b`: ``2`` gives bits, :math:`e` nats, ``10`` hartleys. An ``int`` of any size
    is exact (:func:`math.log` reads it without converting to float first).

    Raises:
        TypeError: ``base`` is not a real number (``bool`` is rejected too).
        ValueError: ``base`` is not finite, is :math:`\le 0`, or is ``1``.
    """
    if base is None:
        return 1.0
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a real number (or None for e), got {type(base).__name__}")
    try:
        log_base = math.log(base)
    except (ValueError, OverflowError):  # base <= 0, or a number float() cannot hold
        log_base = math.nan
    if not math.isfinite(log_base) or log_base == 0:
        raise ValueError(
            f"base must be a finite positive number other than 1, got {describe(base)}"
        )
    return log_base


def check_same_shape(name: str, x: torch.Tensor, other_name: str, other: torch.Tensor) -> None:
    """``x`` must have exactly ``other``'s shape (no broadcasting)."""
    if x.shape != other.shape:
        raise ValueError(
            f"{name} has shape {tuple(x.shape)} but {other_name} has shape "
            f"{tuple(other.shape)}; they must match"
        )


def check_same_dtype(name: str, x: torch.Tensor, other_name: str, other: torch.Tensor) -> None:
    """``x`` must have ``other``'s dtype (no silent promotion between operands)."""
    if x.dtype != other.dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype} but {other_name} has dtype {other.dtype}; they must match"
        )


def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` must be a finite real number (not a ``bool``, not a tensor) in the given range.

    ``low``/``high`` bound it (``None``: unbounded); ``low_open``/``high_open`` exclude the
    bound itself. Returns it as a ``float``.

    Raises:
        TypeError: ``value`` is not a real number.
        ValueError: ``value`` is not finite or lies outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float's range: infinite, so out of range
        number = math.inf if operator.gt(value, 0) else -math.inf
    below = low is not None and (number <= low if low_open else number < low)
    above = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or below or above:
        left = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
        right = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
        raise ValueError(
            f"{name} must be a finite number in {left}, {right}, got {describe(value)}"
        )
    return number


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """``value`` must be an ``int`` (not a ``bool``) and at least ``minimum``.

    Raises:
        TypeError: ``value`` is not an integer.
        ValueError: ``value`` is below ``minimum``.
    """
    if type(value) is int:  # the common case, without the slow abstract-class check
        number = value
    elif isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    else:
        number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {number}")
    return number


def check_broadcastable(shapes: dict[str, torch.Size]) -> torch.Size:
    """The broadcast shape of named shapes; a ``ValueError`` naming the first two that clash."""
    names = list(shapes)
    result = torch.Size()
    for i, name in enumerate(names):
        try:
            result = torch.broadcast_shapes(result, shapes[name])
        except RuntimeError:
            for other in names[:i]:
                try:
                    torch.broadcast_shapes(shapes[other], shapes[name])
                except RuntimeError:
                    break
            else:  # clashes only with the combination of the earlier ones
                other = " and ".join(names[:i])
            raise ValueError(
                f"{name} has shape {tuple(shapes[name])}, which does not broadcast with "
                f"{other}'s shape {tuple(shapes.get(other, result))}"
            ) from None
    return result


def as_parameter(
    name: str, value: object, dtype: torch.dtype, device: torch.device | None
) -> torch.Tensor:
    """A tensor or real number as a tensor of ``dtype`` on ``device``.

    A finite number that ``dtype`` cannot hold (``10**400``, or ``1e39`` in float32) is a
    ``ValueError`` naming the argument, not an ``OverflowError`` or a silent infinity.
    """
    if isinstance(value, torch.Tensor):
        return value.to(dtype=dtype, device=device)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a tensor or a real number, got {type(value).__name__}")
    try:
        number = float(value)
        out = torch.as_tensor(number, dtype=dtype)  # on the CPU: checked without a sync
    except (OverflowError, RuntimeError):
        out = None
    if out is None or (bool(torch.isinf(out)) and math.isfinite(number)):
        raise ValueError(f"{name} = {describe(value)} does not fit in {dtype}")
    return out.to(device) if device is not None else out
