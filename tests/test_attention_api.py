"""Contracts of the attention reference functions: dtypes, devices, shapes, errors, no
mutation, stability, gradients, and agreement with the torch built-ins."""

from __future__ import annotations

import doctest
import math

import pytest
import torch
import torch.nn.functional as F

from dltheory.attention import (
    KERNELS,
    additive_attention,
    attention_pool,
    masked_softmax,
    nadaraya_watson,
    nadaraya_watson_weights,
    reference,
    scaled_dot_product_attention,
)
from dltheory.core.tolerances import FLOAT_DTYPES, assert_close
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _randn(*shape, dtype=torch.float64, device="cpu", seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype).to(device)


def _calls(dtype, device):
    Q, K, V = (
        _randn(2, n, 3, dtype=dtype, device=device, seed=s) for s, n in ((1, 4), (2, 5), (3, 5))
    )
    scores = _randn(2, 4, 5, dtype=dtype, device=device, seed=4)
    lens = torch.tensor([5, 2], device=device)
    W_q, W_k = (_randn(6, 3, dtype=dtype, device=device, seed=s) for s in (5, 6))
    w_v = _randn(6, dtype=dtype, device=device, seed=7)
    weights = torch.softmax(scores.double(), -1).to(dtype)
    return {
        "attention_pool": lambda: attention_pool(weights, V),
        "masked_softmax": lambda: masked_softmax(scores, lens),
        "nadaraya_watson_weights": lambda: nadaraya_watson_weights(Q, K, kernel="gaussian"),
        "nadaraya_watson": lambda: nadaraya_watson(Q, K, V, kernel="epanechnikov", bandwidth=3.0),
        "scaled_dot_product_attention": lambda: scaled_dot_product_attention(Q, K, V, lens),
        "additive_attention": lambda: additive_attention(Q, K, V, W_q, W_k, w_v, lens),
    }, (Q, K, V, scores, lens, W_q, W_k, w_v, weights)


# --- dtype, device, mutation -------------------------------------------------------------


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    calls, inputs = _calls(dtype, device)
    before = [t.clone() for t in inputs]
    versions = [t._version for t in inputs]
    for name, call in calls.items():
        out = call()
        assert out.dtype == dtype, name
        assert out.device == inputs[0].device, name
        assert torch.isfinite(out).all(), name
    for t, b, v in zip(inputs, before, versions, strict=True):
        assert torch.equal(t, b) and t._version == v


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_low_precision_is_computed_in_float32_and_rounded_once(dtype):
    Q, K, V = (_randn(3, 64, 16, dtype=dtype, seed=s) for s in (1, 2, 3))
    ours = scaled_dot_product_attention(Q, K, V)
    exact = F.scaled_dot_product_attention(Q.double(), K.double(), V.double())
    # one rounding of the float32 result: within half an ulp of the float64 value (plus a
    # float32 error far below it), i.e. what rounding the float64 value itself gives
    assert_close(ours, exact)
    assert (ours.double() - exact).abs().max() <= (exact.to(dtype).double() - exact).abs().max() * 2


# --- agreement with the built-ins -----------------------------------------------------------


@pytest.mark.claim("attention.scaled-dot-product-attention")
@pytest.mark.parametrize("per_query", [False, True])
def test_sdpa_matches_torch_with_masks_and_broadcast_batches(per_query):
    Q = _randn(2, 3, 4, 8, seed=10)
    K, V = _randn(1, 3, 6, 8, seed=11), _randn(2, 1, 6, 5, seed=12)
    lens = torch.randint(
        0, 7, (2, 3, 4) if per_query else (2, 3), generator=torch.Generator().manual_seed(13)
    )
    mask = torch.arange(6) < (lens[..., None] if per_query else lens[..., None, None])
    want = F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)
    assert_close(scaled_dot_product_attention(Q, K, V, lens), want)
    assert_close(
        scaled_dot_product_attention(Q, K, V, lens, scale=0.2),
        F.scaled_dot_product_attention(Q, K, V, attn_mask=mask, scale=0.2),
    )


