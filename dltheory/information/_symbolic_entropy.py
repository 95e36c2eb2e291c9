"""SymPy derivations for the entropy claims (re-exported by :mod:`.symbolic`)."""

from __future__ import annotations

import functools

import sympy as sp
from sympy.simplify.simplify import factor_sum

from dltheory.core.claim import Derivation, Step
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.information._symbolic_common import (
    LIM_I,
    i,
    k_out,
    kl_nonnegative_proof,
    log_lemma_equality,
    n,
    p,
    q_all,
    r,
    reduce_sums,
    s,
    stats_expectation,
    t,
)

_H = sp.Symbol("H(X)")
_SIZES = (2, 3, 4)


@functools.cache  # shared by three derivations
def _gaussian_and_uniform():
    """Symbolic Gaussian and uniform densities and their entropies via sympy.stats."""
    from sympy import stats

    mu = sp.Symbol("mu", real=True)
    sigma, a, w = sp.symbols("sigma a w", positive=True)
    xs = sp.Symbol("x", real=True)
    density = sp.exp(-((xs - mu) ** 2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))
    surprisal = sp.expand(sp.expand_log(-sp.log(density), force=True))
    gauss = stats.E(surprisal.subs(xs, stats.Normal("Z", mu, sigma)))
    uniform = sp.integrate(-(1 / w) * sp.log(1 / w), (xs, a, a + w))
    return {"sigma": sigma, "w": w, "surprisal": surprisal, "gauss": gauss, "uniform": uniform}


def entropy_expected_surprisal() -> Derivation:
    steps, residuals = [], []
    for k in _SIZES:
        expectation, ps, _ = stats_expectation(k, lambda pmf, _q: -sp.log(pmf))
        explicit = -sum(v * sp.log(v) for v in ps)
        steps.append(
            Step(
                f"k = {k}: E[-log p(X)] by sympy.stats (X a k-point FiniteRV)",
                equation(_H, expectation),
            )
        )
        residuals.append(sp.expand(expectation - explicit))
    cont = _gaussian_and_uniform()
    sigma, w = cont["sigma"], cont["w"]
    closed = sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    steps += [
        Step("Gaussian: the surprisal -log p(x), expanded", cont["surprisal"]),
        Step(
            "Its expectation under N(mu, sigma^2) (sympy.stats moments)",
            equation(_H, cont["gauss"]),
        ),
        Step("Uniform on [a, a + w]: -E[log(1/w)]", equation(_H, cont["uniform"])),
    ]
    residuals += [
        sp.expand(sp.expand_log(cont["gauss"] - closed, force=True)),
        sp.expand_log(cont["uniform"] - sp.log(w), force=True),
    ]
    return Derivation(steps=steps, residuals=residuals)


def entropy_discrete_form() -> Derivation:
    u = sp.Symbol("u", positive=True)
    b = sp.Symbol("b", positive=True)
    term = u * sp.log(u)
    limit = sp.limit(term, u, 0, "+")
    in_base = -sp.Sum(p[i] * sp.log(p[i], b), LIM_I)
    nats = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
    uniform = -sp.Sum(sp.log(1 / n) / n, LIM_I).doit()
    return Derivation(
        steps=[
            Step(
                "0 log 0 = 0 is the continuous extension of u log u at 0",
                equation(sp.Limit(term, u, 0, "+"), limit),
            ),
            Step(
                "In base b the logarithm is log_b u = ln u / ln b",
                equation(in_base, nats / sp.log(b)),
            ),
            Step(
                "Example: the uniform distribution on n outcomes has entropy log n",
                equation(_H, uniform),
            ),
        ],
        residuals=[
            limit,
            sp.simplify(reduce_sums(in_base - nats / sp.log(b))),
            sp.expand_log(uniform - sp.log(n), force=True),
        ],
    )


def differential_entropy_definition() -> Derivation:
    cont = _gaussian_and_uniform()
    sigma, w = cont["sigma"], cont["w"]
    closed = sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    return Derivation(
        steps=[
            Step(
                "Uniform on [a, a + w]: -integral of (1/w) log(1/w) over an interval of length w",
                equation(sp.Symbol("h(U)"), cont["uniform"]),
            ),
            Step(
                "Gaussian: -E[log p(X)] with E[(X - mu)^2] = sigma^2",
                equation(sp.Symbol("h(N)"), cont["gauss"]),
            ),
            Step("The closed form of the Gaussian's entropy", equation(sp.Symbol("h(N)"), closed)),
        ],
        residuals=[
            sp.expand_log(cont["uniform"] - sp.log(w), force=True),
            sp.expand(sp.expand_log(cont["gauss"] - closed, force=True)),
        ],
    )


