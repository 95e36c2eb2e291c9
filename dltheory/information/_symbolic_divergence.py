"""SymPy derivations for the KL-divergence and cross-entropy claims (re-exported by
:mod:`.symbolic`)."""

from __future__ import annotations

import sympy as sp

from dltheory.core.claim import Derivation, Step
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.information._symbolic_common import (
    LIM_I,
    G,
    i,
    kl_nonnegative_proof,
    log_lemma,
    log_lemma_equality,
    n,
    p,
    q,
    q_all,
    r,
    reduce_sums,
    s,
    stats_expectation,
    t,
)

_D = sp.Symbol(r"D_{KL}(P \| Q)")
_SIZES = (2, 3, 4)
KL = sp.Sum(p[i] * sp.log(p[i] / q[i]), LIM_I)
CE = -sp.Sum(p[i] * sp.log(q[i]), LIM_I)
H = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)


def _fixed_size_expectations(function, explicit, symbol):
    steps, residuals = [], []
    for k in _SIZES:
        expectation, ps, qs = stats_expectation(k, function)
        steps.append(
            Step(
                f"k = {k}: the expectation under P by sympy.stats (X a k-point FiniteRV)",
                equation(symbol, expectation),
            )
        )
        residuals.append(sp.expand(sp.expand_log(expectation - explicit(ps, qs), force=True)))
    return steps, residuals


def kl_definition() -> Derivation:
    steps, residuals = _fixed_size_expectations(
        lambda pp, qq: sp.log(pp / qq),
        lambda ps, qs: sum(a * sp.log(a / b) for a, b in zip(ps, qs, strict=True)),
        _D,
    )
    return Derivation(steps=steps, residuals=residuals)


def kl_asymmetric() -> Derivation:
    half, quarter = sp.Rational(1, 2), sp.Rational(1, 4)
    pp, qq = (half, half), (quarter, 1 - quarter)

    def kl(a, b):
        return sum(x * sp.log(x / y) for x, y in zip(a, b, strict=True))

    forward, backward = kl(pp, qq), kl(qq, pp)
    gap = sp.expand_log(forward - backward, force=True)
    return Derivation(
        steps=[
            Step("P = (1/2, 1/2), Q = (1/4, 3/4)", equation(_D, forward)),
            Step("the other order", equation(sp.Symbol(r"D_{KL}(Q \| P)"), backward)),
            Step("their difference is a nonzero number", equation(sp.Symbol("difference"), gap)),
        ],
        residuals=[sp.StrictGreaterThan(gap, 0)],
    )


def kl_nonnegative() -> Derivation:
    steps, residuals = kl_nonnegative_proof()
    u = sp.Symbol("u", positive=True)
    mean_ratio = sp.Sum(p[i] * (q_all[i] / p[i]), LIM_I)
    steps += [
        Step(
            "The notes' route: log is concave, so by Jensen -E_P[log(q/p)] >= -log E_P[q/p]",
            equation(sp.Derivative(sp.log(u), u, 2), sp.diff(sp.log(u), u, 2)),
        ),
        Step(
            "The step the notes leave out: E_P[q/p] = sum_S q = 1 - (mass of q outside S) <= 1, "
            "equal to 1 only if q has no mass outside the support of p",
            equation(sp.Symbol(r"\mathbb{E}_P[q/p]"), sp.Sum(q_all[i], LIM_I)),
        ),
        Step(
            "so -log E_P[q/p] >= 0: with E_P[q/p] = 1/(1 + s)",
            equation(-sp.log(1 / (1 + s)), sp.log(1 + s)),
        ),
    ]
    residuals += [
        sp.diff(sp.log(u), u, 2).is_negative,
        reduce_sums(mean_ratio - sp.Sum(q_all[i], LIM_I)),
        sp.expand_log(-sp.log(1 / (1 + s)), force=True).is_nonnegative,
    ]
    return Derivation(steps=steps, residuals=residuals)