@pytest.mark.parametrize("n", [4, 200])  # a small call, and one masked by the added bias
def test_values_may_carry_batch_dimensions_the_queries_and_keys_lack(n):
    """Queries and keys of one batch, values (and lengths) of three: the masked scores
    broadcast to the values' batch, so the mask cannot be written into the query-key scores
    in place; lengths given non-contiguous are read all the same."""
    Q, K, V = _randn(1, n, 8, seed=40), _randn(1, 6, 8, seed=41), _randn(3, 6, 5, seed=42)
    # one length per query, (3, n), transposed from (n, 3): not contiguous
    lens = torch.randint(1, 7, (n, 3), generator=torch.Generator().manual_seed(46)).t()
    mask = torch.arange(6) < lens[..., None]
    Q3, K3 = Q.double().expand(3, n, 8), K.double().expand(3, 6, 8)  # the built-in's batch
    want = F.scaled_dot_product_attention(Q3, K3, V.double(), attn_mask=mask)
    assert_close(scaled_dot_product_attention(Q, K, V, lens), want, dtype=torch.float32)
    W_q, W_k, w_v = _randn(4, 8, seed=43), _randn(4, 8, seed=44), _randn(4, seed=45)
    wide = additive_attention(Q.expand(3, n, 8), K.expand(3, 6, 8), V, W_q, W_k, w_v, lens)
    assert_close(additive_attention(Q, K, V, W_q, W_k, w_v, lens), wide)


def test_masked_softmax_matches_a_boolean_masked_softmax_and_ignores_masked_values():
    scores = _randn(3, 4, 7, seed=20, scale=5.0)
    lens = torch.tensor([7, 3, 1])
    mask = torch.arange(7) < lens[:, None, None]
    want = torch.softmax(scores.masked_fill(~mask, -math.inf), -1)
    assert_close(masked_softmax(scores, lens), want)
    garbage = scores.masked_fill(~mask, math.nan)
    assert torch.equal(masked_softmax(garbage, lens), masked_softmax(scores, lens))
    huge = scores.masked_fill(~mask, 1e300)  # a -1e6 fill would not survive this
    assert torch.equal(masked_softmax(huge, lens), masked_softmax(scores, lens))


def test_masked_softmax_empty_rows_give_zeros_not_nan_and_zero_gradients():
    scores = _randn(2, 5, seed=21).requires_grad_()
    out = masked_softmax(scores, torch.tensor([0, 5]))
    assert (out[0] == 0).all() and torch.isfinite(out).all()
    out.sum().backward()
    assert (scores.grad[0] == 0).all()
    all_minus_inf = torch.full((1, 3), -math.inf, dtype=torch.float64)
    assert (masked_softmax(all_minus_inf) == 0).all()


def test_masked_softmax_nan_and_inf_policy():
    row = torch.tensor([[0.0, math.nan, 1.0]], dtype=torch.float64)
    assert torch.isnan(masked_softmax(row)).all()
    assert not torch.isnan(masked_softmax(row, torch.tensor([1]))).any()  # NaN is masked
    plus = torch.tensor([[0.0, math.inf]], dtype=torch.float64)
    assert torch.isnan(masked_softmax(plus)).all()
    minus = torch.tensor([[0.0, -math.inf]], dtype=torch.float64)
    assert masked_softmax(minus).tolist() == [[1.0, 0.0]]


def _masked_builtin(scores, lens):
    """torch.softmax of the scores with -inf at the padding, rows of length 0 set to 0."""
    per = lens.unsqueeze(-1) if lens.dim() == scores.dim() - 1 else lens[..., None, None]
    keep = torch.arange(scores.shape[-1]) < per
    out = torch.softmax(scores.masked_fill(~keep, -math.inf), -1)
    return out.masked_fill(~keep.any(-1, keepdim=True), 0.0), keep.expand(scores.shape)


@DTYPES
@pytest.mark.parametrize("per_query", [False, True], ids=["per-sequence", "per-query"])
def test_large_masked_softmax_ignores_padding_and_repairs_only_empty_rows(dtype, per_query):
    # more than 2**14 scores: masked by adding a bias of 0 and -inf (a table of rows per query)
    scores = _randn(6, 40, 90, seed=22, scale=5.0).to(dtype)
    g = torch.Generator().manual_seed(23)
    lens = torch.randint(0, 91, (6, 40) if per_query else (6,), generator=g)
    lens.view(-1)[:2] = torch.tensor([0, 90])
    want, keep = _masked_builtin(scores, lens)
    for fill in (math.nan, math.inf, -math.inf, 1e4):
        garbage = scores.masked_fill(~keep, fill)
        got = masked_softmax(garbage, lens)
        assert got.dtype == dtype and torch.equal(got, want), fill
    assert (want[~keep] == 0).all() and not torch.isnan(want).any()
    plus, minus = scores.clone(), scores.clone()
    plus[1, 0, 0] = minus[2, 0, :] = math.inf
    minus[2, 0, :] = -math.inf
    lens.view(-1)[1:3] = 90
    assert torch.isnan(masked_softmax(plus, lens)[1, 0]).all()
    assert not torch.isnan(masked_softmax(plus, lens)[0]).any()
    assert (masked_softmax(minus, lens)[2, 0] == 0).all()


