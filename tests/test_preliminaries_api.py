"""Contracts of the preliminaries reference functions: dtypes, devices, shapes, errors, no
mutation, extreme values, gradients, and agreement with torch / SciPy."""

from __future__ import annotations

import doctest
import math

import mpmath
import pytest
import torch

from dltheory.core.tolerances import FLOAT_DTYPES, assert_accurate, assert_close
from dltheory.preliminaries import (
    bayes_posterior,
    chain_rule,
    expectation,
    reference,
    variance,
    vector_norm,
)
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)
INF = math.inf


def _randn(*shape, dtype=torch.float64, device="cpu", seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype).to(device)


def _simplex(*shape, dtype=torch.float64, device="cpu", seed=1):
    return torch.softmax(_randn(*shape, seed=seed), -1).to(dtype).to(device)


def test_docstring_examples_run():
    result = doctest.testmod(reference, extraglobs={"torch": torch})
    assert result.attempted >= 7 and result.failed == 0


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    x = _randn(4, 5, dtype=dtype, device=device)
    jac = _randn(4, 5, 3, dtype=dtype, device=device, seed=2)
    probs = _simplex(4, 5, dtype=dtype, device=device)
    likelihood = _simplex(4, 5, dtype=dtype, device=device, seed=3)
    inputs = (x, jac, probs, likelihood)
    before = [t.clone() for t in inputs]
    versions = [t._version for t in inputs]
    calls = {
        "vector_norm": lambda: vector_norm(x, 3, dim=-1),
        "vector_norm[2]": lambda: vector_norm(x),
        "chain_rule": lambda: chain_rule(x, jac),
        "bayes_posterior": lambda: bayes_posterior(likelihood, probs),
        "expectation": lambda: expectation(x, probs),
        "variance": lambda: variance(x, probs),
    }
    for name, call in calls.items():
        out = call()
        assert out.dtype == dtype and out.device == x.device, name
        assert torch.isfinite(out).all(), name
    for t, b, v in zip(inputs, before, versions, strict=True):
        assert torch.equal(t, b) and t._version == v


# --- vector_norm -------------------------------------------------------------------------


ORDS = [0.5, 1, 1.5, 2, 3, 7.5, INF, -INF, 0, -1, -2.5]


@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_vector_norm_matches_torch_for_every_ord_dim_and_keepdim(ord):
    x = _randn(3, 4, 5)
    for dim in (None, 0, -1, (0, 2), (2, 0, 1)):
        for keepdim in (False, True):
            assert_close(
                vector_norm(x, ord, dim, keepdim),
                torch.linalg.vector_norm(x, ord, dim, keepdim),
            )


def _mp_norm(values, p):
    with mpmath.workdps(50):
        e = [abs(mpmath.mpf(v)) for v in values]
        return (
            float(max(e))
            if p == INF
            else float(mpmath.fsum(v**p for v in e) ** (1 / mpmath.mpf(p)))
        )


@pytest.mark.claim("preliminaries.l2-norm", "preliminaries.norm-definiteness")
@pytest.mark.parametrize("value", [1e200, 1e-200, 1e308, 5e-324, 1e-310])
@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, INF], ids=str)
def test_vector_norm_neither_overflows_nor_underflows(value, ord):
    x = torch.tensor([value, -value / 3, value / 7, 0.0], dtype=torch.float64)
    exact = _mp_norm(x.tolist(), ord)
    if math.isinf(exact):  # 1e308 * (1 + 1/3 + 1/7)^(1/p) is not representable for small p
        assert vector_norm(x, ord) == INF
    else:
        assert_accurate(vector_norm(x, ord), exact)


def test_vector_norm_float32_extremes_and_half_precision_sums():
    x = torch.tensor([3e30, 4e30], dtype=torch.float32)
    assert vector_norm(x) == pytest.approx(5e30, rel=1e-6)
    y = torch.tensor([3e-30, 4e-30], dtype=torch.float32)
    assert vector_norm(y) == pytest.approx(5e-30, rel=1e-6)
    # 10,000 ones in float16: a float16 accumulator would stall at 2048
    ones = torch.ones(10_000, dtype=torch.float16)
    assert vector_norm(ones).item() == 100.0 and vector_norm(ones, 1).item() == 10_000.0


