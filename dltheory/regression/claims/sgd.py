r"""§ 3 Minibatch Stochastic Gradient Descent — the update of :math:`(\mathbf{w}, b)`.

Main declarations:

* ``regression.minibatch-sgd-update`` — :math:`(\mathbf{w}, b) \leftarrow (\mathbf{w}, b) -
  \frac{\eta}{|\mathcal{B}|}\sum_{i\in\mathcal{B}} \partial_{(\mathbf{w}, b)} l^{(i)}` is one
  gradient step on the minibatch's average loss (``torch.optim.SGD``);
* ``regression.sgd-weight-update`` — the notes' closed form of the :math:`\mathbf{w}` update;
* erratum ``regression.sgd-bias-update-as-written`` — the notes' :math:`b` update starts from
  :math:`\mathbf{w}` instead of :math:`b`; corrected in ``regression.sgd-bias-update``;
* notation note ``regression.minibatch-index-set`` — the sum runs over :math:`i \in
  \beta_i` where the minibatch is :math:`\beta`.
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close
from dltheory.regression.claims._support import (
    LEARNING_RATES,
    X,
    Y,
    autograd_step,
    b,
    i,
    k,
    prediction,
    regression_batches,
    regression_data,
)

SECTION = Section("regression", "3 Minibatch Stochastic Gradient Descent")

eta, size = (
    sp.Symbol(r"\eta", positive=True),
    sp.Symbol(r"|\mathcal{B}|", integer=True, positive=True),
)


def _batch_sum(expr: sp.Expr) -> sp.Sum:
    r""":math:`\sum_{i \in \mathcal{B}}`, the batch indexed :math:`1, \dots, |\mathcal{B}|`."""
    return sp.Sum(expr, (i, 1, size))


def _steps(impl, device, dtype, lr: float, check) -> None:
    """Run ``sgd_step`` on a few batches and hand ``(got, inputs)`` to ``check``."""
    for seed, (n_, d_) in enumerate(((8, 3), (1, 2), (5, 1))):
        Xs, y, w, b0 = regression_data(n_, d_, seed=40 + 4 * seed, dtype=dtype, device=device)
        got = impl.sgd_step(w, b0, Xs, y, lr)
        assert all(t.dtype == dtype and t.device == w.device for t in got)
        check(got, (w, b0, Xs, y))


minibatch_sgd_update = SECTION.claim(
    "minibatch-sgd-update",
    title="Minibatch SGD is a gradient step on the batch's average loss",
    statement=r"(\mathbf{w}, b) \leftarrow (\mathbf{w}, b) - \frac{\eta}{|\mathcal{B}|} "
    r"\sum_{i \in \mathcal{B}} \frac{\partial}{\partial (\mathbf{w}, b)} l^{(i)}(\mathbf{w}, b)",
    kind=Kind.THEOREM,
    code=("sgd_step",),
    uses=("regression.average-loss",),
    note=r"The average of the per-example gradients is the gradient of the batch's average "
    r"loss, so the update is `torch.optim.SGD` with learning rate $\eta$ on that loss.",
)


@minibatch_sgd_update.symbolic_leg(scope=r"general $|\mathcal{B}|$")
def _() -> Derivation:
    theta = sp.Symbol(r"\theta", real=True)  # any one coordinate of (w, b)
    f = sp.Function("l")
    per_example = _batch_sum(sp.diff(f(theta, i), theta)) / size
    of_average = sp.diff(_batch_sum(f(theta, i)) / size, theta)
    return Derivation(
        steps=[
            Step(
                r"The batch's average loss, for any coordinate $\theta$ of $(\mathbf{w}, b)$",
                equation(sp.Symbol(r"L_{\mathcal{B}}"), _batch_sum(f(theta, i)) / size),
                cites=("regression.average-loss",),
            ),
            Step(
                "Differentiation is linear: the derivative of the average is the average of the "
                "derivatives",
                equation(of_average, per_example),
            ),
        ],
        residuals=[of_average - per_example],
        compared=[
            r"$\partial_\theta L_{\mathcal{B}} - \frac{1}{|\mathcal{B}|}\sum_i \partial_\theta "
            r"l^{(i)}$"
        ],
    )


@minibatch_sgd_update.numeric_leg(
    oracle="torch.optim.SGD on F.mse_loss / 2 (float64, on the rounded inputs); batches of "
    "1, 5 and 8 examples; the inputs left unchanged"
)
def _(impl, device, dtype) -> None:
    def check(got, inputs):
        before = [t.clone() for t in inputs]
        want = autograd_step(*inputs, lr=0.1)
        for a, c in zip(got, want, strict=True):
            assert_close(a, c, dtype=dtype, msg="sgd_step vs torch.optim.SGD")
        assert all(torch.equal(t, u) for t, u in zip(inputs, before, strict=True)), "mutated input"

    _steps(impl, device, dtype, 0.1, check)


@minibatch_sgd_update.property_leg(
    r"`sgd_step(w, b, X, y, lr)` equals one `torch.optim.SGD` step on the batch's "
    r"$\frac{1}{2|\mathcal{B}|}\|X\mathbf{w} + b - \mathbf{y}\|^2$, for $\eta \in [0, 1]$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr = case
        got = impl.sgd_step(w, b0, Xs, y, lr)
        return all(
            is_close(a, c) for a, c in zip(got, autograd_step(w, b0, Xs, y, lr), strict=True)
        )

    return ForAll(
        st.tuples(regression_batches(), LEARNING_RATES), holds, names=("(X, y, w, b)", "lr")
    )


sgd_weight_update = SECTION.claim(
    "sgd-weight-update",
    title="The weight update in closed form",
    statement=r"\mathbf{w} \leftarrow \mathbf{w} - \frac{\eta}{|\beta|} \sum_{i \in \beta} "
    r"\frac{\partial}{\partial \mathbf{w}} l^{(i)} = \mathbf{w} - \frac{\eta}{|\beta|} "
    r"\sum_{i \in \beta} \mathbf{x}^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})",
    kind=Kind.IDENTITY,
    code=("sgd_step",),
    uses=("regression.squared-loss-gradient",),
)


@sgd_weight_update.symbolic_leg(scope=r"general $|\mathcal{B}|$ and $d$ (coordinate $w_k$)")
def _() -> Derivation:
    residual_i = prediction(i) - Y[i]
    w_k = sp.Symbol("w_k", real=True)
    update = w_k - eta / size * _batch_sum(X[i, k] * residual_i)
    return Derivation(
        steps=[
            Step(
                r"$\partial l^{(i)} / \partial w_k = x_{ik}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - "
                r"y^{(i)})$",
                equation(sp.Symbol(r"\partial_{w_k} l^{(i)}"), X[i, k] * residual_i),
                cites=("regression.squared-loss-gradient",),
            ),
            Step("Substitute into the update", equation(sp.Symbol(r"w_k'"), update)),
        ],
        residuals=[update - (w_k - eta / size * _batch_sum(X[i, k] * (prediction(i) - Y[i])))],
        compared=["the update with the gradient substituted, minus the notes' right-hand side"],
    )


@sgd_weight_update.numeric_leg(
    oracle=r"the notes' right-hand side $\mathbf{w} - \frac{\eta}{|\beta|} X^\top(X\mathbf{w} + b "
    r"- \mathbf{y})$ in float64"
)
def _(impl, device, dtype) -> None:
    def check(got, inputs):
        w, b0, Xs, y = (t.double() for t in inputs)
        notes = w - 0.25 / Xs.shape[0] * (Xs * (Xs @ w + b0 - y).unsqueeze(-1)).sum(0)
        assert_close(got[0], notes, dtype=dtype, msg="w update vs the notes' formula")

    _steps(impl, device, dtype, 0.25, check)


@sgd_weight_update.property_leg(
    r"the new $\mathbf{w}$ of `sgd_step` equals the notes' right-hand side, summed example by "
    r"example"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr = case
        notes = w - lr / Xs.shape[0] * sum(
            Xs[r] * (Xs[r] @ w + b0 - y[r]) for r in range(Xs.shape[0])
        )
        return is_close(impl.sgd_step(w, b0, Xs, y, lr)[0], notes)

    return ForAll(
        st.tuples(regression_batches(), LEARNING_RATES), holds, names=("(X, y, w, b)", "lr")
    )


sgd_bias_update_as_written = SECTION.claim(
    "sgd-bias-update-as-written",
    title="The notes' bias update starts from w",
    statement=r"b \leftarrow b - \frac{\eta}{|\beta|} \sum_{i \in \beta_i} "
    r"\frac{\partial}{\partial b} l^{(i)}(\mathbf{w}, b) = \mathbf{w} - \frac{\eta}{|\beta|} "
    r"\sum_{i \in \beta_i} (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})",
    kind=Kind.ERRATUM,
    code=("sgd_step",),
    corrects="regression.sgd-bias-update",
    note=r"The right-hand side begins with $\mathbf{w}$ (a vector in $\mathbb{R}^d$), copied "
    r"from the weight update; it must begin with $b$. Even for $d = 1$ the two differ by "
    r"$w - b$.",
    numeric=NotApplicable("the statement is false; the property leg exhibits a counterexample"),
)


@sgd_bias_update_as_written.symbolic_leg(scope=r"disproved for $d = 1$, $|\mathcal{B}| = 1$")
def _() -> Derivation:
    w1, x1, y1, b1 = sp.symbols("w x y b", real=True)
    residual_1 = w1 * x1 + b1 - y1
    left = b1 - eta * sp.diff(sp.Rational(1, 2) * residual_1**2, b1)
    right = w1 - eta * residual_1
    return Derivation(
        steps=[
            Step(
                r"The middle expression, $b - \eta\,\partial_b l$", equation(sp.Symbol("b'"), left)
            ),
            Step(r"The notes' right-hand side", equation(sp.Symbol("b'"), right)),
            Step(
                r"They differ by $b - w$: at $w = 0$, $b = 1$ by $1$",
                equation(sp.simplify(left - right), b1 - w1),
            ),
        ],
        residuals=[left - right],
        witness={w1: 0, b1: 1, x1: 0, y1: 0, eta: 1},
        witness_symbols={
            "w": r"the weight of the one-feature ($d = 1$) model $\hat y = wx + b$",
            "b": r"the bias of $\hat y = wx + b$, the parameter being updated",
            "x": r"the feature of the minibatch's only example ($|\mathcal{B}| = 1$)",
            "y": r"the label of the minibatch's only example",
            "\\eta": r"the learning rate of the SGD step",
        },
        compared=[r"$b - \eta\,\partial_b l$ minus the notes' right-hand side"],
    )


@sgd_bias_update_as_written.property_leg(
    r"as written, for $d = 1$: the new $b$ of `sgd_step` equals "
    r"$w - \frac{\eta}{|\beta|}\sum_i (w x^{(i)} + b - y^{(i)})$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr = case
        notes = w[0] - lr * (Xs[:, 0] * w[0] + b0 - y).mean()
        return is_close(impl.sgd_step(w, b0, Xs, y, lr)[1], notes)

    return ForAll(
        st.tuples(regression_batches(max_n=2, max_d=1), LEARNING_RATES),
        holds,
        names=("(X, y, w, b)", "lr"),
    )


sgd_bias_update = SECTION.claim(
    "sgd-bias-update",
    title="The bias update",
    statement=r"b \leftarrow b - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}} "
    r"\frac{\partial}{\partial b} l^{(i)}(\mathbf{w}, b) = b - \frac{\eta}{|\mathcal{B}|} "
    r"\sum_{i \in \mathcal{B}} (\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})",
    kind=Kind.IDENTITY,
    code=("sgd_step",),
    uses=("regression.squared-loss-gradient",),
)


@sgd_bias_update.symbolic_leg(scope=r"general $|\mathcal{B}|$ and $d$")
def _() -> Derivation:
    per_example = sp.diff(sp.Rational(1, 2) * (prediction(i) - Y[i]) ** 2, b)
    update = b - eta / size * _batch_sum(per_example)
    corrected = b - eta / size * _batch_sum(prediction(i) - Y[i])
    return Derivation(
        steps=[
            Step(
                r"$\partial l^{(i)} / \partial b = \mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)}$",
                equation(sp.Symbol(r"\partial_b l^{(i)}"), per_example),
                cites=("regression.squared-loss-gradient",),
            ),
            Step("The update starts from $b$", equation(sp.Symbol("b'"), corrected)),
        ],
        residuals=[update - corrected],
        compared=[
            r"$b - \frac{\eta}{|\mathcal{B}|}\sum_i \partial_b l^{(i)}$ minus the corrected "
            r"right-hand side"
        ],
    )


@sgd_bias_update.numeric_leg(
    oracle=r"$b - \frac{\eta}{|\mathcal{B}|}\sum_i (\mathbf{w}^\top\mathbf{x}^{(i)} + b - "
    r"y^{(i)})$ in float64"
)
def _(impl, device, dtype) -> None:
    def check(got, inputs):
        w, b0, Xs, y = (t.double() for t in inputs)
        corrected = b0 - 0.25 * (Xs @ w + b0 - y).mean()
        assert_close(got[1], corrected, dtype=dtype, msg="b update vs the corrected formula")

    _steps(impl, device, dtype, 0.25, check)


@sgd_bias_update.property_leg(
    r"the new $b$ of `sgd_step` equals $b - \frac{\eta}{|\mathcal{B}|}\sum_i "
    r"(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr = case
        corrected = b0 - lr * sum(Xs[r] @ w + b0 - y[r] for r in range(Xs.shape[0])) / Xs.shape[0]
        return is_close(impl.sgd_step(w, b0, Xs, y, lr)[1], corrected)

    return ForAll(
        st.tuples(regression_batches(), LEARNING_RATES), holds, names=("(X, y, w, b)", "lr")
    )


minibatch_index_set = SECTION.claim(
    "minibatch-index-set",
    title="The minibatch is written β_i in the sums",
    statement=r"\frac{\eta}{|\beta|} \sum_{i \in \beta_i} \ldots",
    kind=Kind.NOTATION,
    corrects="regression.minibatch-sgd-update",
    note=r"The minibatch is the set $\beta$ (its size $|\beta|$), and $i$ runs over it; "
    r"'$i \in \beta_i$' makes the set depend on its own element. Read "
    r"$\sum_{i \in \beta}$ (written $\mathcal{B}$ in the claims, as in Dive into Deep "
    r"Learning).",
)
