"""Numeric legs of the KL-divergence and cross-entropy claims (re-exported by :mod:`.numeric`)."""

from __future__ import annotations

import functools
import itertools
import math

import mpmath
import numpy as np
import scipy.special
import scipy.stats
import torch
import torch.distributions as D

from dltheory.core.samples import oracle_input, simplex
from dltheory.core.tolerances import assert_close, tolerance
from dltheory.information import reference as ref
from dltheory.information._numeric_support import (
    as_numpy,
    assert_le,
    entropy_oracle,
    mp_kl,
    on,
    pairs,
    total,
)

_F64 = torch.float64


def _kl_oracle(p: torch.Tensor, q: torch.Tensor) -> np.ndarray:
    return scipy.special.rel_entr(oracle_input(p), oracle_input(q)).sum(-1)


def kl_definition(device, dtype):
    for index, (p, q) in enumerate(pairs(dtype, device)):
        got = ref.kl_divergence(p, q)
        assert got.dtype == dtype and got.device == p.device
        assert_close(got, _kl_oracle(p, q), msg="vs scipy.special.rel_entr")
        assert_close(ref.kl_divergence(p, q, base=2), _kl_oracle(p, q) / math.log(2), msg="bits")
        assert_close(got.reshape(-1), mp_kl(p, q), msg="vs mpmath (50 digits)")
        if dtype in (torch.float64, torch.float32) and index < 2:
            # both oracles renormalize their inputs, and Categorical clamps probabilities at
            # machine epsilon: compared on the ordinary pairs, where that changes nothing
            assert_close(got, scipy.stats.entropy(oracle_input(p), oracle_input(q), axis=-1))
            cat_p, cat_q = (
                D.Categorical(probs=p.double().cpu()),
                D.Categorical(probs=q.double().cpu()),
            )
            assert_close(
                got, D.kl_divergence(cat_p, cat_q), dtype=dtype, msg="vs torch.distributions"
            )
        for dim in range(-p.dim(), p.dim()):
            want = scipy.special.rel_entr(oracle_input(p), oracle_input(q)).sum(dim)
            assert_close(ref.kl_divergence(p, q, dim=dim, validate=False), want, msg=f"dim={dim}")


@functools.cache
def _gaussian_kl_quadrature(mu_p, s_p, mu_q, s_q) -> float:
    with mpmath.workdps(30):

        def integrand(x):
            fp, fq = mpmath.npdf(x, mu_p, s_p), mpmath.npdf(x, mu_q, s_q)
            return fp * (mpmath.log(fp) - mpmath.log(fq)) if fp > 0 else mpmath.mpf(0)

        return float(mpmath.quad(integrand, [-mpmath.inf, mu_p, mpmath.inf]))


def kl_gaussian_closed_form(device, dtype):
    params = [
        on(torch.tensor(v, dtype=_F64), dtype, device)
        for v in (
            [0.0, 1.0, -3.0, 0.5],
            [1.0, 0.5, 2.0, 0.125],
            [0.0, -1.0, 4.0, 0.5],
            [1.0, 2.0, 0.25, 0.125],
        )
    ]
    got = ref.gaussian_kl_divergence(*params)
    assert got.dtype == dtype and got.device == params[0].device
    normal_p = D.Normal(params[0].double().cpu(), params[1].double().cpu())
    normal_q = D.Normal(params[2].double().cpu(), params[3].double().cpu())
    assert_close(
        got, D.kl_divergence(normal_p, normal_q), dtype=dtype, msg="vs torch.distributions"
    )
    diagonal = D.kl_divergence(D.Independent(normal_p, 1), D.Independent(normal_q, 1))
    assert_close(ref.gaussian_kl_divergence(*params, dim=0), diagonal, dtype=dtype, msg="diagonal")
    values = [oracle_input(x).tolist() for x in params]
    for column in range(2):
        want = _gaussian_kl_quadrature(*(v[column] for v in values))
        assert_close(got[column], want, msg="vs the integral by mpmath.quad")


def kl_asymmetric(device, dtype):
    p = on(torch.tensor([0.5, 0.5], dtype=_F64), dtype, device)
    q = on(torch.tensor([0.25, 0.75], dtype=_F64), dtype, device)
    forward, backward = ref.kl_divergence(p, q), ref.kl_divergence(q, p)
    assert_close(forward, _kl_oracle(p, q))
    assert_close(backward, _kl_oracle(q, p))
    tol = tolerance(dtype)
    assert abs(float(forward) - float(backward)) > tol.atol + tol.rtol * float(forward), (
        "not asymmetric"
    )


def kl_nonnegative(device, dtype):
    base = simplex(4, 6, seed=51)
    nearly_equal = base * (1 + 1e-9 * simplex(4, 6, seed=52))  # q = p up to 1e-9
    cases = [
        *pairs(dtype, device),
        (
            on(base, dtype, device),
            on(nearly_equal / nearly_equal.sum(-1, keepdim=True), dtype, device),
        ),
    ]
    for p, q in cases:
        got = ref.kl_divergence(p, q)
        s, t = total(p), total(q)  # see total(): the bound for the rounded input
        assert_le(s * np.log(s / t), got, dtype, "KL >= 0")
        assert_close(got, _kl_oracle(p, q))