def test_vector_norm_is_exact_at_infinities_and_propagates_nan():
    x = torch.tensor([1.0, -INF, 2.0], dtype=torch.float64)
    for p in (0.5, 1, 2, 3, INF):
        assert vector_norm(x, p) == INF
    assert vector_norm(x, -INF) == 1.0
    assert vector_norm(x, -1) == pytest.approx(1 / 1.5)
    nan = torch.tensor([1.0, math.nan], dtype=torch.float64)
    for p in (0.5, 1, 2, 3, INF):
        assert torch.isnan(vector_norm(nan, p))
    assert vector_norm(nan, 0) == 2.0  # NaN counts as nonzero, as in torch
    assert torch.isnan(vector_norm(torch.tensor([INF, math.nan]), 2))


def test_vector_norm_zero_d_and_empty_inputs():
    assert vector_norm(torch.tensor(-3.0)) == 3.0
    assert vector_norm(torch.tensor(-3.0), 0) == 1.0
    assert vector_norm(torch.tensor(-3.0), dim=0) == 3.0
    assert vector_norm(torch.zeros(0)) == 0
    assert vector_norm(torch.zeros(2, 0), dim=-1).shape == (2,)


@pytest.mark.claim("preliminaries.lp-norm")
@pytest.mark.parametrize("ord", [1.5, 2, 3, 0.7, INF, -1.5], ids=str)
def test_vector_norm_gradients(ord):
    x = _randn(3, 4).requires_grad_()
    assert torch.autograd.gradcheck(lambda z: vector_norm(z, ord, dim=-1), (x,))
    if not math.isinf(ord):
        assert torch.autograd.gradgradcheck(lambda z: vector_norm(z, ord, dim=(0, 1)), (x,))
    (ours,) = torch.autograd.grad(vector_norm(x, ord, dim=0).sum(), x)
    (theirs,) = torch.autograd.grad(torch.linalg.vector_norm(x, ord, dim=0).sum(), x)
    assert_close(ours, theirs)