def entropy_nonnegative_discrete() -> Derivation:
    u = sp.Symbol("u", nonnegative=True)
    term = -(1 / (1 + u)) * sp.log(1 / (1 + u))
    nonneg = sp.IndexedBase("e", nonnegative=True)
    return Derivation(
        steps=[
            Step(
                "A term with 0 < p <= 1: write p = 1/(1 + u) with u >= 0",
                equation(-p[i] * sp.log(p[i]), term),
            ),
            Step(
                "= log(1 + u)/(1 + u) >= 0",
                equation(term, sp.simplify(sp.expand_log(term, force=True))),
            ),
            Step(
                "Terms with p = 0 are 0; a sum of nonnegative terms e_i is nonnegative",
                sp.GreaterThan(sp.Sum(nonneg[i], LIM_I), 0, evaluate=False),
            ),
        ],
        residuals=[
            sp.simplify(sp.expand_log(term, force=True)).is_nonnegative,
            sp.Sum(nonneg[i], LIM_I).is_nonnegative,
        ],
    )


def differential_entropy_can_be_negative() -> Derivation:
    cont = _gaussian_and_uniform()
    w = cont["w"]
    half = cont["uniform"].subs(w, sp.Rational(1, 2))
    below_one = sp.log(1 / (1 + s))
    return Derivation(
        steps=[
            Step("Uniform on [a, a + w]", equation(sp.Symbol("h(U)"), cont["uniform"])),
            Step(
                "Width 1/2 (the interval [0, 1/2])",
                equation(sp.Symbol("h(U[0, 1/2])"), sp.simplify(half)),
            ),
            Step(
                "Every width w = 1/(1 + s) < 1 gives a negative entropy",
                equation(sp.log(w), below_one),
            ),
        ],
        residuals=[sp.simplify(half) < 0, sp.expand_log(below_one, force=True).is_negative],
    )


def gibbs_inequality() -> Derivation:
    ce = -sp.Sum(p[i] * sp.log(q_all[i]), LIM_I)
    h = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
    kl = sp.Sum(p[i] * sp.log(p[i] / q_all[i]), LIM_I)
    steps, residuals = kl_nonnegative_proof()
    steps = [
        Step(
            "-E_P[log q] - (-E_P[log p]) is the KL divergence (sums over the support of p)",
            equation(ce - h, kl),
        ),
        *steps,
    ]
    return Derivation(steps=steps, residuals=[reduce_sums(ce - h - kl), *residuals])


def gibbs_equality_iff_equal() -> Derivation:
    steps, residuals = log_lemma_equality()
    g = sp.Function("g")
    split = sp.Sum(p[i] * g(q_all[i] / p[i]), LIM_I) + r
    steps += [
        Step(
            "From information.kl-nonnegative: CE - H = sum_S p g(q/p) + r, both parts >= 0",
            equation(sp.Symbol("CE - H"), split),
        ),
        Step(
            "So CE = H iff g(q_i/p_i) = 0 on S, i.e. q_i = p_i there, and r = 0 (q has no mass "
            "outside S): then q = p. Conversely q = p gives every term p log(p/p) = 0",
            equation(sp.Symbol(r"\sum_{i} p_i \log(p_i / p_i)"), 0),
        ),
    ]
    residuals.append(sp.Sum(p[i] * sp.log(p[i] / p[i]), LIM_I).doit())
    return Derivation(steps=steps, residuals=residuals)


def entropy_bounds_code_length() -> Derivation:
    length = sp.IndexedBase("l", positive=True)
    alphabet = (i, 1, n + k_out)  # the support of p is the first n symbols
    z = sp.Symbol("Z", positive=True)  # Kraft sum, <= 1 for a prefix code
    kraft = sp.Sum(2 ** (-length[i]), alphabet)
    r_i = 2 ** (-length[i]) / z
    average = sp.Sum(p[i] * length[i], LIM_I)
    h_bits = -sp.Sum(p[i] * sp.log(p[i], 2), LIM_I)
    kl_bits = sp.Sum(p[i] * sp.log(p[i] / r_i, 2), LIM_I)
    r_total = factor_sum(sp.Sum(2 ** (-length[i]) / kraft, alphabet))
    steps, residuals = kl_nonnegative_proof(include_lemma=False)
    nonnegative = sp.log(1 + s, 2)
    return Derivation(
        steps=[
            Step("Prefix-code lengths satisfy Kraft's inequality: Z <= 1", equation(z, kraft)),
            Step(
                "r_i = 2^(-l_i)/Z is a distribution on the n + k symbols",
                equation(sp.Sum(r_i, alphabet), r_total),
            ),
            Step(
                "Expected length minus the entropy in bits (sums over the support of p)",
                equation(average - h_bits, kl_bits - sp.log(z, 2)),
            ),
            Step(
                "-log2 Z >= 0 because Z = 1/(1 + s) <= 1",
                equation(-sp.log(1 / (1 + s), 2), nonnegative),
            ),
            Step(
                "and KL(p || r) >= 0 by the proof of information.kl-nonnegative (q = r):",
                sp.Symbol("q = r"),
            ),
            *steps,
        ],
        residuals=[
            r_total - 1,
            sp.simplify(reduce_sums(average - h_bits - (kl_bits - sp.log(z, 2)))),
            sp.simplify(nonnegative).is_nonnegative,
            *residuals,
        ],
    )


