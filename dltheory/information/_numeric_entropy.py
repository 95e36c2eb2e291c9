"""Numeric legs of the entropy claims (re-exported by :mod:`.numeric`)."""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import scipy.special
import scipy.stats
import torch
import torch.distributions as D

from dltheory.core.samples import oracle_input
from dltheory.core.tolerances import assert_close
from dltheory.information import reference as ref
from dltheory.information._numeric_support import (
    EXTREME,
    as_numpy,
    assert_le,
    entropy_oracle,
    huffman_lengths,
    mp_entropy,
    on,
    pairs,
    total,
    vectors,
)

_EXACT_RENORMALIZE = (
    torch.float64,
    torch.float32,
)  # see _numeric_support: scipy.stats renormalizes


def entropy_expected_surprisal(device, dtype):
    for p in vectors(dtype, device):
        got = ref.entropy(p)
        assert got.dtype == dtype and got.device == p.device
        categorical = D.Categorical(probs=p.double().cpu())
        assert_close(
            got, categorical.entropy(), dtype=dtype, msg="vs torch.distributions.Categorical"
        )
        assert_close(
            got.reshape(-1), mp_entropy(p), msg="vs the mean surprisal at 50 digits (mpmath)"
        )


def entropy_discrete_form(device, dtype):
    for p in vectors(dtype, device):
        values = oracle_input(p)
        for base in (None, 2, 10, 0.5):
            scale = 1.0 if base is None else math.log(base)
            want = entropy_oracle(values) / scale
            assert_close(ref.entropy(p, base=base), want, msg=f"vs scipy.special.entr, base {base}")
            if dtype in _EXACT_RENORMALIZE:
                assert_close(
                    ref.entropy(p, base=base), scipy.stats.entropy(values, base=base, axis=-1)
                )
        for dim in range(-p.dim(), p.dim()):
            want = entropy_oracle(values, axis=dim)
            got = ref.entropy(p, dim=dim, keepdim=True, validate=False)
            assert_close(got, np.expand_dims(want, dim), msg=f"dim={dim}, keepdim")


def differential_entropy_definition(device, dtype):
    low = on(torch.tensor([-3.0, 0.0, 0.5, 10.0]), dtype, device)
    high = on(torch.tensor([-1.0, 0.25, 4.0, 10.5]), dtype, device)
    scale = on(torch.tensor([0.05, 0.5, 1.0, 3.0, 100.0]), dtype, device)
    uniform = D.Uniform(low.double().cpu(), high.double().cpu()).entropy()
    normal = D.Normal(torch.zeros(5, dtype=torch.float64), scale.double().cpu())
    got_u, got_n = (
        ref.uniform_differential_entropy(low, high),
        ref.gaussian_differential_entropy(scale),
    )
    assert got_u.dtype == dtype and got_n.dtype == dtype and got_n.device == scale.device
    assert_close(got_u, uniform, dtype=dtype, msg="uniform vs torch.distributions.Uniform")
    assert_close(got_n, normal.entropy(), dtype=dtype, msg="Gaussian vs torch.distributions.Normal")
    assert_close(
        ref.gaussian_differential_entropy(scale, dim=0),
        D.Independent(normal, 1).entropy(),
        dtype=dtype,
    )
    # the integral -int p log p itself, by quadrature
    for sigma in oracle_input(scale)[:3].tolist():
        got = ref.gaussian_differential_entropy(on(torch.tensor(sigma), dtype, device))
        assert_close(got, _gaussian_quadrature(sigma), msg=f"Gaussian sigma={sigma} vs mpmath.quad")


@functools.cache
def _gaussian_quadrature(sigma: float) -> float:
    with mpmath.workdps(30):

        def integrand(x):
            density = mpmath.npdf(x, 0, sigma)
            return -density * mpmath.log(density) if density > 0 else mpmath.mpf(0)

        return float(mpmath.quad(integrand, [-mpmath.inf, 0, mpmath.inf]))


@functools.cache
def _beta_quadrature(alpha: float, beta: float) -> float:
    """h(Beta(alpha, beta)) = -int_0^1 f log f by quadrature (mpmath, 20 digits)."""
    with mpmath.workdps(20):

        def integrand(x):
            f = x ** (alpha - 1) * (1 - x) ** (beta - 1) / mpmath.beta(alpha, beta)
            return -f * mpmath.log(f) if f > 0 else mpmath.mpf(0)

        return float(mpmath.quad(integrand, [0, 0.5, 1]))


def entropy_nonnegative_discrete(device, dtype):
    for p in vectors(dtype, device):
        got = ref.entropy(p)
        assert bool((got >= 0).all()), f"negative entropy {got}"
        assert_close(got, entropy_oracle(oracle_input(p)))