def test_vector_norm_gradient_at_zero_and_ties():
    zero = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    for p in (0.5, 1, 2, 3, INF):
        (grad,) = torch.autograd.grad(vector_norm(zero, p), zero)
        assert torch.equal(grad, torch.zeros(3, dtype=torch.float64)), p
    x = torch.tensor([2.0, -2.0, 1.0], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(vector_norm(x, INF), x)
    assert grad.tolist() == [0.5, -0.5, 0.0]  # split evenly among the maxima, as torch does


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_vector_norm_low_precision_backward(dtype):
    x = _randn(4, 6, dtype=dtype)
    leaf = x.clone().requires_grad_()
    vector_norm(leaf, 3, dim=-1).sum().backward()
    ref = x.double().requires_grad_()
    torch.linalg.vector_norm(ref, 3, dim=-1).sum().backward()
    assert leaf.grad.dtype == dtype
    assert_close(leaf.grad, ref.grad)


# --- chain rule, Bayes, moments ----------------------------------------------------------


def test_chain_rule_batches_and_broadcasts():
    g, jac = _randn(5, 3), _randn(3, 4, seed=2)
    out = chain_rule(g, jac)
    assert out.shape == (5, 4)
    assert_close(out, g @ jac)
    assert chain_rule(_randn(2, 1, 3), _randn(6, 3, 4)).shape == (2, 6, 4)
    leaves = (g.clone().requires_grad_(), jac.clone().requires_grad_())
    assert torch.autograd.gradcheck(chain_rule, leaves)


@pytest.mark.claim("preliminaries.bayes-theorem")
def test_bayes_zero_evidence_and_broadcasting():
    prior = torch.tensor([0.25, 0.75])
    with pytest.raises(ValueError, match=r"evidence P\(B\) .* is 0"):
        bayes_posterior(torch.tensor([0.0, 0.0]), prior)
    assert torch.isnan(bayes_posterior(torch.zeros(2), prior, validate=False)).all()
    post = bayes_posterior(torch.tensor([[0.5, 0.5], [1.0, 0.0]]), prior)
    assert_close(post, torch.tensor([[0.25, 0.75], [1.0, 0.0]]))
    assert_close(post.sum(-1), torch.ones(2))


@pytest.mark.claim("preliminaries.variance-affine")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_variance_survives_a_large_shift(dtype):
    values = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    probs = torch.full((4,), 0.25, dtype=dtype)
    shift = 2.0**20 if dtype == torch.float32 else 2.0**45
    got = variance((values + shift).to(dtype), probs)
    assert_accurate(got, 1.25)  # E[X^2] - E[X]^2 would lose every digit here
    assert variance(torch.full((3,), 7.0), torch.full((3,), 1 / 3)) == 0


def test_moments_keepdim_and_dim():
    x, p = _randn(3, 4), _simplex(3, 4)
    assert expectation(x, p, keepdim=True).shape == (3, 1)
    assert_close(expectation(x.T, p.T, dim=0), (x * p).sum(-1))
    assert_close(variance(x, p), (p * (x - (p * x).sum(-1, keepdim=True)) ** 2).sum(-1))


# --- bad input ---------------------------------------------------------------------------

BAD_INPUTS = [
    (lambda: vector_norm([1.0, 2.0]), TypeError, r"x must be a torch.Tensor"),
    (lambda: vector_norm(torch.tensor([1, 2])), TypeError, r"x must be a real floating-point"),
    (lambda: vector_norm(torch.ones(2), ord="fro"), TypeError, r"ord must be a real number"),
    (lambda: vector_norm(torch.ones(2), ord=True), TypeError, r"ord must be a real number"),
    (lambda: vector_norm(torch.ones(2), ord=math.nan), ValueError, r"ord must be a real .* nan"),
    (lambda: vector_norm(torch.ones(2, 3), dim=2), ValueError, r"dim 2 is out of range"),
    (lambda: vector_norm(torch.ones(2, 3), dim=(0, 0)), ValueError, r"names a dimension twice"),
    (lambda: vector_norm(torch.ones(2), dim=1.0), TypeError, r"dim must be an int"),
    (lambda: vector_norm(torch.zeros(0), INF), ValueError, r"empty dimension"),
    (lambda: vector_norm(torch.zeros(2, 0), -1, dim=1), ValueError, r"empty dimension"),
    (lambda: chain_rule(torch.ones(3), torch.ones(3)), ValueError, r"inner_jacobian must have"),
    (lambda: chain_rule(torch.ones(3), torch.ones(2, 4)), ValueError, r"inner_jacobian has 2 rows"),
    (
        lambda: chain_rule(torch.ones(3), torch.ones(3, 4, dtype=torch.float64)),
        TypeError,
        r"outer_grad has dtype torch.float32 but inner_jacobian",
    ),
    (
        lambda: chain_rule(torch.ones(2, 3), torch.ones(4, 3, 2)),
        ValueError,
        r"batch shapes .* do not broadcast",
    ),
    (
        lambda: chain_rule(torch.ones(3, dtype=torch.int64), torch.ones(3, 2)),
        TypeError,
        r"outer_grad",
    ),
    (
        lambda: bayes_posterior(torch.tensor([0.5, 1.5]), torch.tensor([0.5, 0.5])),
        ValueError,
        r"likelihood must hold probabilities",
    ),
    (
        lambda: bayes_posterior(torch.tensor([0.5, 0.5]), torch.tensor([0.5, 0.7])),
        ValueError,
        r"prior must sum to 1",
    ),
    (
        lambda: bayes_posterior(torch.ones(3) / 2, torch.ones(2) / 2),
        ValueError,
        r"do not broadcast",
    ),
    (
        lambda: expectation(torch.ones(3), torch.tensor([0.5, 0.6, -0.1])),
        ValueError,
        r"probs has a negative entry",
    ),
    (lambda: variance(torch.ones(3), torch.ones(3)), ValueError, r"probs must sum to 1"),
    (
        lambda: expectation(torch.ones(3), torch.ones(3, dtype=torch.float64) / 3),
        TypeError,
        r"values has dtype torch.float32 but probs",
    ),
    (lambda: variance(torch.ones(2, 3), torch.ones(2, 3) / 3, dim=2), ValueError, r"dim 2"),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_validation_can_be_skipped():
    unnormalized = torch.tensor([1.0, 1.0])
    assert expectation(torch.tensor([1.0, 3.0]), unnormalized, validate=False) == 4.0
    assert bayes_posterior(torch.tensor([0.5, 0.5]), unnormalized, validate=False).sum() == 1.0
