r"""§ 13.6 KL Divergence Properties — asymmetry, sign, zero set, infinite values.

Main declarations:

* ``information.kl-asymmetric`` — :math:`D_{\mathrm{KL}}(P \| Q) \ne D_{\mathrm{KL}}(Q \| P)`
  in general;
* ``information.kl-nonnegative`` — :math:`D_{\mathrm{KL}} \ge 0` (Gibbs' inequality), and the
  notes' Jensen route with the step it leaves out, :math:`\mathbb{E}_P[q/p] \le 1`;
* ``information.kl-zero-iff-equal`` — :math:`D_{\mathrm{KL}}(P \| Q) = 0 \iff P = Q`;
* ``information.kl-infinite-outside-support`` — on a finite alphabet :math:`D = \infty` exactly
  when :math:`q = 0 < p` somewhere (the "only if" fails on infinite alphabets:
  :math:`p_n \propto 1/n^2`, :math:`q_n = 2^{-n}`), with the erratum
  ``information.kl-infinite-pointwise-density``: for densities one point is not enough.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.stats
import sympy as sp
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, Exists, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, tolerance
from dltheory.information.claims._support import (
    LIM_I,
    G,
    as_numpy,
    assert_le,
    distribution_pairs,
    gap,
    i,
    l1,
    large,
    le,
    mp_kl,
    on,
    p,
    pairs,
    q,
    q_all,
    reduce_sums,
    s,
    total,
)

SECTION = Section("information", "13.6 KL Divergence Properties")

_D = sp.Symbol(r"D_{KL}(P \| Q)")
_F64 = torch.float64
_KL = sp.Sum(p[i] * sp.log(p[i] / q[i]), LIM_I)
_CE = -sp.Sum(p[i] * sp.log(q[i]), LIM_I)
_H = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
_DECOMPOSITION = "information.cross-entropy-decomposition"


def _slack(scale) -> torch.Tensor:
    """How far below 0 a float64 value accurate to 16 eps of ``scale`` may land."""
    return tolerance(_F64).ulps * torch.finfo(_F64).eps * torch.as_tensor(scale, dtype=_F64)


kl_asymmetric = SECTION.claim(
    "kl-asymmetric",
    title="KL divergence is not symmetric",
    statement=r"\exists\, P, Q:\ D_{\mathrm{KL}}(P \| Q) \ne D_{\mathrm{KL}}(Q \| P)",
    kind=Kind.THEOREM,
    code=("kl_divergence",),
    note=r"A witness with both divergences finite: $P = (\tfrac12, \tfrac12)$, "
    r"$Q = (\tfrac14, \tfrac34)$. With $P = (1, 0)$, $Q = (\tfrac12, \tfrac12)$ one order is "
    r"$\log 2$ and the other $+\infty$.",
)


@kl_asymmetric.symbolic_leg(
    scope=r"the exact witness $P = (\tfrac12, \tfrac12)$, $Q = (\tfrac14, \tfrac34)$"
)
def _() -> Derivation:
    half, quarter = sp.Rational(1, 2), sp.Rational(1, 4)
    pp, qq = (half, half), (quarter, 1 - quarter)

    def kl(a, b):
        return sum(u * sp.log(u / v) for u, v in zip(a, b, strict=True))

    forward, backward = kl(pp, qq), kl(qq, pp)
    difference = sp.expand_log(forward - backward, force=True)
    return Derivation(
        steps=[
            Step(r"$P = (\tfrac12, \tfrac12)$, $Q = (\tfrac14, \tfrac34)$", equation(_D, forward)),
            Step("the other order", equation(sp.Symbol(r"D_{KL}(Q \| P)"), backward)),
            Step(
                "their difference is a nonzero number",
                equation(sp.Symbol("difference"), difference),
            ),
        ],
        residuals=[sp.StrictGreaterThan(difference, 0)],
        compared=[r"$D(P \| Q) - D(Q \| P) > 0$"],
    )


@kl_asymmetric.numeric_leg(oracle="mpmath at the witness (error in eps)")
def _(impl, device, dtype) -> None:
    a = on(torch.tensor([0.5, 0.5], dtype=_F64), dtype, device)
    b = on(torch.tensor([0.25, 0.75], dtype=_F64), dtype, device)
    forward, backward = impl.kl_divergence(a, b), impl.kl_divergence(b, a)
    (want_forward,), _ = mp_kl(a, b)
    (want_backward,), _ = mp_kl(b, a)
    assert_accurate(forward, want_forward, msg="D(P || Q)")
    assert_accurate(backward, want_backward, msg="D(Q || P)")
    assert forward != backward, "not asymmetric"


@kl_asymmetric.property_leg(
    r"Hypothesis searches Bernoulli pairs for finite divergences that differ by more than "
    r"$10^{-3}$ (reference and `scipy.stats.entropy`)"
)
def _(impl) -> Exists:
    # a witness among Bernoulli pairs P = (a, 1 - a), Q = (b, 1 - b), both divergences finite
    def differs(case) -> bool:
        a, b = case
        p_ = torch.tensor([a, 1 - a], dtype=_F64)
        q_ = torch.tensor([b, 1 - b], dtype=_F64)
        forward, backward = impl.kl_divergence(p_, q_), impl.kl_divergence(q_, p_)
        oracle = scipy.stats.entropy(p_.numpy(), q_.numpy()) - scipy.stats.entropy(
            q_.numpy(), p_.numpy()
        )
        return abs(float(forward - backward)) > 1e-3 and abs(oracle) > 1e-3

    probability = st.sampled_from([0.5, 0.25, 0.75, 0.1, 0.9])
    return Exists(st.tuples(probability, probability), differs, names=("a", "b"))


kl_nonnegative = SECTION.claim(
    "kl-nonnegative",
    title="KL divergence is nonnegative",
    statement=r"D_{\mathrm{KL}}(P \| Q) \ge 0",
    kind=Kind.THEOREM,
    code=("kl_divergence",),
    uses=("information.gibbs-inequality", _DECOMPOSITION),
    note=r"The notes' proof stops at $D \ge -\log \mathbb{E}_P[q/p]$ and concludes $D \ge 0$. "
    r"The missing step: $\mathbb{E}_P[q/p]$ is the mass of $q$ on the support of $p$, which is "
    r"$\le 1$ (and $= 1$ only when $q$ puts no mass outside it), so "
    r"$-\log \mathbb{E}_P[q/p] \ge 0$. The symbolic leg proves $D \ge 0$ by Gibbs' "
    r"inequality and checks the notes' route with this step added. In floating point a sum "
    r"for $q$ close to $p$ can land a few ulps below 0; the property allows exactly the "
    r"accuracy the value is checked to.",
)


@kl_nonnegative.symbolic_leg(
    scope=r"general $n$: $D = \mathrm{CE} - H \ge 0$ (Gibbs); the notes' Jensen route with "
    r"$\mathbb{E}_P[q/p] \le 1$"
)
def _() -> Derivation:
    u = sp.Symbol("u", positive=True)
    mean_ratio = sp.Sum(p[i] * (q_all[i] / p[i]), LIM_I)
    return Derivation(
        steps=[
            Step(
                r"$D_{\mathrm{KL}}(P \| Q) = \mathrm{CE}(P, Q) - H(P)$",
                equation(_KL, _CE - _H),
                cites=(_DECOMPOSITION,),
            ),
            Step(
                r"which is $\ge 0$ by Gibbs' inequality",
                sp.GreaterThan(_D, 0, evaluate=False),
                cites=("information.gibbs-inequality",),
            ),
            Step(
                r"The notes' route: $\log$ is concave, so by Jensen "
                r"$-\mathbb{E}_P[\log(q/p)] \ge -\log \mathbb{E}_P[q/p]$",
                equation(sp.Derivative(sp.log(u), u, 2), sp.diff(sp.log(u), u, 2)),
            ),
            Step(
                r"The step it leaves out: $\mathbb{E}_P[q/p] = \sum_S q$, the mass of $q$ on the "
                r"support $S$ of $p$, is $\le 1$",
                equation(sp.Symbol(r"\mathbb{E}_P[q/p]"), sp.Sum(q_all[i], LIM_I)),
            ),
            Step(
                r"so $-\log \mathbb{E}_P[q/p] \ge 0$: with $\mathbb{E}_P[q/p] = 1/(1 + s)$",
                equation(-sp.log(1 / (1 + s)), sp.log(1 + s)),
            ),
        ],
        residuals=[
            reduce_sums(_KL - (_CE - _H), {}, {}),
            sp.diff(sp.log(u), u, 2).is_negative,
            reduce_sums(mean_ratio - sp.Sum(q_all[i], LIM_I), {}, {}),
            sp.expand_log(-sp.log(1 / (1 + s)), force=True).is_nonnegative,
        ],
        compared=[
            r"$D$ minus $\mathrm{CE} - H$",
            r"$(\log u)'' < 0$ (concavity)",
            r"$\mathbb{E}_P[q/p]$ minus $\sum_S q$",
            r"$\log(1 + s) \ge 0$",
        ],
    )


@kl_nonnegative.numeric_leg(
    oracle="mpmath (error in eps of sum |terms|; for q = p up to 1e-9 in eps of the divergence "
    "itself); the bound for the rounded input"
)
def _(impl, device, dtype) -> None:
    base = simplex(4, 6, seed=51)
    nearly_equal = base * (1 + 1e-9 * simplex(4, 6, seed=52))  # q = p up to 1e-9
    nearly_equal = nearly_equal / nearly_equal.sum(-1, keepdim=True)
    close_pairs = [(on(base, dtype, device), on(nearly_equal, dtype, device))]
    close_pairs.append((large(close_pairs[0][0]), large(close_pairs[0][1])))
    for a, b in [*pairs(dtype, device), *close_pairs]:
        got = impl.kl_divergence(a, b)
        s_, t_ = total(a), total(b)  # see total(): the bound for the rounded input
        assert_le(s_ * np.log(s_ / t_), got, dtype, "KL >= 0")
        exact, scale = mp_kl(a, b)
        assert_accurate(got.reshape(-1), exact, scale=scale, msg="vs mpmath")
    # near equality the divergence itself, not just sum |terms|, sets the error budget
    for close_pair in close_pairs:
        exact, _ = mp_kl(*close_pair)
        got = impl.kl_divergence(*close_pair)
        assert_accurate(got.reshape(-1), exact, msg="q = p up to 1e-9, relative to the divergence")


@kl_nonnegative.property_leg(
    r"`kl_divergence(p, q)` $\ge s \log(s/t) - 16\varepsilon \sum|\text{terms}|$ (the bound "
    r"for vectors summing to $s$ and $t$, as the drawn ones do up to rounding; 0 when "
    r"$s = t = 1$), and the notes' chain with its missing step: "
    r"$\mathbb{E}_P[q/p] = \sum_{p > 0} q \le 1$ and `kl_divergence(p, q)` "
    r"$\ge -\log \mathbb{E}_P[q/p]$",
    latex=r"D \ge -\log \mathbb{E}_P[q/p] \ge 0",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        a, b = case
        kl = impl.kl_divergence(a, b)
        _, (scale,) = mp_kl(a, b)
        mean_ratio = math.fsum(v for u, v in zip(a.tolist(), b.tolist(), strict=True) if u > 0)
        jensen = math.inf if mean_ratio == 0 else -math.log(mean_ratio)
        floor = _log_sum_bound(a, b) - _slack(scale)
        return bool(kl >= floor) and le(mean_ratio, 1.0) and le(jensen, kl)

    return ForAll(distribution_pairs(), holds, names=("p", "q"))


def _log_sum_bound(a: torch.Tensor, b: torch.Tensor) -> float:
    r""":math:`s \log(s/t)` with :math:`s = \sum p`, :math:`t = \sum q`: the least value of
    :math:`\sum p \log(p/q)` (the log-sum inequality; 0 for distributions). :math:`s - t` is
    summed exactly (``math.fsum``), so a difference of :math:`10^{-300}` is not lost."""
    ps, qs = a.tolist(), b.tolist()
    difference = math.fsum([*ps, *(-v for v in qs)])
    return math.fsum(ps) * math.log1p(difference / math.fsum(qs))


kl_zero_iff_equal = SECTION.claim(
    "kl-zero-iff-equal",
    title="KL divergence is zero exactly when Q = P",
    statement=r"D_{\mathrm{KL}}(P \| Q) = 0 \iff P = Q",
    kind=Kind.THEOREM,
    code=("kl_divergence",),
    uses=("information.gibbs-equality-iff-equal", _DECOMPOSITION),
    note=r"The notes say 'the equality holds only when P = Q'; $P = Q$ also gives equality. The "
    r"property adds a quantitative 'only if' (Pinsker): "
    r"$D_{\mathrm{KL}} \ge \tfrac12 \|p - q\|_1^2$.",
)


@kl_zero_iff_equal.symbolic_leg(scope=r"general $n$, both directions")
def _() -> Derivation:
    same = sp.Sum(p[i] * sp.log(p[i] / p[i]), LIM_I)
    return Derivation(
        steps=[
            Step(
                r"If $Q = P$ every term is $p \log(p/p) = 0$",
                equation(sp.Symbol(r"D_{KL}(P \| P)"), same.doit()),
            ),
            Step(
                r"$D_{\mathrm{KL}}(P \| Q) = \mathrm{CE}(P, Q) - H(P)$",
                equation(_KL, _CE - _H),
                cites=(_DECOMPOSITION,),
            ),
            Step(
                r"which is 0 only if $Q = P$ (equality in Gibbs' inequality)",
                sp.Symbol("Q = P"),
                cites=("information.gibbs-equality-iff-equal",),
            ),
        ],
        residuals=[same.doit(), reduce_sums(_KL - (_CE - _H), {}, {})],
        compared=[r"$D(P \| P)$", r"$D$ minus $\mathrm{CE} - H$"],
    )


@kl_zero_iff_equal.numeric_leg(oracle="exact 0 at q = p in every dtype; Pinsker's bound (NumPy)")
def _(impl, device, dtype) -> None:
    for a, b in pairs(dtype, device):
        assert bool((impl.kl_divergence(a, a) == 0).all()), "KL(P || P) must be exactly 0"
        s_, t_ = total(a), total(b)  # see total(): the bound for the rounded input
        difference = oracle_input(a) / s_[..., None] - oracle_input(b) / t_[..., None]
        pinsker = s_ * np.abs(difference).sum(-1) ** 2 / 2
        got = as_numpy(impl.kl_divergence(a, b)) - s_ * np.log(s_ / t_)
        assert_le(pinsker, got, dtype, "KL >= |p - q|_1^2 / 2 (Pinsker), so KL > 0 for q != p")


@kl_zero_iff_equal.property_leg(
    r"`kl_divergence(p, p)` $= 0$ exactly, and `kl_divergence(p, q)` "
    r"$\ge \tfrac12 \|p - q\|_1^2$",
    latex=r"D_{\mathrm{KL}}(P \| Q) \ge \tfrac12 \|p - q\|_1^2",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        a, b = case
        return bool(impl.kl_divergence(a, a) == 0) and le(
            l1(a, b) ** 2 / 2, impl.kl_divergence(a, b)
        )

    return ForAll(distribution_pairs(), holds, names=("p", "q"))


kl_infinite_outside_support = SECTION.claim(
    "kl-infinite-outside-support",
    title="On a finite alphabet, KL is infinite exactly when q = 0 < p somewhere",
    statement=r"D_{\mathrm{KL}}(P \| Q) = +\infty \iff \exists x:\ p(x) > 0 = q(x)"
    r"\quad (P, Q \text{ on a finite alphabet})",
    kind=Kind.THEOREM,
    code=("kl_divergence", "cross_entropy"),
    uses=("information.log-le-x-minus-one",),
    note=r"The notes state the '$\Leftarrow$' direction; it holds on any countable alphabet. "
    r"'$\Rightarrow$' needs a finite alphabet: with $p_n = 6/(\pi^2 n^2)$ and $q_n = 2^{-n}$ "
    r"($n \ge 1$) $q$ is positive everywhere, yet $\sum_n p_n \log(p_n/q_n)$ contains "
    r"$\sum_n (6 \log 2/\pi^2)/n$ and diverges. For densities the condition must hold on a set "
    r"of positive $P$-probability (information.kl-infinite-pointwise-density). The reference "
    r"returns $+\infty$, never NaN; so does the cross-entropy.",
)


@kl_infinite_outside_support.symbolic_leg(
    scope=r"general $n$, both directions on a finite alphabet; the countable counterexample to "
    r"'only if'"
)
def _() -> Derivation:
    a, b = sp.symbols("p q", positive=True)
    limit = sp.limit(a * sp.log(a / b), b, 0, "+")
    lower = sp.expand(sp.expand_log(a * sp.log(a / b) - (a - b) - a * gap(b / a), force=True))
    k = sp.Symbol("n", integer=True, positive=True)
    p_k, q_k = 6 / (sp.pi**2 * k**2), 2**-k
    term = sp.expand(sp.expand_log(p_k * sp.log(p_k / q_k), force=True))
    split = (
        6 * sp.log(6 / sp.pi**2) / (sp.pi**2 * k**2)
        - 12 * sp.log(k) / (sp.pi**2 * k**2)
        + 6 * sp.log(2) / (sp.pi**2 * k)
    )
    whole = (k, 1, sp.oo)
    finite = (a * sp.log(a / b)).is_finite
    return Derivation(
        steps=[
            Step(
                r"$\Leftarrow$: an outcome with $p > 0 = q$ has the term "
                r"$\lim_{q \to 0^+} p \log(p/q) = +\infty$",
                equation(sp.Limit(a * sp.log(a / b), b, 0, "+"), limit),
            ),
            Step(
                r"and every other term is $\ge p - q$, so they sum to at least $-1$: $D = +\infty$",
                equation(a * sp.log(a / b), a * G(b / a) + a - b),
                cites=("information.log-le-x-minus-one",),
            ),
            Step(
                r"$\Rightarrow$ (finite alphabet): if $q > 0$ wherever $p > 0$, each of the "
                r"finitely many terms is a finite number, and so is their sum",
                sp.Symbol(r"p\log(p/q) \in \mathbb{R}"),
            ),
            Step(
                r"Not on a countable alphabet: $p_n = 6/(\pi^2 n^2)$ and $q_n = 2^{-n}$ are "
                r"distributions with $q > 0$ everywhere",
                sp.Tuple(
                    equation(sp.Sum(p_k, whole), sp.Sum(p_k, whole).doit()),
                    equation(sp.Sum(q_k, whole), sp.Sum(q_k, whole).doit()),
                ),
            ),
            Step(
                r"but the $n$-th term of $D$ contains $(6 \log 2/\pi^2)/n$: a convergent series "
                r"plus a harmonic one, so $D = +\infty$",
                equation(p_k * sp.log(p_k / q_k), split),
            ),
        ],
        residuals=[
            sp.Eq(limit, sp.oo),
            lower,
            finite,
            sp.Sum(p_k, whole).doit() - 1,
            sp.Sum(q_k, whole).doit() - 1,
            sp.simplify(term - sp.expand(split)),
            sp.Sum(1 / k**2, whole).is_convergent(),
            sp.Sum(sp.log(k) / k**2, whole).is_convergent(),
            sp.Not(sp.Sum(1 / k, whole).is_convergent()),
        ],
        compared=[
            r"$\lim_{q \to 0^+} p \log(p/q) = +\infty$",
            r"$p \log(p/q)$ minus $p\,g(q/p) + p - q$",
            r"$p \log(p/q)$ is finite for $p, q > 0$",
            r"$\sum_n p_n$ minus 1",
            r"$\sum_n q_n$ minus 1",
            r"the $n$-th term minus its split",
            r"$\sum_n 1/n^2$ converges",
            r"$\sum_n \log n / n^2$ converges",
            r"$\sum_n 1/n$ diverges",
        ],
    )


@kl_infinite_outside_support.numeric_leg(
    oracle="the positions where q = 0 < p (+inf exactly there, never NaN); mpmath elsewhere; "
    "the one-sided derivative in p at p = 0: +inf where q = 0, -inf where q > 0 (float64, "
    "float32)"
)
def _(impl, device, dtype) -> None:
    if dtype in (torch.float64, torch.float32):
        # p_i log(p_i / q_i) is 0 at p_i = 0 and +inf for every p_i > 0 when q_i = 0: moving
        # any mass there makes the divergence infinite, a derivative of +inf; where q_i > 0
        # the derivative log(p_i / q_i) + 1 tends to -inf
        p = torch.tensor([0.5, 0.5, 0.0, 0.0], dtype=dtype, device=device, requires_grad=True)
        q = torch.tensor([0.25, 0.25, 0.5, 0.0], dtype=dtype, device=device)
        (grad,) = torch.autograd.grad(impl.kl_divergence(p, q), p)
        want = [1 + math.log(2), 1 + math.log(2), -math.inf, math.inf]
        assert_close(grad, torch.tensor(want, dtype=dtype), msg="d KL / d p, p = (1/2, 1/2, 0, 0)")
    seen = False
    for a, b in pairs(dtype, device):
        outside = ((a > 0) & (b == 0)).any(-1)
        seen = seen or bool(outside.any())
        for got in (
            impl.kl_divergence(a, b),
            impl.cross_entropy(a, b),
            impl.kl_divergence(a, b, base=2),
        ):
            assert not bool(torch.isnan(got).any()), f"NaN in {got}"
            assert torch.equal(torch.isposinf(got), outside), f"+inf exactly where q = 0 < p: {got}"
        exact, scale = mp_kl(a, b)
        assert_accurate(impl.kl_divergence(a, b).reshape(-1), exact, scale=scale, msg="vs mpmath")
    assert seen, "the sample must contain rows with q = 0 < p"


@kl_infinite_outside_support.property_leg(
    r"`kl_divergence(p, q)` and `cross_entropy(p, q)` are $+\infty$ exactly when some "
    r"$p > 0 = q$, and never NaN"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        a, b = case
        outside = bool(((a > 0) & (b == 0)).any())
        kl, ce = impl.kl_divergence(a, b), impl.cross_entropy(a, b)
        no_nan = not bool(torch.isnan(kl) or torch.isnan(ce))
        return (
            no_nan and bool(torch.isposinf(kl)) == outside and bool(torch.isposinf(ce)) == outside
        )

    return ForAll(distribution_pairs(), holds, names=("p", "q"))


kl_infinite_pointwise_density = SECTION.claim(
    "kl-infinite-pointwise-density",
    title="A single point with q = 0 < p does not make the KL of densities infinite",
    statement=r"\exists\, x:\ p(x) > 0,\ q(x) = 0 \implies D_{\mathrm{KL}}(P \| Q) = \infty",
    kind=Kind.ERRATUM,
    corrects="information.kl-infinite-outside-support",
    note=r"The notes define KL for p.d.f.s and p.m.f.s alike. For densities a single point has "
    r"probability 0: $P = U[0, 1]$ and $Q$ with density $q(x) = 2x$ on $[0, 1]$ have "
    r"$p(0) = 1 > 0 = q(0)$, yet $D(P \| Q) = 1 - \log 2$ (in general $a - \log(1 + a)$ for "
    r"$q(x) = (a + 1) x^a$). Densities are defined only up to sets of measure zero, so a "
    r"pointwise condition cannot decide the divergence; the correct condition is "
    r"$P(q = 0) > 0$. For p.m.f.s on a finite alphabet the statement is right.",
    numeric=NotApplicable("the reference functions are discrete; the counterexample is a density"),
)


@kl_infinite_pointwise_density.symbolic_leg(
    scope=r"$P = U[0, 1]$, $q(x) = (a + 1) x^a$; witness $a = 1$"
)
def _() -> Derivation:
    a = sp.Symbol("a", positive=True)
    xs = sp.Symbol("x", positive=True)
    density_q = (a + 1) * xs**a
    mass = sp.integrate(density_q, (xs, 0, 1))
    kl = sp.simplify(sp.integrate(sp.expand_log(-sp.log(density_q), force=True), (xs, 0, 1)))
    return Derivation(
        steps=[
            Step(
                r"$P = U[0, 1]$ ($p = 1$ on $[0, 1]$); $Q$ with density $q(x) = (a + 1) x^a$",
                equation(sp.Integral(density_q, (xs, 0, 1)), mass),
            ),
            Step(r"At $x = 0$: $p(0) = 1 > 0 = q(0)$", equation(density_q.subs(xs, 0), 0)),
            Step(r"Yet $D = \int_0^1 \log(1/q)$ is finite", equation(_D, kl)),
            Step(r"The statement as written: $D = \infty$", sp.Eq(kl, sp.oo, evaluate=False)),
            Step(
                r"Equivalently $e^{-D} = 0$; here $e^{-D}$ is positive",
                equation(sp.exp(-_D), sp.simplify(sp.exp(-kl))),
            ),
        ],
        residuals=[sp.simplify(sp.exp(-kl))],
        compared=[r"$e^{-D}$, 0 if $D = \infty$"],
        witness={a: 1},
        witness_symbols={
            "a": r"the exponent in the density $q(x) = (a + 1)x^a$ of $Q$ on $[0, 1]$, compared "
            r"with $P = U[0, 1]$"
        },
    )


@kl_infinite_pointwise_density.property_leg(
    r"$P = U[0, 1]$ and $Q = \mathrm{Beta}(a + 1, 1)$, whose density $(a + 1) x^a$ vanishes at 0 "
    r"where $p(0) = 1$: the statement predicts $D_{\mathrm{KL}}(P \| Q) = \infty$; "
    r"`torch.distributions.kl_divergence` computes it"
)
def _(impl) -> ForAll:
    def as_written(a) -> bool:
        q_ = D.Beta(torch.tensor(a + 1.0, dtype=_F64), torch.tensor(1.0, dtype=_F64))
        p_ = D.Uniform(torch.tensor(0.0, dtype=_F64), torch.tensor(1.0, dtype=_F64))
        q_at_zero = torch.exp(q_.log_prob(torch.tensor(0.0, dtype=_F64)))
        premise = bool(q_at_zero == 0)
        return not premise or bool(torch.isposinf(D.kl_divergence(p_, q_)))

    return ForAll(st.sampled_from([1.0, 2.0, 0.5, 3.0]), as_written, names=("a",))
