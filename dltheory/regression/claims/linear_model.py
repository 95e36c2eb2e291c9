r"""§ 3 Linear Neural Networks for Regression — the linear model, per example and batched.

Main declarations:

* ``regression.linear-model-batched`` — :math:`(X\mathbf{w} + b)_i = \mathbf{w}^\top
  \mathbf{x}^{(i)} + b = \sum_{j=1}^d x_{ij} w_j + b`: the batched form stacks the per-example
  predictions;
* notation note ``regression.prediction-vector-lhs`` — the notes write the scalar
  :math:`\hat y` on the left of :math:`X\mathbf{w} + b`, a vector;
* notation note ``regression.figure-dimensionality-n`` — the figure calls the feature
  dimensionality :math:`n`, which the text uses for the number of examples.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from sympy.matrices.expressions.matexpr import MatrixElement

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.regression.claims._support import (
    W,
    X,
    b,
    d,
    exact_predictions,
    j,
    regression_batches,
    regression_data,
)

SECTION = Section("regression", "3 Linear Neural Networks for Regression")

linear_model_batched = SECTION.claim(
    "linear-model-batched",
    title="The batched linear model stacks the per-example predictions",
    statement=r"E[Y \mid X = \mathbf{x}] = x_1 w_1 + \dots + x_d w_d + b = "
    r"\mathbf{w}^\top\mathbf{x} + b, \qquad (X\mathbf{w} + b\mathbf{1})_i = "
    r"\mathbf{w}^\top\mathbf{x}^{(i)} + b",
    kind=Kind.IDENTITY,
    code=("linear_model",),
    note=r"$X \in \mathbb{R}^{n \times d}$ holds one example $\mathbf{x}^{(i)\top}$ per row; the "
    r"scalar $b$ is added to every component (broadcast).",
)


@linear_model_batched.symbolic_leg(scope="general $d$; row $i$ of a general $n \\times d$ matrix")
def _() -> Derivation:
    q = sp.Symbol("i", integer=True, positive=True)
    written = sp.Sum(X[q, j] * W[j], (j, 1, d)) + b  # x_1 w_1 + ... + x_d w_d + b
    M = sp.MatrixSymbol("X", sp.Symbol("n", integer=True, positive=True), d)
    w = sp.MatrixSymbol("w", d, 1)
    row = (M * w)[q - 1, 0] + b  # SymPy indexes matrices from 0
    shifted = row.replace(
        lambda e: isinstance(e, sp.Sum),
        lambda s: s.change_index(s.variables[0], s.variables[0] + 1, j),
    )
    # name the entries as the notes do, from 1: X[r, c] -> x_{r+1, c+1}, w[c, 0] -> w_{c+1}
    as_indexed = shifted.replace(
        lambda e: isinstance(e, MatrixElement),
        lambda e: X[e.i + 1, e.j + 1] if e.parent == M else W[e.i + 1],
    )
    return Derivation(
        steps=[
            Step(r"The notes' sum for example $i$", equation(sp.Symbol(r"\hat{y}^{(i)}"), written)),
            Step(
                r"Row $i$ of $X\mathbf{w} + b$ (SymPy's matrix product, indices from 0)",
                equation(sp.Symbol(r"(Xw+b)_i"), row),
            ),
            Step("Shift the summation index to start at 1", equation(row, as_indexed)),
        ],
        residuals=[as_indexed - written],
        compared=[r"row $i$ of $X\mathbf{w} + b$ minus $\sum_j x_{ij} w_j + b$"],
    )


@linear_model_batched.numeric_leg(
    oracle="torch.nn.functional.linear (float64, on the rounded inputs); exact rational "
    r"$\sum_j x_{ij} w_j + b$ (error in eps against $\sum_j |x_{ij} w_j| + |b|$)"
)
def _(impl, device, dtype) -> None:
    Xs, _, w, b0 = regression_data(9, 4, seed=1, dtype=dtype, device=device)
    got = impl.linear_model(Xs, w, b0)
    assert got.shape == (9,) and got.dtype == dtype and got.device == Xs.device
    want = F.linear(Xs.double(), w.double().unsqueeze(0), b0.double().reshape(1)).squeeze(-1)
    assert_close(got, want, dtype=dtype, msg="linear_model vs F.linear")
    exact, scale = exact_predictions(Xs, w, b0)
    assert_accurate(got, exact, scale=scale, msg="linear_model vs exact sums")
    first = impl.linear_model(Xs[:1], w, b0)  # one example alone: the same formula
    assert_accurate(first, exact[:1], scale=scale[:1], msg="a single example")
    # a batch of models: (B, n, d) with (B, d) weights and (B,) biases
    stacked = impl.linear_model(
        torch.stack([Xs, 2 * Xs]), torch.stack([w, -w]), torch.stack([b0, b0])
    )
    assert stacked.shape == (2, 9)
    assert_accurate(
        stacked[1], exact_predictions(2 * Xs, -w, b0)[0], scale=scale * 2, msg="batched"
    )


@linear_model_batched.property_leg(
    r"every component of `linear_model(X, w, b)` equals $\sum_j x_{ij} w_j + b$ computed "
    "exactly (error in eps against the absolute sum)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        Xs, _, w, b0 = case
        exact, scale = exact_predictions(Xs, w, b0)
        return is_accurate(impl.linear_model(Xs, w, b0), exact, scale=scale)

    return ForAll(regression_batches(), holds, names=("X", "y", "w", "b"))


prediction_vector_lhs = SECTION.claim(
    "prediction-vector-lhs",
    title="A scalar ŷ on the left of the vector Xw + b",
    statement=r"\hat{y} = \mathbf{w}^T\mathbf{x} + b = \mathbf{X}\mathbf{w} + b",
    kind=Kind.NOTATION,
    corrects="regression.linear-model-batched",
    note=r"The first equality is for one example (a scalar), the second for the whole design "
    r"matrix (a vector in $\mathbb{R}^n$), so they cannot be joined by '='. Read "
    r"$\hat y = \mathbf{w}^\top\mathbf{x} + b$ per example and "
    r"$\hat{\mathbf{y}} = X\mathbf{w} + b\mathbf{1}$ for the batch, as "
    r"regression.linear-model-batched states.",
)

figure_dimensionality_n = SECTION.claim(
    "figure-dimensionality-n",
    title="The figure names the feature dimensionality n",
    statement=r"\text{Figure 1: Linear Regression Model with feature dimensionality } n",
    kind=Kind.NOTATION,
    corrects="regression.linear-model-batched",
    note=r"The text calls the feature dimensionality $d$ ($x_1 w_1 + \dots + x_d w_d$) and keeps "
    r"$n$ for the number of examples (the average loss over $n$ examples). Read the caption "
    r"as 'feature dimensionality $d$'.",
)
