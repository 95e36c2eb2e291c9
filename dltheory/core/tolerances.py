r"""One table of comparison tolerances, by dtype, and the comparisons that use it.

Two kinds of oracle, two comparisons:

* against an oracle that is itself a floating-point computation (SciPy, a torch built-in in
  float64, autograd), :func:`assert_close` uses ``rtol``/``atol``, exactly
  ``torch.testing.assert_close``'s defaults; nothing in dltheory compares more loosely;
* against an exact oracle (mpmath at 50 digits, exact rational arithmetic),
  :func:`assert_accurate` measures the error in units of the dtype's machine epsilon,
  relative to the exact value: :math:`|a - e| \le k\,arepsilon\,\max(|e|, 	ext{tiny})`,
  with ``k = ulps`` from the table and tiny the dtype's smallest normal number. No absolute
  tolerance hides an error in a tiny value.

Results are compared in float64 against an oracle evaluated on the *same* (already rounded)
inputs, so the only error measured is the implementation's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = [
    "FLOAT_DTYPES",
    "TOLERANCES",
    "Tolerance",
    "assert_accurate",
    "assert_close",
    "dtype_from_name",
    "is_accurate",
    "is_close",
    "tolerance",
]


@dataclass(frozen=True)
class Tolerance:
    """``rtol``/``atol`` against a floating-point oracle; ``ulps`` against an exact one.

    ``ulps`` is in units of the dtype's epsilon. float16 and bfloat16 results are computed in
    float32 and rounded once, so they are within one epsilon (half an ulp of rounding plus a
    float32 error far below it). float32 and float64 results come from short sums and a few
    elementary functions; 16 eps leaves room for that and nothing more.
    """

    rtol: float
    atol: float
    ulps: float


TOLERANCES: dict[torch.dtype, Tolerance] = {
    torch.float64: Tolerance(rtol=1e-7, atol=1e-7, ulps=16),
    torch.float32: Tolerance(rtol=1.3e-6, atol=1e-5, ulps=16),
    torch.bfloat16: Tolerance(rtol=1.6e-2, atol=1e-5, ulps=1),
    torch.float16: Tolerance(rtol=1e-3, atol=1e-5, ulps=1),
}

FLOAT_DTYPES: tuple[torch.dtype, ...] = tuple(TOLERANCES)


def _as_float64(value) -> torch.Tensor:
    """``value`` as a float64 CPU tensor; Python numbers and lists are read in float64 (never
    through torch's float32 default dtype)."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", torch.float64)
    return torch.as_tensor(value, dtype=torch.float64)


def dtype_from_name(name: str) -> torch.dtype:
    """``"float32"`` -> ``torch.float32`` (only the dtypes in the table)."""
    dtype = getattr(torch, name, None)
    if dtype not in TOLERANCES:
        raise ValueError(f"dtype must be one of {[str(d) for d in TOLERANCES]}, got {name!r}")
    return dtype


def tolerance(dtype: torch.dtype) -> Tolerance:
    """The tolerance for results computed in ``dtype``."""
    try:
        return TOLERANCES[dtype]
    except KeyError:
        raise TypeError(f"no tolerance for dtype {dtype}; expected a floating dtype") from None


def assert_close(actual, expected, *, dtype: torch.dtype | None = None, msg: str | None = None):
    """Compare ``actual`` with ``expected`` (tensors, arrays or numbers) in float64.

    The tolerance is the table's entry for ``dtype``, which defaults to ``actual``'s dtype: a
    float16 result is judged at float16 tolerance even though both sides are upcast to compare.
    ``equal_nan`` is off and infinities must match exactly.
    """
    actual_dtype = actual.dtype if isinstance(actual, torch.Tensor) else torch.float64
    tol = tolerance(dtype if dtype is not None else actual_dtype)
    torch.testing.assert_close(
        _as_float64(actual),
        _as_float64(expected),
        rtol=tol.rtol,
        atol=tol.atol,
        msg=None if msg is None else (lambda default: f"{msg}\n{default}"),
    )


def is_close(actual, expected, *, dtype: torch.dtype | None = None) -> bool:
    """Boolean form of :func:`assert_close` (for Hypothesis predicates)."""
    try:
        assert_close(actual, expected, dtype=dtype)
    except AssertionError:
        return False
    return True


def _eps_error(actual, exact, dtype: torch.dtype, scale=None):
    """``(a, e, error, mismatch)``: both sides in float64 (broadcast), the per-element error in
    units of ``dtype``'s eps relative to ``exact``, and where non-finite values disagree."""
    a, e = _as_float64(actual), _as_float64(exact)
    a, e = torch.broadcast_tensors(a, e)
    info = torch.finfo(dtype)
    finite = torch.isfinite(e)
    mismatch = (~finite & ~((a == e) | (torch.isnan(a) & torch.isnan(e)))) | (
        finite & ~torch.isfinite(a)
    )
    floor = torch.full((), info.tiny, dtype=torch.float64)
    if scale is not None:
        floor = torch.maximum(_as_float64(scale).abs(), floor)
    scale = torch.maximum(e.abs(), floor)
    error = torch.where(finite & torch.isfinite(a), (a - e).abs() / scale / info.eps, 0.0)
    return a, e, error, mismatch


def assert_accurate(
    actual, exact, *, dtype: torch.dtype | None = None, scale=None, msg: str | None = None
):
    r"""``actual`` is within the table's ``ulps`` of an *exact* oracle, relative to it.

    ``exact`` holds the exact values rounded to float64 (e.g. mpmath at 50 digits); the error
    :math:`|a - e| / \max(|e|, \text{tiny})` is measured in units of the eps of ``dtype``
    (default: ``actual``'s dtype). Non-finite oracle values must be matched exactly (NaN by
    NaN). Use :func:`assert_close` instead when the oracle is itself a floating-point
    computation.

    ``scale`` (broadcastable to ``exact``) replaces :math:`|e|` by :math:`\max(|e|, |scale|)`
    where no algorithm can be relatively accurate because the problem is ill-conditioned:
    e.g. :math:`\log\sum_k e^{o_k}` near 0 with large :math:`|o_k|` is only accurate to
    :math:`\varepsilon \max_k |o_k|`. Say in a comment why a scale is used.
    """
    if dtype is None:
        dtype = actual.dtype if isinstance(actual, torch.Tensor) else torch.float64
    budget = tolerance(dtype).ulps
    a, e, error, mismatch = _eps_error(actual, exact, dtype, scale)
    if mismatch.any():
        at = tuple(int(i) for i in mismatch.nonzero()[0])
        detail = f"non-finite mismatch at {at}: got {a[at].item()!r}, exact {e[at].item()!r}"
    elif error.numel() and error.max() > budget:
        at = tuple(int(i) for i in (error == error.max()).nonzero()[0])
        detail = (
            f"error {error[at].item():.3g} eps of {dtype} exceeds the budget of {budget:g} eps "
            f"at {at}: got {a[at].item()!r}, exact {e[at].item()!r}"
        )
    else:
        return
    raise AssertionError(f"{msg}\n{detail}" if msg else detail)


def is_accurate(actual, exact, *, dtype: torch.dtype | None = None, scale=None) -> bool:
    """Boolean form of :func:`assert_accurate` (for Hypothesis predicates)."""
    try:
        assert_accurate(actual, exact, dtype=dtype, scale=scale)
    except AssertionError:
        return False
    return True
