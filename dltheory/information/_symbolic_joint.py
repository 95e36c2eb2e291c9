"""SymPy derivations for joint and conditional entropy, mutual information and PMI
(re-exported by :mod:`.symbolic`). Joint tables are ``P[i, j]`` with marginals
``p_X[i] = sum_j P[i, j]`` and ``p_Y[j] = sum_i P[i, j]`` (see :mod:`._symbolic_common`)."""

from __future__ import annotations

import sympy as sp

from dltheory.core.claim import Derivation, Step
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.information._symbolic_common import (
    LIM_I,
    LIM_J,
    G,
    P,
    i,
    j,
    kl_nonnegative_proof,
    log_lemma_equality,
    n,
    p,
    p_x,
    p_y,
    r,
    reduce_sums,
)

H_XY = -sp.Sum(P[i, j] * sp.log(P[i, j]), LIM_J, LIM_I)
H_X = -sp.Sum(p_x[i] * sp.log(p_x[i]), LIM_I)
H_Y = -sp.Sum(p_y[j] * sp.log(p_y[j]), LIM_J)
H_Y_GIVEN_X = -sp.Sum(P[i, j] * sp.log(P[i, j] / p_x[i]), LIM_J, LIM_I)
H_X_GIVEN_Y = -sp.Sum(P[i, j] * sp.log(P[i, j] / p_y[j]), LIM_J, LIM_I)
PMI = sp.log(P[i, j] / (p_x[i] * p_y[j]))
MI = sp.Sum(P[i, j] * PMI, LIM_J, LIM_I)

_I = sp.Symbol("I(X, Y)")


def _nonnegative_term(weight, fraction_of):
    """-P log(P/w) >= 0 for 0 < P <= w: with P = w/(1 + u), it is w log(1 + u)/(1 + u)."""
    u = sp.Symbol("u", nonnegative=True)
    term = -(fraction_of / (1 + u)) * sp.log(1 / (1 + u))
    return Step(
        "Each term: P_ij <= " + weight + ", so write P_ij = " + weight + "/(1 + u) with u >= 0",
        equation(
            sp.Symbol(r"-P_{ij} \log(P_{ij} / " + weight + ")"),
            sp.simplify(sp.expand_log(term, force=True)),
        ),
    ), sp.simplify(sp.expand_log(term, force=True)).is_nonnegative


def joint_entropy_identical_variables() -> Derivation:
    table = sp.KroneckerDelta(i, j) * p[i]
    marginal = resolve_in_range(sp.Sum(table, (i, 1, n)).doit(), j, 1, n)
    inner = resolve_in_range(
        sp.Sum(sp.KroneckerDelta(i, j) * p[i] * sp.log(p[i]), (j, 1, n)).doit(), i, 1, n
    )
    joint = -sp.Sum(inner, (i, 1, n))
    return Derivation(
        steps=[
            Step("X = Y: the joint table is diagonal", equation(P[i, j], table)),
            Step("The marginal of Y is the pmf of X", equation(p_y[j], marginal)),
            Step(
                "(delta p) log(delta p) = delta (p log p) since delta is 0 or 1 (0 log 0 = 0); "
                "the sum over j keeps j = i",
                equation(sp.Symbol("H(X, Y)"), joint),
            ),
        ],
        residuals=[marginal - p[j], joint - (-sp.Sum(p[i] * sp.log(p[i]), (i, 1, n)))],
    )


def joint_entropy_independent_variables() -> Derivation:
    a, b = sp.IndexedBase("a", positive=True), sp.IndexedBase("b", positive=True)
    joint = -sp.Sum(a[i] * b[j] * sp.log(a[i] * b[j]), LIM_J, LIM_I)
    split = -sp.Sum(a[i] * sp.log(a[i]), LIM_I) - sp.Sum(b[j] * sp.log(b[j]), LIM_J)
    reduced = reduce_sums(joint, {}, {i: (a[i],), j: (b[j],)})
    return Derivation(
        steps=[
            Step("Independent X ~ a, Y ~ b: P_ij = a_i b_j", equation(sp.Symbol("H(X, Y)"), joint)),
            Step(
                "log(a b) = log a + log b; sum_j b_j = sum_i a_i = 1",
                equation(sp.Symbol("H(X, Y)"), reduced),
            ),
        ],
        residuals=[reduced - split],
    )


