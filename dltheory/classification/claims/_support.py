r"""What the classification claims share: SymPy symbols, sample inputs, strategies.

Symbols: :math:`q` classes and :math:`n` examples (positive integers), logits
:math:`o_1, \dots, o_q` and targets :math:`y_j` as ``IndexedBase`` objects indexed from 1.
"""

from __future__ import annotations

import mpmath
import sympy as sp
import torch

from dltheory.core import strategies as dst
from dltheory.core.samples import randn, simplex

q = sp.Symbol("q", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
i, j, k, t, c = sp.symbols("i j k t c", integer=True)
o = sp.IndexedBase("o", real=True)
y = sp.IndexedBase("y", real=True)
yhat = sp.IndexedBase(r"\hat{y}", positive=True)
C = sp.Symbol("C", real=True)


def partition(index: sp.Symbol = k) -> sp.Sum:
    r"""The softmax denominator :math:`\sum_{k=1}^q \exp(o_k)`."""
    return sp.Sum(sp.exp(o[index]), (index, 1, q))


def softmax_expr(index: sp.Symbol) -> sp.Expr:
    r""":math:`\exp(o_i) / \sum_k \exp(o_k)`."""
    return sp.exp(o[index]) / partition()


#: logit magnitudes each dtype holds comfortably (the numeric legs' extreme rows)
BIG = {torch.float64: 1e300, torch.float32: 1e4, torch.bfloat16: 1e4, torch.float16: 6e4}

#: the largest logit magnitude the float64 property legs draw (the dtype's range, with room
#: for a sum of six terms)
MAX_LOGIT = 1e300

#: leading batch shapes the property legs draw: (), (3,), (2, 4), ...
BATCHES = dst.batch_shapes(max_dims=2)

SHAPES = [(7,), (5, 11), (3, 4, 6)]


def logits(shape, seed: int, dtype: torch.dtype, device: str, scale: float = 4.0) -> torch.Tensor:
    """Seeded normal logits of ``shape``, rounded to ``dtype`` on ``device``."""
    return randn(*shape, seed=seed, scale=scale).to(dtype).to(device)


def probability_targets(shape, seed: int) -> torch.Tensor:
    """Float64 probability targets for logits of ``shape`` (classes on dimension 1), with
    exact zeros."""
    moved = (shape[0], *shape[2:], shape[1])
    return simplex(*moved, seed=seed, zeros=0.3).movedim(-1, 1)


#: what the numeric legs' confident rows test, named in their failure messages: a loss near
#: 1e-5 is log(1 + s) for a small sum s of the other classes' exponentials; computing it as
#: the log of the rounded 1 + s keeps only its absolute accuracy
CONFIDENT = "confident rows (losses near 1e-5: relative accuracy needs log1p of the small sum)"

#: mpmath precision for the oracles: 50 significant digits beyond the 308 decimal places a
#: float64 logit can shift the result by (so o_i - log sum_k e^{o_k} keeps 50 digits even when
#: both terms are near 1e308)
DPS = 360


def mp_log_softmax(row) -> list[mpmath.mpf]:
    """:math:`o_i - \\log\\sum_k e^{o_k}`, exactly enough (:data:`DPS` digits)."""
    with mpmath.workdps(DPS):
        values = [mpmath.mpf(float(v)) for v in row]
        top = max(values)
        log_s = mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in values))
        return [(v - top) - log_s for v in values]


def mp_softmax(row) -> list[float]:
    """The softmax of ``row`` (:data:`DPS` digits), rounded to float64."""
    with mpmath.workdps(DPS):
        return [float(mpmath.exp(v)) for v in mp_log_softmax(row)]


def mp_cross_entropy(logit_row, target_row) -> float:
    r""":math:`-\sum_j y_j \log\operatorname{softmax}(\mathbf{o})_j` (:data:`DPS` digits)."""
    with mpmath.workdps(DPS):
        log_p = mp_log_softmax(logit_row)
        total = -mpmath.fsum(
            mpmath.mpf(float(w)) * lp for w, lp in zip(target_row, log_p, strict=True)
        )
        return float(total)


def assert_twice_differentiable(fn, leaf: torch.Tensor, what: str) -> None:
    """First and second derivatives of ``fn`` at ``leaf`` (float64) agree with finite
    differences (``torch.autograd.gradcheck``, ``gradgradcheck``); on failure, one line
    naming the function and the order of the derivative (not the Jacobians)."""
    for order, check in (
        ("first", torch.autograd.gradcheck),
        ("second", torch.autograd.gradgradcheck),
    ):
        try:
            check(fn, (leaf,))
        except RuntimeError as exc:  # GradcheckError and autograd's own errors
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AssertionError(
                f"{order} derivatives of {what} disagree with finite differences "
                f"(torch.autograd.{check.__name__}): {first}"
            ) from None