def kl_zero_iff_equal() -> Derivation:
    steps, residuals = log_lemma_equality()
    split = sp.Sum(p[i] * G(q[i] / p[i]), LIM_I) + r
    same = sp.Sum(p[i] * sp.log(p[i] / p[i]), LIM_I)
    return Derivation(
        steps=[
            Step(
                "If Q = P every term is p log(p/p) = p log 1 = 0",
                equation(sp.Symbol(r"D_{KL}(P \| P)"), same.doit()),
            ),
            Step(
                "Conversely (information.kl-nonnegative): D = sum_S p g(q/p) + r with both parts "
                ">= 0; D = 0 forces g(q_i/p_i) = 0 on the support S and r = 0",
                equation(_D, split),
            ),
            Step(
                "g vanishes only at 1 (lemma), so q_i = p_i on S and q = 0 off S: Q = P",
                sp.Symbol("Q = P"),
            ),
            *steps,
        ],
        residuals=[same.doit(), *residuals],
    )


def kl_infinite_outside_support() -> Derivation:
    a, b = sp.symbols("p q", positive=True)
    steps, residuals = log_lemma()
    limit = sp.limit(a * sp.log(a / b), b, 0, "+")
    lower = sp.expand(
        sp.expand_log(a * sp.log(a / b) - (a - b) - a * (b / a - 1 - sp.log(b / a)), force=True)
    )
    return Derivation(
        steps=[
            Step(
                "An outcome with p > 0: its term as q -> 0",
                equation(sp.Limit(a * sp.log(a / b), b, 0, "+"), limit),
            ),
            Step(
                "Every other term is bounded below: p log(p/q) = p g(q/p) + p - q >= p - q >= -1",
                equation(a * sp.log(a / b), a * G(b / a) + a - b),
            ),
            Step(
                "so the sum is +oo; if supp p is inside supp q, all n terms are finite",
                sp.Symbol("D = +oo"),
            ),
            *steps,
        ],
        residuals=[sp.Eq(limit, sp.oo), lower, *residuals],
    )


def kl_infinite_pointwise_density() -> Derivation:
    a = sp.Symbol("a", positive=True)
    xs = sp.Symbol("x", positive=True)
    density_q = (a + 1) * xs**a
    mass = sp.integrate(density_q, (xs, 0, 1))
    kl = sp.simplify(sp.integrate(sp.expand_log(-sp.log(density_q), force=True), (xs, 0, 1)))
    return Derivation(
        steps=[
            Step(
                "P = U[0, 1] (p = 1 on [0, 1]); Q with density q(x) = (a + 1) x^a on [0, 1]",
                equation(sp.Integral(density_q, (xs, 0, 1)), mass),
            ),
            Step("At x = 0: p(0) = 1 > 0 = q(0)", equation(density_q.subs(xs, 0), 0)),
            Step("Yet KL(P || Q) = integral of log(1/q) over [0, 1] is finite", equation(_D, kl)),
            Step("The statement as written: D = oo", sp.Eq(kl, sp.oo, evaluate=False)),
            Step(
                "Equivalently exp(-D) = 0; here exp(-D) is positive",
                equation(sp.exp(-_D), sp.simplify(sp.exp(-kl))),
            ),
        ],
        residuals=[sp.simplify(sp.exp(-kl))],
        witness={a: 1},
    )


