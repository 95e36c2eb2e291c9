r"""§ 3 Generalization / Training Error & Generalization Error — the risk of a predictor and
its estimate on held-out data.

Main declarations:

* ``regression.generalization-error-monte-carlo`` — for :math:`\mathbf{x} \sim
  \mathcal{N}(0, I_d)`, :math:`y = \mathbf{w}^\top\mathbf{x} + b + \epsilon` and a fixed
  linear predictor :math:`f(\mathbf{x}) = \mathbf{v}^\top\mathbf{x} + c`, the generalization
  error under the squared loss is :math:`R[p, f] = \frac12(\|\mathbf{v} - \mathbf{w}\|^2 +
  (c - b)^2 + \sigma^2)`, and the empirical risk on :math:`N` fresh draws estimates it (an
  exact :math:`\chi^2_N` law bounds the false-alarm rate);
* notation notes ``regression.empirical-risk-index`` (the notes write
  :math:`f(\mathbf{x})^{(i)}` for :math:`f(\mathbf{x}^{(i)})`) and
  ``regression.risk-expectation-subscript`` (the expectation's bracket inside its subscript).
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.regression.claims._support import d, j, k

SECTION = Section("regression", "3 Generalization / Training Error & Generalization Error")

#: the probability that a correct implementation fails one Monte Carlo check (two-sided exact
#: chi-square tails); the property leg runs at most a few hundred checks: < 1e-6 per run
FALSE_ALARM = 1e-9


def _risk(delta: torch.Tensor, offset: float, sigma: float) -> float:
    r""":math:`\frac12(\|\mathbf{v} - \mathbf{w}\|^2 + (c - b)^2 + \sigma^2)` in float64."""
    return 0.5 * (float((delta.double() ** 2).sum()) + offset**2 + sigma**2)


def _monte_carlo(impl, w, b0, v, c, sigma, draws: int, seed: int, dtype, device):
    """The empirical risk of ``f(x) = v.x + c`` on ``draws`` fresh samples, by the reference
    functions, and the exact central interval a correct estimate falls in."""
    from scipy.stats import chi2

    d_ = w.numel()
    Xs = randn(draws, d_, seed=seed).to(dtype).to(device)
    noise = (sigma * randn(draws, seed=seed + 1)).to(dtype).to(device)
    y = (Xs.double() @ w.double().to(device) + b0 + noise.double()).to(dtype)
    estimate = impl.squared_loss(
        impl.linear_model(Xs, v.to(dtype).to(device), torch.tensor(c, dtype=dtype, device=device)),
        y,
    )
    # f(x) - y ~ N(0, s^2) with s^2 = |v - w|^2 + (c - b)^2 + sigma^2, so 2 N R_emp / s^2 ~ chi2_N
    s2 = 2 * _risk(v - w, c - b0, sigma)
    low, high = chi2.ppf(FALSE_ALARM / 2, draws), chi2.isf(FALSE_ALARM / 2, draws)
    return float(estimate), (s2 * low / (2 * draws), s2 * high / (2 * draws))


generalization_error_monte_carlo = SECTION.claim(
    "generalization-error-monte-carlo",
    title="The generalization error of a linear predictor, and its Monte Carlo estimate",
    statement=r"R[p, f] = E_{(\mathbf{x}, y) \sim p}\bigl[\tfrac12(f(\mathbf{x}) - y)^2\bigr] = "
    r"\tfrac12\bigl(\|\mathbf{v} - \mathbf{w}\|^2 + (c - b)^2 + \sigma^2\bigr), \qquad "
    r"R_{\mathrm{emp}} = \frac1N \sum_{i=1}^N \tfrac12\bigl(f(\mathbf{x}^{(i)}) - y^{(i)}\bigr)^2 "
    r"\to R[p, f]",
    kind=Kind.THEOREM,
    code=("squared_loss", "linear_model"),
    uses=("preliminaries.expectation-linearity",),
    note=r"For $\mathbf{x} \sim \mathcal{N}(0, I_d)$, $y = \mathbf{w}^\top\mathbf{x} + b + "
    r"\epsilon$ with independent $\epsilon \sim \mathcal{N}(0, \sigma^2)$, and "
    r"$f(\mathbf{x}) = \mathbf{v}^\top\mathbf{x} + c$. Even the true model ($\mathbf{v} = "
    r"\mathbf{w}$, $c = b$) has risk $\sigma^2/2$. Since $f(\mathbf{x}) - y$ is normal with "
    r"variance $s^2 = 2R$, $2NR_{\mathrm{emp}}/s^2$ follows $\chi^2_N$ exactly: the checks "
    r"accept the central $1 - 10^{-9}$ of that law (false-alarm rate $10^{-9}$ per check).",
)


@generalization_error_monte_carlo.symbolic_leg(scope="general $d$")
def _() -> Derivation:
    delta = sp.IndexedBase(r"\delta", real=True)  # v - w
    D, eps, A = sp.symbols(r"\Delta \epsilon A", real=True)  # c - b, the noise, delta . x
    sigma2 = sp.Symbol(r"\sigma^2", positive=True)
    second_moment_A = sp.Sum(
        sp.Sum(delta[j] * delta[k] * sp.KroneckerDelta(j, k), (k, 1, d)), (j, 1, d)
    )
    resolved = sp.Sum(
        resolve_in_range(
            sp.Sum(delta[j] * delta[k] * sp.KroneckerDelta(j, k), (k, 1, d)).doit(), j, 1, d
        ),
        (j, 1, d),
    )
    # E of each monomial of (A + D - eps)^2: E[A] = E[eps] = 0, E[A eps] = E[A] E[eps] = 0,
    # E[A^2] = sum_j delta_j^2, E[eps^2] = sigma^2
    moments = {
        1: 1,
        A: 0,
        eps: 0,
        A * eps: 0,
        A**2: sp.Sum(delta[j] ** 2, (j, 1, d)),
        eps**2: sigma2,
    }
    square = sp.expand((A + D - eps) ** 2)
    expectation = sp.Integer(0)
    for monomial, coeff in square.as_coefficients_dict().items():
        random = sp.Mul(*(f for f in sp.Mul.make_args(monomial) if f.has(A) or f.has(eps)))
        expectation += coeff * (monomial / random) * moments[random]
    closed = (sp.Sum(delta[j] ** 2, (j, 1, d)) + D**2 + sigma2) / 2
    return Derivation(
        steps=[
            Step(
                r"$f(\mathbf{x}) - y = A + \Delta - \epsilon$ with $A = \sum_j \delta_j x_j$, "
                r"$\delta = \mathbf{v} - \mathbf{w}$, $\Delta = c - b$",
                equation(sp.Symbol("(f(x) - y)^2"), square),
            ),
            Step(
                r"$E[A^2] = \sum_{j,k}\delta_j\delta_k E[x_j x_k]$ with $E[x_j x_k] = [j = k]$",
                equation(second_moment_A, resolved),
            ),
            Step(
                r"Expectation is linear: substitute the moment of each monomial",
                equation(sp.Symbol(r"E[(f(x) - y)^2]"), expectation),
                cites=("preliminaries.expectation-linearity",),
            ),
            Step(r"Half of it is the risk", equation(sp.Symbol("R[p, f]"), closed)),
        ],
        residuals=[resolved - sp.Sum(delta[j] ** 2, (j, 1, d)), expectation / 2 - closed],
        compared=[r"$E[A^2] - \|\delta\|^2$", r"$\frac12 E[(f(x) - y)^2] - R[p, f]$"],
    )


@generalization_error_monte_carlo.numeric_leg(
    oracle=r"the closed form, through the exact $\chi^2_N$ law of the estimate "
    r"(scipy.stats.chi2, false-alarm rate $10^{-9}$ per dtype); N = 50,000 draws"
)
def _(impl, device, dtype) -> None:
    w, v = randn(3, seed=100), randn(3, seed=101)
    for seed, (vv, c) in enumerate(((v, 0.3), (w, 0.0))):  # a wrong predictor and the true one
        estimate, (low, high) = _monte_carlo(
            impl, w, 0.2, vv, c, 0.5, 50_000, 102 + 2 * seed, dtype, device
        )
        risk = _risk(vv - w, c - 0.2, 0.5)
        assert low <= estimate <= high, (
            f"empirical risk {estimate:.5f} outside [{low:.5f}, {high:.5f}] around R = {risk:.5f}"
        )


@generalization_error_monte_carlo.property_leg(
    r"for random $\mathbf{w}, \mathbf{v} \in [-3, 3]^d$, $b, c \in [-3, 3]$, $\sigma \in "
    r"[0.1, 3]$ and seeds, the empirical risk of $f$ on 20,000 fresh draws lies in the exact "
    r"$1 - 10^{-9}$ interval around the closed-form risk"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 4))
        entries = st.floats(-3.0, 3.0)
        w, v = (
            torch.tensor(draw(st.lists(entries, min_size=size, max_size=size)), dtype=torch.float64)
            for _ in range(2)
        )
        return (
            w,
            draw(entries),
            v,
            draw(entries),
            draw(st.floats(0.1, 3.0)),
            draw(st.integers(0, 2**20)),
        )

    def holds(case) -> bool:
        w, b0, v, c, sigma, seed = case
        estimate, (low, high) = _monte_carlo(
            impl, w, b0, v, c, sigma, 20_000, seed, torch.float64, "cpu"
        )
        return low <= estimate <= high

    return ForAll(cases(), holds, names=("w", "b", "v", "c", "sigma", "seed"))


empirical_risk_index = SECTION.claim(
    "empirical-risk-index",
    title="The empirical risk puts the example index on f(x)",
    statement=r"R_{emp}[X, \mathbf{y}, f] = \frac{1}{n} \sum_{i=1}^{n} l(\mathbf{x}^{(i)}, "
    r"\mathbf{y}^{(i)}, f(\mathbf{x})^{(i)})",
    kind=Kind.NOTATION,
    corrects="regression.generalization-error-monte-carlo",
    note=r"The loss of example $i$ compares $y^{(i)}$ with the prediction for that example, "
    r"$f(\mathbf{x}^{(i)})$: the index belongs on the argument. Read "
    r"$l(\mathbf{x}^{(i)}, y^{(i)}, f(\mathbf{x}^{(i)}))$.",
)

risk_expectation_subscript = SECTION.claim(
    "risk-expectation-subscript",
    title="The risk's expectation swallows its argument into the subscript",
    statement=r"R[p, f] = E_{(\mathbf{x}, y) \sim P[l(\mathbf{x}, y, f(\mathbf{x}))]}, \qquad "
    r"l(\mathbf{x}, yf(\mathbf{x}))",
    kind=Kind.NOTATION,
    corrects="regression.generalization-error-monte-carlo",
    note=r"The subscript names the distribution and the bracket holds the quantity averaged: "
    r"read $E_{(\mathbf{x}, y) \sim P}\,[l(\mathbf{x}, y, f(\mathbf{x}))]$. In the prose after "
    r"it, $l(\mathbf{x}, yf(\mathbf{x}))$ lacks a comma: $l(\mathbf{x}, y, f(\mathbf{x}))$, not "
    r"a product $y f(\mathbf{x})$.",
)
