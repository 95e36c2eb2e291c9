r"""Small calls of the discrete information measures, without tensor operations.

A ``torch`` operation costs about a microsecond on a tiny tensor whatever it computes, and the
accurate forms of :mod:`dltheory.information._terms` take some forty of them: a 10-outcome
KL divergence cost 25 times the built-in expression. A call on the CPU that builds no autograd
graph and holds few entries is therefore computed here instead, from the same formulas:

* the distributions (:func:`vector_measure`: entropy, cross-entropy, KL divergence) in Python
  floats, row by row, with exact sums (``math.fsum``);
* the joint tables (:func:`table_measure`: joint and conditional entropy, mutual information,
  pointwise mutual information) in float64 NumPy arrays, whose operations cost a fraction of a
  tensor's.

Both compute in float64 whatever the input's dtype and round once to it, so a float32 result
is correctly rounded more often than the tensor path's. Each returns ``None`` where it does
not apply (a graph, a device, a size, entries that are not probabilities under
``validate=False``), and the caller takes the tensor path. The simplex test is that of
:func:`dltheory.core.validation.check_probabilities`
(:func:`~dltheory.core.validation.rows_on_simplex`); where it fails the tensor path's check
raises the error, naming the offending entry or sum.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from dltheory.core.tolerances import tolerance
from dltheory.core.validation import probability_rows, rows_on_simplex
from dltheory.information._independence import mutual_information_value, plain_sum_and_closeness
from dltheory.information._terms import KL_NEAR, LN2, d_minus_log1p

__all__ = ["table_measure", "vector_measure"]

_VECTOR_LIMIT = 64  # entries of each distribution tensor computed in Python floats
_TABLE_LIMIT = 1024  # entries of a joint table computed in NumPy
_TINY = 2.0**-1022  # float64's smallest normal
_SMALLEST = 2.0**-1074  # float64's smallest subnormal


def _applies(tensors: tuple[torch.Tensor, ...], limit: int) -> bool:
    first = tensors[0]
    if not (first.is_cpu and 0 < first.numel() <= limit):
        return False
    if torch.is_grad_enabled():
        for t in tensors:
            if t.requires_grad:
                return False
    return True


_NUMPY_DTYPES = {torch.float64: np.float64, torch.float32: np.float32, torch.float16: np.float16}


def _as_tensor(values: object, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """float64 ``values`` as a tensor of ``shape``, rounded once to ``dtype`` (by NumPy's
    round-to-nearest conversion, or by ``torch`` for bfloat16)."""
    array = np.asarray(values, dtype=_NUMPY_DTYPES.get(dtype, np.float64))
    if array.shape != shape:
        array = array.reshape(shape)
    out = torch.from_numpy(array)
    return out if out.dtype == dtype else out.to(dtype)


def _finite_nonnegative(rows: list[list[float]]) -> bool:
    return min(map(min, rows)) >= 0 and max(map(max, rows)) < math.inf


def _log_ratio(a: float, b: float) -> float:
    r""":math:`\log(a/b)` for :math:`a, b \in (0, 1]`: directly where both are normal (so is
    the ratio), else from mantissas and exponents, where :math:`a/b` could overflow or lose
    its digits (a subnormal :math:`b` or :math:`a`)."""
    if a >= _TINY and b >= _TINY:
        return math.log(a / b)
    mantissa_a, exponent_a = math.frexp(a)
    mantissa_b, exponent_b = math.frexp(b)
    return math.log(mantissa_a / mantissa_b) + (exponent_a - exponent_b) * LN2


def _kl(p_row: list[float], q_row: list[float]) -> float:
    terms, linear = [], []
    for a, b in zip(p_row, q_row, strict=True):
        if a == 0:
            continue
        if b == 0:
            return math.inf
        diff = b - a
        if a >= _TINY and abs(diff) < KL_NEAR * a:
            terms.append(a * d_minus_log1p(diff / a))
            linear.append(diff)
        else:
            terms.append(a * _log_ratio(a, b))
    return math.fsum(terms) - math.fsum(linear)


def _cross_entropy(p_row: list[float], q_row: list[float]) -> float:
    terms = []
    for a, b in zip(p_row, q_row, strict=True):
        if a != 0:
            if b == 0:
                return math.inf
            terms.append(a * math.log(b))
    return 0.0 - math.fsum(terms)


def _entropy(p_row: list[float]) -> float:
    log = math.log
    return 0.0 - math.fsum([a * log(a) for a in p_row if a != 0])


_VECTOR_MEASURES: dict[str, Callable[..., float]] = {
    "entropy": _entropy,
    "cross_entropy": _cross_entropy,
    "kl_divergence": _kl,
}


def vector_measure(
    kind: str,
    tensors: tuple[torch.Tensor, ...],
    dim: int,
    keepdim: bool,
    log_base: float,
    validate: bool,
    dtype: torch.dtype,
) -> torch.Tensor | None:
    r"""``kind`` (``"entropy"``, ``"cross_entropy"`` or ``"kl_divergence"``) of the
    distributions ``tensors`` (``(p,)`` or ``(p, q)``) along ``dim`` (normalized), or ``None``
    where the call is not small."""
    if not _applies(tensors, _VECTOR_LIMIT):
        return None
    rows = []
    for p in tensors:
        try:
            values = probability_rows(p, dim)
        except RuntimeError:  # no storage to read (inside torch.func.vmap): the tensor path
            return None
        if not (rows_on_simplex(values, p.dtype) if validate else _finite_nonnegative(values)):
            return None  # the tensor path raises (validate) or applies its NaN and inf policy
        rows.append(values)
    measure = _VECTOR_MEASURES[kind]
    if len(rows) == 1:
        result = [measure(row) for row in rows[0]]
    else:
        result = [measure(a, b) for a, b in zip(rows[0], rows[1], strict=True)]
    if log_base != 1.0:
        result = [value / log_base for value in result]
    shape = tensors[0].shape
    return _as_tensor(result, (*shape[:dim], *((1,) if keepdim else ()), *shape[dim + 1 :]), dtype)


def _log_ratio_array(p: np.ndarray, marginals: tuple[np.ndarray, ...], normal: bool) -> np.ndarray:
    r""":math:`\log(p / \prod_k m_k)` elementwise for positive arrays, ``log1p`` of the exact
    relative difference where the ratio lies in :math:`(\tfrac12, \tfrac32)`. When every
    :math:`p` (``normal``) and every product is a normal number the ratio is one too
    (:math:`p \le 1`), and is formed directly; otherwise, as :func:`_log_ratio`, from the
    mantissas' quotient and the exponents' difference times :math:`\log 2`."""
    product = marginals[0] if len(marginals) == 1 else marginals[0] * marginals[1]
    if normal and product.min() >= _TINY:
        diff = p - product
        near = np.abs(diff) < 0.5 * product
        relative = np.where(near, diff, 0.0) / product  # no log1p(-1) where it is not used
        return np.where(near, np.log1p(relative), np.log(p / product))
    quotient, scale = np.frexp(p)
    for m in marginals:
        mantissa, exponent = np.frexp(m)
        quotient = quotient / mantissa
        scale = scale - exponent
    far = np.log(quotient) + scale * LN2
    near = (product >= _TINY) & (np.abs(p - product) < 0.5 * product)
    return np.where(near, np.log1p((p - product) / np.where(near, product, 1.0)), far)


def _conditional_log_ratio(
    a: np.ndarray, p: np.ndarray, marginal: np.ndarray, axis: int, normal: bool
) -> np.ndarray:
    r""":math:`\log(p / m)` for :math:`m` the sum of the table ``a`` along ``axis``: where a
    cell holds more than half of its slice (at most one per slice), :math:`\operatorname{log1p}
    (-r/m)` with :math:`r` the sum of the other cells, which keeps the relative accuracy that
    :math:`p - m` (with :math:`m` rounded) loses in a nearly deterministic slice."""
    near = a > 0.5 * marginal  # never an empty cell (its placeholder p = 1 could be)
    if not normal:
        near &= marginal >= _TINY
    rest = np.where(near, 0.0, a).sum(axis=axis, keepdims=True)
    # every cell and marginal normal: p / m is too (p <= m <= 1)
    far = np.log(p / marginal) if normal else _log_ratio_array(p, (marginal,), normal)
    relative = np.where(near, -rest / marginal, 0.0)  # no log1p(-1) of a slice without one
    return np.where(near, np.log1p(relative), far)


def _table(joint: torch.Tensor, validate: bool) -> np.ndarray | None:
    """``joint`` as a float64 array after the simplex check (``None``: not probabilities
    under ``validate=False``, or a tensor without storage)."""
    table = joint.detach() if joint.requires_grad else joint
    try:
        if table.dtype in (torch.float32, torch.float16):
            a = table.numpy().astype(np.float64)
        else:
            a = table.double().numpy()  # a copy only for bfloat16: numpy has no such dtype
    except RuntimeError:  # no storage to read (inside torch.func.vmap): the tensor path
        return None
    # ufunc reductions called directly: a small call counts tenths of a microsecond
    if validate:  # a NaN entry fails the sums' test, an infinite one the sums' or min()'s
        tol = tolerance(joint.dtype).rtol
        if a.ndim == 2 or math.prod(a.shape[:-2]) == 1:  # one table: one plain sum
            # compared as a Python float (a NumPy scalar's comparisons cost more)
            sums_ok = abs(float(np.add.reduce(a, axis=None)) - 1.0) <= tol
        else:
            sums = a.sum(axis=(-2, -1)).ravel().tolist()
            sums_ok = 1 - tol <= min(sums) <= max(sums) <= 1 + tol
        valid = sums_ok and np.minimum.reduce(a, axis=None) >= 0
    else:
        valid = np.minimum.reduce(a, axis=None) >= 0 and np.maximum.reduce(a, axis=None) < math.inf
    # otherwise the tensor path raises (validate) or applies its NaN and inf policy
    return a if valid else None


def table_measure(
    kind: str, joint: torch.Tensor, log_base: float, validate: bool
) -> torch.Tensor | None:
    r"""``kind`` (``"joint_entropy"``, ``"conditional_x"``, ``"conditional_y"``,
    ``"mutual_information"``, ``"pointwise"``) of the joint tables over the last two
    dimensions of ``joint``, or ``None`` where the call is not small."""
    if not _applies((joint,), _TABLE_LIMIT):
        return None
    a = _table(joint, validate)
    if a is None:
        return None
    if kind == "joint_entropy":
        logs = np.log(np.fmax(a, _SMALLEST))  # an empty cell: a finite log, times 0 below
    else:
        occurs = a > 0
        p = np.where(occurs, a, 1.0)  # placeholders where the cell is empty: no log of 0
        # every nonempty marginal is at least its smallest cell; an empty row's or column's
        # placeholder (the same floor) keeps its cells' ratios finite
        normal = bool(p.min() >= _TINY)
        floor = _TINY if normal else _SMALLEST
        if kind in ("conditional_x", "conditional_y"):
            axis = -1 if kind == "conditional_x" else -2
            marginal = np.fmax(a.sum(axis=axis, keepdims=True), floor)
            logs = _conditional_log_ratio(a, p, marginal, axis, normal)
        else:
            p_x = np.fmax(a.sum(axis=-1, keepdims=True), floor)
            p_y = np.fmax(a.sum(axis=-2, keepdims=True), floor)
            logs = _log_ratio_array(p, (p_x, p_y), normal)
    if kind == "pointwise":
        result = np.where(occurs, logs, -math.inf)
        shape = tuple(joint.shape)
    elif kind == "mutual_information":  # a log-ratio's rounding alone is eps, often far above I
        shape = tuple(joint.shape[:-2])
        relative_entropy = a * logs  # an empty cell: 0 times a finite log
        result, close = plain_sum_and_closeness(relative_entropy)
        if close.any():  # the marginals unfloored: an empty row adds nothing
            rows, cols = a.sum(axis=-1, keepdims=True), a.sum(axis=-2, keepdims=True)
            accurate = mutual_information_value(a, rows, cols, relative_entropy, np.where)
            result = np.where(close, accurate, result)
    else:
        shape = tuple(joint.shape[:-2])
        # an empty cell: 0 times a finite log; one table: one dot product, not two operations
        one = math.prod(shape) == 1
        result = 0.0 - (np.vdot(a, logs) if one else (a * logs).sum(axis=(-2, -1)))
    if log_base != 1.0:
        result = result / log_base
    return _as_tensor(result, shape, joint.dtype)
