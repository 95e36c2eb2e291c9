r"""§ 13.6 Cross-Entropy and its Properties — :math:`\mathrm{CE} = H + D_{\mathrm{KL}}`, and
three objectives with one minimizer.

Main declarations:

* ``information.cross-entropy-definition`` — :math:`\mathrm{CE}(P, Q) =
  -\mathbb{E}_{x \sim P}[\log q(x)]`;
* ``information.cross-entropy-decomposition`` — :math:`\mathrm{CE}(P, Q) = H(P) +
  D_{\mathrm{KL}}(P \| Q)`, each side checked against an exact oracle of the other;
* ``information.cross-entropy-minimizers-coincide`` — maximizing :math:`\mathbb{E}_P[\log q]`,
  minimizing CE and minimizing KL share the minimizer :math:`Q = P`; the notation note
  ``information.cross-entropy-predictive-probability`` reads the notes' "predictive
  probability" as the expected log-probability it is defined to be.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import scipy.special
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    DPS,
    LIM_I,
    POSITIVE,
    POSITIVE_Q,
    SIZES,
    TOL,
    check_gradients,
    close,
    distribution_pairs,
    distributions,
    i,
    le,
    log_base,
    mp_cross_entropy,
    mp_entropy,
    mp_kl,
    n,
    on,
    p,
    pairs,
    q,
    reduce_sums,
    scalar,
    stats_expectation,
    t,
)

SECTION = Section("information", "13.6 Cross-Entropy")

_F64 = torch.float64
_KL = sp.Sum(p[i] * sp.log(p[i] / q[i]), LIM_I)
_CE = -sp.Sum(p[i] * sp.log(q[i]), LIM_I)
_H = -sp.Sum(p[i] * sp.log(p[i]), LIM_I)
_GIBBS = "information.gibbs-inequality"
_DECOMPOSITION = "information.cross-entropy-decomposition"

cross_entropy_definition = SECTION.claim(
    "cross-entropy-definition",
    title="Cross-entropy of two distributions",
    statement=r"\mathrm{CE}(P, Q) = -\mathbb{E}_{x \sim P}[\log q(x)] = -\sum_x p(x) \log q(x)",
    kind=Kind.DEFINITION,
    code=("cross_entropy",),
    note=r"Outcomes with $p(x) = 0$ contribute 0; $q(x) = 0 < p(x)$ makes it $+\infty$. The "
    r"notes say cross-entropy 'measures the divergence' between $Q$ and $P$; it is not a "
    r"divergence itself ($\mathrm{CE}(P, P) = H(P)$, not 0): its excess over $H(P)$ is the KL "
    r"divergence (information.cross-entropy-decomposition).",
)


@cross_entropy_definition.symbolic_leg(
    scope=r"sympy.stats expectations for $k = 2, 3, 4$ outcomes (symbolic pmfs)", general=False
)
def _() -> Derivation:
    steps, residuals = [], []
    for k in (2, 3, 4):
        expectation, ps, qs = stats_expectation(k, lambda pp, qq: -sp.log(qq))
        explicit = -sum(a * sp.log(b) for a, b in zip(ps, qs, strict=True))
        steps.append(
            Step(
                rf"$k = {k}$: the mean of $-\log q(X)$ under $P$ by sympy.stats",
                equation(sp.Symbol("CE(P, Q)"), expectation),
            )
        )
        residuals.append(sp.expand(sp.expand_log(expectation - explicit, force=True)))
    compared = [rf"the mean minus $-\sum_i p_i \log q_i$, $k = {k}$" for k in (2, 3, 4)]
    return Derivation(steps=steps, residuals=residuals, compared=compared)


def _xlogy_sum(a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    return -scipy.special.xlogy(oracle_input(a), oracle_input(b)).sum(-1)


@cross_entropy_definition.numeric_leg(
    oracle="mpmath at 40 digits (error in eps); -sum scipy.special.xlogy(p, q) (bits too); "
    "gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    for a, b in pairs(dtype, device):
        got = impl.cross_entropy(a, b)
        assert got.dtype == dtype and got.device == a.device
        # every term -p log q is >= 0 (q <= 1): the sum is relatively accurate
        assert_accurate(got.reshape(-1), mp_cross_entropy(a, b), msg="vs mpmath")
        assert_close(got, _xlogy_sum(a, b), msg="vs -sum scipy.special.xlogy(p, q)")
        bits = impl.cross_entropy(a, b, base=2)
        assert_close(bits, _xlogy_sum(a, b) / math.log(2), msg="bits")
    if dtype == torch.float64:
        check_gradients(lambda u, v: impl.cross_entropy(u, v, validate=False), POSITIVE, POSITIVE_Q)
        # at exact zeros of p (where gradcheck cannot step below 0): the partial derivatives
        # -log q_i and -p_i / q_i, the latter 0 where p_i = 0, also where q_i = 0 too
        p0 = torch.tensor([[0.0, 0.25, 0.75], [0.5, 0.0, 0.5]], dtype=dtype, device=device)
        q0 = torch.tensor([[0.2, 0.3, 0.5], [0.4, 0.0, 0.6]], dtype=dtype, device=device)
        leaves = (p0.clone().requires_grad_(), q0.clone().requires_grad_())
        by_p, by_q = torch.autograd.grad(impl.cross_entropy(*leaves).sum(), leaves)
        p_np, q_np = oracle_input(p0), oracle_input(q0)
        with np.errstate(divide="ignore"):  # -log 0 = +inf is the derivative there
            assert_close(by_p, -np.log(q_np), msg="d CE / d p at p_i = 0")
        ratio = np.divide(p_np, q_np, out=np.zeros_like(p_np), where=p_np > 0)
        assert_close(by_q, -ratio, msg="d CE / d q at p_i = 0")


@cross_entropy_definition.property_leg(
    r"`cross_entropy(p, q, base=b)` equals `-scipy.special.xlogy(p, q).sum()` $/ \log b$, and "
    r"in nats mpmath's value to 16 eps"
)
def _(impl) -> ForAll:
    bases = st.one_of(st.none(), st.sampled_from([2, 10]), st.floats(1.05, 100.0))

    def holds(case) -> bool:
        (a, b), base = case
        want = -scipy.special.xlogy(a.numpy(), b.numpy()).sum() / log_base(base)
        in_base = impl.cross_entropy(a, b, base=base)
        (exact,) = mp_cross_entropy(a, b)
        return close(in_base, scalar(want)) and is_accurate(impl.cross_entropy(a, b), exact)

    return ForAll(st.tuples(distribution_pairs(), bases), holds, names=("(p, q)", "b"))


cross_entropy_decomposition = SECTION.claim(
    "cross-entropy-decomposition",
    title="Cross-entropy is entropy plus KL divergence",
    statement=r"\mathrm{CE}(P, Q) = H(P) + D_{\mathrm{KL}}(P \| Q)",
    kind=Kind.IDENTITY,
    code=("cross_entropy", "entropy", "kl_divergence"),
    note=r"Both sides are $+\infty$ when $q = 0 < p$ somewhere. For densities the same identity "
    r"holds with differential entropy, whenever $h(P)$ is finite. The reference computes the "
    r"two sides with different helpers; each is still compared with mpmath's value of the "
    r"other.",
)


@cross_entropy_decomposition.symbolic_leg(scope=r"general $n$")
def _() -> Derivation:
    return Derivation(
        steps=[
            Step("Cross-entropy", equation(sp.Symbol("CE(P, Q)"), _CE)),
            Step(r"$\log q = \log p - \log(p/q)$ on the support of $p$", equation(_CE, _H + _KL)),
        ],
        residuals=[reduce_sums(_CE - (_H + _KL), {}, {})],
        compared=[r"$\mathrm{CE}$ minus $H + D_{\mathrm{KL}}$"],
    )


def _mp_sides(a: torch.Tensor, b: torch.Tensor):
    """Exact CE and H + KL of each pair of rows, and the scale the sum H + KL is accurate to."""
    ce = mp_cross_entropy(a, b)
    h = mp_entropy(a)
    kl, kl_scale = mp_kl(a, b)
    with mpmath.workdps(DPS):
        both = [float(mpmath.mpf(u) + mpmath.mpf(v)) for u, v in zip(h, kl, strict=True)]
    scale = [u + v for u, v in zip(h, kl_scale, strict=True)]
    return ce, both, scale


@cross_entropy_decomposition.numeric_leg(
    oracle="H + KL and CE by mpmath (error in eps; H + KL relative to H + sum |KL terms|)"
)
def _(impl, device, dtype) -> None:
    for a, b in pairs(dtype, device):
        ce, both, scale = _mp_sides(a, b)
        got = impl.cross_entropy(a, b).reshape(-1)
        assert_accurate(got, both, scale=scale, msg="CE vs mpmath's H + KL")
        mine = impl.entropy(a).double() + impl.kl_divergence(a, b).double()
        assert_accurate(mine.reshape(-1), ce, dtype=dtype, scale=scale, msg="H + KL vs CE")


@cross_entropy_decomposition.property_leg(
    r"`cross_entropy(p, q)` equals mpmath's $H(p) + D_{\mathrm{KL}}(p \| q)$, and "
    r"`entropy(p) + kl_divergence(p, q)` equals mpmath's $\mathrm{CE}(p, q)$, including "
    r"$+\infty$ cases"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        a, b = case
        (ce,), (both,), (scale,) = _mp_sides(a, b)
        mine = impl.entropy(a) + impl.kl_divergence(a, b)
        return is_accurate(impl.cross_entropy(a, b), both, scale=scale) and is_accurate(
            mine, ce, scale=scale
        )

    return ForAll(distribution_pairs(), holds, names=("p", "q"))


cross_entropy_minimizers_coincide = SECTION.claim(
    "cross-entropy-minimizers-coincide",
    title="Maximizing E_P[log q], minimizing CE and minimizing KL are the same problem",
    statement=r"\arg\max_Q \mathbb{E}_{x \sim P}[\log q(x)] = \arg\min_Q \mathrm{CE}(P, Q) = "
    r"\arg\min_Q D_{\mathrm{KL}}(P \| Q) = P",
    source="13.6 Properties of Cross-Entropy",
    kind=Kind.THEOREM,
    code=("cross_entropy", "kl_divergence"),
    uses=(_GIBBS, "information.gibbs-equality-iff-equal", _DECOMPOSITION),
    note=r"The three objectives differ by a sign and the constant $H(P)$, so over any family of "
    r"candidates $Q$ they rank candidates identically; over all distributions the optimum is "
    r"$Q = P$. The notes call $\mathbb{E}_P[\log q]$ the 'predictive probability' "
    r"(information.cross-entropy-predictive-probability).",
)


@cross_entropy_minimizers_coincide.symbolic_leg(scope=r"general $n$: every distribution $Q$")
def _() -> Derivation:
    constant = resolve_in_range(sp.diff(_CE - _KL, q[t]).doit(), t, 1, n)
    return Derivation(
        steps=[
            Step(
                r"$-\mathbb{E}_P[\log q] = \mathrm{CE}(P, Q) = H(P) + D_{\mathrm{KL}}(P \| Q)$: "
                r"the three objectives differ by a sign and the constant $H(P)$",
                equation(_CE, _H + _KL),
                cites=(_DECOMPOSITION,),
            ),
            Step(
                r"so $\mathrm{CE} - D_{\mathrm{KL}}$ does not depend on $q$, and they rank every "
                r"pair of candidates alike",
                equation(sp.Derivative(sp.Symbol(r"\mathrm{CE} - D_{KL}"), q[t]), constant),
            ),
            Step(
                r"$\mathrm{CE}(P, Q) \ge H(P) = \mathrm{CE}(P, P)$ for every $Q$",
                sp.GreaterThan(sp.Symbol("CE(P, Q)"), sp.Symbol("CE(P, P)"), evaluate=False),
                cites=(_GIBBS,),
            ),
            Step(
                r"with equality only at $Q = P$: the unique minimizer of all three",
                sp.Symbol("Q = P"),
                cites=("information.gibbs-equality-iff-equal",),
            ),
        ],
        residuals=[reduce_sums(_CE - (_H + _KL), {}, {}), constant],
        compared=[
            r"$\mathrm{CE}$ minus $H + D_{\mathrm{KL}}$",
            r"$\partial(\mathrm{CE} - D_{\mathrm{KL}})/\partial q_t$",
        ],
    )


def _grid(steps: int) -> torch.Tensor:
    """Every point of the 3-outcome simplex with coordinates in multiples of 1/steps."""
    points = [
        (a, b, steps - a - b)
        for a, b in itertools.product(range(steps + 1), repeat=2)
        if a + b <= steps
    ]
    return torch.tensor(points, dtype=_F64) / steps


@cross_entropy_minimizers_coincide.numeric_leg(
    oracle="-E_P[log q] by scipy.special.xlogy; argmin over a simplex grid containing p (1/40 "
    "steps; 1/10 in float16 and bfloat16, which cannot resolve neighbours 1/40 apart)"
)
def _(impl, device, dtype) -> None:
    # the minimizer over a grid of candidates q (which contains p) is q = p for all three
    # objectives. In float16/bfloat16 neighbouring grid points of a fine grid differ by less
    # than the dtype resolves, so those dtypes use a coarser grid (ill-conditioned otherwise)
    candidates = _grid(40 if dtype in (torch.float64, torch.float32) else 10)
    for target in ((0.2, 0.3, 0.5), (0.1, 0.0, 0.9)):
        p_ = torch.tensor(target, dtype=_F64)
        index = int((candidates - p_).abs().sum(-1).argmin())
        q_ = on(candidates, dtype, device)
        p_rows = on(p_.expand_as(candidates).contiguous(), dtype, device)
        ce, kl = impl.cross_entropy(p_rows, q_), impl.kl_divergence(p_rows, q_)
        loglik = scipy.special.xlogy(oracle_input(p_rows), oracle_input(q_)).sum(-1)
        assert_close(ce, -loglik, msg="CE vs -E_P[log q] (scipy)")
        winners = {int(ce.double().argmin()), int(kl.double().argmin()), int(np.argmax(loglik))}
        assert winners == {index}, f"minimizers {winners}, expected q = p (index {index})"


@cross_entropy_minimizers_coincide.property_leg(
    r"for $p$ and two candidates $q_1, q_2$: `cross_entropy`, `kl_divergence` and "
    r"$-\mathbb{E}_P[\log q]$ (scipy) rank $q_1, q_2$ the same way (near-ties excluded), and "
    r"$q = p$ is at least as good"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        k = draw(SIZES)
        return draw(distributions(k)), draw(distributions(k)), draw(distributions(k))

    def expected_log(a, b) -> float:
        return float(scipy.special.xlogy(a.numpy(), b.numpy()).sum())

    def direction(f1, f2, threshold):
        """+1 / -1 when f1 > f2 / f1 < f2 by more than ``threshold``; None for a near-tie."""
        if math.isinf(f1) or math.isinf(f2):
            return None if f1 == f2 else (1 if f1 > f2 else -1)
        return None if abs(f1 - f2) <= threshold else (1 if f1 > f2 else -1)

    def holds(case) -> bool:
        a, q1, q2 = case
        ce = [float(impl.cross_entropy(a, b)) for b in (q1, q2)]
        kl = [float(impl.kl_divergence(a, b)) for b in (q1, q2)]
        loglik = [-expected_log(a, b) for b in (q1, q2)]
        # the three differences are equal in exact arithmetic; a near-tie (within twice the
        # float64 tolerance of the cross-entropies) is excluded as ill-conditioned
        scale = max((abs(v) for v in ce if math.isfinite(v)), default=0.0)
        threshold = 2 * (TOL.atol + TOL.rtol * scale)
        ranking = direction(ce[0], ce[1], threshold)
        same_ranking = ranking is None or all(
            direction(f1, f2, threshold / 2) == ranking for f1, f2 in (kl, loglik)
        )
        best = le(impl.cross_entropy(a, a), min(ce)) and le(impl.kl_divergence(a, a), min(kl))
        return same_ranking and best and le(-expected_log(a, a), min(loglik))

    return ForAll(cases(), holds, names=("p", "q1", "q2"))


cross_entropy_predictive_probability = SECTION.claim(
    "cross-entropy-predictive-probability",
    title="The notes call the expected log-probability a 'predictive probability'",
    statement=r"\text{``Maximizing the predictive probability of } Q \text{ for distribution } P"
    r"\text{ (i.e., } \mathbb{E}_{x\sim P}[\log(q(x))]\text{)''}",
    source="13.6 Properties of Cross-Entropy",
    kind=Kind.NOTATION,
    corrects="information.cross-entropy-minimizers-coincide",
    note=r"$\mathbb{E}_P[\log q]$ is the expected log-probability (log-likelihood) of $Q$ under "
    r"$P$, not a probability. The name matters: the expected probability "
    r"$\mathbb{E}_P[q] = \sum_x p(x) q(x)$ is maximized by putting all of $Q$'s mass on the "
    r"most likely outcome, not by $Q = P$. Read the name as the formula in parentheses: the "
    r"statement is then information.cross-entropy-minimizers-coincide.",
)