def joint_entropy_bounds() -> Derivation:
    step_x, fact_x = _nonnegative_term("p_X(i)", p_x[i])
    step_y, fact_y = _nonnegative_term("p_Y(j)", p_y[j])
    steps, residuals = _mi_is_a_divergence()
    return Derivation(
        steps=[
            Step(
                "H(X, Y) - H(X) is the conditional entropy (chain rule)",
                equation(H_XY - H_X, H_Y_GIVEN_X),
            ),
            step_x,
            Step("Likewise H(X, Y) - H(Y) = H(X | Y)", equation(H_XY - H_Y, H_X_GIVEN_Y)),
            step_y,
            Step("H(X) + H(Y) - H(X, Y) = I(X, Y)", equation(H_X + H_Y - H_XY, MI)),
            *steps,
        ],
        residuals=[
            reduce_sums(H_XY - H_X - H_Y_GIVEN_X),
            fact_x,
            reduce_sums(H_XY - H_Y - H_X_GIVEN_Y),
            fact_y,
            reduce_sums(H_X + H_Y - H_XY - MI),
            *residuals,
        ],
    )


def joint_entropy_lower_bound_continuous() -> Derivation:
    w = sp.Symbol("w", positive=True)
    u, v = sp.symbols("u v", real=True)
    h_x = sp.integrate(-(1 / w) * sp.log(1 / w), (u, 0, w))
    h_xy = sp.integrate(sp.integrate(-(1 / w**2) * sp.log(1 / w**2), (u, 0, w)), (v, 0, w))
    h_x, h_xy = sp.expand_log(h_x, force=True), sp.expand_log(h_xy, force=True)
    return Derivation(
        steps=[
            Step(
                "X, Y independent, uniform on [0, w]: h(X) = h(Y)", equation(sp.Symbol("h(X)"), h_x)
            ),
            Step(
                "The pair is uniform on [0, w]^2 (density 1/w^2)",
                equation(sp.Symbol("h(X, Y)"), h_xy),
            ),
            Step(
                "The notes' lower bound h(X) <= h(X, Y), as written",
                sp.LessThan(h_x, h_xy, evaluate=False),
            ),
            Step(
                "By how much it fails: min(0, h(X, Y) - h(X)), zero exactly when it holds",
                sp.Min(0, h_xy - h_x),
            ),
        ],
        residuals=[sp.Min(0, h_xy - h_x)],
        witness={w: sp.Rational(1, 2)},
    )


def conditional_entropy_definition() -> Derivation:
    row = P[i, j] / p_x[i]
    averaged = sp.Sum(p_x[i] * -sp.Sum(row * sp.log(row), LIM_J), LIM_I)
    return Derivation(
        steps=[
            Step(
                "-E[log p(y | x)] with p(y | x) = P_ij / p_X(i)",
                equation(sp.Symbol("H(Y | X)"), H_Y_GIVEN_X),
            ),
            Step(
                "= the p_X-weighted average of the entropies of the rows p(. | x)",
                equation(H_Y_GIVEN_X, averaged),
            ),
        ],
        residuals=[reduce_sums(H_Y_GIVEN_X - averaged)],
    )


def conditional_entropy_chain_rule() -> Derivation:
    reduced = reduce_sums(H_Y_GIVEN_X)
    return Derivation(
        steps=[
            Step("Definition", equation(sp.Symbol("H(Y | X)"), H_Y_GIVEN_X)),
            Step(
                "log(P/p_X) = log P - log p_X; sum_j P_ij log p_X(i) = p_X(i) log p_X(i)",
                equation(H_Y_GIVEN_X, reduced),
            ),
        ],
        residuals=[
            reduce_sums(H_Y_GIVEN_X - (H_XY - H_X)),
            reduce_sums(H_X_GIVEN_Y - (H_XY - H_Y)),
        ],
    )


def mutual_information_entropy_form() -> Derivation:
    form = H_XY - H_Y_GIVEN_X - H_X_GIVEN_Y
    return Derivation(
        steps=[
            Step("The notes' formula", equation(_I, form)),
            Step("By the chain rule it is H(X) + H(Y) - H(X, Y)", equation(form, H_X + H_Y - H_XY)),
            Step("which is the sum of p log(p/(p_X p_Y))", equation(_I, MI)),
        ],
        residuals=[reduce_sums(form - (H_X + H_Y - H_XY)), reduce_sums(form - MI)],
    )