def test_large_masked_softmax_gradient_is_zero_at_padding_and_empty_rows():
    weights = _randn(6, 40, 90, seed=25)
    scores = _randn(6, 40, 90, seed=24)
    leaf = scores.masked_fill(torch.arange(90) >= 45, math.nan).requires_grad_()
    lens = torch.tensor([0, 45, 10, 0, 3, 45])
    (masked_softmax(leaf, lens) * weights).sum().backward()
    assert torch.isfinite(leaf.grad).all()
    assert (leaf.grad[lens == 0] == 0).all() and (leaf.grad[..., 45:] == 0).all()
    prefix = scores[1, :, :45].clone().requires_grad_()
    (torch.softmax(prefix, -1) * weights[1, :, :45]).sum().backward()
    assert_close(leaf.grad[1, :, :45], prefix.grad)


@pytest.mark.parametrize("shape", [(6,), (6, 40)], ids=["per-sequence", "per-query"])
def test_large_validate_false_lengths_act_as_clamped(shape):
    scores = _randn(6, 40, 90, seed=26)
    g = torch.Generator().manual_seed(27)
    lens = torch.randint(-5, 200, shape, generator=g)
    got = masked_softmax(scores, lens, validate=False)
    assert torch.equal(got, masked_softmax(scores, lens.clamp(0, 90)))


def test_large_attention_ignores_nan_keys_at_padding_and_pools_empty_rows_to_zero():
    q, k, v = (_randn(4, 2, 64, 32, seed=s) for s in (28, 29, 30))
    lens = torch.tensor([[64, 0], [17, 40], [1, 0], [33, 64]])
    pad = (torch.arange(64) >= lens[..., None]).unsqueeze(-1)
    bad_k = k.masked_fill(pad, math.nan)
    out = scaled_dot_product_attention(q, bad_k, v, lens)
    assert torch.equal(out, scaled_dot_product_attention(q, k, v, lens))
    mask = torch.arange(64) < lens[..., None, None]
    want = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert_close(out, want.masked_fill((lens == 0)[..., None, None], 0.0))
    leaves = [t.clone().requires_grad_() for t in (q, k, v)]
    scaled_dot_product_attention(*leaves, lens).sum().backward()
    assert all(torch.isfinite(t.grad).all() for t in leaves)


@pytest.mark.parametrize("kernel", KERNELS)
def test_nadaraya_watson_matches_its_weights_and_is_nan_only_where_undefined(kernel):
    Q, K = _randn(5, 2, seed=30, scale=2.0), _randn(7, 2, seed=31)
    V = _randn(7, 3, seed=32)
    weights = nadaraya_watson_weights(Q, K, kernel=kernel, bandwidth=0.8)
    out = nadaraya_watson(Q, K, V, kernel=kernel, bandwidth=0.8)
    defined = torch.isfinite(weights).all(-1)
    assert torch.equal(torch.isfinite(out).all(-1), defined)
    assert_close(out[defined], weights[defined] @ V)
    scalar = nadaraya_watson(Q, K, V[:, 0], kernel=kernel, bandwidth=0.8)
    assert scalar.shape == (5,)
    if kernel == "gaussian":
        assert defined.all()


def test_gaussian_nadaraya_watson_survives_underflow():
    far = torch.tensor([[1e3, -1e3]], dtype=torch.float64)  # exp(-u^2/2) = 0 for every key
    K = torch.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    weights = nadaraya_watson_weights(far, K)
    assert torch.isfinite(weights).all() and weights[0, 1] > weights[0, 0]


def test_per_coordinate_bandwidth_rescales_coordinates():
    Q, K, V = _randn(4, 3, seed=40), _randn(6, 3, seed=41), _randn(6, 2, seed=42)
    h = torch.tensor([0.5, 2.0, 4.0], dtype=torch.float64)
    for kernel in KERNELS:
        torch.testing.assert_close(  # NaN where no key is within one width, on both sides
            nadaraya_watson(Q, K, V, kernel=kernel, bandwidth=h),
            nadaraya_watson(Q / h, K / h, V, kernel=kernel),
            equal_nan=True,
            msg=kernel,
        )


