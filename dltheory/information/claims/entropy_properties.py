r"""§ 13.6 Properties of Entropy (1) — signs and Gibbs' inequality.

Main declarations:

* ``information.log-le-x-minus-one`` — the lemma behind every nonnegativity claim of the
  chapter: :math:`\log x \le x - 1` for :math:`x > 0`, with equality only at :math:`x = 1`;
* ``information.entropy-nonnegative-discrete``, ``information.differential-entropy-can-be-negative``
  — :math:`H \ge 0` for discrete variables; :math:`h(U[0, \tfrac12]) = -\log 2`;
* ``information.gibbs-inequality`` — :math:`H(P) \le \mathrm{CE}(P, Q)`, proved in full once
  (the chapter's :math:`D_{\mathrm{KL}} \ge 0`, :math:`H \le \log k`, :math:`I \ge 0` and the
  cross-entropy minimizer cite it);
* ``information.gibbs-equality-iff-equal`` — equality exactly when :math:`Q = P`, both
  directions proved.

The section continues in :mod:`.entropy_bounds`.
"""

from __future__ import annotations

import numpy as np
import scipy.special
import sympy as sp
import torch
import torch.distributions as D
from hypothesis import strategies as st
from sympy.calculus.util import minimum

from dltheory.core.claim import Derivation, Exists, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    BATCHES,
    LIM_I,
    LN2,
    G,
    as_numpy,
    assert_le,
    distribution_pairs,
    distributions,
    entr_sum,
    gap,
    i,
    j,
    k_out,
    l1,
    le,
    mp_entropy,
    n,
    on,
    p,
    pairs,
    q_all,
    reduce_sums,
    s,
    t,
    total,
    vectors,
    x,
)

SECTION = Section("information", "13.6 Properties of Entropy")

_LEMMA = "information.log-le-x-minus-one"
_GIBBS = "information.gibbs-inequality"
_BATCHED = distributions(batch_shape=BATCHES)

log_le_x_minus_one = SECTION.claim(
    "log-le-x-minus-one",
    title="log x ≤ x − 1, with equality only at x = 1",
    statement=r"\log x \le x - 1 \ \ (x > 0), \qquad \log x = x - 1 \iff x = 1",
    kind=Kind.THEOREM,
    note=r"Not stated in the notes: the one inequality their nonnegativity claims rest on. "
    r"With $g(x) = x - 1 - \log x$, a term $p \log(p/q)$ equals $p\,g(q/p) + p - q$, so sums "
    r"of such terms are bounded below by $\sum (p - q)$.",
    numeric=NotApplicable(
        "a fact about real numbers: no reference function computes log x or x - 1; the "
        "symbolic leg proves it for every x > 0"
    ),
    property=NotApplicable(
        "a fact about real numbers, proved for every x > 0; sampling points would check "
        "math.log, not dltheory's code"
    ),
)


@log_le_x_minus_one.symbolic_leg(scope=r"every $x > 0$ (strict monotonicity on each side of 1)")
def _() -> Derivation:
    g = gap(x)
    dg = sp.diff(g, x)
    below, above = sp.simplify(dg.subs(x, 1 / (1 + s))), sp.simplify(dg.subs(x, 1 + s))
    lowest = minimum(g, x, sp.Interval.open(0, sp.oo))
    roots = tuple(sp.solve(g, x))
    return Derivation(
        steps=[
            Step(r"The gap of the inequality, for $x > 0$", equation(G(x), g)),
            Step("Its derivative", equation(sp.Derivative(G(x), x), dg)),
            Step(
                r"On $(0, 1)$ write $x = 1/(1 + s)$, $s > 0$: the derivative is negative",
                equation(sp.Subs(sp.Derivative(G(x), x), x, 1 / (1 + s)), below),
            ),
            Step(
                r"On $(1, \infty)$ write $x = 1 + s$, $s > 0$: the derivative is positive",
                equation(sp.Subs(sp.Derivative(G(x), x), x, 1 + s), above),
            ),
            Step(
                r"So $g$ strictly decreases to $g(1) = 0$, then strictly increases: $g \ge 0$, "
                r"and $g(x) = 0$ only at $x = 1$",
                equation(G(1), g.subs(x, 1)),
            ),
            Step(
                r"SymPy's global minimum of $g$ on $(0, \infty)$ and the roots of $g$ agree",
                sp.Tuple(equation(sp.Symbol(r"\min_{x>0} g(x)"), lowest), sp.FiniteSet(*roots)),
            ),
        ],
        residuals=[
            below.is_negative,
            above.is_positive,
            g.subs(x, 1),
            sp.Eq(lowest, 0),
            roots == (1,),
        ],
        compared=[
            r"$g'(x) < 0$ on $(0, 1)$",
            r"$g'(x) > 0$ on $(1, \infty)$",
            r"$g(1)$",
            r"SymPy's minimum of $g$ on $(0, \infty)$ is 0",
            r"the roots of $g$ are exactly $\{1\}$",
        ],
    )


