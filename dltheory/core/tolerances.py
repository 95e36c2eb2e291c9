"""One table of comparison tolerances, by dtype, and the comparison that uses it.

The values are exactly ``torch.testing.assert_close``'s defaults; nothing in dltheory compares
more loosely. Results are compared in float64 against an oracle evaluated in float64 on the
*same* (already rounded) inputs, so the only error measured is the reference's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = [
    "FLOAT_DTYPES",
    "TOLERANCES",
    "Tolerance",
    "assert_close",
    "dtype_from_name",
    "is_close",
    "tolerance",
]


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


TOLERANCES: dict[torch.dtype, Tolerance] = {
    torch.float64: Tolerance(rtol=1e-7, atol=1e-7),
    torch.float32: Tolerance(rtol=1.3e-6, atol=1e-5),
    torch.bfloat16: Tolerance(rtol=1.6e-2, atol=1e-5),
    torch.float16: Tolerance(rtol=1e-3, atol=1e-5),
}

FLOAT_DTYPES: tuple[torch.dtype, ...] = tuple(TOLERANCES)


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
    actual_t = torch.as_tensor(actual)
    expected_t = torch.as_tensor(expected)
    tol = tolerance(dtype if dtype is not None else actual_t.dtype)
    torch.testing.assert_close(
        actual_t.detach().to("cpu", torch.float64),
        expected_t.detach().to("cpu", torch.float64),
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
