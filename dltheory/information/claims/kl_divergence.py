r"""§ 13.6 Kullback-Leibler Divergence — the definition, and the Gaussian closed form.

Main declarations:

* ``information.kl-definition`` — :math:`D_{\mathrm{KL}}(P \| Q) =
  \mathbb{E}_{x \sim P}[\log(p(x)/q(x))]`, outcomes with :math:`p = 0` contributing 0;
* ``information.kl-gaussian-closed-form`` — the divergence between two Gaussians.

KL divergences are compared with mpmath relative to :math:`\sum_i |p_i \log(p_i/q_i)|`: the
terms have both signs, so a divergence near 0 is far smaller than its terms
(:func:`._support.mp_kl`).
"""

from __future__ import annotations

import functools
import math

import mpmath
import scipy.special
import scipy.stats
import sympy as sp
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    POSITIVE,
    POSITIVE_Q,
    check_gradients,
    close,
    distribution_pairs,
    mp_kl,
    on,
    pairs,
    stats_expectation,
)

SECTION = Section("information", "13.6 Kullback-Leibler Divergence")

_D = sp.Symbol(r"D_{KL}(P \| Q)")
_F64 = torch.float64

kl_definition = SECTION.claim(
    "kl-definition",
    title="Kullback-Leibler divergence",
    statement=r"D_{\mathrm{KL}}(P \| Q) = "
    r"\mathbb{E}_{x \sim P}\left[\log \frac{p(x)}{q(x)}\right]"
    r" = \sum_{x:\, p(x) > 0} p(x) \log \frac{p(x)}{q(x)}",
    kind=Kind.DEFINITION,
    code=("kl_divergence",),
    note=r"Outcomes with $p(x) = 0$ contribute 0, whatever $q$ says about them.",
)


@kl_definition.symbolic_leg(
    scope=r"sympy.stats expectations for $k = 2, 3, 4$ outcomes (symbolic pmfs)", general=False
)
def _() -> Derivation:
    steps, residuals = [], []
    for k in (2, 3, 4):
        expectation, ps, qs = stats_expectation(k, lambda pp, qq: sp.log(pp / qq))
        explicit = sum(a * sp.log(a / b) for a, b in zip(ps, qs, strict=True))
        steps.append(
            Step(
                rf"$k = {k}$: the mean of $\log(p(X)/q(X))$ under $P$ by sympy.stats",
                equation(_D, expectation),
            )
        )
        residuals.append(sp.expand(sp.expand_log(expectation - explicit, force=True)))
    compared = [rf"the mean minus $\sum_i p_i \log(p_i/q_i)$, $k = {k}$" for k in (2, 3, 4)]
    return Derivation(steps=steps, residuals=residuals, compared=compared)


def _rel_entr(a: torch.Tensor, b: torch.Tensor, dim: int = -1):
    return scipy.special.rel_entr(oracle_input(a), oracle_input(b)).sum(dim)