entropy_nonnegative_discrete = SECTION.claim(
    "entropy-nonnegative-discrete",
    title="Discrete entropy is nonnegative",
    statement=r"H(X) \ge 0 \text{ for every discrete } X",
    kind=Kind.THEOREM,
    code=("entropy",),
)


@entropy_nonnegative_discrete.symbolic_leg(scope=r"general $n$: every term $-p \log p \ge 0$")
def _() -> Derivation:
    u = sp.Symbol("u", nonnegative=True)
    term = -(1 / (1 + u)) * sp.log(1 / (1 + u))
    nonneg = sp.IndexedBase("e", nonnegative=True)
    simplified = sp.simplify(sp.expand_log(term, force=True))
    return Derivation(
        steps=[
            Step(
                r"A term with $0 < p \le 1$: write $p = 1/(1 + u)$ with $u \ge 0$",
                equation(-p[i] * sp.log(p[i]), term),
            ),
            Step(r"$= \log(1 + u)/(1 + u) \ge 0$", equation(term, simplified)),
            Step(
                r"Terms with $p = 0$ are 0; a sum of nonnegative terms $e_i$ is nonnegative",
                sp.GreaterThan(sp.Sum(nonneg[i], LIM_I), 0, evaluate=False),
            ),
        ],
        residuals=[simplified.is_nonnegative, sp.Sum(nonneg[i], LIM_I).is_nonnegative],
        compared=[r"$\log(1 + u)/(1 + u) \ge 0$", r"$\sum_i e_i \ge 0$ for $e_i \ge 0$"],
    )


@entropy_nonnegative_discrete.numeric_leg(
    oracle="the sign, exactly; mpmath (error in eps) on rows with zeros and tiny entries"
)
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        got = impl.entropy(values)
        assert bool((got >= 0).all()), f"negative entropy {got}"
        assert_accurate(got.reshape(-1), mp_entropy(values), msg="vs mpmath")


@entropy_nonnegative_discrete.property_leg(
    r"`entropy(p)` $\ge 0$ exactly (no tolerance), in nats and in bits", latex=r"H(P) \ge 0"
)
def _(impl) -> ForAll:
    def holds(values) -> bool:
        return bool((impl.entropy(values) >= 0).all() and (impl.entropy(values, base=2) >= 0).all())

    return ForAll(_BATCHED, holds, names=("p",))


differential_entropy_can_be_negative = SECTION.claim(
    "differential-entropy-can-be-negative",
    title="Differential entropy can be negative",
    statement=r"h(U[0, \tfrac12]) = \log\tfrac12 = -\log 2 < 0",
    kind=Kind.THEOREM,
    code=("uniform_differential_entropy", "gaussian_differential_entropy"),
    uses=("information.differential-entropy-definition",),
    note=r"The notes' parenthesis, made concrete: a uniform on an interval shorter than 1, or a "
    r"Gaussian with $\sigma < 1/\sqrt{2 \pi e}$, has negative differential entropy.",
)


