r"""§ 3 Normal Distribution and Squared Loss — minimizing squared error is maximum likelihood.

Main declarations:

* ``regression.squared-error-is-mle`` — for every :math:`\sigma > 0` the negative
  log-likelihood is an increasing affine function of the average squared loss, so both have the
  same minimizers :math:`(\mathbf{w}^*, b^*)`: least squares *is* maximum likelihood under
  additive Gaussian noise (general :math:`n` and :math:`d`);
* ``regression.noise-variance-mle`` — the likelihood is maximized in :math:`\sigma^2` by the mean
  squared residual :math:`\frac1n\sum_i (y^{(i)} - \mathbf{w}^{*\top}\mathbf{x}^{(i)} - b^*)^2`.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_close, is_close
from dltheory.regression.claims._support import (
    W,
    b,
    d,
    i,
    k,
    n,
    regression_batches,
    regression_data,
    residual,
    s2,
)

SECTION = Section("regression", "3 Normal Distribution and Squared Loss")

_AVERAGE = sp.Sum(residual(i) ** 2 / 2, (i, 1, n)) / n  # L(w, b)
_NLL = n / 2 * sp.log(2 * sp.pi * s2) + n / s2 * _AVERAGE  # regression.gaussian-nll-formula


def _lstsq(Xs: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, float, float]:
    """numpy.linalg.lstsq with an intercept column (float64, on the values the tensors hold):
    ``(w, b, mean squared residual)``."""
    A = oracle_input(Xs)
    design = np.hstack([A, np.ones((A.shape[0], 1))])
    target = oracle_input(y)
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    residuals = target - design @ solution
    return solution[:-1], float(solution[-1]), float(np.mean(residuals**2))


squared_error_is_mle = SECTION.claim(
    "squared-error-is-mle",
    title="Minimizing squared error is maximum likelihood under Gaussian noise",
    statement=r"\forall \sigma > 0:\ \arg\min_{\mathbf{w}, b}\, -\log P(\mathbf{y} \mid X; "
    r"\mathbf{w}, b, \sigma) = \arg\min_{\mathbf{w}, b}\, \frac1n\sum_{i=1}^n \frac12"
    r"\bigl(y^{(i)} - \mathbf{w}^\top\mathbf{x}^{(i)} - b\bigr)^2",
    kind=Kind.THEOREM,
    code=("least_squares", "gaussian_nll", "linear_model"),
    uses=("regression.gaussian-nll-formula",),
    note=r"$-\log P = \frac n2\log(2\pi\sigma^2) + \frac{n}{\sigma^2}L(\mathbf{w}, b)$ is "
    r"$L$ times a positive constant plus a constant, for each fixed $\sigma$: the order of any "
    r"two parameter values, hence the minimizers, and the stationary points are those of "
    r"$L$. `least_squares` returns them (and $\sigma^{2*}$).",
)


@squared_error_is_mle.symbolic_leg(scope="general $n$, $d$, every $\\sigma^2 > 0$")
def _() -> Derivation:
    L1, L2 = sp.symbols("L_1 L_2", nonnegative=True)
    closed = lambda loss: n / 2 * sp.log(2 * sp.pi * s2) + n / s2 * loss  # noqa: E731
    grad_nll = resolve_in_range(sp.diff(_NLL, W[k]).doit(), k, 1, d)
    grad_loss = resolve_in_range(sp.diff(_AVERAGE, W[k]).doit(), k, 1, d)
    return Derivation(
        steps=[
            Step(
                r"The negative log-likelihood in terms of the average loss $L$",
                equation(sp.Symbol(r"-\log P"), closed(sp.Symbol("L"))),
                cites=("regression.gaussian-nll-formula",),
            ),
            Step(
                r"Its slope in $L$ is $n/\sigma^2 > 0$",
                equation(sp.diff(closed(sp.Symbol("L")), sp.Symbol("L")), n / s2),
            ),
            Step(
                r"So for two parameter values the differences have the same sign: the same "
                r"order, the same $\arg\min$",
                equation(closed(L1) - closed(L2), n / s2 * (L1 - L2)),
            ),
            Step(
                r"And the same stationary points: $\partial_{w_k}(-\log P) = "
                r"\frac{n}{\sigma^2}\partial_{w_k} L$",
                equation(grad_nll, n / s2 * grad_loss),
            ),
            Step(r"Likewise for $b$", equation(sp.diff(_NLL, b), n / s2 * sp.diff(_AVERAGE, b))),
        ],
        residuals=[
            (n / s2).is_positive,
            sp.expand(closed(L1) - closed(L2) - n / s2 * (L1 - L2)),
            grad_nll - n / s2 * grad_loss,
            sp.diff(_NLL, b) - n / s2 * sp.diff(_AVERAGE, b),
        ],
        compared=[
            r"$n / \sigma^2 > 0$",
            r"the difference of the NLL at $L_1$, $L_2$ minus $\frac{n}{\sigma^2}(L_1 - L_2)$",
            r"$\partial_{w_k}(-\log P) - \frac{n}{\sigma^2}\partial_{w_k}L$ (general $d$)",
            r"$\partial_b(-\log P) - \frac{n}{\sigma^2}\partial_b L$",
        ],
    )


@squared_error_is_mle.numeric_leg(
    oracle="numpy.linalg.lstsq with an intercept column (float64, on the rounded inputs); the "
    "Gaussian NLL (scipy.stats.norm.logpdf) at perturbed parameters, for σ² = 0.01, 1, 100; "
    "min-norm solutions of rank-deficient designs"
)
def _(impl, device, dtype) -> None:
    import scipy.stats

    Xs, y, _, _ = regression_data(40, 3, seed=80, dtype=dtype, device=device)
    w, b0, var = impl.least_squares(Xs, y)
    assert w.shape == (3,) and b0.shape == () and var.shape == () and w.dtype == dtype
    want_w, want_b, _ = _lstsq(Xs, y)
    assert_close(w, want_w, dtype=dtype, msg="w vs numpy.linalg.lstsq")
    assert_close(b0, want_b, dtype=dtype, msg="b vs numpy.linalg.lstsq")
    X64, y64 = Xs.double().cpu(), y.double().cpu()
    g = torch.Generator().manual_seed(81)

    def nll(weights, bias, sigma2):
        centre = (X64 @ weights + bias).numpy()
        return -scipy.stats.norm.logpdf(y64.numpy(), loc=centre, scale=math.sqrt(sigma2)).sum()

    best = (torch.tensor(want_w), torch.tensor(want_b, dtype=torch.float64))
    for sigma2 in (0.01, 1.0, 100.0):
        at_best = nll(*best, sigma2)
        ours = impl.gaussian_nll(y64, impl.linear_model(X64, *best), sigma2, reduction="sum")
        assert_close(
            ours, at_best, msg=f"gaussian_nll at the least-squares solution, sigma^2 = {sigma2}"
        )
        for _ in range(4):
            step = torch.randn(4, generator=g, dtype=torch.float64) * 0.1
            assert nll(best[0] + step[:3], best[1] + step[3], sigma2) > at_best, (
                "a perturbation lowered the NLL"
            )
    # a batch of problems, and a rank-deficient design (a repeated column): min-norm solution
    batch = impl.least_squares(torch.stack([Xs, Xs.flip(0)]), torch.stack([y, y]))
    assert batch[0].shape == (2, 3)
    assert_close(batch[0][0], want_w, dtype=dtype, msg="batched")
    if dtype == torch.float64:
        repeated = torch.cat([Xs, Xs[:, :1]], dim=1)
        centred = oracle_input(repeated - repeated.mean(0))
        minimum_norm = np.linalg.lstsq(centred, oracle_input(y - y.mean()), rcond=None)[0]
        assert_close(impl.least_squares(repeated, y)[0], minimum_norm, msg="rank-deficient design")


@squared_error_is_mle.property_leg(
    r"at the `least_squares` solution, for every $\sigma^2 \in [10^{-2}, 10^2]$, no perturbation "
    r"of $(\mathbf{w}, b)$ lowers `gaussian_nll` (up to rounding), and the mean squared "
    "residual is its returned variance"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        Xs, y, _, _ = draw(regression_batches(max_n=8, max_d=3))
        size = Xs.shape[1] + 1
        step = torch.tensor(
            draw(st.lists(st.floats(-1.0, 1.0), min_size=size, max_size=size)), dtype=torch.float64
        )
        return Xs, y, step, draw(st.floats(1e-2, 1e2))

    def holds(case) -> bool:
        Xs, y, step, sigma2 = case
        w, b0, var = impl.least_squares(Xs, y)

        def nll(weights, bias):
            return impl.gaussian_nll(
                y, impl.linear_model(Xs, weights, bias), sigma2, reduction="sum"
            )

        at_best, moved = nll(w, b0), nll(w + step[:-1], b0 + step[-1])
        residuals = y - impl.linear_model(Xs, w, b0)
        return (bool(moved >= at_best) or is_close(moved, at_best)) and is_close(
            var, (residuals**2).mean()
        )

    return ForAll(cases(), holds, names=("X", "y", "step", "sigma^2"))


noise_variance_mle = SECTION.claim(
    "noise-variance-mle",
    title="The MLE of the noise variance is the mean squared residual",
    statement=r"\arg\min_{\sigma^2 > 0}\, -\log P(\mathbf{y} \mid X; \mathbf{w}^*, b^*, \sigma) = "
    r"\frac1n\sum_{i=1}^n \bigl(y^{(i)} - \mathbf{w}^{*\top}\mathbf{x}^{(i)} - b^*\bigr)^2 = "
    r"2L(\mathbf{w}^*, b^*)",
    kind=Kind.THEOREM,
    code=("least_squares", "gaussian_nll"),
    uses=("regression.gaussian-nll-formula",),
    note=r"Divided by $n$, not $n - d - 1$: the maximum-likelihood estimate is biased. Needs a "
    r"positive residual sum $S$ (for $S = 0$ the likelihood grows without bound as "
    r"$\sigma \to 0$).",
)


@noise_variance_mle.symbolic_leg(scope="general $n$; any residual sum of squares $S > 0$")
def _() -> Derivation:
    S = sp.Symbol("S", positive=True)  # sum of squared residuals = 2 n L
    nll = n / 2 * sp.log(2 * sp.pi * s2) + S / (2 * s2)
    slope = sp.diff(nll, s2)
    (critical,) = sp.solve(sp.Eq(slope, 0), s2)
    curvature = sp.simplify(sp.diff(nll, s2, 2).subs(s2, critical))
    return Derivation(
        steps=[
            Step(
                r"With $S = \sum_i (y^{(i)} - \mathbf{w}^{*\top}\mathbf{x}^{(i)} - b^*)^2 = 2nL$",
                equation(sp.Symbol(r"-\log P"), nll),
                cites=("regression.gaussian-nll-formula",),
            ),
            Step(
                r"Derivative in $\sigma^2$",
                equation(sp.Derivative(sp.Symbol(r"-\log P"), s2), slope),
            ),
            Step(r"Its only zero: the mean squared residual", equation(s2, critical)),
            Step(
                r"The second derivative there is positive: a minimum",
                equation(sp.Symbol("f''"), curvature),
            ),
        ],
        residuals=[critical - S / n, slope.subs(s2, S / n), curvature.is_positive],
        compared=[r"the critical point minus $S/n$", r"the slope at $S/n$", r"$f''(S/n) > 0$"],
    )


@noise_variance_mle.numeric_leg(
    oracle="the mean squared residual of numpy.linalg.lstsq's fit; scipy.optimize."
    "minimize_scalar of the summed scipy.stats.norm negative log-density over log σ² (float64)"
)
def _(impl, device, dtype) -> None:
    import scipy.optimize
    import scipy.stats

    Xs, y, _, _ = regression_data(25, 2, seed=90, dtype=dtype, device=device, noise=0.8)
    w, b0, var = impl.least_squares(Xs, y)
    _, _, want = _lstsq(Xs, y)
    assert_close(var, want, dtype=dtype, msg="variance vs lstsq's mean squared residual")
    if dtype == torch.float64:
        residuals = oracle_input(y) - oracle_input(Xs) @ oracle_input(w) - float(b0)

        def nll(log_var):
            return -scipy.stats.norm.logpdf(residuals, scale=math.exp(log_var / 2)).sum()

        found = scipy.optimize.minimize_scalar(
            nll, bounds=(-10, 10), method="bounded", options={"xatol": 1e-12}
        )
        assert_close(var, math.exp(found.x), msg="variance vs the numerical maximizer")
        at = [
            impl.gaussian_nll(y, Xs @ w + b0, float(var) * c, reduction="sum")
            for c in (0.9, 1.0, 1.1)
        ]
        assert at[1] < at[0] and at[1] < at[2], f"gaussian_nll is not smallest at sigma^2*: {at}"


@noise_variance_mle.property_leg(
    r"`gaussian_nll` at the returned $\sigma^{2*}$ is no larger than at $c\,\sigma^{2*}$ for "
    r"$c \in [1/4, 4]$ (up to rounding)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        # y = [X, 1] theta + gamma q with q orthogonal to the columns: the residual sum of
        # squares is exactly gamma^2 > 0 (the claim's condition S > 0), never rounding noise
        Xs, _, theta, intercept = draw(regression_batches(max_n=8, max_d=2, spare=1))
        design = np.hstack([Xs.numpy(), np.ones((Xs.shape[0], 1))])
        q = np.linalg.qr(design, mode="complete")[0][:, -1]
        gamma = draw(st.floats(0.1, 10.0))
        y = torch.from_numpy(design @ np.append(theta.numpy(), float(intercept)) + gamma * q)
        return Xs, y, draw(st.floats(0.25, 4.0))

    def holds(case) -> bool:
        Xs, y, factor = case
        w, b0, var = impl.least_squares(Xs, y)
        mean = Xs @ w + b0
        at_best = impl.gaussian_nll(y, mean, var, reduction="sum")
        moved = impl.gaussian_nll(y, mean, var * factor, reduction="sum")
        return bool(moved >= at_best) or is_close(moved, at_best)

    return ForAll(cases(), holds, names=("X", "y", "c"))