def entropy_at_most_log_k() -> Derivation:
    size = n + k_out  # the alphabet; p is supported on its first n outcomes
    h = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
    kl_uniform = sp.Sum(p[i] * sp.log(p[i] / (1 / size)), LIM_I)
    uniform_total = sp.Sum(1 / size, (i, 1, size)).doit()
    steps, residuals = kl_nonnegative_proof()
    return Derivation(
        steps=[
            Step(
                "k = n + k' outcomes, p supported on n of them: log k - H(p) = KL(p || u)",
                equation(sp.log(size) - h, kl_uniform),
            ),
            Step(
                "u_i = 1/k is a distribution",
                equation(sp.Sum(1 / size, (i, 1, size)), uniform_total),
            ),
            Step("and KL(p || u) >= 0 (q = u):", sp.Symbol("q = u")),
            *steps,
        ],
        residuals=[reduce_sums(sp.log(size) - h - kl_uniform), uniform_total - 1, *residuals],
    )


def entropy_max_iff_uniform() -> Derivation:
    lam = sp.Symbol("lambda", real=True)
    lagrangian = -sp.Sum(p[i] * sp.log(p[i]), LIM_I) - lam * (sp.Sum(p[i], LIM_I) - 1)
    raw = sp.diff(lagrangian, p[t])
    stationary = resolve_in_range(raw.doit(), t, 1, n)
    (solution,) = sp.solve(stationary, p[t])
    (multiplier,) = sp.solve(n * solution - 1, lam)
    uniform = sp.simplify(solution.subs(lam, multiplier))
    hessian = sp.diff(-p[t] * sp.log(p[t]), p[t], 2)
    steps, residuals = log_lemma_equality()
    return Derivation(
        steps=[
            Step("Lagrangian of the entropy on the simplex", equation(sp.Symbol("L"), lagrangian)),
            Step(
                "Stationarity in p_t (1 <= t <= n)",
                equation(sp.Derivative(sp.Symbol("L"), p[t]), stationary),
            ),
            Step("Every p_t equals the same value", equation(p[t], solution)),
            Step("sum_t p_t = 1 fixes it: the uniform distribution", equation(p[t], uniform)),
            Step(
                "The entropy is strictly concave (second derivative of each term)",
                sp.StrictLessThan(hessian, 0, evaluate=False),
            ),
            Step(
                "Equality in log n - H = KL(p || u) >= 0 needs KL = 0, i.e. p = u (lemma):",
                sp.Symbol("p = u"),
            ),
            *steps,
        ],
        residuals=[
            stationary - (-sp.log(p[t]) - 1 - lam),
            uniform - 1 / n,
            hessian.is_negative,
            *residuals,
        ],
    )


def uniform_maximizes_differential_entropy() -> Derivation:
    a = sp.Symbol("a", real=True)
    w = sp.Symbol("w", positive=True)  # interval [a, a + w]
    xs = sp.Symbol("x", real=True)
    f = sp.Function("f", positive=True)(xs)
    u = 1 / w
    kl_integrand = f * sp.log(f / u)
    h_integrand = -f * sp.log(f)
    pointwise = sp.expand_log(kl_integrand - (sp.log(w) * f - h_integrand), force=True)
    lemma = sp.expand_log(kl_integrand - (f * (u / f - 1 - sp.log(u / f)) + f - u), force=True)
    uniform_mass = sp.integrate(u, (xs, a, a + w))
    steps, residuals = log_lemma_equality()
    return Derivation(
        steps=[
            Step(
                "A density f on [a, a + w]; the uniform density is u = 1/w",
                equation(sp.Symbol("u"), u),
            ),
            Step(
                "Pointwise f log(f/u) = f log w + f log f; integrate with integral f = 1",
                equation(
                    sp.Integral(kl_integrand, (xs, a, a + w)),
                    sp.log(w) - sp.Integral(h_integrand, (xs, a, a + w)),
                ),
            ),
            Step(
                "So log w - h(f) = KL(f || u). Pointwise f log(f/u) = f g(u/f) + f - u >= f - u",
                equation(kl_integrand, f * sp.Function("g")(u / f) + f - u),
            ),
            Step(
                "Integrating: KL(f || u) >= integral f - integral u = 1 - 1 = 0",
                equation(sp.Integral(u, (xs, a, a + w)), uniform_mass),
            ),
            Step(
                "Equality iff g(u/f) = 0 almost everywhere, i.e. f = u (lemma):", sp.Symbol("f = u")
            ),
            *steps,
        ],
        residuals=[pointwise, lemma, uniform_mass - 1, *residuals],
    )
