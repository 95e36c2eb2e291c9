r"""§ 13.6 Properties of Entropy (2) — code lengths, and the uniform distribution has the
largest entropy.

Main declarations:

* ``information.entropy-bounds-code-length`` — entropy in bits bounds the expected length of a
  prefix code;
* ``information.entropy-at-most-log-k`` — :math:`H(P) \le \log k` for :math:`k` outcomes, full
  support included (Gibbs' inequality against the uniform);
* ``information.entropy-max-iff-uniform`` — only the uniform distribution reaches
  :math:`\log k`;
* ``information.uniform-maximizes-differential-entropy`` — on an interval :math:`[a, b]` the
  uniform density has the largest differential entropy, :math:`\log(b - a)`; the notation note
  ``information.continuous-distribution-called-variable`` reads the notes' "P is a continuous
  random variable" as a statement about the distribution of :math:`X`.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st
from sympy.simplify.simplify import factor_sum

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    BATCHES,
    DPS,
    EXTREME,
    LIM_I,
    G,
    assert_le,
    close,
    distributions,
    gap,
    i,
    k_out,
    l1,
    le,
    mp_entropy,
    n,
    on,
    p,
    reduce_sums,
    s,
    total,
    vectors,
)

SECTION = Section("information", "13.6 Properties of Entropy")


def huffman_lengths(probabilities: Sequence[float]) -> list[int]:
    """Codeword lengths of a binary Huffman code for the outcomes of positive probability."""
    heap = [(w, index, [index]) for index, w in enumerate(probabilities) if w > 0]
    lengths = [0] * len(probabilities)
    heapq.heapify(heap)
    counter = len(probabilities)
    while len(heap) > 1:
        w1, _, a = heapq.heappop(heap)
        w2, _, b = heapq.heappop(heap)
        for index in a + b:
            lengths[index] += 1
        heapq.heappush(heap, (w1 + w2, counter, a + b))
        counter += 1
    return lengths


_GIBBS = "information.gibbs-inequality"

entropy_bounds_code_length = SECTION.claim(
    "entropy-bounds-code-length",
    title="Entropy in bits bounds the expected length of a prefix code",
    statement=r"\sum_i p_i \ell_i \ge H_2(X) = -\sum_i p_i \log_2 p_i \quad "
    r"\text{for any prefix code with lengths } \ell_i",
    kind=Kind.THEOREM,
    code=("entropy",),
    uses=(_GIBBS,),
    note=r"The notes' 'lower bound of the average number of bits needed to encode symbols drawn "
    r"from P', read as the source-coding bound for prefix (uniquely decodable) codes, with "
    r"$H$ in bits. The bound is tight within one bit: a Huffman code's expected length is below "
    r"$H_2 + 1$.",
)


@entropy_bounds_code_length.symbolic_leg(
    scope=r"general $n$, an alphabet of $n + k$ symbols ($k \ge 0$): "
    r"$L - H_2 = D_{\mathrm{KL}}(p \| 2^{-\ell}/Z)/\ln 2 - \log_2 Z$, Kraft's $Z \le 1$"
)
def _() -> Derivation:
    length = sp.IndexedBase("l", positive=True)
    alphabet = (i, 1, n + k_out)  # the support of p is the first n symbols
    z = sp.Symbol("Z", positive=True)  # Kraft sum, <= 1 for a prefix code
    kraft = sp.Sum(2 ** (-length[i]), alphabet)
    r_i = 2 ** (-length[i]) / z
    average = sp.Sum(p[i] * length[i], LIM_I)
    h_bits = -sp.Sum(p[i] * sp.log(p[i], 2), LIM_I)
    kl_bits = sp.Sum(p[i] * sp.log(p[i] / r_i, 2), LIM_I)
    r_total = factor_sum(sp.Sum(2 ** (-length[i]) / kraft, alphabet))
    nonnegative = sp.log(1 + s, 2)
    return Derivation(
        steps=[
            Step(r"Prefix-code lengths satisfy Kraft's inequality: $Z \le 1$", equation(z, kraft)),
            Step(
                r"$r_i = 2^{-\ell_i}/Z$ is a distribution on the $n + k$ symbols",
                equation(sp.Sum(r_i, alphabet), r_total),
            ),
            Step(
                r"Expected length minus the entropy in bits (sums over the support of $p$)",
                equation(average - h_bits, kl_bits - sp.log(z, 2)),
            ),
            Step(
                r"$\sum_S p \log_2(p/r) = (\mathrm{CE}(p, r) - H(p)) / \ln 2 \ge 0$",
                sp.GreaterThan(kl_bits, 0, evaluate=False),
                cites=(_GIBBS,),
            ),
            Step(
                r"and $-\log_2 Z \ge 0$ because $Z = 1/(1 + s) \le 1$",
                equation(-sp.log(1 / (1 + s), 2), nonnegative),
            ),
        ],
        residuals=[
            r_total - 1,
            sp.simplify(reduce_sums(average - h_bits - (kl_bits - sp.log(z, 2)))),
            sp.simplify(nonnegative).is_nonnegative,
        ],
        compared=[
            r"$\sum_i r_i$ minus 1",
            r"$L - H_2$ minus $\sum_S p \log_2(p/r) - \log_2 Z$",
            r"$\log_2(1 + s) \ge 0$",
        ],
    )


@entropy_bounds_code_length.numeric_leg(
    oracle="Huffman codes built with heapq; the entropy in bits by mpmath (error in eps)"
)
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        bits = impl.entropy(values, base=2)
        assert_accurate(bits.reshape(-1), mp_entropy(values, base=2), msg="bits vs mpmath")
        rows = oracle_input(values).reshape(-1, values.shape[-1]).tolist()
        average = [
            math.fsum(v * k for v, k in zip(row, huffman_lengths(row), strict=True)) for row in rows
        ]
        assert_le(bits.reshape(-1), average, dtype, "H_2(P) <= expected Huffman code length")
        assert_le(average, bits.reshape(-1).double() + 1, dtype, "Huffman length < H_2 + 1")


@entropy_bounds_code_length.property_leg(
    r"lengths $\ell_i = \lceil -\log_2 p_i \rceil$ + extra bits (Kraft sum $\le 1$) have "
    r"expected length $\ge$ `entropy(p, base=2)`; a Huffman code's expected length lies in "
    r"$[H_2, H_2 + 1]$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        values = draw(distributions())
        extra = draw(st.lists(st.integers(0, 3), min_size=values.numel(), max_size=values.numel()))
        return values, extra

    def holds(case) -> bool:
        values, extra = case
        probs = values.tolist()
        lengths = [
            math.ceil(-math.log2(v)) + e if v > 0 else 0 for v, e in zip(probs, extra, strict=True)
        ]
        kraft = math.fsum(2.0**-k for v, k in zip(probs, lengths, strict=True) if v > 0)
        h_bits = impl.entropy(values, base=2)
        average = math.fsum(v * k for v, k in zip(probs, lengths, strict=True))
        huffman = math.fsum(v * k for v, k in zip(probs, huffman_lengths(probs), strict=True))
        return (
            kraft <= 1 and le(h_bits, average) and le(h_bits, huffman) and le(huffman, h_bits + 1)
        )

    return ForAll(cases(), holds, names=("p", "extra bits"))


entropy_at_most_log_k = SECTION.claim(
    "entropy-at-most-log-k",
    title="Entropy is at most log k",
    statement=r"H(X) \le \log k \quad \text{for } P = (p_1, \dots, p_k)",
    kind=Kind.THEOREM,
    code=("entropy",),
    uses=(_GIBBS,),
)

_SIZE = n + k_out  # k outcomes in all; p is supported on the first n of them (k_out >= 0)
_H = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
_CE_UNIFORM = -sp.Sum(p[i] * sp.log(1 / _SIZE), LIM_I)


@entropy_at_most_log_k.symbolic_leg(
    scope=r"general: $k = n + k'$ outcomes, $p$ supported on $n$ of them, $k' \ge 0$ ($k' = 0$: "
    r"full support, the uniform $p$ included)"
)
def _() -> Derivation:
    uniform_total = sp.Sum(1 / _SIZE, (i, 1, _SIZE)).doit()
    ce = reduce_sums(_CE_UNIFORM, {}, {LIM_I: (p[i],)})
    h_uniform = -sp.Sum(sp.log(1 / _SIZE) / _SIZE, (i, 1, _SIZE)).doit()
    return Derivation(
        steps=[
            Step(
                r"The uniform $u_i = 1/k$ on all $k = n + k'$ outcomes is a distribution "
                r"($k' \ge 0$ outcomes lie outside the support of $p$; none for full support)",
                equation(sp.Sum(1 / _SIZE, (i, 1, _SIZE)), uniform_total),
            ),
            Step(
                r"Its cross-entropy from $p$ is $\log k$, whatever the support of $p$",
                equation(sp.Symbol(r"\mathrm{CE}(P, U)"), ce),
            ),
            Step(
                r"Gibbs' inequality with $Q = U$: $H(P) \le \mathrm{CE}(P, U) = \log k$",
                sp.LessThan(sp.Symbol("H(P)"), sp.log(_SIZE), evaluate=False),
                cites=(_GIBBS,),
            ),
            Step(
                r"Full support ($k' = 0$): the bound is reached by the uniform $p = u$ itself",
                equation(sp.Symbol("H(U)"), h_uniform.subs(k_out, 0)),
            ),
        ],
        residuals=[
            uniform_total - 1,
            ce - sp.log(_SIZE),
            sp.expand_log(h_uniform - sp.log(_SIZE), force=True),
        ],
        compared=[
            r"$\sum_{i=1}^k 1/k$ minus 1",
            r"$\mathrm{CE}(P, U)$ minus $\log k$",
            r"$H(U)$ minus $\log k$",
        ],
    )


@entropy_at_most_log_k.numeric_leg(oracle="log k (math); the bound for the rounded input")
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        k, s_ = values.shape[-1], total(values)  # see total(): the bound for the rounded input
        assert_le(impl.entropy(values), s_ * np.log(k / s_), dtype, "H <= log k")
        assert_le(impl.entropy(values, base=2), s_ * np.log2(k / s_), dtype, "H <= log2 k")


@entropy_at_most_log_k.property_leg(
    r"`entropy(p)` $\le \log k$ and `entropy(p, base=2)` $\le \log_2 k$ for batches of "
    r"distributions"
)
def _(impl) -> ForAll:
    def holds(values) -> bool:
        k = values.shape[-1]
        return le(impl.entropy(values), math.log(k)) and le(
            impl.entropy(values, base=2), math.log2(k)
        )

    return ForAll(distributions(batch_shape=BATCHES), holds, names=("p",))


entropy_max_iff_uniform = SECTION.claim(
    "entropy-max-iff-uniform",
    title="Only the uniform distribution reaches log k",
    statement=r"H(X) = \log k \iff p_i = \tfrac1k\ \forall i",
    kind=Kind.THEOREM,
    code=("entropy",),
    uses=("information.gibbs-equality-iff-equal", "information.entropy-at-most-log-k"),
    note=r"The property adds a quantitative 'only if': "
    r"$\log k - H(p) = D_{\mathrm{KL}}(p \| u) \ge \tfrac12 \|p - u\|_1^2$ (Pinsker).",
)


@entropy_max_iff_uniform.symbolic_leg(scope=r"general $k$, both directions")
def _() -> Derivation:
    return Derivation(
        steps=[
            Step(
                r"$\log k - H(P) = \mathrm{CE}(P, U) - H(P)$ for the uniform $U$ on the $k$ "
                r"outcomes",
                equation(sp.log(_SIZE) - _H, _CE_UNIFORM - _H),
                cites=("information.entropy-at-most-log-k",),
            ),
            Step(
                r"which is 0 exactly when $P = U$ (equality in Gibbs' inequality): "
                r"$H(P) = \log k \iff p_i = 1/k$ for every $i$ (so $p$ has full support)",
                sp.Symbol("P = U"),
                cites=("information.gibbs-equality-iff-equal",),
            ),
        ],
        residuals=[reduce_sums(sp.log(_SIZE) - _H - (_CE_UNIFORM - _H), {}, {LIM_I: (p[i],)})],
        compared=[r"$\log k - H(P)$ minus $\mathrm{CE}(P, U) - H(P)$"],
    )


@entropy_max_iff_uniform.numeric_leg(
    oracle="mpmath entropy of the rounded uniform (error in eps); log k (math, float64); "
    "Pinsker's bound (NumPy)"
)
def _(impl, device, dtype) -> None:
    for k in (1, 2, 7, 10, 1000):
        uniform = on(torch.full((k,), 1 / k, dtype=torch.float64), dtype, device)
        assert_accurate(impl.entropy(uniform), mp_entropy(uniform)[0], msg=f"H(u_{k})")
        if dtype == torch.float64:
            assert_close(impl.entropy(uniform), math.log(k), msg=f"H(u_{k}) = log {k}")
    values = on(EXTREME, dtype, device)
    s_ = total(values)  # see total(): the bound for the rounded input
    pinsker = s_ * np.abs(oracle_input(values) / s_[:, None] - 0.25).sum(-1) ** 2 / 2
    bound = s_ * np.log(4 / s_) - pinsker
    assert_le(impl.entropy(values), bound, dtype, "H <= log k - |p - u|^2 / 2")


@entropy_max_iff_uniform.property_leg(
    r"`entropy` of the uniform on $k$ outcomes equals mpmath's $\log k$ to 16 eps, and "
    r"$\log k -$ `entropy(p)` $\ge \tfrac12 \|p - u\|_1^2$",
    latex=r"\log k - H(P) \ge \tfrac12 \|p - u\|_1^2",
)
def _(impl) -> ForAll:
    def holds(values) -> bool:
        k = values.shape[-1]
        uniform = torch.full_like(values, 1 / k)
        exact = is_accurate(impl.entropy(uniform), mp_entropy(uniform)[0])
        return exact and le(l1(values, uniform) ** 2 / 2, math.log(k) - impl.entropy(values))

    return ForAll(distributions(), holds, names=("p",))


uniform_maximizes_differential_entropy = SECTION.claim(
    "uniform-maximizes-differential-entropy",
    title="On an interval, the uniform distribution has the largest differential entropy",
    statement=r"\operatorname{supp} P \subseteq [a, b] \implies "
    r"h(P) \le \log(b - a) = h(U[a, b]),"
    r"\ \text{with equality iff } P = U[a, b]",
    kind=Kind.THEOREM,
    code=("uniform_differential_entropy", "entropy"),
    uses=("information.log-le-x-minus-one", "information.differential-entropy-definition"),
    note=r"The notes add 'with all values between 0 and 1'. The restriction is not needed: on "
    r"any finite interval $[a, b]$ the maximum is $\log(b - a)$, reached only by the uniform "
    r"(for $[0, 1]$ the maximum is 0). A histogram density with $N$ equal bins of masses "
    r"$m_k$ has $h = H(m) + \log((b - a)/N)$ exactly, so the legs check the bound on "
    r"histograms through the discrete entropy, and on Beta densities by quadrature.",
)


@uniform_maximizes_differential_entropy.symbolic_leg(
    scope=r"a general density $f$ on $[a, a + w]$: $h(f) \le \log w$, with equality at $f = u$; "
    r"that equality forces $f = u$ almost everywhere is not derived (it needs measure theory)"
)
def _() -> Derivation:
    a = sp.Symbol("a", real=True)
    w = sp.Symbol("w", positive=True)  # interval [a, a + w]
    xs = sp.Symbol("x", real=True)
    f = sp.Function("f", positive=True)(xs)
    u = 1 / w
    kl_integrand = f * sp.log(f / u)
    h_integrand = -f * sp.log(f)
    pointwise = sp.expand_log(kl_integrand - (sp.log(w) * f - h_integrand), force=True)
    lemma = sp.expand_log(kl_integrand - (f * gap(u / f) + f - u), force=True)
    uniform_mass = sp.integrate(u, (xs, a, a + w))
    at_uniform = sp.simplify(sp.integrate(-u * sp.log(u), (xs, a, a + w)))
    return Derivation(
        steps=[
            Step(
                r"A density $f$ on $[a, a + w]$; the uniform density is $u = 1/w$, with "
                r"$h(u) = \log w$",
                equation(sp.Symbol("h(u)"), at_uniform),
                cites=("information.differential-entropy-definition",),
            ),
            Step(
                r"Pointwise $f \log(f/u) = f \log w + f \log f$; integrate with $\int f = 1$",
                equation(
                    sp.Integral(kl_integrand, (xs, a, a + w)),
                    sp.log(w) - sp.Integral(h_integrand, (xs, a, a + w)),
                ),
            ),
            Step(
                r"So $\log w - h(f) = \int f \log(f/u)$, and pointwise "
                r"$f \log(f/u) = f\,g(u/f) + f - u \ge f - u$",
                equation(kl_integrand, f * G(u / f) + f - u),
                cites=("information.log-le-x-minus-one",),
            ),
            Step(
                r"Integrating: $\log w - h(f) \ge \int f - \int u = 1 - 1 = 0$, with equality "
                r"for $f = u$",
                equation(sp.Integral(u, (xs, a, a + w)), uniform_mass),
            ),
        ],
        residuals=[at_uniform - sp.log(w), pointwise, lemma, uniform_mass - 1],
        compared=[
            r"$h(u)$ minus $\log w$",
            r"$f \log(f/u)$ minus $f \log w - (-f \log f)$",
            r"$f \log(f/u)$ minus $f\,g(u/f) + f - u$",
            r"$\int u$ minus 1",
        ],
    )


@functools.cache
def _beta_integral(alpha: float, beta: float) -> float:
    r""":math:`h(\mathrm{Beta}(\alpha, \beta)) = -\int_0^1 f \log f` by quadrature (20 digits)."""
    with mpmath.workdps(20):

        def integrand(v):
            f = v ** (alpha - 1) * (1 - v) ** (beta - 1) / mpmath.beta(alpha, beta)
            return -f * mpmath.log(f) if f > 0 else mpmath.mpf(0)

        return float(mpmath.quad(integrand, [0, 0.5, 1]))


@uniform_maximizes_differential_entropy.numeric_leg(
    oracle="h(a + (b - a) B) for B ~ Beta(alpha, beta) by mpmath.quad; histogram densities "
    "through entropy of their bin masses"
)
def _(impl, device, dtype) -> None:
    masses = [on(simplex(4, 6, seed=61, zeros=0.3), dtype, device), on(EXTREME, dtype, device)]
    for a, b in ((0.0, 1.0), (-1.0, 2.0), (0.25, 0.5)):
        bound = impl.uniform_differential_entropy(
            on(torch.tensor(a), dtype, device), on(torch.tensor(b), dtype, device)
        )
        lo, hi = oracle_input(on(torch.tensor([a, b]), dtype, device)).tolist()
        for alpha, beta in ((2.0, 2.0), (0.5, 0.5), (1.0, 3.0), (1.0, 1.0)):
            # h(a + w B) = h(B) + log w, exactly
            with mpmath.workdps(DPS):
                h = float(_beta_integral(alpha, beta) + mpmath.log(mpmath.mpf(hi) - mpmath.mpf(lo)))
            assert_le(h, bound, dtype, f"h(Beta({alpha}, {beta}) on [{a}, {b}]) <= log(b - a)")
            if (alpha, beta) == (1.0, 1.0):
                assert_accurate(bound, h, msg="the uniform attains the bound")
        for m in masses:
            # N bins of width w/N: h = H(m) + s log(w/N) <= s log(w/s) for masses summing to s
            # (1 up to rounding; see total()), i.e. H(m) <= s (log w - log(w/N) - log s),
            # compared at the magnitude of H(m) with log w from the code under test
            s_, width = total(m), hi - lo
            log_w = bound.double().cpu().numpy()
            right = s_ * (log_w - np.log(width / m.shape[-1]) - np.log(s_))
            assert_le(impl.entropy(m, validate=False), right, dtype, "histogram density")


@uniform_maximizes_differential_entropy.property_leg(
    r"a histogram density on $[a, a + w]$ with $N$ bins of masses $m$ has "
    r"$h =$ `entropy(m)` $+ \log(w/N) \le$ `uniform_differential_entropy(a, a + w)`, with "
    r"equality for equal masses"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        return draw(distributions()), draw(st.floats(-5.0, 5.0)), draw(st.floats(0.01, 10.0))

    def holds(case) -> bool:
        m, low, width = case
        bins = m.shape[-1]
        low_t = torch.tensor(low, dtype=torch.float64)
        bound = impl.uniform_differential_entropy(low_t, low_t + width)
        h = impl.entropy(m) + math.log(width / bins)
        flat = impl.entropy(torch.full_like(m, 1 / bins)) + math.log(width / bins)
        return le(h, bound) and close(flat, bound)

    return ForAll(cases(), holds, names=("m", "a", "w"))


continuous_distribution_called_variable = SECTION.claim(
    "continuous-distribution-called-variable",
    title="The notes call the distribution P a random variable",
    statement=r"\text{``If } P \text{ is a continuous random variable, \dots''}",
    kind=Kind.NOTATION,
    corrects="information.uniform-maximizes-differential-entropy",
    note=r"Throughout the section $X$ is the random variable and $P$ its distribution. Read "
    r"'if $X$ is a continuous random variable (its distribution $P$ has a density)': the "
    r"statement that follows is information.uniform-maximizes-differential-entropy.",
)