@differential_entropy_can_be_negative.symbolic_leg(
    scope=r"the exact value at width $\tfrac12$, and $\log w < 0$ for every width $w < 1$"
)
def _() -> Derivation:
    w = sp.Symbol("w", positive=True)
    half = sp.log(w).subs(w, sp.Rational(1, 2))
    below_one = sp.expand_log(sp.log(1 / (1 + s)), force=True)
    return Derivation(
        steps=[
            Step(
                r"The uniform on $[a, a + w]$ has $h = \log w$",
                equation(sp.Symbol("h(U[a, a + w])"), sp.log(w)),
                cites=("information.differential-entropy-definition",),
            ),
            Step(r"Width $\tfrac12$", equation(sp.Symbol("h(U[0, 1/2])"), half)),
            Step(
                r"Every width $w = 1/(1 + s) < 1$ gives a negative entropy",
                equation(sp.log(1 / (1 + s)), below_one),
            ),
        ],
        residuals=[sp.StrictLessThan(half, 0), below_one.is_negative],
        compared=[r"$-\log 2 < 0$", r"$-\log(1 + s) < 0$ for $s > 0$"],
    )


@differential_entropy_can_be_negative.numeric_leg(
    oracle="-log 2 by mpmath (error in eps); torch.distributions Uniform(0, 1/2) and "
    "Normal(0, 0.1) entropy"
)
def _(impl, device, dtype) -> None:
    half = on(torch.tensor(0.5), dtype, device)
    got = impl.uniform_differential_entropy(on(torch.tensor(0.0), dtype, device), half)
    assert got < 0
    assert_accurate(got, -LN2, msg="h(U[0, 1/2]) = -log 2")
    assert_close(got, D.Uniform(0.0, half.double().cpu()).entropy(), dtype=dtype)
    sigma = on(torch.tensor(0.1), dtype, device)
    gaussian = impl.gaussian_differential_entropy(sigma)
    assert gaussian < 0
    assert_close(gaussian, D.Normal(0.0, sigma.double().cpu()).entropy(), dtype=dtype)


@differential_entropy_can_be_negative.property_leg(
    r"Hypothesis searches for a width $w \in (0.01, 4)$ with $h(U[0, w]) < 0$, by the reference "
    r"and by `torch.distributions`"
)
def _(impl) -> Exists:
    def negative(width) -> bool:
        mine = impl.uniform_differential_entropy(0.0, width)
        oracle = D.Uniform(0.0, torch.tensor(width, dtype=torch.float64)).entropy()
        return bool(mine < 0 and oracle < 0)

    return Exists(st.floats(0.01, 4.0), negative, names=("w",))


gibbs_inequality = SECTION.claim(
    "gibbs-inequality",
    title="Gibbs' inequality: entropy is at most the cross-entropy",
    statement=r"H(X) = -\mathbb{E}_{x \sim P}[\log p(x)] \le -\mathbb{E}_{x \sim P}[\log q(x)]",
    kind=Kind.THEOREM,
    code=("entropy", "cross_entropy"),
    uses=(_LEMMA, "information.cross-entropy-decomposition"),
    note=r"The difference of the two sides is $D_{\mathrm{KL}}(P \| Q)$, so this is the "
    r"chapter's $D_{\mathrm{KL}} \ge 0$, proved here once. It holds for densities too. If "
    r"$q = 0 < p$ somewhere the right side is $+\infty$.",
)

_KL = sp.Sum(p[i] * sp.log(p[i] / q_all[i]), LIM_I)
_OUTSIDE = sp.Sum(q_all[i], (i, n + 1, n + k_out))
#: CE - H = sum_S p g(q/p) + (mass of q outside S): the form the equality case starts from
GIBBS_SPLIT = sp.Sum(p[i] * G(q_all[i] / p[i]), LIM_I) + _OUTSIDE