def differential_entropy_can_be_negative(device, dtype):
    half = on(torch.tensor(0.5), dtype, device)
    got = ref.uniform_differential_entropy(on(torch.tensor(0.0), dtype, device), half)
    assert got < 0
    assert_close(got, -math.log(2), msg="h(U[0, 1/2]) = -log 2")
    assert_close(got, D.Uniform(0.0, half.double().cpu()).entropy(), dtype=dtype)
    sigma = on(torch.tensor(0.1), dtype, device)
    gaussian = ref.gaussian_differential_entropy(sigma)
    assert gaussian < 0
    assert_close(gaussian, D.Normal(0.0, sigma.double().cpu()).entropy(), dtype=dtype)


def gibbs_inequality(device, dtype):
    for p, q in pairs(dtype, device):
        h, ce = ref.entropy(p), ref.cross_entropy(p, q)
        ps, qs = oracle_input(p), oracle_input(q)
        assert_close(ce, -scipy.special.xlogy(ps, qs).sum(-1), msg="CE vs scipy.special.xlogy")
        s, t = total(p), total(q)  # see total(): the bound for the rounded input
        assert_le(as_numpy(h) + s * np.log(s / t), ce, dtype, "H(P) <= CE(P, Q)")


def gibbs_equality_iff_equal(device, dtype):
    for p, q in pairs(dtype, device):
        assert_close(
            ref.cross_entropy(p, p), entropy_oracle(oracle_input(p)), msg="CE(P, P) = H(P)"
        )
        s, t = total(p), total(q)  # see total(): the bound for the rounded input
        pinsker = (
            s
            * np.abs(oracle_input(p) / s[..., None] - oracle_input(q) / t[..., None]).sum(-1) ** 2
            / 2
        )
        gap = as_numpy(ref.cross_entropy(p, q)) - as_numpy(ref.entropy(p)) - s * np.log(s / t)
        assert_le(pinsker, gap, dtype, "CE - H >= |p - q|^2 / 2 (Pinsker): > 0 wherever q != p")


def entropy_bounds_code_length(device, dtype):
    for p in vectors(dtype, device):
        bits = ref.entropy(p, base=2)
        assert_close(bits, entropy_oracle(oracle_input(p)) / math.log(2), msg="bits vs scipy")
        rows = oracle_input(p).reshape(-1, p.shape[-1]).tolist()
        average = [
            math.fsum(v * n for v, n in zip(row, huffman_lengths(row), strict=True)) for row in rows
        ]
        assert_le(bits.reshape(-1), average, dtype, "H_2(P) <= expected Huffman code length")
        assert_le(average, bits.reshape(-1).double() + 1, dtype, "Huffman length < H_2 + 1")


def entropy_at_most_log_k(device, dtype):
    for p in vectors(dtype, device):
        k, s = p.shape[-1], total(p)  # see total(): the bound for the rounded input
        assert_le(ref.entropy(p), s * np.log(k / s), dtype, "H <= log k")
        assert_le(ref.entropy(p, base=2), s * np.log2(k / s), dtype, "H <= log2 k (bits)")


def entropy_max_iff_uniform(device, dtype):
    for k in (1, 2, 7, 10, 1000):
        uniform = on(torch.full((k,), 1 / k, dtype=torch.float64), dtype, device)
        assert_close(ref.entropy(uniform), entropy_oracle(oracle_input(uniform)), msg=f"H(u_{k})")
        assert_close(
            ref.entropy(on(torch.full((k,), 1 / k, dtype=torch.float64), torch.float64, device)),
            math.log(k),
        )
    p = on(EXTREME, dtype, device)
    s = total(p)  # see total(): the bound for the rounded input
    pinsker = s * np.abs(oracle_input(p) / s[:, None] - 0.25).sum(-1) ** 2 / 2
    bound = s * np.log(4 / s) - pinsker
    assert_le(
        ref.entropy(p),
        bound,
        dtype,
        "H <= log k - |p - u|^2 / 2: only the uniform row reaches log k",
    )


def uniform_maximizes_differential_entropy(device, dtype):
    # densities on [a, b]: a + (b - a) B with B ~ Beta(alpha, beta); h by quadrature (mpmath)
    for a, b in ((0.0, 1.0), (-1.0, 2.0), (0.25, 0.5)):
        bound = ref.uniform_differential_entropy(
            on(torch.tensor(a), dtype, device), on(torch.tensor(b), dtype, device)
        )
        lo, hi = oracle_input(on(torch.tensor([a, b]), dtype, device)).tolist()
        assert_close(bound, math.log(hi - lo), msg="log(b - a)")
        for alpha, beta in ((2.0, 2.0), (0.5, 0.5), (1.0, 3.0), (1.0, 1.0)):
            h = _beta_quadrature(alpha, beta) + math.log(hi - lo)  # h(a + w B) = h(B) + log w
            assert_le(h, bound, dtype, f"h(Beta({alpha}, {beta}) on [{a}, {b}]) <= log(b - a)")
            if (alpha, beta) == (1.0, 1.0):
                assert_close(bound, h, dtype=dtype, msg="the uniform attains the bound")
