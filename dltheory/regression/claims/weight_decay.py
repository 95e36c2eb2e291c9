r"""§ 3 Weight Decay / Norms & Weight Decay — the weight-decay update.

Main declarations:

* ``regression.weight-decay-is-l2-sgd`` — one SGD step on :math:`L(\mathbf{w}, b) +
  \frac\lambda2\|\mathbf{w}\|^2` multiplies :math:`\mathbf{w}` by :math:`1 - \eta\lambda`
  before the usual step (``torch.optim.SGD(weight_decay=λ)``);
* erratum ``regression.weight-decay-update-as-written`` — the notes' last equality drops the
  factor :math:`(1 - \eta\lambda)`, equating the decayed update with the plain one;
* ``regression.weight-decay-update`` — the corrected closed form.
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_close, is_close
from dltheory.regression.claims._support import (
    LEARNING_RATES,
    W,
    autograd_step,
    d,
    j,
    k,
    regression_batches,
    regression_data,
)

SECTION = Section("regression", "3 Weight Decay / Norms & Weight Decay")

eta, lam = sp.Symbol(r"\eta", positive=True), sp.Symbol(r"\lambda", nonnegative=True)
DECAYS = st.floats(0.0, 10.0)


def _closed_form(w, b0, Xs, y, lr: float, decay: float):
    r""":math:`(1 - \eta\lambda)\mathbf{w} - \frac{\eta}{n}\sum_i \mathbf{x}^{(i)}(\mathbf{w}^\top
    \mathbf{x}^{(i)} + b - y^{(i)})`, example by example, in float64."""
    w, b0, Xs, y = (t.double() for t in (w, b0, Xs, y))
    gradient = sum(Xs[r] * (Xs[r] @ w + b0 - y[r]) for r in range(Xs.shape[0])) / Xs.shape[0]
    return (1 - lr * decay) * w - lr * gradient


weight_decay_is_l2_sgd = SECTION.claim(
    "weight-decay-is-l2-sgd",
    title="Weight decay is SGD on the loss plus (λ/2)‖w‖²",
    statement=r"\mathbf{w} - \eta\,\nabla_{\mathbf{w}}\Bigl(L(\mathbf{w}, b) + "
    r"\frac\lambda2\|\mathbf{w}\|^2\Bigr) = (1 - \eta\lambda)\,\mathbf{w} - "
    r"\eta\,\nabla_{\mathbf{w}} L(\mathbf{w}, b)",
    kind=Kind.THEOREM,
    code=("weight_decay_step",),
    uses=("regression.minibatch-sgd-update",),
    note=r"The penalty $\frac\lambda2\|\mathbf{w}\|^2$ has gradient $\lambda\mathbf{w}$, which "
    r"shrinks the weights by the factor $1 - \eta\lambda$ at every step (hence 'decay'); the "
    r"bias is not penalized.",
)


@weight_decay_is_l2_sgd.symbolic_leg(scope="general $d$ (coordinate $w_k$)")
def _() -> Derivation:
    penalty = lam / 2 * sp.Sum(W[j] ** 2, (j, 1, d))
    raw = sp.diff(penalty, W[k])
    gradient = resolve_in_range(raw.doit(), k, 1, d)
    g_k = sp.Symbol(r"\partial_{w_k} L", real=True)
    step = W[k] - eta * (g_k + gradient)
    return Derivation(
        steps=[
            Step(
                r"Gradient of the penalty $\frac\lambda2\sum_j w_j^2$ in $w_k$",
                equation(raw, gradient),
            ),
            Step(
                r"One SGD step on $L + \frac\lambda2\|\mathbf{w}\|^2$",
                equation(sp.Symbol("w_k'"), step),
                cites=("regression.minibatch-sgd-update",),
            ),
            Step(r"Collect $w_k$", equation(step, (1 - eta * lam) * W[k] - eta * g_k)),
        ],
        residuals=[gradient - lam * W[k], sp.expand(step - ((1 - eta * lam) * W[k] - eta * g_k))],
        compared=[
            r"$\partial_{w_k}\frac\lambda2\|\mathbf{w}\|^2 - \lambda w_k$",
            r"the step minus $(1 - \eta\lambda)w_k - \eta\,\partial_{w_k}L$",
        ],
    )


@weight_decay_is_l2_sgd.numeric_leg(
    oracle="torch.optim.SGD with weight_decay=λ on w (0 on b), on F.mse_loss / 2 (float64, on "
    "the rounded inputs); plain SGD on the penalized loss by autograd"
)
def _(impl, device, dtype) -> None:
    for seed, (n_, d_) in enumerate(((8, 3), (1, 1), (20, 5))):
        Xs, y, w, b0 = regression_data(n_, d_, seed=130 + 4 * seed, dtype=dtype, device=device)
        for lr, decay in ((0.1, 0.5), (0.05, 0.0), (0.2, 3.0)):
            got = impl.weight_decay_step(w, b0, Xs, y, lr, decay)
            assert all(t.dtype == dtype and t.device == w.device for t in got)
            for a, c in zip(got, autograd_step(w, b0, Xs, y, lr, decay), strict=True):
                assert_close(a, c, dtype=dtype, msg=f"vs torch.optim.SGD(weight_decay={decay})")
            leaf = w.double().clone().requires_grad_()
            penalized = (
                (Xs.double() @ leaf + b0.double() - y.double()) ** 2
            ).mean() / 2 + decay / 2 * (leaf**2).sum()
            (gradient,) = torch.autograd.grad(penalized, leaf)
            assert_close(
                got[0], w.double() - lr * gradient, dtype=dtype, msg="SGD on L + lambda/2 |w|^2"
            )


@weight_decay_is_l2_sgd.property_leg(
    r"`weight_decay_step` equals a `torch.optim.SGD(weight_decay=λ)` step for "
    r"$\eta \in [0, 1]$, $\lambda \in [0, 10]$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr, decay = case
        got = impl.weight_decay_step(w, b0, Xs, y, lr, decay)
        return all(
            is_close(a, c) for a, c in zip(got, autograd_step(w, b0, Xs, y, lr, decay), strict=True)
        )

    return ForAll(
        st.tuples(regression_batches(), LEARNING_RATES, DECAYS),
        holds,
        names=("(X, y, w, b)", "lr", "lambda"),
    )


weight_decay_update_as_written = SECTION.claim(
    "weight-decay-update-as-written",
    title="The notes' weight-decay update drops the decay factor",
    statement=r"\mathbf{w} \leftarrow (1 - \eta \lambda)\mathbf{w} - \frac{\eta}{|\beta|} "
    r"\sum_{i \in \beta_i} \frac{\partial}{\partial \mathbf{w}} l^{(i)}(\mathbf{w}, b) = "
    r"\mathbf{w} - \frac{\eta}{|\beta|} \sum_{i \in \beta_i} \mathbf{x}^{(i)} "
    r"(\mathbf{w}^T \mathbf{x}^{(i)} + b - \mathbf{y}^{(i)})",
    kind=Kind.ERRATUM,
    code=("weight_decay_step",),
    corrects="regression.weight-decay-update",
    note=r"The last expression is the plain SGD update (regression.sgd-weight-update): it "
    r"differs from the decayed one by $\eta\lambda\mathbf{w}$, nonzero whenever "
    r"$\eta\lambda \ne 0$ and $\mathbf{w} \ne 0$. Keep $(1 - \eta\lambda)\mathbf{w}$ on the "
    r"right.",
    numeric=NotApplicable("the statement is false; the property leg exhibits a counterexample"),
)


@weight_decay_update_as_written.symbolic_leg(scope=r"disproved for $d = 1$")
def _() -> Derivation:
    w0, g = sp.symbols("w g", real=True)  # g: the averaged gradient of the losses
    decayed = (1 - eta * lam) * w0 - eta * g
    written = w0 - eta * g
    return Derivation(
        steps=[
            Step("The middle expression (weight decay)", equation(sp.Symbol("w'"), decayed)),
            Step("The notes' right-hand side (plain SGD)", equation(sp.Symbol("w'"), written)),
            Step(
                r"They differ by $-\eta\lambda w$",
                equation(sp.expand(decayed - written), -eta * lam * w0),
            ),
        ],
        residuals=[decayed - written],
        witness={eta: 1, lam: 1, w0: 1, g: 0},
        witness_symbols={
            "\\eta": r"the learning rate",
            "\\lambda": r"the weight-decay coefficient, which shrinks $w$ by the factor "
            r"$1 - \eta\lambda$",
            "w": r"the single weight being updated ($d = 1$)",
            "g": r"the minibatch average $\frac{1}{|\mathcal{B}|}\sum_i \partial_w l^{(i)}$ "
            r"of the loss gradients",
        },
        compared=[r"the decayed update minus the notes' right-hand side"],
    )


@weight_decay_update_as_written.property_leg(
    r"as written: the new $\mathbf{w}$ of `weight_decay_step` equals "
    r"$\mathbf{w} - \frac{\eta}{|\beta|}\sum_i \mathbf{x}^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + "
    r"b - y^{(i)})$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr, decay = case
        notes = _closed_form(w, b0, Xs, y, lr, 0.0)  # the right-hand side has no decay
        return is_close(impl.weight_decay_step(w, b0, Xs, y, lr, decay)[0], notes)

    return ForAll(  # small batches: a counterexample needs only eta * lambda * w != 0
        st.tuples(regression_batches(max_n=2, max_d=2), LEARNING_RATES, DECAYS),
        holds,
        names=("(X, y, w, b)", "lr", "lambda"),
    )


weight_decay_update = SECTION.claim(
    "weight-decay-update",
    title="The weight-decay update in closed form",
    statement=r"\mathbf{w} \leftarrow (1 - \eta\lambda)\,\mathbf{w} - \frac{\eta}{|\mathcal{B}|} "
    r"\sum_{i \in \mathcal{B}} \mathbf{x}^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})",
    kind=Kind.IDENTITY,
    code=("weight_decay_step",),
    uses=("regression.weight-decay-is-l2-sgd", "regression.sgd-weight-update"),
)


@weight_decay_update.symbolic_leg(scope="general $d$ and batch size")
def _() -> Derivation:
    w0 = sp.Symbol("w_k", real=True)
    g = sp.Symbol(
        r"\frac{1}{|\mathcal{B}|}\sum_i x_{ik}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})",
        real=True,
    )
    return Derivation(
        steps=[
            Step(
                r"$\partial_{w_k} L$ is the batch average of "
                r"$x_{ik}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - y^{(i)})$",
                equation(sp.Symbol(r"\partial_{w_k} L"), g),
                cites=("regression.sgd-weight-update",),
            ),
            Step(
                "Substitute into the decayed step",
                equation(sp.Symbol("w_k'"), (1 - eta * lam) * w0 - eta * g),
                cites=("regression.weight-decay-is-l2-sgd",),
            ),
        ],
        residuals=[((1 - eta * lam) * w0 - eta * g) - (w0 - eta * (g + lam * w0))],
        compared=[r"$(1 - \eta\lambda)w_k - \eta g$ minus $w_k - \eta(g + \lambda w_k)$"],
    )


@weight_decay_update.numeric_leg(oracle="the closed form, summed example by example in float64")
def _(impl, device, dtype) -> None:
    Xs, y, w, b0 = regression_data(12, 4, seed=140, dtype=dtype, device=device)
    for lr, decay in ((0.1, 0.5), (0.3, 2.0)):
        got = impl.weight_decay_step(w, b0, Xs, y, lr, decay)
        assert_close(got[0], _closed_form(w, b0, Xs, y, lr, decay), dtype=dtype, msg="w")
        assert_close(
            got[1],
            b0.double() - lr * (Xs.double() @ w.double() + b0.double() - y.double()).mean(),
            dtype=dtype,
            msg="b is not decayed",
        )


@weight_decay_update.property_leg(
    r"the new $\mathbf{w}$ of `weight_decay_step` equals $(1 - \eta\lambda)\mathbf{w} - "
    r"\frac{\eta}{|\mathcal{B}|}\sum_i \mathbf{x}^{(i)}(\mathbf{w}^\top\mathbf{x}^{(i)} + b - "
    r"y^{(i)})$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        (Xs, y, w, b0), lr, decay = case
        return is_close(
            impl.weight_decay_step(w, b0, Xs, y, lr, decay)[0],
            _closed_form(w, b0, Xs, y, lr, decay),
        )

    return ForAll(
        st.tuples(regression_batches(), LEARNING_RATES, DECAYS),
        holds,
        names=("(X, y, w, b)", "lr", "lambda"),
    )