def kl_zero_iff_equal(device, dtype):
    for p, q in pairs(dtype, device):
        assert bool((ref.kl_divergence(p, p) == 0).all()), "KL(P || P) must be exactly 0"
        s, t = total(p), total(q)  # see total(): the bound for the rounded input
        pinsker = (
            s
            * np.abs(oracle_input(p) / s[..., None] - oracle_input(q) / t[..., None]).sum(-1) ** 2
            / 2
        )
        got = as_numpy(ref.kl_divergence(p, q)) - s * np.log(s / t)
        assert_le(pinsker, got, dtype, "KL >= |p - q|_1^2 / 2 (Pinsker), so KL > 0 for q != p")


def kl_infinite_outside_support(device, dtype):
    seen = False
    for p, q in pairs(dtype, device):
        outside = ((p > 0) & (q == 0)).any(-1)
        seen = seen or bool(outside.any())
        for got in (
            ref.kl_divergence(p, q),
            ref.cross_entropy(p, q),
            ref.kl_divergence(p, q, base=2),
        ):
            assert not bool(torch.isnan(got).any()), f"NaN in {got}"
            assert torch.equal(torch.isposinf(got), outside), f"+inf exactly where q = 0 < p: {got}"
        assert_close(
            ref.kl_divergence(p, q), _kl_oracle(p, q), msg="vs scipy.special.rel_entr (inf)"
        )
    assert seen, "the sample must contain rows with q = 0 < p"


def cross_entropy_definition(device, dtype):
    for p, q in pairs(dtype, device):
        got = ref.cross_entropy(p, q)
        assert got.dtype == dtype and got.device == p.device
        want = -scipy.special.xlogy(oracle_input(p), oracle_input(q)).sum(-1)
        assert_close(got, want, msg="vs -sum scipy.special.xlogy(p, q)")
        assert_close(ref.cross_entropy(p, q, base=2), want / math.log(2), msg="bits")
        ps = oracle_input(p).reshape(-1, p.shape[-1]).tolist()
        qs = oracle_input(q).reshape(-1, q.shape[-1]).tolist()
        with mpmath.workdps(50):
            exact = [
                float(
                    -mpmath.fsum(
                        mpmath.mpf(a) * mpmath.log(b) if b > 0 else -mpmath.inf
                        for a, b in zip(rp, rq, strict=True)
                        if a > 0
                    )
                )
                for rp, rq in zip(ps, qs, strict=True)
            ]
        assert_close(got.reshape(-1), exact, msg="vs mpmath (50 digits)")


def cross_entropy_decomposition(device, dtype):
    for p, q in pairs(dtype, device):
        got = ref.cross_entropy(p, q)
        want = entropy_oracle(oracle_input(p)) + _kl_oracle(p, q)
        assert_close(got, want, msg="CE = H + KL (scipy entr + rel_entr)")
        mine = ref.entropy(p).double() + ref.kl_divergence(p, q).double()
        assert_close(got, mine, dtype=dtype, msg="CE = H + KL (reference functions)")


def _grid(steps: int) -> torch.Tensor:
    """Every point of the 3-outcome simplex with coordinates in multiples of 1/steps."""
    points = [
        (a, b, steps - a - b)
        for a, b in itertools.product(range(steps + 1), repeat=2)
        if a + b <= steps
    ]
    return torch.tensor(points, dtype=_F64) / steps


def cross_entropy_minimizers_coincide(device, dtype):
    # the minimizer over a grid of candidates q (which contains p) is q = p for all three
    # objectives. In float16/bfloat16 neighbouring grid points of a fine grid differ by less
    # than the dtype resolves, so those dtypes use a coarser grid (ill-conditioned otherwise)
    steps = 40 if dtype in (torch.float64, torch.float32) else 10
    candidates = _grid(steps)
    for target in ((0.2, 0.3, 0.5), (0.1, 0.0, 0.9)):
        p = torch.tensor(target, dtype=_F64)
        index = int((candidates - p).abs().sum(-1).argmin())
        q = on(candidates, dtype, device)
        p_rows = on(p.expand_as(candidates).contiguous(), dtype, device)
        ce = ref.cross_entropy(p_rows, q)
        kl = ref.kl_divergence(p_rows, q)
        loglik = scipy.special.xlogy(oracle_input(p_rows), oracle_input(q)).sum(-1)
        assert_close(ce, -loglik, msg="CE vs -E_P[log q] (scipy)")
        winners = {int(ce.double().argmin()), int(kl.double().argmin()), int(np.argmax(loglik))}
        assert winners == {index}, f"minimizers {winners}, expected q = p (index {index})"
