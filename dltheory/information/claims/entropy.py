r"""§ 13.6 Surprise and Entropy — entropy as the mean surprisal, discrete and differential.

Main declarations:

* ``information.entropy-expected-surprisal`` — :math:`H(X) = \mathbb{E}_{x \sim P}[-\log p(x)]`,
  the mean of the surprisal :math:`-\log p(x)`;
* ``information.entropy-discrete-form`` — :math:`H(X) = -\sum_i p_i \log p_i` with
  :math:`0 \log 0 = 0`, in any base; the notation note ``information.entropy-pmf-notation``
  reads the notes' :math:`p_i = P(X_i)` as :math:`P(X = x_i)`;
* ``information.differential-entropy-definition`` — :math:`-\int p \log p`, with the closed
  forms of the uniform and the Gaussian that the chapter's continuous claims use.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
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
    BATCHES,
    DPS,
    LIM_I,
    POSITIVE,
    check_gradients,
    close,
    distributions,
    entr_sum,
    i,
    mp_entropy,
    n,
    on,
    p,
    reduce_sums,
    stats_expectation,
    vectors,
)

SECTION = Section("information", "13.6 Entropy")

_H = sp.Symbol("H(X)")
_BATCHED = distributions(batch_shape=BATCHES)

entropy_expected_surprisal = SECTION.claim(
    "entropy-expected-surprisal",
    title="Entropy is the expected surprisal",
    statement=r"H(X) = -\mathbb{E}_{x \sim P}[\log p(x)] = \mathbb{E}_{x \sim P}[s(x)],"
    r"\quad s(x) = -\log p(x)",
    source="13.6 Surprise / Entropy",
    kind=Kind.DEFINITION,
    code=("entropy",),
    uses=("information.differential-entropy-definition",),
    note=r"The surprisal $-\log p(x)$ of an outcome grows as the outcome gets rarer and is 0 "
    r"for a sure one; entropy is its mean under $P$. Outcomes of probability 0 never occur, "
    r"so they carry no weight in the mean.",
)


@entropy_expected_surprisal.symbolic_leg(
    scope=r"sympy.stats expectations for $k = 2, 3, 4$ outcomes (symbolic pmf); densities by "
    "information.differential-entropy-definition",
    general=False,
)
def _() -> Derivation:
    steps, residuals = [], []
    for k in (2, 3, 4):
        expectation, ps, _ = stats_expectation(k, lambda pmf, _q: -sp.log(pmf))
        explicit = -sum(v * sp.log(v) for v in ps)
        steps.append(
            Step(
                rf"$k = {k}$: $\mathbb{{E}}[-\log p(X)]$ by sympy.stats ($X$ a {k}-point "
                r"FiniteRV) is $-\sum_i p_i \log p_i$",
                equation(_H, expectation),
            )
        )
        residuals.append(sp.expand(expectation - explicit))
    steps.append(
        Step(
            r"For a density the mean surprisal is $-\int p \log p$; its closed forms for the "
            r"uniform and the Gaussian are computed as expectations there",
            sp.Symbol(r"H(X) = -\int p(x) \log p(x)\,dx"),
            cites=("information.differential-entropy-definition",),
        )
    )
    compared = [
        rf"$\mathbb{{E}}[-\log p(X)]$ minus $-\sum_i p_i \log p_i$, $k = {k}$" for k in (2, 3, 4)
    ]
    return Derivation(steps=steps, residuals=residuals, compared=compared)


@entropy_expected_surprisal.numeric_leg(
    oracle="the mean surprisal by mpmath (error in eps); torch.distributions.Categorical.entropy"
)
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        got = impl.entropy(values)
        assert got.dtype == dtype and got.device == values.device
        assert_accurate(got.reshape(-1), mp_entropy(values), msg="vs the mean surprisal (mpmath)")
        categorical = D.Categorical(probs=values.double().cpu())
        assert_close(got, categorical.entropy(), dtype=dtype, msg="vs torch Categorical")


@entropy_expected_surprisal.property_leg(
    r"`entropy(p)` equals the $p$-weighted mean of $-\log p(x)$ over the outcomes that occur, "
    r"computed by mpmath, to 16 eps relative to its value, for batches of distributions with "
    r"exact zeros and entries down to $10^{-300}$",
    latex=r"H(P) = \textstyle\sum_{i:\,p_i > 0} p_i\,(-\log p_i)",
)
def _(impl) -> ForAll:
    # every term is >= 0, so a sum of correctly rounded terms is relatively accurate: no
    # absolute tolerance hides a dropped tiny term
    def holds(values) -> bool:
        return is_accurate(impl.entropy(values).reshape(-1), mp_entropy(values))

    return ForAll(_BATCHED, holds, names=("p",))


entropy_discrete_form = SECTION.claim(
    "entropy-discrete-form",
    title="Entropy of a discrete distribution",
    statement=r"H(X) = -\sum_i p_i \log p_i,\qquad 0 \log 0 = 0",
    kind=Kind.DEFINITION,
    code=("entropy",),
    note=r"$p_i$ is the probability of the $i$-th outcome (information.entropy-pmf-notation). "
    r"The convention $0 \log 0 = 0$ is the continuous extension of $u \log u$ at 0. The base "
    r"of the logarithm sets the unit ($e$: nats, 2: bits); changing it divides by $\log b$.",
)


@entropy_discrete_form.symbolic_leg(
    scope=r"general $n$: the limit at 0, the change of base, $\log n$ for the uniform"
)
def _() -> Derivation:
    u, b = sp.Symbol("u", positive=True), sp.Symbol("b", positive=True)
    term = u * sp.log(u)
    limit = sp.limit(term, u, 0, "+")
    in_base = -sp.Sum(p[i] * sp.log(p[i], b), LIM_I)
    nats = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
    uniform = -sp.Sum(sp.log(1 / n) / n, LIM_I).doit()
    return Derivation(
        steps=[
            Step(
                r"$0 \log 0 = 0$ is the continuous extension of $u \log u$ at 0",
                equation(sp.Limit(term, u, 0, "+"), limit),
            ),
            Step(r"In base $b$, $\log_b u = \ln u / \ln b$", equation(in_base, nats / sp.log(b))),
            Step(
                r"The uniform distribution on $n$ outcomes has entropy $\log n$",
                equation(_H, uniform),
            ),
        ],
        residuals=[
            limit,
            sp.simplify(reduce_sums(in_base - nats / sp.log(b))),
            sp.expand_log(uniform - sp.log(n), force=True),
        ],
        compared=[
            r"$\lim_{u \to 0^+} u \log u$",
            r"the entropy in base $b$ minus the entropy in nats divided by $\ln b$",
            r"the uniform's entropy minus $\log n$",
        ],
    )


@entropy_discrete_form.numeric_leg(
    oracle="scipy.special.entr (bases e, 2, 10, 1/2; every dim); scipy.stats.entropy (float64, "
    "float32); gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        array = oracle_input(values)
        for base in (None, 2, 10, 0.5):
            want = entr_sum(array) / (1.0 if base is None else math.log(base))
            got = impl.entropy(values, base=base)
            assert_close(got, want, msg=f"vs scipy.special.entr, base {base}")
            if dtype in (torch.float64, torch.float32):  # scipy.stats renormalizes its input
                assert_close(got, scipy.stats.entropy(array, base=base, axis=-1))
        for dim in range(-values.dim(), values.dim()):
            got = impl.entropy(values, dim=dim, keepdim=True, validate=False)
            assert_close(got, np.expand_dims(entr_sum(array, axis=dim), dim), msg=f"dim={dim}")
    if dtype == torch.float64:
        check_gradients(lambda z: impl.entropy(z, validate=False), POSITIVE)


@entropy_discrete_form.property_leg(
    r"`entropy(p, base=b)` equals `scipy.stats.entropy(p, base=b)` for batches of distributions "
    r"and bases $e$, 2, 10 and floats in $(0.05, 0.95)$ and $(1.05, 100)$"
)
def _(impl) -> ForAll:
    bases = st.one_of(
        st.none(), st.sampled_from([2, 10]), st.floats(0.05, 0.95), st.floats(1.05, 100.0)
    )

    def holds(case) -> bool:
        values, base = case
        want = scipy.stats.entropy(values.numpy(), base=base, axis=-1)
        return close(impl.entropy(values, base=base), torch.as_tensor(want))

    return ForAll(st.tuples(_BATCHED, bases), holds, names=("p", "b"))


entropy_pmf_notation = SECTION.claim(
    "entropy-pmf-notation",
    title="The notes write P(X_i) for the probability of the i-th outcome",
    statement=r"H(X) = -\sum_i p_i \log p_i, \quad p_i = P(X_i)",
    kind=Kind.NOTATION,
    corrects="information.entropy-discrete-form",
    note=r"$X_i$ reads as the $i$-th of several random variables, but there is only one, $X$. "
    r"Read $p_i = P(X = x_i)$, the probability that $X$ takes its $i$-th value $x_i$: the "
    r"formula is then information.entropy-discrete-form.",
)


differential_entropy_definition = SECTION.claim(
    "differential-entropy-definition",
    title="Differential entropy, and its closed forms for the uniform and the Gaussian",
    statement=r"H(X) = -\int p(x) \log p(x)\,dx;\quad h(U[a, b]) = \log(b - a),\quad "
    r"h(\mathcal{N}(\mu, \sigma^2)) = \tfrac12 \log(2\pi e \sigma^2)",
    kind=Kind.DEFINITION,
    code=("uniform_differential_entropy", "gaussian_differential_entropy"),
    note=r"The two closed forms are the ones the chapter's continuous claims and "
    r"counterexamples use. A Gaussian with diagonal covariance has the sum of the "
    r"coordinates' entropies.",
)


@functools.cache  # shared with information.differential-entropy-can-be-negative
def gaussian_and_uniform() -> dict[str, sp.Expr]:
    r""":math:`-\mathbb{E}[\log p(X)]` of the Gaussian (sympy.stats moments) and of the uniform
    on :math:`[a, a + w]` (an integral), with the symbols they use."""
    from sympy import stats

    mu = sp.Symbol("mu", real=True)
    sigma, a, w = sp.symbols("sigma a w", positive=True)
    xs = sp.Symbol("x", real=True)
    density = sp.exp(-((xs - mu) ** 2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))
    surprisal = sp.expand(sp.expand_log(-sp.log(density), force=True))
    gauss = stats.E(surprisal.subs(xs, stats.Normal("Z", mu, sigma)))
    uniform = sp.integrate(-(1 / w) * sp.log(1 / w), (xs, a, a + w))
    return {"sigma": sigma, "w": w, "surprisal": surprisal, "gauss": gauss, "uniform": uniform}


@differential_entropy_definition.symbolic_leg(
    scope=r"symbolic $a$, $w$, $\mu$, $\sigma$ (integration; sympy.stats moments)"
)
def _() -> Derivation:
    cont = gaussian_and_uniform()
    closed = sp.log(2 * sp.pi * sp.E * cont["sigma"] ** 2) / 2
    h_u, h_n = sp.Symbol("h(U)"), sp.Symbol("h(N)")
    return Derivation(
        steps=[
            Step(
                r"Uniform on $[a, a + w]$: $-\int (1/w) \log(1/w)$ over an interval of length $w$",
                equation(h_u, cont["uniform"]),
            ),
            Step(r"Gaussian: the surprisal $-\log p(x)$, expanded", cont["surprisal"]),
            Step(
                r"Its mean under $\mathcal{N}(\mu, \sigma^2)$, with "
                r"$\mathbb{E}[(X - \mu)^2] = \sigma^2$",
                equation(h_n, cont["gauss"]),
            ),
            Step("The closed form", equation(h_n, closed)),
        ],
        residuals=[
            sp.expand_log(cont["uniform"] - sp.log(cont["w"]), force=True),
            sp.expand(sp.expand_log(cont["gauss"] - closed, force=True)),
        ],
        compared=[
            r"the uniform's integral minus $\log w$",
            r"the Gaussian's mean surprisal minus $\tfrac12 \log(2\pi e \sigma^2)$",
        ],
    )


@functools.cache
def _gaussian_integral(sigma: float) -> float:
    r""":math:`-\int p \log p` of :math:`\mathcal{N}(0, \sigma^2)` by quadrature (20 digits,
    far below float64's 16-eps budget)."""
    with mpmath.workdps(20):

        def integrand(v):
            density = mpmath.npdf(v, 0, sigma)
            return -density * mpmath.log(density) if density > 0 else mpmath.mpf(0)

        return float(mpmath.quad(integrand, [-mpmath.inf, 0, mpmath.inf]))


def _uniform_integral(low: float, high: float) -> float:
    r""":math:`-\int_a^b \tfrac{1}{b - a} \log \tfrac{1}{b - a}\,dx`, exactly."""
    with mpmath.workdps(DPS):
        width = mpmath.mpf(high) - mpmath.mpf(low)
        return float(mpmath.quad(lambda _: -mpmath.log(1 / width) / width, [low, high]))


@differential_entropy_definition.numeric_leg(
    oracle="the integral -int p log p by mpmath.quad (error in eps); torch.distributions "
    "Uniform / Normal / Independent entropy (divided by log b in base b); gradcheck and "
    "gradgradcheck in every parameter (float64)"
)
def _(impl, device, dtype) -> None:
    low = on(torch.tensor([-3.0, 0.0, 0.5, 10.0]), dtype, device)
    high = on(torch.tensor([-1.0, 0.25, 4.0, 10.5]), dtype, device)
    scale = on(torch.tensor([0.05, 0.5, 1.0, 3.0, 100.0]), dtype, device)
    got_u = impl.uniform_differential_entropy(low, high)
    got_n = impl.gaussian_differential_entropy(scale)
    assert got_u.dtype == dtype and got_n.dtype == dtype and got_n.device == scale.device
    ends = zip(oracle_input(low).tolist(), oracle_input(high).tolist(), strict=True)
    assert_accurate(got_u, [_uniform_integral(a, b) for a, b in ends], msg="uniform vs quad")
    sigmas = oracle_input(scale[:3]).tolist()  # quadrature is costly: three scales suffice
    assert_accurate(got_n[:3], [_gaussian_integral(v) for v in sigmas], msg="Gaussian vs quad")
    # ends whose difference overflows the dtype (float32: -3e38 to 3e38, entropy 89.29)
    big = torch.finfo(dtype).max * 0.875
    wide = impl.uniform_differential_entropy(
        on(torch.tensor([-big], dtype=torch.float64), dtype, device), big
    )
    with mpmath.workdps(DPS):
        exact = float(mpmath.log(2 * mpmath.mpf(big)))
    assert_accurate(wide, [exact], msg=f"uniform on [-{big:g}, {big:g}]: the width overflows")
    uniform = D.Uniform(low.double().cpu(), high.double().cpu())
    normal = D.Normal(torch.zeros(5, dtype=torch.float64), scale.double().cpu())
    assert_close(got_u, uniform.entropy(), dtype=dtype, msg="vs torch.distributions.Uniform")
    assert_close(got_n, normal.entropy(), dtype=dtype, msg="vs torch.distributions.Normal")
    diagonal = impl.gaussian_differential_entropy(scale, dim=0)
    assert_close(diagonal, D.Independent(normal, 1).entropy(), dtype=dtype, msg="diagonal")
    for base in (2, 10):
        ln_base = math.log(base)
        u_bits = impl.uniform_differential_entropy(low, high, base=base)
        n_bits = impl.gaussian_differential_entropy(scale, base=base)
        assert_close(u_bits, uniform.entropy() / ln_base, dtype=dtype, msg=f"uniform, base {base}")
        assert_close(n_bits, normal.entropy() / ln_base, dtype=dtype, msg=f"Gaussian, base {base}")
    if dtype == torch.float64:  # with respect to both ends and to the scale
        ends_leaves = (
            low.detach().clone().requires_grad_(),
            high.detach().clone().requires_grad_(),
        )
        scale_leaf = scale.detach().clone().requires_grad_()
        for fn, leaves in (
            (impl.uniform_differential_entropy, ends_leaves),
            (impl.gaussian_differential_entropy, (scale_leaf,)),
        ):
            assert torch.autograd.gradcheck(fn, leaves), "gradient vs finite differences"
            assert torch.autograd.gradgradcheck(fn, leaves), "second derivative"


@differential_entropy_definition.property_leg(
    r"the closed forms equal `torch.distributions`' entropies for intervals of width $10^{-3}$ "
    r"to 100 and scales $10^{-3}$ to $10^3$, also for diagonal Gaussians"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        low = draw(st.floats(-10.0, 10.0))
        width = draw(st.floats(1e-3, 100.0))
        scales = draw(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=4))
        f64 = torch.float64
        return (
            torch.tensor(low, dtype=f64),
            torch.tensor(low + width, dtype=f64),
            torch.tensor(scales, dtype=f64),
        )

    def holds(case) -> bool:
        low, high, scales = case
        gauss = D.Normal(torch.zeros_like(scales), scales)
        return (
            close(impl.uniform_differential_entropy(low, high), D.Uniform(low, high).entropy())
            and close(impl.gaussian_differential_entropy(scales), gauss.entropy())
            and close(
                impl.gaussian_differential_entropy(scales, dim=-1),
                D.Independent(gauss, 1).entropy(),
            )
        )

    return ForAll(cases(), holds, names=("a", "b", "sigma"))