def kl_gaussian_closed_form() -> Derivation:
    from sympy import stats

    mu_p, mu_q = sp.symbols("mu_p mu_q", real=True)
    s_p, s_q = sp.symbols("sigma_p sigma_q", positive=True)
    xs = sp.Symbol("x", real=True)

    def log_density(mu, sigma):
        return sp.expand_log(
            sp.log(sp.exp(-((xs - mu) ** 2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))),
            force=True,
        )

    integrand = sp.expand(log_density(mu_p, s_p) - log_density(mu_q, s_q))
    value = stats.E(integrand.subs(xs, stats.Normal("Z", mu_p, s_p)))
    closed = sp.log(s_q / s_p) + (s_p**2 + (mu_p - mu_q) ** 2) / (2 * s_q**2) - sp.Rational(1, 2)
    p1, p2, q1, q2 = sp.symbols("p_1 p_2 q_1 q_2", positive=True)
    return Derivation(
        steps=[
            Step("log p(x) - log q(x) for two Gaussian densities", integrand),
            Step(
                "Its expectation under P (sympy.stats, X ~ N(mu_p, sigma_p^2))", equation(_D, value)
            ),
            Step("The closed form", equation(_D, closed)),
            Step(
                "Diagonal covariance: the densities factor over coordinates, so the log-ratio and "
                "hence the divergence is the sum over coordinates",
                equation(sp.log(p1 * p2 / (q1 * q2)), sp.log(p1 / q1) + sp.log(p2 / q2)),
            ),
        ],
        residuals=[
            sp.expand(sp.expand_log(value - closed, force=True)),
            sp.expand_log(
                sp.log(p1 * p2 / (q1 * q2)) - sp.log(p1 / q1) - sp.log(p2 / q2), force=True
            ),
        ],
    )


def cross_entropy_definition() -> Derivation:
    steps, residuals = _fixed_size_expectations(
        lambda pp, qq: -sp.log(qq),
        lambda ps, qs: -sum(a * sp.log(b) for a, b in zip(ps, qs, strict=True)),
        sp.Symbol("CE(P, Q)"),
    )
    return Derivation(steps=steps, residuals=residuals)


def cross_entropy_decomposition() -> Derivation:
    return Derivation(
        steps=[
            Step("Cross-entropy", equation(sp.Symbol("CE(P, Q)"), CE)),
            Step("log q = log p - log(p/q) on the support of p", equation(CE, H + KL)),
        ],
        residuals=[reduce_sums(CE - (H + KL))],
    )


def cross_entropy_minimizers_coincide() -> Derivation:
    lam = sp.Symbol("lambda", positive=True)
    objective = sp.Sum(p[i] * sp.log(q[i]), LIM_I)
    lagrangian = objective - lam * (sp.Sum(q[i], LIM_I) - 1)
    stationary = resolve_in_range(sp.diff(lagrangian, q[t]).doit(), t, 1, n)
    (solution,) = sp.solve(stationary, q[t])
    total = reduce_sums(sp.Sum(solution.subs(t, i), LIM_I))
    (multiplier,) = sp.solve(total - 1, lam)
    hessian = sp.diff(p[t] * sp.log(q[t]), q[t], 2)
    constant = resolve_in_range(sp.diff(CE - KL, q[t]).doit(), t, 1, n)
    return Derivation(
        steps=[
            Step(
                "CE = -E_P[log q] and KL = CE - H(P): the three objectives differ by a sign and a "
                "constant independent of q",
                equation(sp.Derivative(sp.Symbol("CE - KL"), q[t]), constant),
            ),
            Step(
                "Maximize E_P[log q] over the simplex: Lagrangian",
                equation(sp.Symbol("L"), lagrangian),
            ),
            Step(
                "Stationarity in q_t (1 <= t <= n)",
                equation(sp.Derivative(sp.Symbol("L"), q[t]), stationary),
            ),
            Step("q_t = p_t / lambda", equation(q[t], solution)),
            Step("sum_t q_t = 1 with sum_t p_t = 1", equation(sp.Sum(q[i], LIM_I), total)),
            Step("so lambda = 1 and q = p", equation(lam, multiplier)),
            Step(
                "E_P[log q] is strictly concave in q (diagonal Hessian)",
                sp.StrictLessThan(hessian, 0, evaluate=False),
            ),
        ],
        residuals=[
            constant,
            stationary - (p[t] / q[t] - lam),
            solution.subs(lam, multiplier) - p[t],
            hessian.is_negative,
        ],
    )
