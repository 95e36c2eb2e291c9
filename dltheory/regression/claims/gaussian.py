r"""§ 3 Normal Distribution and Squared Loss — the Gaussian noise model and its likelihood.

Main declarations:

* ``regression.gaussian-density-normalized`` — :math:`\int p(x)\,dx = 1` for
  :math:`p(x) = (2\pi\sigma^2)^{-1/2}\exp(-(x-\mu)^2/2\sigma^2)`;
* ``regression.gaussian-noise-likelihood`` — :math:`y = \mathbf{w}^\top\mathbf{x} + b +
  \epsilon`, :math:`\epsilon \sim \mathcal{N}(0, \sigma^2)` gives
  :math:`P(y \mid \mathbf{x}) = \mathcal{N}(y; \mathbf{w}^\top\mathbf{x} + b, \sigma^2)`;
* ``regression.likelihood-factorizes`` — for independent pairs,
  :math:`-\log P(\mathbf{y} \mid X) = -\sum_i \log P(y^{(i)} \mid \mathbf{x}^{(i)})`, with the
  notation note ``regression.nll-missing-p`` (the notes write :math:`-\log(y \mid X)`);
* ``regression.gaussian-nll-formula`` — :math:`-\log P(\mathbf{y} \mid X) = \sum_i
  \frac12\log(2\pi\sigma^2) + \frac{1}{2\sigma^2}(y^{(i)} - \mathbf{w}^\top\mathbf{x}^{(i)} -
  b)^2`.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_close
from dltheory.regression.claims._support import regression_data, s2

SECTION = Section("regression", "3 Normal Distribution and Squared Loss")

mu = sp.Symbol(r"\mu", real=True)
t_ = sp.Symbol("t", real=True)


def _density(at: sp.Expr, mean: sp.Expr) -> sp.Expr:
    return sp.exp(-((at - mean) ** 2) / (2 * s2)) / sp.sqrt(2 * sp.pi * s2)


def mp_nll(y, mean, var) -> tuple[float, float]:
    r""":math:`\frac12\log(2\pi\sigma^2) + (y-\mu)^2/2\sigma^2` at 50 digits, and the sum of
    the absolute values of its terms (the scale its cancellation is measured against)."""
    with mpmath.workdps(50):
        yv, mv, vv = (mpmath.mpf(float(t)) for t in (y, mean, var))
        parts = (mpmath.log(2 * mpmath.pi * vv) / 2, (yv - mv) ** 2 / (2 * vv))
        return float(parts[0] + parts[1]), float(abs(parts[0]) + abs(parts[1]))


def _mp_elementwise(y: torch.Tensor, mean: torch.Tensor, var: torch.Tensor):
    flat = zip(
        *(t.double().expand(y.shape).reshape(-1).tolist() for t in (y, mean, var)), strict=True
    )
    values, scales = zip(*(mp_nll(*row) for row in flat), strict=True)
    shape = y.shape
    return (
        torch.tensor(values, dtype=torch.float64).reshape(shape),
        torch.tensor(scales, dtype=torch.float64).reshape(shape),
    )


gaussian_density_normalized = SECTION.claim(
    "gaussian-density-normalized",
    title="The normal density integrates to one",
    statement=r"p(x) = \frac{1}{\sqrt{2\pi\sigma^2}} \exp\Bigl(-\frac{(x-\mu)^2}{2\sigma^2}\Bigr),"
    r"\qquad \int_{-\infty}^{\infty} p(x)\,dx = 1",
    kind=Kind.THEOREM,
    code=("gaussian_nll",),
    note=r"`gaussian_nll(x, mu, var, reduction='none')` is $-\log p(x)$.",
)


@gaussian_density_normalized.symbolic_leg(scope=r"general $\mu \in \mathbb{R}$, $\sigma^2 > 0$")
def _() -> Derivation:
    x0 = sp.Symbol("x", real=True)
    integral = sp.integrate(_density(x0, mu), (x0, -sp.oo, sp.oo))
    return Derivation(
        steps=[
            Step("The normal density", equation(sp.Symbol("p(x)"), _density(x0, mu))),
            Step(
                r"Integrate over $\mathbb{R}$",
                equation(sp.Integral(_density(x0, mu), (x0, -sp.oo, sp.oo)), integral),
            ),
        ],
        residuals=[integral - 1],
        compared=[r"$\int p(x)\,dx - 1$"],
    )


@gaussian_density_normalized.numeric_leg(
    oracle="mpmath at 50 digits (error in eps against the sum of the terms' magnitudes); "
    r"the integral of $e^{-\text{nll}}$ by the trapezoid rule on $[\mu - 40\sigma, \mu + "
    r"40\sigma]$ "
    "(float64)"
)
def _(impl, device, dtype) -> None:
    y = randn(5, 4, seed=50, scale=3.0).to(dtype).to(device)
    mean = randn(5, 4, seed=51).to(dtype).to(device)
    var = randn(5, 4, seed=52).abs().add(0.05).to(dtype).to(device)
    got = impl.gaussian_nll(y, mean, var, reduction="none")
    assert got.shape == y.shape and got.dtype == dtype and got.device == y.device
    exact, scale = _mp_elementwise(y, mean, var)
    # the two terms can cancel (sigma^2 near 1 / 2 pi): the error is measured against their size
    assert_accurate(got, exact, scale=scale, msg="-log p vs mpmath")
    if dtype == torch.float64:
        for m0, v0 in ((0.0, 1.0), (3.0, 1e-4), (-50.0, 1e4)):
            sigma = math.sqrt(v0)
            grid = torch.linspace(m0 - 40 * sigma, m0 + 40 * sigma, 40001, dtype=dtype)
            density = torch.exp(
                -impl.gaussian_nll(grid, torch.full_like(grid, m0), v0, reduction="none")
            )
            assert_close(torch.trapezoid(density, grid), 1.0, msg=f"integral, mu={m0}, var={v0}")


@gaussian_density_normalized.property_leg(
    r"the trapezoid integral of $\exp(-\text{gaussian\_nll})$ over $\mu \pm 40\sigma$ is 1 for "
    r"$\mu \in [-10^3, 10^3]$, $\sigma^2 \in [10^{-6}, 10^6]$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        m0, v0 = case
        sigma = math.sqrt(v0)
        grid = torch.linspace(m0 - 40 * sigma, m0 + 40 * sigma, 4001, dtype=torch.float64)
        density = torch.exp(
            -impl.gaussian_nll(grid, torch.full_like(grid, m0), v0, reduction="none")
        )
        return is_close(torch.trapezoid(density, grid), 1.0)

    variances = st.integers(-6, 6).flatmap(
        lambda e: st.floats(10.0**e, 10.0 ** (e + 1) if e < 6 else 10.0**e)
    )
    return ForAll(st.tuples(st.floats(-1e3, 1e3), variances), holds, names=("mu", "sigma^2"))


gaussian_noise_likelihood = SECTION.claim(
    "gaussian-noise-likelihood",
    title="Gaussian noise gives a Gaussian likelihood around the linear prediction",
    statement=r"y = \mathbf{w}^\top\mathbf{x} + b + \epsilon,\ \epsilon \sim \mathcal{N}(0, "
    r"\sigma^2) \Rightarrow P(y \mid \mathbf{x}) = \frac{1}{\sqrt{2\pi\sigma^2}}\exp\Bigl("
    r"-\frac{(y - \mathbf{w}^\top\mathbf{x} - b)^2}{2\sigma^2}\Bigr)",
    kind=Kind.THEOREM,
    code=("gaussian_nll",),
)


@gaussian_noise_likelihood.symbolic_leg(
    scope=r"general $c = \mathbf{w}^\top\mathbf{x} + b$, $\sigma^2 > 0$"
)
def _() -> Derivation:
    c = sp.Symbol("c", real=True)  # the prediction w^T x + b, fixed given x
    cdf_eps = (1 + sp.erf(t_ / sp.sqrt(2 * s2))) / 2
    cdf_y = cdf_eps.subs(t_, t_ - c)  # P(y <= t) = P(eps <= t - c)
    density = sp.diff(cdf_y, t_)
    return Derivation(
        steps=[
            Step(
                r"The CDF of $\epsilon \sim \mathcal{N}(0, \sigma^2)$",
                equation(sp.Symbol(r"P(\epsilon \le t)"), cdf_eps),
            ),
            Step(
                r"$y \le t \iff \epsilon \le t - c$ with $c = \mathbf{w}^\top\mathbf{x} + b$",
                equation(sp.Symbol(r"P(y \le t)"), cdf_y),
            ),
            Step(
                r"Differentiate in $t$: the normal density centred at $c$",
                equation(density, _density(t_, c)),
            ),
        ],
        residuals=[density - _density(t_, c)],
        compared=[r"$\frac{d}{dt}P(y \le t) - \mathcal{N}(t; c, \sigma^2)$"],
    )


@gaussian_noise_likelihood.numeric_leg(
    oracle="20,000 draws of y = wᵀx + b + ε against the CDF integrated from exp(−gaussian_nll) "
    "(Dvoretzky–Kiefer–Wolfowitz bound, false-alarm rate ≤ 1e-7); scipy.stats.norm.logpdf",
    dtypes=("float64",),  # a statistical check of the model, on float64 samples
)
def _(impl, device, dtype) -> None:
    import scipy.stats

    Xs, _, w, b0 = regression_data(1, 3, seed=53, dtype=dtype, device=device)
    centre, sigma = float(Xs[0] @ w + b0), 0.7
    draws = centre + sigma * randn(20000, seed=54)
    grid = torch.linspace(
        centre - 12 * sigma, centre + 12 * sigma, 24001, dtype=dtype, device=device
    )
    density = torch.exp(
        -impl.gaussian_nll(grid, torch.full_like(grid, centre), sigma**2, reduction="none")
    ).cpu()
    grid = grid.cpu()
    cdf = torch.cat([torch.zeros(1, dtype=dtype), torch.cumulative_trapezoid(density, grid)])
    empirical = torch.searchsorted(draws.sort().values, grid, right=True).to(dtype) / draws.numel()
    # DKW: P(sup_t |F_N(t) - F(t)| > eps) <= 2 exp(-2 N eps^2) = 1e-7 at N = 20000
    bound = math.sqrt(math.log(2 / 1e-7) / (2 * draws.numel()))
    gap = float((empirical - cdf).abs().max())
    assert gap <= bound, (
        f"empirical CDF of the model's draws is {gap:.4f} from the likelihood's CDF (bound "
        f"{bound:.4f})"
    )
    ys = draws[:50].to(device)
    want = scipy.stats.norm.logpdf(ys.cpu().double().numpy(), loc=centre, scale=sigma)
    assert_close(
        -impl.gaussian_nll(ys, torch.full_like(ys, centre), sigma**2, reduction="none"), want
    )


@gaussian_noise_likelihood.property_leg(
    r"$\exp(-\text{gaussian\_nll}(y, \mathbf{w}^\top\mathbf{x} + b, \sigma^2))$ equals the noise "
    r"density at the residual, $\mathcal{N}(y - \mathbf{w}^\top\mathbf{x} - b;\,0, \sigma^2)$ "
    r"(scipy)"
)
def _(impl) -> ForAll:
    import scipy.stats

    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 4))
        entries = st.floats(-10.0, 10.0)
        x0, w = (
            torch.tensor(draw(st.lists(entries, min_size=size, max_size=size)), dtype=torch.float64)
            for _ in range(2)
        )
        return x0, w, draw(entries), draw(st.floats(0.01, 10.0)), draw(st.floats(-50.0, 50.0))

    def holds(case) -> bool:
        x0, w, b0, sigma, y = case
        centre = torch.tensor([float(x0 @ w) + b0], dtype=torch.float64)
        got = torch.exp(
            -impl.gaussian_nll(torch.tensor([y], dtype=torch.float64), centre, sigma**2)
        )
        return is_close(got, scipy.stats.norm.pdf(y - float(centre[0]), loc=0.0, scale=sigma))

    return ForAll(cases(), holds, names=("x", "w", "b", "sigma", "y"))