@kl_definition.numeric_leg(
    oracle="mpmath at 40 digits (error in eps of sum |terms|); scipy.special.rel_entr (every "
    "dim; bits); scipy.stats.entropy(p, q) and torch.distributions.kl_divergence of "
    "Categoricals (float64, float32, ordinary rows); gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    for index, (a, b) in enumerate(pairs(dtype, device)):
        got = impl.kl_divergence(a, b)
        assert got.dtype == dtype and got.device == a.device
        exact, scale = mp_kl(a, b)
        assert_accurate(got.reshape(-1), exact, scale=scale, msg="vs mpmath")
        bits = impl.kl_divergence(a, b, base=2)
        assert_close(bits, _rel_entr(a, b) / math.log(2), msg="bits vs scipy.special.rel_entr")
        if dtype in (torch.float64, torch.float32) and index < 2:
            # both oracles renormalize their inputs, and Categorical clamps probabilities at
            # machine epsilon: compared on the ordinary pairs, where that changes nothing
            assert_close(got, scipy.stats.entropy(oracle_input(a), oracle_input(b), axis=-1))
            cat_p, cat_q = (
                D.Categorical(probs=a.double().cpu()),
                D.Categorical(probs=b.double().cpu()),
            )
            assert_close(got, D.kl_divergence(cat_p, cat_q), dtype=dtype, msg="vs torch")
        for dim in range(-a.dim(), a.dim()):
            got = impl.kl_divergence(a, b, dim=dim, validate=False)
            assert_close(got, _rel_entr(a, b, dim), msg=f"dim={dim}")
    if dtype == torch.float64:
        check_gradients(lambda u, v: impl.kl_divergence(u, v, validate=False), POSITIVE, POSITIVE_Q)


@kl_definition.property_leg(
    r"`kl_divergence(p, q, base=b)` equals `scipy.stats.entropy(p, q, base=b)`, and in nats "
    r"mpmath's sum to 16 eps of $\sum |\text{terms}|$, including $+\infty$ where $q = 0 < p$"
)
def _(impl) -> ForAll:
    bases = st.one_of(st.none(), st.sampled_from([2, 10]), st.floats(1.05, 100.0))

    def holds(case) -> bool:
        (a, b), base = case
        want = scipy.stats.entropy(a.numpy(), b.numpy(), base=base)
        (exact,), (scale,) = mp_kl(a, b)
        nats = impl.kl_divergence(a, b)
        return close(impl.kl_divergence(a, b, base=base), torch.tensor(want)) and is_accurate(
            nats, exact, scale=scale
        )

    return ForAll(st.tuples(distribution_pairs(), bases), holds, names=("(p, q)", "b"))


kl_gaussian_closed_form = SECTION.claim(
    "kl-gaussian-closed-form",
    title="KL divergence between Gaussians",
    statement=r"D_{\mathrm{KL}}(\mathcal{N}(\mu_p, \sigma_p^2) \,\|\, "
    r"\mathcal{N}(\mu_q, \sigma_q^2))"
    r" = \log\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2\sigma_q^2}"
    r" - \frac12",
    kind=Kind.IDENTITY,
    code=("gaussian_kl_divergence",),
    note=r"The notes define KL for densities as well; this is the closed form the continuous "
    r"case needs most. With diagonal covariances the divergence is the sum over coordinates.",
)


@kl_gaussian_closed_form.symbolic_leg(
    scope=r"symbolic $\mu_p$, $\sigma_p$, $\mu_q$, $\sigma_q$ (sympy.stats moments)"
)
def _() -> Derivation:
    from sympy import stats

    mu_p, mu_q = sp.symbols("mu_p mu_q", real=True)
    s_p, s_q = sp.symbols("sigma_p sigma_q", positive=True)
    xs = sp.Symbol("x", real=True)

    def log_density(mu, sigma):
        density = sp.exp(-((xs - mu) ** 2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))
        return sp.expand_log(sp.log(density), force=True)

    integrand = sp.expand(log_density(mu_p, s_p) - log_density(mu_q, s_q))
    value = stats.E(integrand.subs(xs, stats.Normal("Z", mu_p, s_p)))
    closed = sp.log(s_q / s_p) + (s_p**2 + (mu_p - mu_q) ** 2) / (2 * s_q**2) - sp.Rational(1, 2)
    p1, p2, q1, q2 = sp.symbols("p_1 p_2 q_1 q_2", positive=True)
    factored = sp.log(p1 * p2 / (q1 * q2))
    return Derivation(
        steps=[
            Step(r"$\log p(x) - \log q(x)$ for two Gaussian densities", integrand),
            Step(
                r"Its mean under $P$ (sympy.stats, $X \sim \mathcal{N}(\mu_p, \sigma_p^2)$)",
                equation(_D, value),
            ),
            Step("The closed form", equation(_D, closed)),
            Step(
                "Diagonal covariance: the densities factor over coordinates, so the log-ratio and "
                "hence the divergence is the sum over coordinates",
                equation(factored, sp.log(p1 / q1) + sp.log(p2 / q2)),
            ),
        ],
        residuals=[
            sp.expand(sp.expand_log(value - closed, force=True)),
            sp.expand_log(factored - sp.log(p1 / q1) - sp.log(p2 / q2), force=True),
        ],
        compared=[
            r"the mean log-ratio minus the closed form",
            r"the log-ratio of products minus the sum of log-ratios",
        ],
    )


@functools.cache
def _gaussian_kl_integral(mu_p, s_p, mu_q, s_q) -> float:
    with mpmath.workdps(20):  # far below float64's 16-eps budget

        def integrand(v):
            fp, fq = mpmath.npdf(v, mu_p, s_p), mpmath.npdf(v, mu_q, s_q)
            return fp * (mpmath.log(fp) - mpmath.log(fq)) if fp > 0 else mpmath.mpf(0)

        return float(mpmath.quad(integrand, [-mpmath.inf, mu_p, mpmath.inf]))


def _mp_gaussian_kl(mu_p: float, s_p: float, mu_q: float, s_q: float) -> float:
    r"""The closed form at 60 digits: :math:`\log(\sigma_q/\sigma_p) + (\sigma_p^2 +
    (\mu_p - \mu_q)^2)/(2\sigma_q^2) - \frac12`, rounded once to float64."""
    with mpmath.workdps(60):
        mp, sp_, mq, sq = (mpmath.mpf(v) for v in (mu_p, s_p, mu_q, s_q))
        return float(mpmath.log(sq / sp_) + (sp_**2 + (mp - mq) ** 2) / (2 * sq**2) - 0.5)


def _extreme_gaussian_parameters(dtype: torch.dtype) -> list[tuple[float, float, float, float]]:
    """``(mu_p, sigma_p, mu_q, sigma_q)`` where each way of evaluating the closed form is used:
    scale ratios within 5% and 20% of 1 and 2^-10 from it (the series in w = (r-1)/(r+1)),
    ratios that underflow (the logarithm from the two scales apart: a huge and a small
    sigma_q), and means whose difference overflows the dtype (halved first)."""
    fi = torch.finfo(dtype)
    return [
        (0.0, 1.1, 0.0, 1.0),
        (0.25, 1.0, 0.0, 1.2),
        (0.0, 1.0 + 2.0**-10, 0.0, 1.0),
        (0.0, fi.tiny, 0.0, fi.max / 4),
        (0.0, fi.tiny * 2.0**-4, 0.0, 0.25),
        (fi.max * 0.875, 1.0, -fi.max * 0.875, fi.max * 0.875),
    ]


@kl_gaussian_closed_form.numeric_leg(
    oracle="the integral by mpmath.quad and the closed form at 60 digits at ratios near 1, "
    "ratios that underflow and mean differences that overflow (error in eps); "
    "torch.distributions.kl_divergence (Normal; Independent Normal; divided by log 2 for "
    "bits); gradcheck and gradgradcheck in every parameter (float64)"
)
def _(impl, device, dtype) -> None:
    params = [
        on(torch.tensor(v, dtype=_F64), dtype, device)
        for v in (
            [0.0, 1.0, -3.0, 0.5],
            [1.0, 0.5, 2.0, 0.125],
            [0.0, -1.0, 4.0, 0.5],
            [1.0, 2.0, 0.25, 0.125],
        )
    ]
    got = impl.gaussian_kl_divergence(*params)
    assert got.dtype == dtype and got.device == params[0].device
    values = [oracle_input(v).tolist() for v in params]
    # quadrature is costly: the first two parameter sets by the integral, all by torch
    exact = [_gaussian_kl_integral(*column) for column in list(zip(*values, strict=True))[:2]]
    assert_accurate(got[:2], exact, msg="vs the integral by mpmath.quad")
    normal_p = D.Normal(params[0].double().cpu(), params[1].double().cpu())
    normal_q = D.Normal(params[2].double().cpu(), params[3].double().cpu())
    assert_close(got, D.kl_divergence(normal_p, normal_q), dtype=dtype, msg="vs torch")
    diagonal = D.kl_divergence(D.Independent(normal_p, 1), D.Independent(normal_q, 1))
    got_diagonal = impl.gaussian_kl_divergence(*params, dim=0)
    assert_close(got_diagonal, diagonal, dtype=dtype, msg="diagonal")
    bits = impl.gaussian_kl_divergence(*params, base=2)
    want = D.kl_divergence(normal_p, normal_q) / math.log(2)
    assert_close(bits, want, dtype=dtype, msg="in bits vs torch / log 2")
    extremes = torch.tensor(_extreme_gaussian_parameters(dtype), dtype=_F64)
    columns = [on(extremes[:, k], dtype, device) for k in range(4)]
    got = impl.gaussian_kl_divergence(*columns)
    rounded = oracle_input(torch.stack(columns, dim=1)).tolist()
    exact = [_mp_gaussian_kl(*row) for row in rounded]
    assert_accurate(
        got, exact, msg=f"near-equal, underflowing and overflowing parameters {rounded}"
    )
    if dtype == torch.float64:  # with respect to both means and both scales
        leaves = tuple(v.detach().clone().requires_grad_() for v in params)
        closed_form = impl.gaussian_kl_divergence
        assert torch.autograd.gradcheck(closed_form, leaves), "gradient vs finite differences"
        assert torch.autograd.gradgradcheck(closed_form, leaves), "second derivative"


@kl_gaussian_closed_form.property_leg(
    r"`gaussian_kl_divergence` equals `torch.distributions.kl_divergence` for means in "
    r"$[-10, 10]$ and scales in $[0.05, 20]$, univariate and diagonal"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 4))
        locs = st.lists(st.floats(-10.0, 10.0), min_size=size, max_size=size)
        scales = st.lists(st.floats(0.05, 20.0), min_size=size, max_size=size)
        return [torch.tensor(draw(s), dtype=_F64) for s in (locs, scales, locs, scales)]

    def holds(case) -> bool:
        mu_p, s_p, mu_q, s_q = case
        p_, q_ = D.Normal(mu_p, s_p), D.Normal(mu_q, s_q)
        univariate = close(
            impl.gaussian_kl_divergence(mu_p, s_p, mu_q, s_q), D.kl_divergence(p_, q_)
        )
        diagonal = impl.gaussian_kl_divergence(mu_p, s_p, mu_q, s_q, dim=-1)
        want = D.kl_divergence(D.Independent(p_, 1), D.Independent(q_, 1))
        return univariate and close(diagonal, want)

    return ForAll(cases(), holds, names=("(mu_p, sigma_p, mu_q, sigma_q)",))