@gibbs_inequality.symbolic_leg(
    scope=r"general $n$: the support of $p$ inside an alphabet of $n + k$ outcomes, $k \ge 0$ "
    r"($k = 0$: full support); $q = 0 < p$ separately"
)
def _() -> Derivation:
    ce = -sp.Sum(p[i] * sp.log(q_all[i]), LIM_I)
    h = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
    split = sp.Sum(p[i] * G(q_all[i] / p[i]), LIM_I) + 1 - sp.Sum(q_all[i], LIM_I)
    expanded = sp.Sum(p[i] * gap(q_all[i] / p[i]), LIM_I) + 1 - sp.Sum(q_all[i], LIM_I)
    whole = sp.Sum(q_all[i], (i, 1, n + k_out))
    a, b = sp.Symbol("p", positive=True), sp.Symbol("q", positive=True)
    term = a * sp.log(a / b) - (a * gap(b / a) + a - b)
    k_pos = sp.Symbol("k", integer=True, positive=True)
    some_outside = _OUTSIDE.subs(k_out, k_pos).change_index(i, i - n, j)
    return Derivation(
        steps=[
            Step(
                r"Over the support $S = \{1, \dots, n\}$ of $p$: "
                r"$\mathrm{CE} - H = \sum_S p \log(p/q)$",
                equation(ce - h, _KL),
                cites=("information.cross-entropy-decomposition",),
            ),
            Step(
                r"Termwise, for $p, q > 0$: $p \log(p/q) = p\,g(q/p) + p - q$ with "
                r"$g(v) = v - 1 - \log v \ge 0$",
                equation(a * sp.log(a / b), a * G(b / a) + a - b),
                cites=(_LEMMA,),
            ),
            Step(r"Sum over $S$, using $\sum_S p = 1$", equation(_KL, split)),
            Step(
                r"$q$ is a distribution on all $n + k$ outcomes: $1 - \sum_S q$ is its mass "
                r"outside $S$",
                equation(whole, sp.Sum(q_all[i], LIM_I) + _OUTSIDE),
            ),
            Step(
                r"With full support ($k = 0$, the uniform $p$ included) the outside mass is the "
                r"empty sum 0; otherwise a sum of $k \ge 1$ terms $q \ge 0$",
                sp.Tuple(
                    equation(_OUTSIDE.subs(k_out, 0), 0),
                    sp.GreaterThan(some_outside, 0, evaluate=False),
                ),
            ),
            Step(
                r"Each $p\,g(q/p) \ge 0$: $\mathrm{CE} - H$ is a sum of nonnegative parts",
                equation(ce - h, GIBBS_SPLIT),
            ),
            Step(
                r"If $q = 0 < p$ at an outcome of $S$, its term is $+\infty$ and every other is "
                r"$\ge p - q$: $\mathrm{CE} = +\infty \ge H$",
                equation(sp.Limit(a * sp.log(a / b), b, 0, "+"), sp.oo),
            ),
        ],
        residuals=[
            reduce_sums(ce - h - _KL, {}, {}),
            sp.expand(sp.expand_log(term, force=True)),
            reduce_sums(_KL - expanded, {}, {LIM_I: (p[i],)}),
            sp.simplify(sp.Sum(q_all[i], LIM_I) + _OUTSIDE - whole),
            _OUTSIDE.subs(k_out, 0).doit(),
            some_outside.is_nonnegative,
            sp.Sum(p[i] * G(q_all[i] / p[i]), LIM_I).is_nonnegative,
            sp.Eq(sp.limit(a * sp.log(a / b), b, 0, "+"), sp.oo),
        ],
        compared=[
            r"$\mathrm{CE} - H$ minus $\sum_S p \log(p/q)$",
            r"$p \log(p/q)$ minus $p\,g(q/p) + p - q$",
            r"$\sum_S p \log(p/q)$ minus $\sum_S p\,g(q/p) + 1 - \sum_S q$",
            r"$\sum_S q$ plus the outside mass, minus $\sum_{i=1}^{n+k} q_i$",
            r"the outside mass at $k = 0$ (the empty sum)",
            r"the outside mass is $\ge 0$ for $k \ge 1$",
            r"$\sum_S p\,g(q/p) \ge 0$",
            r"$\lim_{q \to 0^+} p \log(p/q) = +\infty$",
        ],
    )