def test_additive_attention_with_different_query_and_key_sizes():
    Q, K, V = _randn(2, 3, 5, seed=50), _randn(2, 4, 2, seed=51), _randn(2, 4, 6, seed=52)
    W_q, W_k, w_v = _randn(7, 5, seed=53), _randn(7, 2, seed=54), _randn(7, seed=55)
    out = additive_attention(Q, K, V, W_q, W_k, w_v, torch.tensor([4, 1]))
    assert out.shape == (2, 3, 6)
    assert_close(out[1], V[1, :1].expand(3, 6))  # a single valid key is looked up


# --- autograd ------------------------------------------------------------------------------


def test_gradients_and_second_derivatives():
    Q, K, V = (_randn(3, 2, seed=s).requires_grad_() for s in (60, 61, 62))
    W_q, W_k, w_v = (
        _randn(*shape, seed=s).requires_grad_()
        for s, shape in ((63, (4, 2)), (64, (4, 2)), (65, (4,)))
    )
    lens = torch.tensor([3, 1, 2])
    h = torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)
    scores = _randn(3, 4, seed=66).requires_grad_()
    for fn, args in (
        (lambda s: masked_softmax(s, lens), (scores,)),
        (attention_pool, (scores[:, :3], V)),
        (lambda q, k, v: scaled_dot_product_attention(q, k, v, lens), (Q, K, V)),
        (lambda *a: additive_attention(*a, lens), (Q, K, V, W_q, W_k, w_v)),
        (lambda q, k, v, b: nadaraya_watson(q, k, v, kernel="gaussian", bandwidth=b), (Q, K, V, h)),
        (
            lambda q, k, b: nadaraya_watson_weights(q, k, kernel="epanechnikov", bandwidth=b),
            (Q, K, h),
        ),
    ):
        assert torch.autograd.gradcheck(fn, args)
        assert torch.autograd.gradgradcheck(fn, args)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_low_precision_backward_matches_float64(dtype):
    Q, K, V = (_randn(4, 3, dtype=dtype, seed=s) for s in (70, 71, 72))
    leaves = [x.clone().requires_grad_() for x in (Q, K, V)]
    scaled_dot_product_attention(*leaves).sum().backward()
    ref = [x.double().requires_grad_() for x in (Q, K, V)]
    F.scaled_dot_product_attention(*ref).sum().backward()
    for ours, theirs in zip(leaves, ref, strict=True):
        assert ours.grad.dtype == dtype
        assert_close(ours.grad, theirs.grad)


# --- bad input ---------------------------------------------------------------------------

_S = torch.zeros(2, 3, 4)
_Q, _K, _V = torch.zeros(2, 3, 5), torch.zeros(2, 4, 5), torch.zeros(2, 4, 6)

