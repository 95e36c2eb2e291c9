r"""§ 12.2 Jensen's Inequality — the finite form and the expectation form.

Main declarations:

* ``optimization.jensen-finite`` — :math:`\sum_i \alpha_i f(x_i) \ge f(\sum_i \alpha_i x_i)`,
  proved for general :math:`n` by induction, as the notes sketch;
* ``optimization.jensen-expectation`` — :math:`E[f(X)] \ge f(E[X])`.

The notes' application to :math:`-\log P(X)` is in :mod:`.jensen_application`.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn, simplex
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, is_accurate
from dltheory.optimization.claims._support import (
    CONVEX,
    DPS,
    check_gap,
    family,
    jensen_cases,
    jensen_scale,
    not_below,
    scalar_function,
)

SECTION = Section("optimization", "12.2 Jensen's Inequality")

n = sp.Symbol("n", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True)
alpha = sp.IndexedBase(r"\alpha", nonnegative=True)
xs = sp.IndexedBase("x", real=True)
fx = sp.IndexedBase("f", real=True)  # f(x_i)
prior = sp.IndexedBase(r"\pi", positive=True)  # P(Y = i)
like = sp.IndexedBase("p", positive=True)  # P(X | Y = i)
guess = sp.IndexedBase("q", positive=True)  # Q(Y = i)

NEG_LOG = scalar_function("-log x", lambda t: -torch.log(t), lambda t: -mpmath.log(t))


def _neg_log(t: torch.Tensor) -> torch.Tensor:
    return -torch.log(t)


jensen_finite = SECTION.claim(
    "jensen-finite",
    title="Jensen's inequality (finite form)",
    statement=r"\alpha_i \ge 0,\ \sum_{i=1}^n \alpha_i = 1,\ f \text{ convex} \Rightarrow "
    r"\sum_{i} \alpha_{i} f(x_{i}) \geq f\left(\sum_{i} \alpha_{i} x_{i}\right)",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.convex-function-definition",),
    note=r"The notes: 'we repeatedly apply the definition of convexity to one term in the sum "
    r"at a time'. The induction step splits off the last point: with "
    r"$\beta_i = \alpha_i/(1 - \alpha_{n+1})$ (if $\alpha_{n+1} = 1$ there is nothing to show), "
    r"$\sum_{i \le n+1}\alpha_i x_i = \alpha_{n+1}x_{n+1} + (1 - \alpha_{n+1})\sum_{i \le n}"
    r"\beta_i x_i$ is a two-point convex combination.",
)


@jensen_finite.symbolic_leg(scope="general $n$ (induction on $n$)")
def _() -> Derivation:
    last = alpha[n + 1]
    mean = sp.Sum(alpha[i] * xs[i], (i, 1, n)) + last * xs[n + 1]
    inner = sp.Sum(alpha[i] / (1 - last) * xs[i], (i, 1, n))  # sum of beta_i x_i
    two_point = last * xs[n + 1] + (1 - last) * inner
    beta_total = sp.simplify(sp.Sum(alpha[i] / (1 - last), (i, 1, n)))
    beta_total = beta_total.subs(sp.Sum(alpha[i], (i, 1, n)), 1 - last)
    bound = last * fx[n + 1] + (1 - last) * sp.Sum(alpha[i] / (1 - last) * fx[i], (i, 1, n))
    weighted = sp.Sum(alpha[i] * fx[i], (i, 1, n)) + last * fx[n + 1]
    a1, f1 = sp.symbols(r"\alpha_1 f(x_1)", real=True)
    return Derivation(
        steps=[
            Step(r"$n = 1$: $\alpha_1 = 1$ and both sides are $f(x_1)$", equation(a1 * f1, f1)),
            Step(
                r"Split off the last term of $\sum_{i=1}^{n+1}$",
                equation(sp.Sum(alpha[i] * xs[i], (i, 1, n + 1)), mean),
            ),
            Step(
                r"as a two-point combination with $\beta_i = \alpha_i/(1 - \alpha_{n+1})$",
                equation(mean, two_point),
            ),
            Step(
                r"the $\beta_i$ are nonnegative and sum to 1",
                equation(sp.Symbol(r"\sum_i \beta_i"), beta_total),
            ),
            Step(
                r"Convexity, then the induction hypothesis for the $n$ points with weights "
                r"$\beta_i$: $f(\text{mean}) \le \alpha_{n+1}f(x_{n+1}) + (1 - \alpha_{n+1})"
                r"f(\sum_i\beta_i x_i) \le \alpha_{n+1}f(x_{n+1}) + "
                r"(1 - \alpha_{n+1})\sum_i \beta_i f(x_i)$",
                bound,
                cites=("optimization.convex-function-definition",),
            ),
            Step(r"which is $\sum_{i=1}^{n+1} \alpha_i f(x_i)$", equation(bound, weighted)),
        ],
        residuals=[
            (a1 * f1 - f1).subs(a1, 1),
            sp.Sum(alpha[i] * xs[i], (i, n + 1, n + 1)).doit() - last * xs[n + 1],
            sp.simplify(mean - two_point),
            beta_total - 1,
            sp.simplify(bound - weighted),
        ],
        compared=[
            "the base case",
            r"the split of the last term (the sum over $i = n + 1$ alone)",
            "the mean minus the two-point combination",
            r"$\sum_i \beta_i - 1$",
            r"the bound minus $\sum_{i=1}^{n+1}\alpha_i f(x_i)$",
        ],
    )


@jensen_finite.numeric_leg(
    oracle="the gap by mpmath at 50 digits (error in eps of its rounding size); sign "
    "nonnegative; batched weights; gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    w = simplex(7, seed=230, zeros=0.3)
    for seed, name in enumerate(CONVEX):
        f = family(name, randn(2, 3, seed=231 + seed), randn(2, seed=241 + seed))
        exact = check_gap(
            impl, f, randn(7, 3, seed=251 + seed, scale=1.5), w, dtype, "seven points"
        )
        assert exact >= 0, f"{f}: negative Jensen gap"
    points = (
        torch.rand(7, 1, generator=torch.Generator().manual_seed(232), dtype=torch.float64) + 0.1
    )
    assert check_gap(impl, NEG_LOG, points, w, dtype, "-log") >= 0
    batch = impl.jensen_gap(
        torch.exp,
        randn(3, 7, seed=233).to(dtype),
        simplex(3, 7, seed=234).to(dtype),
        validate=False,
    )
    assert batch.shape == (3,) and batch.dtype == dtype
    if dtype == torch.float64:
        X = randn(5, seed=235).requires_grad_()
        weights = simplex(5, seed=236).requires_grad_()
        for fn in (torch.exp, torch.square):

            def gap(X, weights, fn=fn):
                return impl.jensen_gap(fn, X, weights, validate=False)

            assert torch.autograd.gradcheck(gap, (X, weights), fast_mode=True)
            assert torch.autograd.gradgradcheck(gap, (X, weights), fast_mode=True)


@jensen_finite.property_leg(
    r"for members of the five convex families, up to six points of $[-3, 3]^d$ and weights on "
    r"the simplex (exact zeros included), `jensen_gap` $\ge 0$ up to its rounding error"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        f, X, w = case
        return not_below(impl, f, X, w)

    return ForAll(jensen_cases(CONVEX, max_points=6), holds, names=("f", "x", "alpha"))


jensen_expectation = SECTION.claim(
    "jensen-expectation",
    title="Jensen's inequality (expectation form)",
    statement=r"f \text{ convex} \Rightarrow E_X[f(X)] \ge f(E_X[X])",
    kind=Kind.THEOREM,
    code=("jensen_gap",),
    uses=("optimization.jensen-finite",),
    note=r"For a discrete $X$ it is the finite form with $\alpha_i = P(X = x_i)$. For "
    r"$X \sim \mathcal{N}(\mu, \sigma^2)$ and $f = \exp$ the gap is "
    r"$e^{\mu}(e^{\sigma^2/2} - 1)$; for $f(x) = x^2$ it is the variance. The legs compute "
    r"expectations of continuous $X$ with Gauss quadrature, a discrete distribution that has "
    r"the same moments up to a high degree.",
)


@jensen_expectation.symbolic_leg(
    scope=r"general $\mu$, $\sigma$ (Gaussian $X$); discrete $X$ by citation"
)
def _() -> Derivation:
    x = sp.Symbol("x", real=True)
    mu, sigma = sp.Symbol(r"\mu", real=True), sp.Symbol(r"\sigma", positive=True)
    exponent = x - (x - mu) ** 2 / (2 * sigma**2)
    completed = mu + sigma**2 / 2 - (x - mu - sigma**2) ** 2 / (2 * sigma**2)
    mgf = sp.exp(mu + sigma**2 / 2)
    gap = mgf - sp.exp(mu)
    y = sp.Symbol("y", real=True)
    return Derivation(
        steps=[
            Step(
                r"Discrete $X$: the finite form with $\alpha_i = P(X = x_i)$",
                sp.Ge(sp.Sum(alpha[i] * fx[i], (i, 1, n)), sp.Symbol(r"f(E[X])")),
                cites=("optimization.jensen-finite",),
            ),
            Step(
                r"Gaussian $X$, $f = \exp$: complete the square in the exponent of "
                r"$e^x \varphi_{\mu,\sigma}(x)$",
                equation(exponent, completed),
            ),
            Step(
                r"the remaining Gaussian integrates to 1, so $E[e^X] = e^{\mu + \sigma^2/2}$",
                equation(sp.Symbol("E[e^X]"), mgf),
            ),
            Step(r"The gap $E[e^X] - e^{E[X]}$", equation(sp.Symbol("gap"), sp.factor(gap))),
        ],
        residuals=[
            sp.expand(exponent - completed),
            sp.simplify(gap / sp.exp(mu) - (sp.exp(sigma**2 / 2) - 1)),
            sp.Eq(sp.solveset(sp.exp(y) > 1, y, sp.Reals), sp.Interval.open(0, sp.oo)),
            (sigma**2 / 2).is_positive,
        ],
        compared=[
            "the exponent minus its completed square",
            r"$e^{-\mu}$ times the gap minus $(e^{\sigma^2/2} - 1)$",
            r"$e^y > 1$ exactly for $y > 0$",
            r"$y = \sigma^2/2 > 0$",
        ],
    )


def _gauss_hermite(mu: float, sigma: float, nodes: int = 40):
    """Nodes and weights of Gauss–Hermite quadrature for :math:`\\mathcal{N}(\\mu, \\sigma^2)`."""
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    return torch.from_numpy(mu + sigma * t), torch.from_numpy(w / w.sum())


@jensen_expectation.numeric_leg(
    oracle=r"float64: $e^{\mu}(e^{\sigma^2/2} - 1)$ and $\sigma^2$ by mpmath (Gauss–Hermite "
    r"expectations); every dtype: the gap of the rounded nodes by mpmath"
)
def _(impl, device, dtype) -> None:
    exp_f = scalar_function("exp", torch.exp, mpmath.exp)
    square = scalar_function("x^2", torch.square, lambda t: t * t)
    for mu, sigma in ((0.0, 1.0), (1.5, 0.5), (-2.0, 1.5)):
        X, w = _gauss_hermite(mu, sigma)
        check_gap(impl, exp_f, X.unsqueeze(-1), w, dtype, f"N({mu}, {sigma}^2), exp")
        check_gap(impl, square, X.unsqueeze(-1), w, dtype, f"N({mu}, {sigma}^2), square")
        if dtype == torch.float64:
            with mpmath.workdps(DPS):
                exact = float(mpmath.exp(mu) * mpmath.expm1(mpmath.mpf(sigma) ** 2 / 2))
            scale = jensen_scale(exp_f, X.unsqueeze(-1), w)
            assert_accurate(
                impl.jensen_gap(torch.exp, X, w), exact, scale=scale, msg="E[e^X] - e^E[X]"
            )
            assert_accurate(
                impl.jensen_gap(torch.square, X, w),
                sigma**2,
                scale=jensen_scale(square, X.unsqueeze(-1), w),
                msg="variance",
            )


@jensen_expectation.property_leg(
    r"for $X$ uniform on $[a, b] \subset [-5, 5]$, $b - a \le 4$ (Gauss–Legendre), the gap of "
    r"$x^2$ is $(b - a)^2/12$ and that of $e^x$ is $(e^b - e^a)/(b - a) - e^{(a+b)/2} \ge 0$ "
    r"(mpmath)"
)
def _(impl) -> ForAll:
    nodes, weights = np.polynomial.legendre.leggauss(16)

    @st.composite
    def intervals(draw):
        lo = draw(st.floats(-5.0, 4.9))  # at most 4 long: 16 nodes integrate e^x to 1e-26
        return lo, draw(st.floats(lo + 0.1, min(lo + 4.0, 5.0)))

    def holds(case) -> bool:
        lo, hi = case
        X = torch.from_numpy(lo + (hi - lo) * (nodes + 1) / 2)
        w = torch.from_numpy(weights / 2)
        with mpmath.workdps(DPS):
            a_, b_ = mpmath.mpf(lo), mpmath.mpf(hi)
            exp_gap = float(
                (mpmath.exp(b_) - mpmath.exp(a_)) / (b_ - a_) - mpmath.exp((a_ + b_) / 2)
            )
        exp_f = scalar_function("exp", torch.exp, mpmath.exp)
        square = scalar_function("x^2", torch.square, lambda t: t * t)
        gap_exp = impl.jensen_gap(torch.exp, X, w)
        gap_sq = impl.jensen_gap(torch.square, X, w)
        return (
            exp_gap >= 0
            and is_accurate(gap_exp, exp_gap, scale=jensen_scale(exp_f, X.unsqueeze(-1), w))
            and is_accurate(
                gap_sq, (hi - lo) ** 2 / 12, scale=jensen_scale(square, X.unsqueeze(-1), w)
            )
        )

    return ForAll(intervals(), holds, names=("(a, b)",))