def mutual_information_marginal_expectation() -> Derivation:
    a = sp.Symbol("a", positive=True)
    # the symmetric 2 x 2 tables [[a, 1/2 - a], [1/2 - a, a]]: both marginals are (1/2, 1/2)
    table = [[a, sp.Rational(1, 2) - a], [sp.Rational(1, 2) - a, a]]
    half = sp.Rational(1, 2)
    cells = [(x, y) for x in range(2) for y in range(2)]

    def pmi(x, y):
        return sp.log(table[x][y] / (half * half))

    mi = sum(table[x][y] * pmi(x, y) for x, y in cells)
    over_marginals = sum(half * half * table[x][y] * pmi(x, y) for x, y in cells)
    over_joint = sum(table[x][y] * table[x][y] * pmi(x, y) for x, y in cells)
    general = sp.Sum(p_x[i] * p_y[j] * P[i, j] * PMI, LIM_J, LIM_I)
    literal = sp.Symbol(r"\mathbb{E}_x \mathbb{E}_y\{\cdot\}")
    return Derivation(
        steps=[
            Step(
                "E_x E_y over the marginals, read literally: each pair is weighted twice",
                equation(literal, general),
            ),
            Step(
                "The tables [[a, 1/2 - a], [1/2 - a, a]] (marginals 1/2, 1/2): mutual information",
                equation(_I, mi),
            ),
            Step("the literal reading is a quarter of it", equation(literal, over_marginals)),
            Step(
                "the reading E_(x,y)~P (one factor p too many)",
                equation(sp.Symbol(r"\mathbb{E}_{(x,y)}\{\cdot\}"), over_joint),
            ),
        ],
        residuals=[over_marginals - mi, over_joint - mi],
        witness={a: sp.Rational(3, 8)},
    )


def mutual_information_symmetric() -> Derivation:
    transposed = sp.Sum(P[i, j] * sp.log(P[i, j] / (p_y[j] * p_x[i])), LIM_I, LIM_J)
    return Derivation(
        steps=[
            Step(
                "I(Y, X): the roles of the rows and columns swapped, the sums in the other order",
                equation(sp.Symbol("I(Y, X)"), transposed),
            ),
            Step("Finite sums can be reordered and p_X p_Y = p_Y p_X", equation(transposed, MI)),
        ],
        residuals=[reduce_sums(transposed - MI)],
    )


def _mi_is_a_divergence() -> tuple[list[Step], list]:
    """I(X, Y) is KL(P_XY || P_X P_Y) over the pairs, and P_X P_Y is a distribution."""
    product = sp.Sum(p_x[i] * p_y[j], LIM_J, LIM_I)
    product_total = reduce_sums(product)
    steps, residuals = kl_nonnegative_proof()
    steps = [
        Step(
            "I(X, Y) is the KL divergence of P_XY from P_X P_Y, the outcomes being the pairs",
            equation(_I, MI),
        ),
        Step("P_X P_Y is a distribution on the pairs", equation(product, product_total)),
        Step(
            "so KL >= 0 applies (information.kl-nonnegative, the pairs enumerated as one index):",
            sp.Symbol("q = p_X p_Y"),
        ),
        *steps,
    ]
    return steps, [product_total - 1, *residuals]


def mutual_information_nonnegative() -> Derivation:
    steps, residuals = _mi_is_a_divergence()
    return Derivation(steps=steps, residuals=residuals)


def mutual_information_zero_iff_independent() -> Derivation:
    steps, residuals = log_lemma_equality()
    independent = sp.Sum(
        p_x[i] * p_y[j] * sp.log(p_x[i] * p_y[j] / (p_x[i] * p_y[j])), LIM_J, LIM_I
    )
    split = sp.Sum(P[i, j] * G(p_x[i] * p_y[j] / P[i, j]), LIM_J, LIM_I) + r
    return Derivation(
        steps=[
            Step(
                "If P_ij = p_X(i) p_Y(j), every log-ratio is log 1 = 0",
                equation(sp.Symbol("I(X, Y)"), independent),
            ),
            Step(
                "Conversely (information.mutual-information-nonnegative): "
                "I = sum P g(p_X p_Y / P) + r with both parts >= 0; I = 0 forces g = 0 on the "
                "support and r = 0",
                equation(_I, split),
            ),
            Step(
                "g vanishes only at 1 (lemma), so P_ij = p_X(i) p_Y(j) everywhere",
                sp.Symbol("P = p_X p_Y"),
            ),
            *steps,
        ],
        residuals=[reduce_sums(independent), *residuals],
    )


def mutual_information_invertible_function() -> Derivation:
    table = sp.KroneckerDelta(i, j) * p[i]
    cond_x = -resolve_in_range(sp.Sum(table * sp.log(p[i] / p[j]), (j, 1, n)).doit(), i, 1, n)
    return Derivation(
        steps=[
            Step(
                "Y = f(X), f invertible: relabel the values of Y so that f(x_i) = y_i",
                equation(P[i, j], table),
            ),
            Step("Both marginals are p, so H(Y) = H(X)", equation(p_y[j], p[j])),
            Step(
                "H(X | Y): only j = i survives, and p(x | y) = p_i/p_i = 1",
                equation(sp.Symbol("H(X | Y)"), -sp.Sum(cond_x, (i, 1, n))),
            ),
            Step(
                "I = H(X) - H(X | Y) = H(X), and by symmetry I = H(Y) - H(Y | X) = H(Y)",
                equation(_I, sp.Symbol("H(X)")),
            ),
        ],
        residuals=[cond_x],
    )


