"""Property legs of the entropy claims (re-exported by :mod:`.properties`)."""

from __future__ import annotations

import math

import scipy.stats
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import Exists, ForAll
from dltheory.information import reference as ref
from dltheory.information._numeric_support import huffman_lengths
from dltheory.information._property_support import (
    close,
    distributions,
    l1,
    le,
    pairs,
)

_batched = distributions(batch_shape=st.sampled_from([(), (2,), (2, 3)]))
_bases = st.one_of(
    st.none(), st.sampled_from([2, 10]), st.floats(0.05, 0.95), st.floats(1.05, 100.0)
)


def entropy_expected_surprisal():
    # the mean of the surprisal -log p(x) over the outcomes that occur, in plain Python
    def holds(p):
        rows = p.reshape(-1, p.shape[-1]).tolist()
        want = [math.fsum(v * -math.log(v) for v in row if v > 0) for row in rows]
        return close(ref.entropy(p).reshape(-1), torch.tensor(want, dtype=torch.float64))

    return ForAll(_batched, holds)


def entropy_discrete_form():
    def holds(case):
        p, base = case
        want = scipy.stats.entropy(p.numpy(), base=base, axis=-1)
        return close(ref.entropy(p, base=base), torch.as_tensor(want, dtype=torch.float64))

    return ForAll(st.tuples(_batched, _bases), holds)


def differential_entropy_definition():
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

    def holds(case):
        low, high, scales = case
        uniform = D.Uniform(low, high)
        gauss = D.Normal(torch.zeros_like(scales), scales)
        return (
            close(ref.uniform_differential_entropy(low, high), uniform.entropy())
            and close(ref.gaussian_differential_entropy(scales), gauss.entropy())
            and close(
                ref.gaussian_differential_entropy(scales, dim=-1), D.Independent(gauss, 1).entropy()
            )
        )

    return ForAll(cases(), holds)


def entropy_nonnegative_discrete():
    def holds(p):
        return bool((ref.entropy(p) >= 0).all() and (ref.entropy(p, base=2) >= 0).all())

    return ForAll(_batched, holds)


def differential_entropy_can_be_negative():
    def negative(width):
        mine = ref.uniform_differential_entropy(0.0, width)
        oracle = D.Uniform(0.0, torch.tensor(width, dtype=torch.float64)).entropy()
        return bool(mine < 0 and oracle < 0)

    return Exists(st.floats(0.01, 4.0), negative)


def gibbs_inequality():
    def holds(case):
        p, q = case
        return le(ref.entropy(p), ref.cross_entropy(p, q))

    return ForAll(pairs(), holds)


def gibbs_equality_iff_equal():
    # "if": CE(P, P) = H(P); "only if", quantitatively: CE - H = KL >= |p - q|_1^2 / 2
    # (Pinsker's inequality), which is > 0 whenever q != p
    def holds(case):
        p, q = case
        h = ref.entropy(p)
        gap = ref.cross_entropy(p, q) - h
        return close(ref.cross_entropy(p, p), h) and le(l1(p, q) ** 2 / 2, gap)

    return ForAll(pairs(), holds)


def entropy_bounds_code_length():
    # any prefix code: lengths l_i >= ceil(-log2 p_i) (plus extra bits) satisfy Kraft's
    # inequality; the Huffman code is the optimal one and stays below H + 1
    @st.composite
    def cases(draw):
        p = draw(distributions())
        extra = draw(st.lists(st.integers(0, 3), min_size=p.numel(), max_size=p.numel()))
        return p, extra

    def holds(case):
        p, extra = case
        probs = p.tolist()
        lengths = [
            math.ceil(-math.log2(v)) + e if v > 0 else 0 for v, e in zip(probs, extra, strict=True)
        ]
        kraft = math.fsum(2.0**-n for v, n in zip(probs, lengths, strict=True) if v > 0)
        h_bits = ref.entropy(p, base=2)
        average = math.fsum(v * n for v, n in zip(probs, lengths, strict=True))
        huffman = math.fsum(v * n for v, n in zip(probs, huffman_lengths(probs), strict=True))
        return (
            kraft <= 1 and le(h_bits, average) and le(h_bits, huffman) and le(huffman, h_bits + 1)
        )

    return ForAll(cases(), holds)


def entropy_at_most_log_k():
    def holds(p):
        k = p.shape[-1]
        return le(ref.entropy(p), math.log(k)) and le(ref.entropy(p, base=2), math.log2(k))

    return ForAll(_batched, holds)


def entropy_max_iff_uniform():
    # H(uniform) = log k, and log k - H(p) = KL(p || u) >= |p - u|_1^2 / 2 (Pinsker): no
    # other distribution reaches log k
    def holds(p):
        k = p.shape[-1]
        uniform = torch.full_like(p, 1 / k)
        exact = close(ref.entropy(uniform), torch.tensor(math.log(k), dtype=torch.float64))
        return exact and le(l1(p, uniform) ** 2 / 2, math.log(k) - ref.entropy(p))

    return ForAll(distributions(), holds)


def uniform_maximizes_differential_entropy():
    # a + w B with B ~ Beta(alpha, beta) is a density on [a, a + w]; h(a + w B) = h(B) + log w
    @st.composite
    def cases(draw):
        alpha, beta = draw(st.floats(0.2, 5.0)), draw(st.floats(0.2, 5.0))
        return alpha, beta, draw(st.floats(-5.0, 5.0)), draw(st.floats(0.01, 10.0))

    def holds(case):
        alpha, beta, low, width = case
        f64 = torch.float64
        h = D.Beta(torch.tensor(alpha, dtype=f64), torch.tensor(beta, dtype=f64)).entropy()
        low_t = torch.tensor(low, dtype=f64)
        return le(h + math.log(width), ref.uniform_differential_entropy(low_t, low_t + width))

    return ForAll(cases(), holds)