BAD_INPUTS = [
    (
        lambda: masked_softmax(_S, torch.tensor([-1, 2])),
        ValueError,
        r"valid_lens contains -1; lengths must be >= 0",
    ),
    (
        lambda: masked_softmax(_S, torch.tensor([5, 2])),
        ValueError,
        r"valid_lens contains 5, longer than the 4 key positions",
    ),
    (
        lambda: masked_softmax(_S, torch.tensor([1, 2, 3])),
        ValueError,
        r"valid_lens has shape \(3,\), but scores of shape \(2, 3, 4\) need \(2,\) .* or \(2, 3\)",
    ),
    (
        lambda: masked_softmax(_S, torch.tensor([1.0, 2.0])),
        TypeError,
        r"valid_lens must be an integer tensor, got dtype torch.float32",
    ),
    (lambda: masked_softmax(_S, [1, 2]), TypeError, r"valid_lens must be a torch.Tensor or None"),
    (lambda: masked_softmax(torch.zeros(2, 0), None), ValueError, r"scores has no key positions"),
    (
        lambda: masked_softmax(torch.zeros(3, dtype=torch.int64)),
        TypeError,
        r"scores must be a floating-point tensor",
    ),
    (
        lambda: scaled_dot_product_attention(_Q, torch.zeros(2, 4, 3), _V),
        ValueError,
        r"queries have d = 5 .* but keys have d = 3",
    ),
    (
        lambda: scaled_dot_product_attention(_Q, _K, torch.zeros(2, 3, 6)),
        ValueError,
        r"keys has 4 positions .* but values has 3",
    ),
    (
        lambda: scaled_dot_product_attention(_Q, _K, _V.double()),
        TypeError,
        r"values has dtype torch.float64 but queries has dtype torch.float32",
    ),
    (
        lambda: scaled_dot_product_attention(_Q, _K, _V, torch.tensor([[1, 2]])),
        ValueError,
        r"valid_lens has shape \(1, 2\)",
    ),
    (
        lambda: scaled_dot_product_attention(_Q, _K, _V, scale=math.inf),
        ValueError,
        r"scale must be a finite number in \(-inf, inf\), got inf",
    ),
    (
        lambda: scaled_dot_product_attention(_Q, _K, _V, scale="x"),
        TypeError,
        r"scale must be a real number, got str",
    ),
    (
        lambda: scaled_dot_product_attention(torch.zeros(5), _K, _V),
        ValueError,
        r"queries must have shape \(\.\.\., n, d\)",
    ),
    (
        lambda: scaled_dot_product_attention(torch.zeros(3, 3, 5), _K, _V),
        ValueError,
        r"the batch dimensions do not broadcast",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, _V, kernel="cosine"),
        ValueError,
        r"kernel must be one of \('gaussian', 'boxcar', 'epanechnikov', 'triangular'\), "
        r"got 'cosine'",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, _V, bandwidth=0.0),
        ValueError,
        r"bandwidth must be a finite number in \(0, inf\), got 0.0",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, _V, bandwidth=-1),
        ValueError,
        r"bandwidth must be a finite number in \(0, inf\), got -1",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, _V, bandwidth=torch.tensor([1.0, 0.0, 1.0, 1.0, 1.0])),
        ValueError,
        r"bandwidth must be positive and finite",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, _V, bandwidth=torch.ones(3)),
        ValueError,
        r"bandwidth must be .* a tensor of shape \(5,\)",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, _V, bandwidth="wide"),
        TypeError,
        r"bandwidth must be a real number or a tensor",
    ),
    (
        lambda: nadaraya_watson(_Q, torch.zeros(2, 4, 3), _V),
        ValueError,
        r"queries have 5 features .* but keys have 3",
    ),
    (
        lambda: nadaraya_watson(_Q, _K, torch.zeros(2, 5, 6)),
        ValueError,
        r"values has shape \(2, 5, 6\), but keys of shape \(2, 4, 5\) need",
    ),
    (
        lambda: nadaraya_watson(_Q, torch.zeros(2, 0, 5), torch.zeros(2, 0)),
        ValueError,
        r"keys has no key positions",
    ),
    (
        lambda: attention_pool(torch.zeros(3, 4), torch.zeros(5, 2)),
        ValueError,
        r"weights has 4 key positions .* but values has 5",
    ),
    (
        lambda: attention_pool(torch.zeros(3, 4), torch.zeros(4, 2, dtype=torch.float64)),
        TypeError,
        r"weights has dtype torch.float32 but values has dtype torch.float64",
    ),
    (
        lambda: attention_pool(torch.tensor(1.0), torch.zeros(1)),
        ValueError,
        r"weights must have at least one dimension",
    ),
    (
        lambda: additive_attention(
            _Q, _K, _V, torch.zeros(7, 4), torch.zeros(7, 5), torch.zeros(7)
        ),
        ValueError,
        r"W_q must have shape \(h, 5\)",
    ),
    (
        lambda: additive_attention(
            _Q, _K, _V, torch.zeros(7, 5), torch.zeros(6, 5), torch.zeros(7)
        ),
        ValueError,
        r"W_k must have shape \(7, 5\)",
    ),
    (
        lambda: additive_attention(
            _Q, _K, _V, torch.zeros(7, 5), torch.zeros(7, 5), torch.zeros(6)
        ),
        ValueError,
        r"w_v must have shape \(7,\)",
    ),
    (
        lambda: additive_attention(
            _Q, _K, _V, torch.zeros(7, 5), torch.zeros(7, 5), torch.zeros(7, dtype=torch.int64)
        ),
        TypeError,
        r"w_v must be a floating-point tensor",
    ),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_validate_false_skips_the_length_range_check():
    out = masked_softmax(_S, torch.tensor([9, 2]), validate=False)  # 9 acts as 4
    assert_close(out[0], torch.full((3, 4), 0.25))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_mismatch_is_rejected():
    with pytest.raises(ValueError, match="valid_lens is on cpu but the scores are on cuda"):
        masked_softmax(torch.zeros(2, 3, device="cuda"), torch.tensor([1, 2]))


# --- docstring examples ------------------------------------------------------------------


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]
    assert len(tests) >= 6
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
