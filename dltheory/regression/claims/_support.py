r"""What the regression claims share: SymPy symbols, sample data, exact oracles, strategies.

Symbols: :math:`n` examples and :math:`d` features (positive integers), the design entries
:math:`x_{ij}`, targets :math:`y_i` and weights :math:`w_j` as ``IndexedBase`` objects indexed
from 1, the bias :math:`b`, the variance :math:`\sigma^2 > 0`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.samples import randn

n = sp.Symbol("n", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
X = sp.IndexedBase("x", real=True)
Y = sp.IndexedBase("y", real=True)
W = sp.IndexedBase("w", real=True)
b = sp.Symbol("b", real=True)
s2 = sp.Symbol(r"\sigma^2", positive=True)


def prediction(row: sp.Expr = i) -> sp.Expr:
    r""":math:`\mathbf{w}^\top\mathbf{x}^{(i)} + b = \sum_{j=1}^d w_j x_{ij} + b`."""
    return sp.Sum(W[j] * X[row, j], (j, 1, d)) + b


def residual(row: sp.Expr = i) -> sp.Expr:
    r""":math:`y^{(i)} - \mathbf{w}^\top\mathbf{x}^{(i)} - b`."""
    return Y[row] - prediction(row)


def regression_data(n_: int, d_: int, seed: int, dtype, device, *, noise: float = 0.5):
    """``(X, y, w, b)``: seeded Gaussian features, weights, bias, and targets from the linear
    model plus Gaussian noise; float64, rounded to ``dtype``, on ``device``."""
    Xs = randn(n_, d_, seed=seed)
    w = randn(d_, seed=seed + 1)
    b0 = randn(1, seed=seed + 2)[0]
    y = Xs @ w + b0 + noise * randn(n_, seed=seed + 3)
    return tuple(t.to(dtype).to(device) for t in (Xs, y, w, b0))


def exact_predictions(Xs: torch.Tensor, w: torch.Tensor, b0: torch.Tensor):
    r""":math:`X\mathbf{w} + b` in exact rational arithmetic on the values the tensors hold,
    and the scale :math:`\sum_j |w_j x_{ij}| + |b|` that measures cancellation."""
    ws = [Fraction(v) for v in w.double().tolist()]
    bias = Fraction(float(b0))
    values, scales = [], []
    for row in Xs.double().tolist():
        terms = [Fraction(v) * c for v, c in zip(row, ws, strict=True)]
        values.append(float(sum(terms) + bias))
        scales.append(float(sum(abs(t) for t in terms) + abs(bias)))
    return torch.tensor(values, dtype=torch.float64), torch.tensor(scales, dtype=torch.float64)


def exact_half_squares(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r""":math:`\frac12(\hat y - y)^2`, exactly (then rounded to float64), elementwise."""
    pairs = zip(y_hat.double().reshape(-1).tolist(), y.double().reshape(-1).tolist(), strict=True)
    values = [float((Fraction(a) - Fraction(c)) ** 2 / 2) for a, c in pairs]
    return torch.tensor(values, dtype=torch.float64).reshape(y.shape)


def autograd_step(w, b0, Xs, y, lr: float, weight_decay: float = 0.0):
    r"""``torch.optim.SGD`` on :math:`\frac1{2n}\|X\mathbf{w} + b - \mathbf{y}\|^2` (written with
    ``F.mse_loss``), in float64, with weight decay :math:`\lambda` on :math:`\mathbf{w}` only."""
    import torch.nn.functional as F

    wp = torch.nn.Parameter(w.detach().double().clone())
    bp = torch.nn.Parameter(b0.detach().double().clone())
    optimizer = torch.optim.SGD(
        [{"params": [wp], "weight_decay": weight_decay}, {"params": [bp], "weight_decay": 0.0}],
        lr=lr,
    )
    loss = (
        F.mse_loss(F.linear(Xs.double(), wp.unsqueeze(0), bp.reshape(1)).squeeze(-1), y.double())
        / 2
    )
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return wp.detach(), bp.detach()


@st.composite
def regression_batches(
    draw, *, max_n: int = 6, max_d: int = 4, magnitude: float = 10.0, spare: int | None = None
):
    """``(X, y, w, b)`` in float64: a minibatch of 1..max_n examples with 1..max_d features;
    with ``spare``, at least ``d + 1 + spare`` examples (more than the parameters)."""
    d_ = draw(st.integers(1, max_d))
    low = 1 if spare is None else d_ + 1 + spare
    n_ = draw(st.integers(low, max(low, max_n)))
    entries = st.floats(-magnitude, magnitude, allow_nan=False)

    def array(*shape):
        return torch.from_numpy(
            np.ascontiguousarray(draw(hnp.arrays(np.float64, shape, elements=entries)))
        )

    return array(n_, d_), array(n_), array(d_), array(1)[0]


LEARNING_RATES = st.floats(0.0, 1.0)
