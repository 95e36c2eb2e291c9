"""Contracts of the convolution reference functions: dtypes, devices, layouts, no mutation,
errors that name the argument (kernel larger than the padded input, bad stride, channel
mismatch, non-4-D input), NaN/inf policies, gradients, and agreement with torch / SciPy."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dltheory.convolution import (
    conv2d,
    conv_output_shape,
    convolve2d,
    corr2d,
    pool2d,
    reference,
)
from dltheory.core.tolerances import FLOAT_DTYPES, assert_close
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _randn(*shape, dtype=torch.float32, device="cpu", seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype).to(device)


# --- dtype, device, mutation ---------------------------------------------------------------


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    x = _randn(2, 3, 7, 6, dtype=dtype, device=device)
    w = _randn(4, 3, 3, 2, dtype=dtype, device=device, seed=1)
    b = _randn(4, dtype=dtype, device=device, seed=2)
    k = _randn(2, 3, dtype=dtype, device=device, seed=3)
    inputs = (x, w, b, k)
    before = [t.clone() for t in inputs]
    versions = [t._version for t in inputs]
    calls = {
        "corr2d": lambda: corr2d(x, k),
        "convolve2d": lambda: convolve2d(x, k),
        "convolve2d valid": lambda: convolve2d(x, k, "valid"),
        "conv2d": lambda: conv2d(x, w, b, stride=2, padding=1, dilation=(2, 1)),
        "pool2d max": lambda: pool2d(x, 2, padding=1),
        "pool2d avg": lambda: pool2d(x, (3, 2), stride=1, mode="avg"),
        "pool2d 1x1": lambda: pool2d(x, 1),
    }
    for name, call in calls.items():
        out = call()
        assert out.dtype == dtype and out.device == x.device, name
        assert torch.isfinite(out).all(), name
        assert out.data_ptr() != x.data_ptr(), f"{name} returned a view of its input"
    for t, saved, version in zip(inputs, before, versions, strict=True):
        assert torch.equal(t, saved) and t._version == version


def test_non_contiguous_and_batched_layouts():
    x = _randn(2, 3, 9, 8, dtype=torch.float64).transpose(-1, -2)  # a non-contiguous view
    k = _randn(3, 3, dtype=torch.float64, seed=1)
    want = F.conv2d(x.reshape(-1, 1, 8, 9), k[None, None]).reshape(2, 3, 6, 7)
    assert_close(corr2d(x, k), want)
    w = _randn(4, 3, 2, 2, dtype=torch.float64, seed=2)
    assert_close(conv2d(x, w, stride=(2, 3)), F.conv2d(x, w, stride=(2, 3)))
    wide = _randn(2, 16, 9, 8, dtype=torch.float64).transpose(-1, -2)  # the tap-by-tap path
    w16 = _randn(3, 16, 3, 3, dtype=torch.float64, seed=4)
    out = conv2d(wide, w16, padding=1, dilation=(2, 1))
    assert_close(out, F.conv2d(wide, w16, padding=1, dilation=(2, 1)))
    assert out.is_contiguous()
    for mode, builtin in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        assert_close(pool2d(x, 3, 2, 1, mode), builtin(x, 3, 2, 1))


def test_empty_batch_keeps_its_shape():
    x = torch.zeros(0, 3, 5, 5)
    assert conv2d(x, torch.zeros(2, 3, 3, 3)).shape == (0, 2, 3, 3)
    assert conv2d(torch.zeros(0, 16, 5, 5), torch.zeros(2, 16, 3, 3), padding=1).shape[1:] == (
        2,
        5,
        5,
    )
    assert pool2d(x, 2).shape == (0, 3, 2, 2)
    assert corr2d(torch.zeros(0, 5, 5), torch.zeros(2, 2)).shape == (0, 4, 4)


# --- agreement with torch and SciPy -----------------------------------------------------------


@given(
    n=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
def test_conv_output_shape_matches_conv2d_or_both_refuse(n, k, padding, stride, dilation):
    x, w = torch.zeros(1, 1, *n), torch.zeros(1, 1, *k)
    try:
        want = tuple(F.conv2d(x, w, None, stride, padding, dilation).shape[-2:])
    except RuntimeError:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_output_shape(n, k, padding, stride, dilation)
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d(x, w, None, stride, padding, dilation)
        return
    assert conv_output_shape(n, k, padding, stride, dilation) == want
    assert tuple(conv2d(x, w, None, stride, padding, dilation).shape[-2:]) == want


def test_conv_output_shape_returns_an_int_or_a_pair():
    assert conv_output_shape(5, 3) == 3
    assert conv_output_shape(5, 3, padding=(1, 0)) == (5, 3)
    assert conv_output_shape([7, 8], 3, stride=2) == (3, 3)


def test_corr2d_and_convolve2d_match_scipy():
    x, k = _randn(6, 7, dtype=torch.float64), _randn(3, 2, dtype=torch.float64, seed=1)
    assert_close(corr2d(x, k), scipy.signal.correlate2d(x.numpy(), k.numpy(), "valid"))
    for mode in ("full", "valid"):
        assert_close(convolve2d(x, k, mode), scipy.signal.convolve2d(x.numpy(), k.numpy(), mode))
    big = _randn(8, 9, dtype=torch.float64, seed=2)
    assert_close(convolve2d(x, big), scipy.signal.convolve2d(x.numpy(), big.numpy()))


def test_gradients_match_autograd_of_the_builtins():
    x = _randn(2, 2, 6, 5, dtype=torch.float64).requires_grad_()
    w = _randn(3, 2, 2, 3, dtype=torch.float64, seed=1).requires_grad_()
    b = _randn(3, dtype=torch.float64, seed=2).requires_grad_()
    mine = torch.autograd.grad(conv2d(x, w, b, 2, 1, (1, 2)).square().sum(), (x, w, b))
    want = torch.autograd.grad(F.conv2d(x, w, b, 2, 1, (1, 2)).square().sum(), (x, w, b))
    for a, c in zip(mine, want, strict=True):
        assert_close(a, c)
    for mode, builtin in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        (mine_x,) = torch.autograd.grad(pool2d(x, 3, 2, 1, mode).square().sum(), x)
        (want_x,) = torch.autograd.grad(builtin(x, 3, 2, 1).square().sum(), x)
        assert_close(mine_x, want_x)


def test_second_derivatives_exist_for_every_tensor_argument():
    x = _randn(1, 2, 3, 3, dtype=torch.float64).requires_grad_()
    w = _randn(1, 2, 2, 2, dtype=torch.float64, seed=1).requires_grad_()
    b = _randn(1, dtype=torch.float64, seed=2).requires_grad_()
    assert torch.autograd.gradgradcheck(lambda *a: conv2d(*a, padding=1), (x, w, b))
    wide = _randn(1, 16, 2, 2, dtype=torch.float64).requires_grad_()  # the tap-by-tap path
    w16 = _randn(1, 16, 2, 1, dtype=torch.float64, seed=4).requires_grad_()
    assert torch.autograd.gradgradcheck(lambda *a: conv2d(*a, padding=1), (wide, w16))
    k = _randn(2, 2, dtype=torch.float64, seed=3).requires_grad_()
    assert torch.autograd.gradgradcheck(corr2d, (x[0, 0], k))
    assert torch.autograd.gradgradcheck(convolve2d, (x[0, 0], k))
    assert torch.autograd.gradgradcheck(lambda t: pool2d(t, 2, 1, 1, "avg"), (x,))


def test_max_pooling_shares_the_gradient_of_ties():
    x = torch.ones(1, 1, 2, 2, requires_grad=True)
    pool2d(x, 2).sum().backward()
    assert x.grad.sum().item() == pytest.approx(1.0)
    assert (x.grad > 0).all()  # every tied entry gets a share (F.max_pool2d: one of them)


def test_nan_and_infinity_policies():
    x = torch.zeros(1, 1, 4, 4)
    x[0, 0, 0, 0] = float("nan")
    x[0, 0, 3, 3] = float("inf")
    pooled = pool2d(x, 2)
    assert pooled[0, 0, 0, 0].isnan() and pooled[0, 0, 1, 1] == float("inf")
    assert pooled[0, 0, 0, 1] == 0 and pooled[0, 0, 1, 0] == 0
    out = conv2d(x, torch.ones(1, 1, 2, 2))
    assert out[0, 0, 0, 0].isnan() and out[0, 0, 2, 2] == float("inf")
    assert out[0, 0, 1, 1] == 0  # windows without the specials are untouched


def test_bfloat16_is_computed_in_float32_and_rounded_once():
    x = _randn(1, 8, 10, 10, seed=5)
    w = _randn(4, 8, 3, 3, seed=6)
    got = conv2d(x.bfloat16(), w.bfloat16())
    want = F.conv2d(x.bfloat16().double(), w.bfloat16().double()).bfloat16()
    assert (got.double() - want.double()).abs().max() <= np.finfo(np.float32).eps * 64


# --- bad input -------------------------------------------------------------------------------

_X4, _W4 = torch.zeros(1, 3, 5, 5), torch.zeros(2, 3, 3, 3)

BAD_INPUTS = [
    (lambda: corr2d(torch.zeros(5), torch.zeros(2, 2)), ValueError, r"input must be at least 2-D"),
    (lambda: corr2d(torch.zeros(5, 5), torch.zeros(2)), ValueError, r"kernel must be 2-D"),
    (lambda: corr2d(torch.zeros(2, 5), torch.zeros(3, 3)), ValueError, r"kernel height 3 is"),
    (lambda: corr2d(torch.zeros(5, 5, dtype=torch.int64), torch.zeros(2, 2)), TypeError, "input"),
    (lambda: corr2d(torch.zeros(5, 5), torch.zeros(2, 2).double()), TypeError, r"kernel has dtype"),
    (lambda: convolve2d(torch.zeros(5, 5), torch.zeros(2, 2), "same"), ValueError, r"mode must be"),
    (lambda: convolve2d(torch.zeros(2, 2), torch.zeros(3, 3), "valid"), ValueError, r"larger"),
    (lambda: conv2d(torch.zeros(3, 5, 5), _W4), ValueError, r"input must be 4-D"),
    (lambda: conv2d(_X4, torch.zeros(2, 3, 3)), ValueError, r"weight must be 4-D"),
    (lambda: conv2d(_X4, torch.zeros(2, 4, 3, 3)), ValueError, r"input has 3 channels but weight"),
    (lambda: conv2d(_X4, _W4, torch.zeros(3)), ValueError, r"bias must have shape \(2,\)"),
    (lambda: conv2d(_X4, _W4, stride=0), ValueError, r"stride must be an int >= 1, got 0"),
    (lambda: conv2d(_X4, _W4, stride=-2), ValueError, r"stride must be an int >= 1"),
    (lambda: conv2d(_X4, _W4, stride=1.5), TypeError, r"stride must be an int"),
    (lambda: conv2d(_X4, _W4, padding=-1), ValueError, r"padding must be an int >= 0"),
    (lambda: conv2d(_X4, _W4, dilation=(1, 0)), ValueError, r"dilation\[1\] must be an int >= 1"),
    (lambda: conv2d(_X4, _W4, stride=(1, 2, 3)), ValueError, r"stride must be an int or a pair"),
    (lambda: conv2d(_X4, torch.zeros(2, 3, 7, 7)), ValueError, r"kernel height 7 is larger than"),
    (lambda: conv2d(_X4, _W4, dilation=3), ValueError, r"\(dilated to 7\) is larger than"),
    (lambda: conv2d(_X4, _W4.double()), TypeError, r"weight has dtype torch.float64"),
    (lambda: conv2d(_X4, [[0.0]]), TypeError, r"weight must be a torch.Tensor"),
    (lambda: conv_output_shape(0, 1), ValueError, r"n must be an int >= 1"),
    (lambda: conv_output_shape(4, 5), ValueError, r"kernel height 5 is larger than the padded"),
    (lambda: conv_output_shape(4, 3, stride=0), ValueError, r"stride must be an int >= 1"),
    (lambda: conv_output_shape(4, 3, padding=True), TypeError, r"padding must be an int"),
    (lambda: conv_output_shape(4.0, 3), TypeError, r"n must be an int"),
    (lambda: pool2d(torch.zeros(5), 2), ValueError, r"input must be at least 2-D"),
    (lambda: pool2d(_X4, 0), ValueError, r"kernel_size must be an int >= 1"),
    (lambda: pool2d(_X4, 2, stride=0), ValueError, r"stride must be an int >= 1"),
    (lambda: pool2d(_X4, 2, padding=2), ValueError, r"padding 2 is more than half the window"),
    (lambda: pool2d(_X4, 7), ValueError, r"kernel height 7 is larger than the padded input"),
    (lambda: pool2d(_X4, 2, mode="min"), ValueError, r"mode must be 'max' or 'avg'"),
    (lambda: pool2d(torch.zeros(4, 4, dtype=torch.int32), 2), TypeError, r"input must be a float"),
    (lambda: conv2d(_X4, _W4, padding=10**400), ValueError, r"padding an int of .* makes the"),
    (lambda: conv2d(_X4, _W4, dilation=10**400), ValueError, r"\(arguments: weight, padding, dil"),
    (lambda: pool2d(_X4, 10**400), ValueError, r"\(arguments: kernel_size, padding\)"),
    (lambda: conv_output_shape(4, 10**400), ValueError, r"\(arguments: k, padding\)"),
]


def test_strides_past_the_input_give_one_position():
    """A stride of at least the padded size (even one no slice step can hold) gives one output
    position per dimension, as torch's does."""
    x, w = _randn(1, 2, 5, 4, seed=1), _randn(3, 2, 2, 2, seed=2)
    for stride in (5, 10**400):
        assert conv2d(x, w, stride=stride).shape == (1, 3, 1, 1)
        assert pool2d(x, 2, stride=stride).shape == (1, 2, 1, 1)
    assert_close(conv2d(x, w, stride=10**400), F.conv2d(x, w, stride=5))


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_mismatch_is_rejected():
    with pytest.raises(ValueError, match="weight is on cpu but input is on cuda"):
        conv2d(_X4.cuda(), _W4)
    with pytest.raises(ValueError, match="kernel is on cpu but input is on cuda"):
        corr2d(torch.zeros(4, 4, device="cuda"), torch.zeros(2, 2))


# --- docstring examples ----------------------------------------------------------------------


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]
    assert len(tests) >= 5
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
