r"""Shared SymPy objects and lemmas for the information-theory derivations.

Discrete distributions are ``IndexedBase`` objects indexed from 1 over a symbolic alphabet
size (:math:`n` outcomes of :math:`X`, :math:`m` of :math:`Y`). Sums run over the *support*:
by the convention :math:`0 \log 0 = 0` outcomes of probability 0 contribute nothing, so the
indexed probabilities are declared positive. Where a statement needs the mass *outside* the
support (KL divergence), it appears as a separate nonnegative symbol :math:`r`.

:func:`reduce_sums` applies the finite-sum rules the derivations use (linearity, Fubini,
:math:`\sum_j p_{X,Y}(i, j) = p_X(i)`, :math:`\sum_i p_i = 1`); the residual of an identity is
its left minus its right side after these rules, and must come out as exactly 0.

:func:`log_lemma` proves :math:`\log x \le x - 1` (with equality only at :math:`x = 1`), the
one inequality behind every nonnegativity claim of the chapter; :func:`kl_nonnegative_proof`
turns it into :math:`D_{\mathrm{KL}} \ge 0` for any summation structure.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import sympy as sp
from sympy.calculus.util import minimum

from dltheory.core.claim import Step
from dltheory.core.symbolic import equation

n, m = sp.symbols("n m", integer=True, positive=True)
i, j, t = sp.symbols("i j t", integer=True)
p = sp.IndexedBase("p", positive=True)
q = sp.IndexedBase("q", positive=True)
P = sp.IndexedBase("P", positive=True)  # the joint table p_{X,Y}(i, j) on its support
p_x = sp.IndexedBase("p_X", positive=True)
p_y = sp.IndexedBase("p_Y", positive=True)
x = sp.Symbol("x", positive=True)
s = sp.Symbol("s", positive=True)
r = sp.Symbol("r", nonnegative=True)  # probability mass of q outside the support of p
LIM_I = (i, 1, n)
LIM_J = (j, 1, m)

#: g(x) = x - 1 - log x, the gap in log x <= x - 1
G = sp.Function("g", nonnegative=True)

#: the marginal rules of a joint table: summing P over j gives p_X(i), over i gives p_Y(j)
JOINT_MARGINALS = {j: (P[i, j], p_x[i]), i: (P[i, j], p_y[j])}
#: summands whose sum over the index is 1 (p over its support, the marginals)
JOINT_TOTALS = {i: (p_x[i], p[i]), j: (p_y[j],)}


def gap(value):
    """:math:`g(v) = v - 1 - \\log v`."""
    return value - 1 - sp.log(value)


def _split_sum(term):
    """``c * Sum(...)`` -> ``(c, Sum)``; ``(term, None)`` if ``term`` has no single Sum factor."""
    factors, sums = [], []
    for f in sp.Mul.make_args(term):
        (sums if isinstance(f, sp.Sum) else factors).append(f)
    return (sp.Mul(*factors), sums[0]) if len(sums) == 1 else (term, None)


def _reduce_term(term, limits, marginals, totals):
    if not limits:
        return term
    coefficient, inner = _split_sum(term)
    if inner is not None:  # c * sum_L1 g, summed over L2  ->  sum over L1 + L2 of c * g
        return sp.Add(
            *[
                _reduce_term(
                    sp.expand(coefficient * part), [*inner.limits, *limits], marginals, totals
                )
                for part in sp.Add.make_args(sp.expand(inner.function))
            ]
        )
    names = [lim[0] for lim in limits]
    for var in names:
        const, rest = term.as_independent(var, as_Add=False)
        rest_limits = [lim for lim in limits if lim[0] != var]
        if var in marginals and rest == marginals[var][0]:
            return _reduce_term(const * marginals[var][1], rest_limits, marginals, totals)
        if rest in totals.get(var, ()):
            return _reduce_term(const, rest_limits, marginals, totals)
    order = {j: 0, i: 1}
    limits = sorted(limits, key=lambda lim: order.get(lim[0], 2))
    const, rest = term.as_independent(*names, as_Add=False)
    return const * sp.Sum(rest, *limits)


def reduce_sums(
    expr,
    marginals: Mapping = JOINT_MARGINALS,
    totals: Mapping[sp.Symbol, Iterable] = JOINT_TOTALS,
):
    r"""Normal form of an expression built from finite sums, under the rules:

    * logs of products and quotients are expanded (all quantities positive on the support),
      and every sum of terms is split into a sum of sums (linearity);
    * nested sums are merged and their order fixed (Fubini, for finite sums);
    * constants are taken out: :math:`\sum_j c_i P_{ij} = c_i\, p_X(i)` (``marginals``), and
      :math:`\sum_i c\, p_i = c` for a summand that sums to 1 (``totals``).

    Two expressions built from the same objects are equal if their difference reduces to 0.
    """
    totals = {var: tuple(summands) for var, summands in totals.items()}

    def one(total):
        return sp.Add(
            *[
                _reduce_term(part, list(total.limits), marginals, totals)
                for part in sp.Add.make_args(sp.expand(total.function))
            ]
        )

    expr = sp.expand(sp.expand_log(expr, force=True))
    while True:
        new = expr.replace(lambda e: isinstance(e, sp.Sum), one)
        new = sp.expand(sp.expand_log(new, force=True))
        if new == expr:
            return new
        expr = new


def log_lemma() -> tuple[list[Step], list]:
    r""":math:`g(x) = x - 1 - \log x \ge 0` on :math:`x > 0`, with equality only at 1."""
    steps, residuals = _log_lemma()
    return list(steps), list(residuals)


@functools.cache  # SymPy's global minimum costs ~0.3 s; a dozen derivations use the lemma
def _log_lemma() -> tuple[tuple[Step, ...], tuple]:
    g = gap(x)
    dg = sp.diff(g, x)
    steps = [
        Step("The gap of the inequality log x <= x - 1, for x > 0", equation(G(x), g)),
        Step("Its derivative", equation(sp.Derivative(G(x), x), dg)),
        Step(
            "On (0, 1), write x = 1/(1 + s) with s > 0: the derivative is negative",
            equation(
                sp.Subs(sp.Derivative(G(x), x), x, 1 / (1 + s)),
                sp.simplify(dg.subs(x, 1 / (1 + s))),
            ),
        ),
        Step(
            "On (1, oo), write x = 1 + s with s > 0: the derivative is positive",
            equation(sp.Subs(sp.Derivative(G(x), x), x, 1 + s), sp.simplify(dg.subs(x, 1 + s))),
        ),
        Step(
            "So g decreases to g(1) = 0 and then increases: g(x) >= 0", equation(G(1), g.subs(x, 1))
        ),
        Step(
            "SymPy's global minimum of g over (0, oo) agrees",
            equation(sp.Symbol(r"\min_{x>0} g(x)"), minimum(g, x, sp.Interval.open(0, sp.oo))),
        ),
    ]
    residuals = [
        sp.simplify(dg.subs(x, 1 / (1 + s))).is_negative,
        sp.simplify(dg.subs(x, 1 + s)).is_positive,
        g.subs(x, 1),
        sp.Eq(minimum(g, x, sp.Interval.open(0, sp.oo)), 0),
    ]
    return tuple(steps), tuple(residuals)


def log_lemma_equality() -> tuple[list[Step], list]:
    r""":math:`g(x) = 0` only at :math:`x = 1` (strict monotonicity on each side, and solve)."""
    steps, residuals = log_lemma()
    roots = _roots_of_gap()
    steps.append(
        Step(
            "g is strictly monotone on (0, 1] and on [1, oo): its only zero is 1", equation(G(x), 0)
        )
    )
    steps.append(Step("SymPy's solve agrees: the roots of g", sp.FiniteSet(*roots)))
    return steps, [*residuals, roots == (1,)]


@functools.cache
def _roots_of_gap() -> tuple:
    return tuple(sp.solve(gap(x), x))


#: outcomes outside the support of p: the alphabet has n + k of them, k >= 1 (k = 0 is the
#: case of full support, where the outside mass is the empty sum 0)
k_out = sp.Symbol("k", integer=True, positive=True)
j_out = sp.Symbol("j", integer=True)
q_all = sp.IndexedBase("q", nonnegative=True)  # q on the whole alphabet (may vanish off S)


def kl_nonnegative_proof(include_lemma: bool = True) -> tuple[list[Step], list]:
    r"""A complete proof of :math:`D_{\mathrm{KL}}(P \| Q) \ge 0` for distributions on a finite
    alphabet of :math:`n + k` outcomes, the support :math:`S` of :math:`p` being the first
    :math:`n` (any alphabet can be ordered so).

    Hypotheses: :math:`p_i > 0` on :math:`S` with :math:`\sum_S p_i = 1`; :math:`q_i \ge 0`
    with :math:`\sum_{i=1}^{n+k} q_i = 1`. Termwise :math:`p \log(p/q) = p\, g(q/p) + p - q`
    where :math:`q > 0`; summing over :math:`S` gives :math:`D = \sum_S p\, g(q/p) +
    \sum_{i \notin S} q_i`, a sum of nonnegative terms. A zero of :math:`q` inside :math:`S`
    makes :math:`D = +\infty`. Applications (Gibbs, MI, the code-length bound) show that their
    second argument is a distribution and cite this proof.
    """
    steps, residuals = log_lemma() if include_lemma else ([], [])
    q_ = q_all
    kl = sp.Sum(p[i] * sp.log(p[i] / q_[i]), LIM_I)
    split = sp.Sum(p[i] * G(q_[i] / p[i]), LIM_I) + 1 - sp.Sum(q_[i], LIM_I)
    expanded = sp.Sum(p[i] * gap(q_[i] / p[i]), LIM_I) + 1 - sp.Sum(q_[i], LIM_I)
    outside = sp.Sum(q_[i], (i, n + 1, n + k_out))
    whole = sp.Sum(q_[i], (i, 1, n + k_out))
    pq = sp.Symbol("p", positive=True), sp.Symbol("q", positive=True)
    term = pq[0] * sp.log(pq[0] / pq[1]) - (pq[0] * gap(pq[1] / pq[0]) + pq[0] - pq[1])
    steps += [
        Step(
            "Termwise on the support S = {1..n} of p (p > 0, q > 0): p log(p/q) = p g(q/p) + p - q",
            equation(pq[0] * sp.log(pq[0] / pq[1]), pq[0] * G(pq[1] / pq[0]) + pq[0] - pq[1]),
        ),
        Step("Sum over S, using sum_S p = 1", equation(kl, split)),
        Step(
            "q is a distribution on all n + k outcomes: 1 = sum_S q + (mass of q outside S)",
            equation(whole, sp.Sum(q_[i], LIM_I) + outside),
        ),
        Step(
            "so 1 - sum_S q is the mass outside S, a sum of k >= 1 terms q >= 0 (0 if k = 0)",
            sp.GreaterThan(outside.change_index(i, i - n, j_out), 0, evaluate=False),
        ),
        Step(
            "Each p g(q/p) is >= 0 (p > 0, g >= 0 by the lemma): D is a sum of nonnegative terms",
            sp.GreaterThan(sp.Sum(p[i] * G(q_[i] / p[i]), LIM_I), 0, evaluate=False),
        ),
        Step(
            "If q = 0 < p at some outcome of S, that term is +oo and the others are "
            ">= p - q > -oo, so D = +oo >= 0",
            equation(sp.Limit(pq[0] * sp.log(pq[0] / pq[1]), pq[1], 0, "+"), sp.oo),
        ),
    ]
    residuals += [
        sp.expand(sp.expand_log(term, force=True)),
        reduce_sums(kl - expanded, {}, {i: (p[i],)}),
        sp.simplify(sp.Sum(q_[i], LIM_I) + outside - whole),
        outside.change_index(i, i - n, j_out).is_nonnegative,
        sp.Sum(p[i] * G(q_[i] / p[i]), LIM_I).is_nonnegative,
        sp.Eq(sp.limit(pq[0] * sp.log(pq[0] / pq[1]), pq[1], 0, "+"), sp.oo),
    ]
    return steps, residuals


def stats_expectation(k: int, function) -> tuple:
    r"""For a :math:`k`-point random variable :math:`X` (a sympy.stats ``FiniteRV``) with
    symbolic pmfs :math:`p` and :math:`q` on :math:`\{1, \dots, k\}`, the expectation
    :math:`\mathbb{E}_{X \sim P}[f(p(X), q(X))]` as sympy.stats computes it.

    Returns ``(expectation, ps, qs)`` with the pmfs' values (the last one is 1 minus the
    others, so each pmf sums to 1).
    """
    from sympy import stats

    ps = list(sp.symbols(f"p_1:{k}", positive=True))
    ps.append(1 - sum(ps))
    qs = list(sp.symbols(f"q_1:{k}", positive=True))
    qs.append(1 - sum(qs))
    X = stats.FiniteRV(f"X_{k}", {v + 1: ps[v] for v in range(k)})
    pmf_p = sp.Piecewise(*[(ps[v], sp.Eq(X, v + 1)) for v in range(k - 1)], (ps[-1], True))
    pmf_q = sp.Piecewise(*[(qs[v], sp.Eq(X, v + 1)) for v in range(k - 1)], (qs[-1], True))
    return stats.E(function(pmf_p, pmf_q)), ps, qs
