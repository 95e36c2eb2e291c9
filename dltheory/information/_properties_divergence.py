"""Property legs of the KL-divergence and cross-entropy claims (re-exported by
:mod:`.properties`)."""

from __future__ import annotations

import math

import scipy.special
import scipy.stats
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import Exists, ForAll
from dltheory.information import reference as ref
from dltheory.information._property_support import (
    SIZES,
    TOL,
    close,
    distributions,
    l1,
    le,
    pairs,
)

_F64 = torch.float64
_bases = st.one_of(st.none(), st.sampled_from([2, 10]), st.floats(1.05, 100.0))


def kl_definition():
    def holds(case):
        (p, q), base = case
        want = scipy.stats.entropy(p.numpy(), q.numpy(), base=base)
        return close(ref.kl_divergence(p, q, base=base), torch.tensor(want, dtype=_F64))

    return ForAll(st.tuples(pairs(), _bases), holds)


def kl_gaussian_closed_form():
    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 4))
        locs = st.lists(st.floats(-10.0, 10.0), min_size=size, max_size=size)
        scales = st.lists(st.floats(0.05, 20.0), min_size=size, max_size=size)
        return [torch.tensor(draw(s), dtype=_F64) for s in (locs, scales, locs, scales)]

    def holds(case):
        mu_p, s_p, mu_q, s_q = case
        p, q = D.Normal(mu_p, s_p), D.Normal(mu_q, s_q)
        univariate = close(ref.gaussian_kl_divergence(mu_p, s_p, mu_q, s_q), D.kl_divergence(p, q))
        diagonal = ref.gaussian_kl_divergence(mu_p, s_p, mu_q, s_q, dim=-1)
        want = D.kl_divergence(D.Independent(p, 1), D.Independent(q, 1))
        return univariate and close(diagonal, want)

    return ForAll(cases(), holds)


def kl_asymmetric():
    # a witness among Bernoulli pairs P = (a, 1 - a), Q = (b, 1 - b), both divergences finite
    def differs(case):
        a, b = case
        p = torch.tensor([a, 1 - a], dtype=_F64)
        q = torch.tensor([b, 1 - b], dtype=_F64)
        forward, backward = ref.kl_divergence(p, q), ref.kl_divergence(q, p)
        oracle = scipy.stats.entropy(p.numpy(), q.numpy()) - scipy.stats.entropy(
            q.numpy(), p.numpy()
        )
        return abs(float(forward - backward)) > 1e-3 and abs(oracle) > 1e-3

    probability = st.sampled_from([0.5, 0.25, 0.75, 0.1, 0.9])
    return Exists(st.tuples(probability, probability), differs)


def kl_nonnegative():
    # >= 0 up to rounding, and the notes' chain of inequalities with its missing step:
    # E_P[q/p] = (mass of q on the support of p) <= 1, and KL >= -log E_P[q/p] (Jensen)
    def holds(case):
        p, q = case
        kl = ref.kl_divergence(p, q)
        mean_ratio = math.fsum(b for a, b in zip(p.tolist(), q.tolist(), strict=True) if a > 0)
        jensen = math.inf if mean_ratio == 0 else -math.log(mean_ratio)
        return bool(kl >= -TOL.atol) and le(mean_ratio, 1.0) and le(jensen, kl)

    return ForAll(pairs(), holds)


def kl_zero_iff_equal():
    # "if": KL(P || P) = 0 exactly; "only if", quantitatively: KL >= |p - q|_1^2 / 2 (Pinsker)
    def holds(case):
        p, q = case
        return bool(ref.kl_divergence(p, p) == 0) and le(l1(p, q) ** 2 / 2, ref.kl_divergence(p, q))

    return ForAll(pairs(), holds)


def kl_infinite_outside_support():
    # D = +inf exactly when some outcome has p > 0 = q (for both KL and CE); never NaN
    def holds(case):
        p, q = case
        outside = bool(((p > 0) & (q == 0)).any())
        kl, ce = ref.kl_divergence(p, q), ref.cross_entropy(p, q)
        no_nan = not bool(torch.isnan(kl) or torch.isnan(ce))
        return (
            no_nan and bool(torch.isposinf(kl)) == outside and bool(torch.isposinf(ce)) == outside
        )

    return ForAll(pairs(), holds)


def kl_infinite_pointwise_density():
    # P = U[0, 1] (p(0) = 1 > 0) and Q = Beta(a + 1, 1), density (a + 1) x^a, so q(0) = 0:
    # as written, the statement predicts KL(P || Q) = oo
    def as_written(a):
        q = D.Beta(torch.tensor(a + 1.0, dtype=_F64), torch.tensor(1.0, dtype=_F64))
        p = D.Uniform(torch.tensor(0.0, dtype=_F64), torch.tensor(1.0, dtype=_F64))
        q_at_zero = torch.exp(q.log_prob(torch.tensor(0.0, dtype=_F64)))
        premise = bool(q_at_zero == 0)
        return not premise or bool(torch.isposinf(D.kl_divergence(p, q)))

    return ForAll(st.sampled_from([1.0, 2.0, 0.5, 3.0]), as_written)


def cross_entropy_definition():
    def holds(case):
        (p, q), base = case
        nats = -scipy.special.xlogy(p.numpy(), q.numpy()).sum()
        want = nats if base is None else nats / math.log(base)
        return close(ref.cross_entropy(p, q, base=base), torch.tensor(want, dtype=_F64))

    return ForAll(st.tuples(pairs(), _bases), holds)


def cross_entropy_decomposition():
    def holds(case):
        p, q = case
        return close(ref.cross_entropy(p, q), ref.entropy(p) + ref.kl_divergence(p, q))

    return ForAll(pairs(), holds)


def cross_entropy_minimizers_coincide():
    # for every p and any two candidates q1, q2: the three objectives rank q1 and q2 the same
    # way, and q = p is at least as good as either (near-ties within tolerance count as ties)
    @st.composite
    def cases(draw):
        k = draw(SIZES)
        return draw(distributions(k)), draw(distributions(k)), draw(distributions(k))

    def expected_log(p, q):
        return float(scipy.special.xlogy(p.numpy(), q.numpy()).sum())

    def direction(f1, f2, threshold):
        """+1 / -1 when f1 > f2 / f1 < f2 by more than ``threshold``; None for a near-tie."""
        if math.isinf(f1) or math.isinf(f2):
            return None if f1 == f2 else (1 if f1 > f2 else -1)
        return None if abs(f1 - f2) <= threshold else (1 if f1 > f2 else -1)

    def holds(case):
        p, q1, q2 = case
        ce = [float(ref.cross_entropy(p, q)) for q in (q1, q2)]
        kl = [float(ref.kl_divergence(p, q)) for q in (q1, q2)]
        loglik = [-expected_log(p, q) for q in (q1, q2)]
        # the three differences are equal in exact arithmetic; a near-tie (within twice the
        # float64 tolerance of the cross-entropies) is excluded as ill-conditioned
        scale = max((abs(v) for v in ce if math.isfinite(v)), default=0.0)
        threshold = 2 * (TOL.atol + TOL.rtol * scale)
        ranking = direction(*ce, threshold)
        same_ranking = ranking is None or all(
            direction(*values, threshold / 2) == ranking for values in (kl, loglik)
        )
        best = le(ref.cross_entropy(p, p), min(ce)) and le(ref.kl_divergence(p, p), min(kl))
        return same_ranking and best and le(-expected_log(p, p), min(loglik))

    return ForAll(cases(), holds)