@gibbs_inequality.numeric_leg(oracle="scipy.special.xlogy and entr sums")
def _(impl, device, dtype) -> None:
    for a, b in pairs(dtype, device):
        h, ce = impl.entropy(a), impl.cross_entropy(a, b)
        ps, qs = oracle_input(a), oracle_input(b)
        assert_close(ce, -scipy.special.xlogy(ps, qs).sum(-1), msg="CE vs scipy.special.xlogy")
        assert_close(h, entr_sum(ps), msg="H vs scipy.special.entr")
        s_, t_ = total(a), total(b)  # see total(): the bound for the rounded input
        assert_le(as_numpy(h) + s_ * np.log(s_ / t_), ce, dtype, "H(P) <= CE(P, Q)")


@gibbs_inequality.property_leg(
    r"`entropy(p)` $\le$ `cross_entropy(p, q)` for pairs with exact zeros and tiny entries "
    r"($+\infty$ where $q = 0 < p$)",
    latex=r"H(P) \le \mathrm{CE}(P, Q)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        a, b = case
        return le(impl.entropy(a), impl.cross_entropy(a, b))

    return ForAll(distribution_pairs(), holds, names=("p", "q"))


gibbs_equality_iff_equal = SECTION.claim(
    "gibbs-equality-iff-equal",
    title="Equality in Gibbs' inequality exactly when Q = P",
    statement=r"-\mathbb{E}_{P}[\log p] = -\mathbb{E}_{P}[\log q] \iff P = Q",
    kind=Kind.THEOREM,
    code=("entropy", "cross_entropy"),
    uses=(_LEMMA, _GIBBS),
    note=r"For densities, $P = Q$ means equal almost everywhere (not proved here: the symbolic "
    r"leg covers finite alphabets). The property adds a quantitative 'only if': "
    r"$\mathrm{CE} - H = D_{\mathrm{KL}} \ge \tfrac12 \|p - q\|_1^2$ (Pinsker).",
)


def vanishing_terms(term, lo, hi, label: str) -> tuple[list[Step], list, list[str]]:
    r"""A sum :math:`\sum_{i=lo}^{hi} f(i)` of nonnegative terms that is 0 has every term 0:
    :math:`f(t) = \sum_i f(i) - \sum_{i \ne t} f(i) \le \sum_i f(i) = 0`."""
    rest_summand = sp.Piecewise((0, sp.Eq(i, t)), (term, True))
    rest = sp.Sum(rest_summand, (i, lo, hi))
    picked = resolve_in_range(sp.Sum(term * sp.KroneckerDelta(i, t), (i, lo, hi)).doit(), t, lo, hi)
    at_t = term.subs(i, t)
    steps = [
        Step(
            rf"{label}: for ${sp.latex(lo)} \le t \le {sp.latex(hi)}$ the term $t$ is the sum "
            r"minus the other terms, which are $\ge 0$; the sum is 0, so the term is $\le 0$, "
            r"hence $= 0$",
            equation(at_t, sp.Sum(term, (i, lo, hi)) - rest),
        )
    ]
    residuals = [
        sp.simplify(
            sp.piecewise_fold(
                rest_summand + term * sp.KroneckerDelta(i, t).rewrite(sp.Piecewise) - term
            )
        ),
        picked - at_t,
        rest.is_nonnegative,
        (-rest).is_nonpositive,
        at_t.is_nonnegative,
    ]
    compared = [
        rf"{label}: the sum without term $t$ plus term $t$, minus the sum",
        rf"{label}: $\sum_i f(i) \delta_{{it}}$ minus $f(t)$",
        rf"{label}: the other terms sum to $\ge 0$",
        rf"{label}: so term $t$ is $\le$ the sum, which is 0",
        rf"{label}: term $t$ is $\ge 0$",
    ]
    return steps, residuals, compared


@gibbs_equality_iff_equal.symbolic_leg(
    scope=r"general $n$, both directions, an alphabet of $n + k$ outcomes"
)
def _() -> Derivation:
    same = sp.Sum(p[i] * sp.log(p[i] / p[i]), LIM_I)
    parts = sp.symbols("A R", nonnegative=True)  # sum_S p g(q/p) and the outside mass
    inside_steps, inside, inside_compared = vanishing_terms(
        p[i] * G(q_all[i] / p[i]), 1, n, "On the support"
    )
    k_pos = sp.Symbol("k", integer=True, positive=True)  # k = 0: nothing lies outside S
    outside_steps, outside, outside_compared = vanishing_terms(
        q_all[i], n + 1, n + k_pos, "Outside the support"
    )
    roots = sp.solve(p[t] * gap(x), x)
    return Derivation(
        steps=[
            Step(
                r"If $Q = P$ every term is $p \log(p/p) = 0$ and no mass lies outside $S$",
                equation(sp.Symbol(r"\mathrm{CE}(P, P) - H(P)"), same.doit()),
            ),
            Step(
                r"Conversely: $\mathrm{CE} - H = A + R$ with $A = \sum_S p\,g(q/p) \ge 0$ and "
                r"$R$ the mass of $q$ outside $S$, $\ge 0$. If it is 0, $A = -R \le 0$, so "
                r"$A = R = 0$",
                equation(sp.Symbol(r"\mathrm{CE} - H"), GIBBS_SPLIT),
                cites=(_GIBBS,),
            ),
            *inside_steps,
            Step(
                r"$p_t\,g(q_t/p_t) = 0$ with $p_t > 0$: $g$ vanishes only at 1, so $q_t = p_t$",
                equation(sp.Symbol("q_t / p_t"), sp.FiniteSet(*roots)),
                cites=(_LEMMA,),
            ),
            *outside_steps,
            Step(
                r"So $q = p$ on $S$ and $q = 0$ outside it: $Q = P$ (if $q = 0 < p$ somewhere, "
                r"$\mathrm{CE} = \infty \ne H$ by Gibbs' inequality)",
                sp.Symbol("Q = P"),
            ),
        ],
        residuals=[
            same.doit(),
            (-parts[1]).is_nonpositive,
            *inside,
            roots == [1],
            *outside,
        ],
        compared=[
            r"$\sum_S p \log(p/p)$",
            r"$A = -R \le 0$ for $R \ge 0$",
            *inside_compared,
            r"the roots of $p_t\,g(x)$ ($p_t > 0$) are exactly $\{1\}$",
            *outside_compared,
        ],
    )


@gibbs_equality_iff_equal.numeric_leg(
    oracle="mpmath (error in eps) for CE(P, P) = H(P); Pinsker's bound computed with NumPy"
)
def _(impl, device, dtype) -> None:
    for a, b in pairs(dtype, device):
        assert_accurate(
            impl.cross_entropy(a, a).reshape(-1), mp_entropy(a), msg="CE(P, P) = H(P) (mpmath)"
        )
        s_, t_ = total(a), total(b)  # see total(): the bound for the rounded input
        pinsker = (
            s_
            * np.abs(oracle_input(a) / s_[..., None] - oracle_input(b) / t_[..., None]).sum(-1) ** 2
            / 2
        )
        gap_ = as_numpy(impl.cross_entropy(a, b)) - as_numpy(impl.entropy(a)) - s_ * np.log(s_ / t_)
        assert_le(pinsker, gap_, dtype, "CE - H >= |p - q|^2 / 2 (Pinsker): > 0 wherever q != p")


@gibbs_equality_iff_equal.property_leg(
    r"`cross_entropy(p, p)` and `entropy(p)` both equal mpmath's $H(p)$ to 16 eps, and "
    r"`cross_entropy(p, q) - entropy(p)` $\ge \tfrac12\|p - q\|_1^2$ for every pair",
    latex=r"\mathrm{CE}(P, Q) - H(P) \ge \tfrac12 \|p - q\|_1^2",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        a, b = case
        exact = mp_entropy(a)
        h = impl.entropy(a)
        equal = is_accurate(impl.cross_entropy(a, a), exact[0]) and is_accurate(h, exact[0])
        return equal and le(l1(a, b) ** 2 / 2, impl.cross_entropy(a, b) - h)

    return ForAll(distribution_pairs(), holds, names=("p", "q"))
