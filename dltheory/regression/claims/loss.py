r"""§ 3 Loss Function — the squared loss, its gradient, and the average over the data.

Main declarations:

* ``regression.squared-loss`` — :math:`l^{(i)}(\mathbf{w}, b) = \frac12(\hat y^{(i)} -
  y^{(i)})^2`;
* ``regression.squared-loss-gradient`` — the :math:`\frac12` cancels on differentiating:
  :math:`\partial l/\partial \hat y = \hat y - y`, so
  :math:`\nabla_{\mathbf{w}} l = \mathbf{x}(\mathbf{w}^\top\mathbf{x} + b - y)` and
  :math:`\partial_b l = \mathbf{w}^\top\mathbf{x} + b - y`;
* ``regression.average-loss`` — :math:`L(\mathbf{w}, b) = \frac1n \sum_{i=1}^n l^{(i)}(\mathbf{w},
  b)`, with the notation note ``regression.average-loss-superscript`` (the notes write
  :math:`L^{(i)}` for a quantity that does not depend on :math:`i`).
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.regression.claims._support import (
    W,
    X,
    Y,
    b,
    d,
    exact_half_squares,
    i,
    k,
    n,
    prediction,
    regression_batches,
    regression_data,
)

SECTION = Section("regression", "3 Loss Function")

squared_loss = SECTION.claim(
    "squared-loss",
    title="Squared loss with the factor 1/2",
    statement=r"l^{(i)}(\mathbf{w}, b) = \frac12 \bigl(\hat{y}^{(i)} - y^{(i)}\bigr)^2",
    kind=Kind.DEFINITION,
    code=("squared_loss",),
    note=r"Half of the usual squared error: `squared_loss` is `F.mse_loss / 2`.",
    symbolic=NotApplicable("a definition; its derivative is regression.squared-loss-gradient"),
)


@squared_loss.numeric_leg(
    oracle="exact rational ½(ŷ − y)² (error in eps); torch.nn.functional.mse_loss / 2 for "
    "every reduction (float64, on the rounded inputs)"
)
def _(impl, device, dtype) -> None:
    y_hat, y = (randn(4, 6, seed=s, scale=5.0).to(dtype).to(device) for s in (10, 11))
    got = impl.squared_loss(y_hat, y, reduction="none")
    assert got.shape == y.shape and got.dtype == dtype and got.device == y.device
    assert_accurate(got, exact_half_squares(y_hat, y), msg="per-element loss")
    for reduction in ("mean", "sum"):
        want = F.mse_loss(y_hat.double(), y.double(), reduction=reduction) / 2
        got = impl.squared_loss(y_hat, y, reduction=reduction)
        assert got.dim() == 0
        assert_close(got, want, dtype=dtype, msg=f"reduction={reduction}")
    assert bool((impl.squared_loss(y, y, reduction="none") == 0).all()), "l(y, y) must be 0"


@squared_loss.property_leg(
    r"`squared_loss(ŷ, y, 'none')` equals $\frac12(\hat y - y)^2$ computed exactly, for "
    r"entries up to $10^{150}$ in magnitude"
)
def _(impl) -> ForAll:
    @st.composite
    def pairs(draw):
        size = draw(st.integers(1, 6))
        entries = st.floats(-1e150, 1e150, allow_nan=False)
        a = draw(st.lists(entries, min_size=size, max_size=size))
        c = draw(st.lists(entries, min_size=size, max_size=size))
        return torch.tensor(a, dtype=torch.float64), torch.tensor(c, dtype=torch.float64)

    def holds(case) -> bool:
        y_hat, y = case
        return is_accurate(
            impl.squared_loss(y_hat, y, reduction="none"), exact_half_squares(y_hat, y)
        )

    return ForAll(pairs(), holds, names=("y_hat", "y"))


squared_loss_gradient = SECTION.claim(
    "squared-loss-gradient",
    title="Gradient of the squared loss",
    statement=r"\frac{\partial l}{\partial \hat y} = \hat y - y, \quad "
    r"\nabla_{\mathbf{w}} l = \mathbf{x}\,(\mathbf{w}^\top\mathbf{x} + b - y), \quad "
    r"\frac{\partial l}{\partial b} = \mathbf{w}^\top\mathbf{x} + b - y",
    kind=Kind.THEOREM,
    code=("linear_regression_grad", "squared_loss"),
    uses=("regression.squared-loss",),
    note=r"The notes' remark that the $\frac12$ 'disappears when we take the derivative'. "
    "`linear_regression_grad` returns the gradient of the mean loss over its batch.",
)


@squared_loss_gradient.symbolic_leg(scope="general $d$")
def _() -> Derivation:
    y_hat, y0 = sp.symbols(r"\hat{y} y", real=True)
    loss_hat = sp.Rational(1, 2) * (y_hat - y0) ** 2
    q = sp.Symbol("i", integer=True, positive=True)
    loss = sp.Rational(1, 2) * (prediction(q) - Y[q]) ** 2
    raw = sp.diff(loss, W[k])
    by_w = resolve_in_range(raw.doit(), k, 1, d)
    return Derivation(
        steps=[
            Step(
                r"$l = \frac12(\hat y - y)^2$; the $\frac12$ cancels the exponent",
                equation(sp.diff(loss_hat, y_hat), y_hat - y0),
                cites=("regression.squared-loss",),
            ),
            Step(
                r"With $\hat y = \sum_j w_j x_{ij} + b$, differentiate by $w_k$",
                equation(sp.Derivative(sp.Symbol("l"), W[k]), raw),
            ),
            Step(r"The Kronecker delta picks $j = k$ ($1 \le k \le d$)", equation(raw, by_w)),
            Step(r"And by $b$", equation(sp.diff(loss, b), prediction(q) - Y[q])),
        ],
        residuals=[
            sp.diff(loss_hat, y_hat) - (y_hat - y0),
            by_w - X[q, k] * (prediction(q) - Y[q]),
            sp.diff(loss, b) - (prediction(q) - Y[q]),
        ],
        compared=[
            r"$\partial l / \partial \hat y - (\hat y - y)$",
            r"$\partial l / \partial w_k - x_{ik}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})$",
            r"$\partial l / \partial b - (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})$",
        ],
    )


@squared_loss_gradient.numeric_leg(
    oracle="autograd of torch.nn.functional.mse_loss / 2 in float64 (on the rounded inputs); "
    "autograd through `squared_loss` in the dtype under test; gradcheck and gradgradcheck"
)
def _(impl, device, dtype) -> None:
    Xs, y, w, b0 = regression_data(8, 3, seed=20, dtype=dtype, device=device)
    leaves = [t.double().requires_grad_() for t in (w, b0)]
    pred = F.linear(Xs.double(), leaves[0].unsqueeze(0), leaves[1].reshape(1)).squeeze(-1)
    want_w, want_b = torch.autograd.grad(F.mse_loss(pred, y.double()) / 2, leaves)
    got_w, got_b = impl.linear_regression_grad(Xs, y, w, b0)
    assert got_w.dtype == dtype and got_w.shape == w.shape and got_b.shape == ()
    assert_close(got_w, want_w, dtype=dtype, msg="grad_w vs autograd")
    assert_close(got_b, want_b, dtype=dtype, msg="grad_b vs autograd")
    y_hat = (Xs.double() @ w.double() + b0.double()).to(dtype)
    leaf = y_hat.clone().requires_grad_()
    (grad_hat,) = torch.autograd.grad(impl.squared_loss(leaf, y, reduction="sum"), leaf)
    assert_close(grad_hat, y_hat.double() - y.double(), dtype=dtype, msg="dl/dy_hat = y_hat - y")
    if dtype == torch.float64:
        pair = tuple(t.clone().requires_grad_() for t in (y_hat, y))
        assert torch.autograd.gradcheck(lambda a, c: impl.squared_loss(a, c), pair)
        assert torch.autograd.gradgradcheck(lambda a, c: impl.squared_loss(a, c), pair)
        args = tuple(t.clone().requires_grad_() for t in (Xs, y, w, b0))
        assert torch.autograd.gradcheck(lambda *a: impl.linear_regression_grad(*a), args)


@squared_loss_gradient.property_leg(
    r"`linear_regression_grad(X, y, w, b)` equals the autograd gradient of "
    r"$\frac{1}{2n}\|X\mathbf{w} + b - \mathbf{y}\|^2$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        Xs, y, w, b0 = case
        leaves = [w.clone().requires_grad_(), b0.clone().requires_grad_()]
        pred = Xs @ leaves[0] + leaves[1]
        want = torch.autograd.grad(F.mse_loss(pred, y) / 2, leaves)
        got = impl.linear_regression_grad(Xs, y, w, b0)
        return all(is_close(a, c) for a, c in zip(got, want, strict=True))

    return ForAll(regression_batches(), holds, names=("X", "y", "w", "b"))


average_loss = SECTION.claim(
    "average-loss",
    title="The training objective is the average loss",
    statement=r"L(\mathbf{w}, b) = \frac1n \sum_{i=1}^n l^{(i)}(\mathbf{w}, b) = "
    r"\frac1n \sum_{i=1}^n \frac12\bigl(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)}\bigr)^2",
    kind=Kind.DEFINITION,
    code=("squared_loss", "linear_model"),
    uses=("regression.squared-loss",),
    note=r"Equivalently $\frac{1}{2n}\|X\mathbf{w} + b\mathbf{1} - \mathbf{y}\|^2$: "
    '`squared_loss(linear_model(X, w, b), y, reduction="mean")`.',
)


@average_loss.symbolic_leg(scope="general $n$, $d$")
def _() -> Derivation:
    per_example = sp.Rational(1, 2) * (prediction(i) - Y[i]) ** 2
    average = sp.Sum(per_example, (i, 1, n)) / n
    as_norm = sp.Sum((prediction(i) - Y[i]) ** 2, (i, 1, n)) / (2 * n)
    return Derivation(
        steps=[
            Step(
                r"$L$ as the mean of the losses",
                equation(sp.Symbol("L"), average),
                cites=("regression.squared-loss",),
            ),
            Step(r"As a squared norm of the residual vector", equation(average, as_norm)),
        ],
        residuals=[average - as_norm],
        compared=[r"$\frac1n\sum_i l^{(i)} - \frac{1}{2n}\|X\mathbf{w} + b - \mathbf{y}\|^2$"],
    )


@average_loss.numeric_leg(oracle="the mean of the per-example exact losses; F.mse_loss / 2")
def _(impl, device, dtype) -> None:
    Xs, y, w, b0 = regression_data(12, 3, seed=30, dtype=dtype, device=device)
    y_hat = impl.linear_model(Xs, w, b0)
    per = impl.squared_loss(y_hat, y, reduction="none")
    assert_accurate(per, exact_half_squares(y_hat, y), msg="l^(i)")
    mean = impl.squared_loss(y_hat, y)
    assert_close(mean, exact_half_squares(y_hat, y).mean(), dtype=dtype, msg="L = mean of l^(i)")
    want = (
        F.mse_loss(
            F.linear(Xs.double(), w.double().unsqueeze(0), b0.double().reshape(1)).squeeze(-1),
            y.double(),
        )
        / 2
    )
    assert_close(mean, want, dtype=dtype, msg="L vs F.mse_loss / 2 of F.linear")


@average_loss.property_leg(
    r"`squared_loss(linear_model(X, w, b), y)` equals the mean over examples of "
    r"$\frac12(\hat y^{(i)} - y^{(i)})^2$ computed exactly from the predictions"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        Xs, y, w, b0 = case
        y_hat = impl.linear_model(Xs, w, b0)
        return is_close(impl.squared_loss(y_hat, y), exact_half_squares(y_hat, y).mean())

    return ForAll(regression_batches(), holds, names=("X", "y", "w", "b"))


average_loss_superscript = SECTION.claim(
    "average-loss-superscript",
    title="The average loss carries the summation index",
    statement=r"L^{(i)}(\mathbf{w},b) = \frac{1}{n} \sum_{i=1}^{n} \frac{1}{2} "
    r"(\hat{y}^{(i)} - \mathbf{y}^{(i)})^2",
    kind=Kind.NOTATION,
    corrects="regression.average-loss",
    note=r"The right side sums over $i$, so it does not depend on $i$: the left side is "
    r"$L(\mathbf{w}, b)$, without the superscript $(i)$ that belongs to the per-example loss "
    r"$l^{(i)}$. (The notes also set the scalar label in bold, $\mathbf{y}^{(i)}$; it is "
    r"$y^{(i)}$.)",
)