def mutual_information_invertible_continuous() -> Derivation:
    sigma, a = sp.symbols("sigma a", positive=True)
    rho = sp.Symbol("rho", positive=True)

    def h(scale):
        return sp.log(2 * sp.pi * sp.E * scale**2) / 2

    gap = sp.expand_log(h(a * sigma) - h(sigma), force=True)
    mi_correlated = -sp.log(1 - rho**2) / 2
    return Derivation(
        steps=[
            Step(
                "X ~ N(0, sigma^2), Y = a X ~ N(0, a^2 sigma^2) with a > 0 (invertible)",
                equation(sp.Symbol("h(Y) - h(X)"), gap),
            ),
            Step(
                "For correlated Gaussians I = -log(1 - rho^2)/2, which grows without bound as Y "
                "becomes a function of X (rho -> 1): I(X, X) = oo, not h(X)",
                equation(
                    sp.Limit(mi_correlated, rho, 1, "-"), sp.limit(mi_correlated, rho, 1, "-")
                ),
            ),
        ],
        residuals=[gap],
        witness={a: 2},
    )


def pmi_definition() -> Derivation:
    return Derivation(
        steps=[
            Step("Definition", equation(sp.Symbol("pmi(x, y)"), PMI)),
            Step(
                "= log p(y | x)/p(y) = log p(x | y)/p(x)",
                equation(PMI, sp.log((P[i, j] / p_x[i]) / p_y[j])),
            ),
        ],
        residuals=[
            sp.expand_log(PMI - sp.log((P[i, j] / p_x[i]) / p_y[j]), force=True),
            sp.expand_log(PMI - sp.log((P[i, j] / p_y[j]) / p_x[i]), force=True),
        ],
    )


def pmi_expectation_is_mi() -> Derivation:
    expectation = sp.Sum(P[i, j] * PMI, LIM_J, LIM_I)
    return Derivation(
        steps=[
            Step("E_(x,y)~P[pmi(x, y)]", equation(sp.Symbol("E[pmi]"), expectation)),
            Step("= H(X) + H(Y) - H(X, Y) = I(X, Y)", equation(expectation, H_X + H_Y - H_XY)),
        ],
        residuals=[reduce_sums(expectation - (H_X + H_Y - H_XY)), reduce_sums(expectation - MI)],
    )


def mutual_information_kl_joint_product() -> Derivation:
    kl = sp.Sum(P[i, j] * sp.log(P[i, j] / (p_x[i] * p_y[j])), LIM_J, LIM_I)
    return Derivation(
        steps=[
            Step(
                "KL(P_XY || P_X P_Y), the outcomes being pairs (x, y)", equation(sp.Symbol("D"), kl)
            ),
            Step("= H(X) + H(Y) - H(X, Y) = I(X, Y)", equation(kl, H_X + H_Y - H_XY)),
        ],
        residuals=[reduce_sums(kl - (H_X + H_Y - H_XY))],
    )


def _expected_kl(outer, outer_lim, inner_lim, other):
    conditional = P[i, j] / outer
    return sp.Sum(outer * sp.Sum(conditional * sp.log(conditional / other), inner_lim), outer_lim)


def mutual_information_expected_kl_given_y() -> Derivation:
    form = _expected_kl(p_y[j], LIM_J, LIM_I, p_x[i])
    return Derivation(
        steps=[
            Step(
                "E_Y[KL(P(X | y) || P_X)], p(x | y) = P_ij / p_Y(j)", equation(sp.Symbol("D"), form)
            ),
            Step(
                "The weight p_Y(j) cancels the denominator: the sum of P log(P/(p_X p_Y))",
                equation(form, MI),
            ),
        ],
        residuals=[reduce_sums(form - MI)],
    )


def mutual_information_expected_kl_given_x() -> Derivation:
    form = _expected_kl(p_x[i], LIM_I, LIM_J, p_y[j])
    return Derivation(
        steps=[
            Step(
                "E_X[KL(P(Y | x) || P_Y)], p(y | x) = P_ij / p_X(i)", equation(sp.Symbol("D"), form)
            ),
            Step(
                "The weight p_X(i) cancels the denominator: the sum of P log(P/(p_X p_Y))",
                equation(form, MI),
            ),
        ],
        residuals=[reduce_sums(form - MI)],
    )
