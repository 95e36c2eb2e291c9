"""Contracts of the normalization reference functions: dtypes, devices, no mutation, errors,
NaN policy, stability at extremes, gradients, and agreement with torch.nn.functional."""

from __future__ import annotations

import doctest

import mpmath
import pytest
import torch
import torch.nn.functional as F

from dltheory.core.tolerances import FLOAT_DTYPES, assert_accurate, assert_close
from dltheory.normalization import (
    BatchNormOutput,
    batch_norm,
    layer_norm,
    reference,
    residual_block,
)
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _x(*shape, dtype=torch.float32, device="cpu", seed=0, scale=1.0, loc=0.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale + loc).to(dtype).to(device)


# --- dtype, device, mutation -----------------------------------------------------------------


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    x = _x(4, 3, 2, 2, dtype=dtype, device=device)
    g, b = _x(3, dtype=dtype, device=device, seed=1), _x(3, dtype=dtype, device=device, seed=2)
    mean, var = (
        torch.zeros(3, dtype=dtype, device=device),
        torch.ones(3, dtype=dtype, device=device),
    )
    tensors = (x, g, b, mean, var)
    before = [t.clone() for t in tensors]
    versions = [t._version for t in tensors]
    out = batch_norm(x, g, b, running_mean=mean, running_var=var)
    assert isinstance(out, BatchNormOutput)
    for t in out:
        assert t.dtype == dtype and t.device == x.device and torch.isfinite(t).all()
    assert out.running_mean is not mean and out.running_var is not var
    ev = batch_norm(x, g, b, training=False, running_mean=mean, running_var=var)
    assert ev.running_mean is mean and ev.output.dtype == dtype
    ln = layer_norm(x, (2, 2), _x(2, 2, dtype=dtype, device=device), None)
    assert ln.dtype == dtype and ln.device == x.device
    w1 = _x(3, 3, 3, 3, dtype=dtype, device=device, seed=3, scale=0.3)
    block = residual_block(x, w1, w1, gamma2=g, beta2=b)
    assert block.dtype == dtype and block.shape == x.shape
    for t, bef, v in zip(tensors, before, versions, strict=True):
        assert torch.equal(t, bef) and t._version == v


# --- agreement with torch ----------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 6), (2, 4, 3, 3), (2, 4, 2, 2, 2)], ids=str)
@pytest.mark.parametrize("momentum", [0.0, 0.1, 1.0])
def test_batch_norm_matches_torch_in_every_layout(shape, momentum):
    x = _x(*shape, dtype=torch.float64)
    g, b = _x(4, dtype=torch.float64, seed=5), _x(4, dtype=torch.float64, seed=6)
    rm, rv = _x(4, dtype=torch.float64, seed=7), _x(4, dtype=torch.float64, seed=8).abs()
    ours = batch_norm(x, g, b, eps=1e-3, running_mean=rm, running_var=rv, momentum=momentum)
    rm2, rv2 = rm.clone(), rv.clone()
    want = F.batch_norm(x, rm2, rv2, g, b, training=True, momentum=momentum, eps=1e-3)
    assert_close(ours.output, want)
    assert_close(ours.running_mean, rm2)
    assert_close(ours.running_var, rv2)
    ev = batch_norm(x, g, b, eps=1e-3, training=False, running_mean=rm, running_var=rv)
    assert_close(ev.output, F.batch_norm(x, rm, rv, g, b, training=False, eps=1e-3))


@pytest.mark.parametrize("normalized_shape", [5, (5,), [4, 5], torch.Size([3, 4, 5])], ids=str)
def test_layer_norm_matches_torch(normalized_shape):
    x = _x(2, 3, 4, 5, dtype=torch.float64)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    g, b = _x(*shape, dtype=torch.float64, seed=1), _x(*shape, dtype=torch.float64, seed=2)
    assert_close(layer_norm(x, normalized_shape, g, b), F.layer_norm(x, shape, g, b))
    assert_close(layer_norm(x, normalized_shape), F.layer_norm(x, shape))


def test_layer_norm_of_a_single_feature_is_beta():
    x = _x(4, 1, dtype=torch.float64)
    assert torch.equal(
        layer_norm(x, 1, beta=torch.tensor([3.0], dtype=torch.float64)),
        torch.full((4, 1), 3.0, dtype=torch.float64),
    )


# --- stability, accuracy and NaN policy ----------------------------------------------------


@pytest.mark.claim("normalization.batch-norm-definition", "normalization.layer-norm-definition")
@pytest.mark.parametrize(
    ("dtype", "big"), [(torch.float32, 3e38), (torch.float64, 1e308), (torch.bfloat16, 3e38)]
)
def test_finite_at_extreme_inputs(dtype, big):
    x = torch.tensor([[big, 1.0], [-big, 2.0], [big, 3.0]], dtype=dtype)
    out = batch_norm(x).output
    assert torch.isfinite(out).all()
    # the same batch rescaled: standardization is scale-free once eps is negligible
    want = F.batch_norm(x.double() / big * 2, None, None, training=True, eps=1e-300)[:, 0]
    assert_close(out[:, 0].double(), want, dtype=dtype)
    assert torch.isfinite(layer_norm(x.T.contiguous(), 3)).all()
    tiny = torch.tensor([[5e-324, 1e300], [0.0, -1e300]], dtype=torch.float64)  # mixed scales
    assert torch.isfinite(batch_norm(tiny).output).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
def test_residual_block_is_finite_where_its_convolutions_overflow(dtype):
    """Input and first weights near the dtype's largest value: the first convolution
    overflows, but batch normalization is scale-free, so the branch (seen through a zero
    shortcut) equals torch's at a moderate scale, where eps is negligible in the first batch
    normalization as it is at full scale; with the identity shortcut the output is finite."""
    big = torch.finfo(dtype).max
    x = (_x(2, 2, 3, 3, dtype=torch.float64).clamp(-1, 1) * big).to(dtype)
    w1 = (_x(2, 2, 3, 3, dtype=torch.float64, seed=1).clamp(-1, 1) * big).to(dtype)
    w2, zero = _x(2, 2, 3, 3, dtype=dtype, seed=2), torch.zeros(2, 2, 1, 1, dtype=dtype)
    assert torch.isfinite(residual_block(x, w1, w2)).all()
    got = residual_block(x, w1, w2, shortcut_weight=zero)
    x64, w64 = x.double() / big, w1.double() / big  # the rounded inputs, rescaled
    y = F.conv2d(x64, w64, padding=1)
    y = torch.relu(F.batch_norm(y, None, None, training=True, eps=1e-300))
    y = F.batch_norm(F.conv2d(y, w2.double(), padding=1), None, None, training=True, eps=1e-5)
    assert_close(got.double(), torch.relu(y), dtype=dtype)


def test_offset_batches():
    """A mean 1e6 times the spread (float64): the corrected two-pass statistics keep the
    outputs within tolerance."""
    x = _x(64, 3, dtype=torch.float64, loc=1e6)
    assert_close(batch_norm(x).output, F.batch_norm(x, None, None, training=True))
    assert_close(layer_norm(x.T.contiguous(), 64), F.layer_norm(x.T, (64,)))


@ON_DEVICES
def test_a_mean_far_above_the_spread_is_corrected(device):
    """float32 values 1e4 + 1e-3 N(0, 1) lie a few ulps apart: the rounded mean is off by as
    much as the spread, and normalizing with it (F.layer_norm, F.batch_norm) is off by up to
    half the output's scale. The mean's rounding error, recovered as the mean of the
    deviations, keeps outputs and running statistics within float32's tolerance of float64 on
    the same inputs, on every device."""
    x = _x(64, 3, loc=1e4, scale=1e-3, device=device)
    zeros, ones = torch.zeros(3, device=device), torch.ones(3, device=device)
    out, mean, var = batch_norm(x, running_mean=zeros, running_var=ones, momentum=1.0)
    rm, rv = zeros.double(), ones.double()
    want = F.batch_norm(x.double(), rm, rv, training=True, momentum=1.0)
    assert_close(out, want, dtype=torch.float32)
    assert_close(mean, rm, dtype=torch.float32)
    assert_close(var, rv, dtype=torch.float32)
    rows = x.T.contiguous()
    assert_close(layer_norm(rows, 64), F.layer_norm(rows.double(), (64,)), dtype=torch.float32)


def test_layer_norm_rows_whose_variance_is_below_eps_keep_their_relative_accuracy():
    """A row with spread 1e-6 and mean 1e-3 (|mu| / sigma ~ 600) under eps = 1e-5: its outputs
    are ~1e-4, and rounding the mean inside the kernel would cost them 400 eps relatively;
    whether a row's mean lies within its spread is read from sigma, not sqrt(sigma^2 + eps).
    Checked against mpmath at 60 digits, in eps of each output."""
    row = [0.0009969, 0.0009987, 0.0010007, 0.0010022, 0.0010019, 0.0009996]
    x = torch.tensor([row], dtype=torch.float64)
    with mpmath.workdps(60):
        v = [mpmath.mpf(a) for a in row]
        mu = sum(v) / 6
        r = 1 / mpmath.sqrt(sum((a - mu) ** 2 for a in v) / 6 + mpmath.mpf(1e-5))
        exact = [float((a - mu) * r) for a in v]
    assert_accurate(layer_norm(x, 6, eps=1e-5)[0], exact)


def test_layer_norm_of_a_row_does_not_depend_on_the_other_rows():
    """Beside a NaN row, an overflowing row or a row whose mean is far above its spread (each
    taking another path), a row's result is bit for bit its result alone."""
    g = torch.Generator().manual_seed(5)
    plain = torch.randn(3, 8, generator=g, dtype=torch.float64)
    alone = layer_norm(plain, 8)
    for other in (
        torch.full((1, 8), float("nan"), dtype=torch.float64),
        torch.tensor([[1e308, -1e308] * 4], dtype=torch.float64),
        1e6 + torch.randn(1, 8, generator=g, dtype=torch.float64),
    ):
        assert torch.equal(layer_norm(torch.cat([plain, other]), 8)[:3], alone)


def test_slices_of_one_entry_leave_the_input_alone_and_keep_nan():
    """Normalizing over one entry: a sum over it is the entry itself, which the statistics
    must not divide in place (the caller's tensor, or a leaf autograd tracks)."""
    x = torch.tensor([[1.0], [float("nan")], [float("inf")], [1e308]], dtype=torch.float64)
    before, version = x.clone(), x._version
    out = layer_norm(x, 1)
    assert x._version == version and torch.equal(x.isnan(), before.isnan())
    assert out[[0, 3]].tolist() == [[0.0], [0.0]] and out[1:3].isnan().all()
    leaf = x.clone().requires_grad_()
    layer_norm(leaf, 1).sum().backward()  # no in-place error on the leaf's view
    assert leaf.grad[[0, 3]].tolist() == [[0.0], [0.0]]


def test_nan_stays_in_its_channel_and_example():
    x = _x(4, 3, dtype=torch.float64)
    x[1, 2] = float("nan")
    out = batch_norm(x).output
    assert torch.isnan(out[:, 2]).all() and torch.isfinite(out[:, :2]).all()
    ln = layer_norm(x, 3)
    assert torch.isnan(ln[1]).all() and torch.isfinite(ln[[0, 2, 3]]).all()
    x[1, 2] = float("inf")
    assert torch.isnan(batch_norm(x).output[:, 2]).all()


def test_nan_does_not_stop_another_slice_from_being_rescaled():
    """A slice whose statistics overflow is rescaled even where another slice holds NaN."""
    rows = torch.tensor([[1.0, float("nan"), 2.0], [3e38, -3e38, 3e38]])
    ln = layer_norm(rows, 3)
    assert torch.isnan(ln[0]).all() and torch.isfinite(ln[1]).all()
    bn = batch_norm(rows.T.contiguous()).output
    assert torch.isnan(bn[:, 0]).all() and torch.isfinite(bn[:, 1]).all()


def test_low_precision_is_computed_in_float32_and_rounded_once():
    x = _x(512, 2, dtype=torch.float16, scale=3.0, loc=20.0)
    want = F.batch_norm(x.double(), None, None, training=True)
    assert_close(batch_norm(x).output, want)  # float16 tolerance: one rounding


# --- autograd --------------------------------------------------------------------------------


def test_gradients_and_second_derivatives():
    x = _x(4, 3, 2, dtype=torch.float64).requires_grad_()
    g = (_x(3, dtype=torch.float64, seed=1) + 1).requires_grad_()
    b = _x(3, dtype=torch.float64, seed=2).requires_grad_()
    for f in (
        lambda a, c, d: batch_norm(a, c, d).output,
        lambda a, c, d: (
            batch_norm(
                a,
                c,
                d,
                training=False,
                running_mean=torch.zeros(3, dtype=torch.float64),
                running_var=torch.ones(3, dtype=torch.float64),
            ).output
        ),
        lambda a, c, d: layer_norm(a.transpose(1, 2), 3, c, d),
    ):
        assert torch.autograd.gradcheck(f, (x, g, b))
        assert torch.autograd.gradgradcheck(f, (x, g, b))


def test_running_statistics_are_not_differentiated():
    x = _x(4, 3, dtype=torch.float64).requires_grad_()
    out = batch_norm(
        x,
        running_mean=torch.zeros(3, dtype=torch.float64),
        running_var=torch.ones(3, dtype=torch.float64),
    )
    assert out.output.requires_grad and not out.running_mean.requires_grad


# --- bad input ---------------------------------------------------------------------------

X = torch.zeros(4, 3)
W = torch.zeros(3, 3, 3, 3)

BAD_INPUTS = [
    (lambda: batch_norm(torch.zeros(1, 3)), ValueError, r"x has a single value per channel"),
    (lambda: batch_norm(torch.zeros(1, 3, 1, 1)), ValueError, r"a batch of one"),
    (lambda: batch_norm(X, eps=0.0), ValueError, r"eps must be a finite number in \(0"),
    (lambda: batch_norm(X, eps=-1e-5), ValueError, r"eps must be"),
    (lambda: batch_norm(X, eps="small"), TypeError, r"eps must be a real number"),
    (lambda: batch_norm(X, momentum=1.5), ValueError, r"momentum must be a finite number in \[0"),
    (lambda: batch_norm(X, torch.ones(4)), ValueError, r"gamma must have shape \(3,\), got \(4,\)"),
    (lambda: batch_norm(X, None, torch.ones(3, 1)), ValueError, r"beta must have shape \(3,\)"),
    (lambda: batch_norm(X, [1.0, 1.0, 1.0]), TypeError, r"gamma must be a torch.Tensor or None"),
    (
        lambda: batch_norm(X, torch.ones(3, dtype=torch.int64)),
        TypeError,
        r"gamma must be a "
        r"floating-point tensor",
    ),
    (lambda: batch_norm(torch.zeros(3)), ValueError, r"x must have shape \(N, C, \.\.\.\)"),
    (lambda: batch_norm(torch.zeros(0, 3)), ValueError, r"x has an empty dimension"),
    (
        lambda: batch_norm(torch.zeros(4, 3, dtype=torch.int64)),
        TypeError,
        r"x must be a floating-point tensor",
    ),
    (lambda: batch_norm(X, running_mean=torch.zeros(3)), ValueError, r"running_var is missing"),
    (
        lambda: batch_norm(X, training=False),
        ValueError,
        r"running_mean and running_var are "
        r"required when training=False",
    ),
    (lambda: batch_norm(X, training=1), TypeError, r"training must be a bool"),
    (
        lambda: batch_norm(X, running_mean=torch.zeros(2), running_var=torch.ones(2)),
        ValueError,
        r"running_mean must have shape \(3,\)",
    ),
    (lambda: layer_norm(X, 4), ValueError, r"normalized_shape \(4,\) must be nonempty and match"),
    (lambda: layer_norm(X, ()), ValueError, r"normalized_shape \(\) must be nonempty"),
    (lambda: layer_norm(X, 3.0), TypeError, r"normalized_shape must be an int or a sequence"),
    (lambda: layer_norm(X, 0), ValueError, r"normalized_shape must be an int >= 1"),
    (lambda: layer_norm(X, 3, torch.ones(4)), ValueError, r"gamma must have shape \(3,\)"),
    (lambda: layer_norm(X, 3, eps=0), ValueError, r"eps must be"),
    (
        lambda: residual_block(torch.zeros(2, 3, 4), W, W),
        ValueError,
        r"x must have shape \(N, C, "
        r"H, W\)",
    ),
    (
        lambda: residual_block(torch.zeros(2, 3, 4, 4), torch.zeros(3, 3, 2, 2), W),
        ValueError,
        r"weight1 must have shape \(out_channels, in_channels / groups, k, k\) with an odd k",
    ),
    (
        lambda: residual_block(torch.zeros(2, 2, 4, 4), W, W),
        ValueError,
        r"weight1 of shape \(3, 3, 3, 3\) does not fit x with 2 channels",
    ),
    (
        lambda: residual_block(torch.zeros(2, 3, 4, 4), W, W, stride=2),
        ValueError,
        r"the identity shortcut needs C_in == C_out and stride 1",
    ),
    (
        lambda: residual_block(torch.zeros(2, 3, 4, 4), W, W, stride=0),
        ValueError,
        r"stride must be an int >= 1",
    ),
    (
        lambda: residual_block(torch.zeros(2, 3, 4, 4), W, W, groups=2),
        ValueError,
        r"does not fit x with 3 channels in 2 group",
    ),
    (
        lambda: residual_block(
            torch.zeros(2, 3, 4, 4), W, torch.zeros(3, 3, 5, 5), shortcut_bias=torch.zeros(3)
        ),
        ValueError,
        r"shortcut_bias needs shortcut_weight",
    ),
    (
        lambda: residual_block(torch.zeros(1, 3, 1, 1), W, W),
        ValueError,
        r"leaves a single value per channel",
    ),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_mismatch_is_rejected():
    with pytest.raises(ValueError, match="gamma is on cpu but x is on cuda"):
        batch_norm(torch.zeros(4, 3, device="cuda"), torch.ones(3))


# --- docstring examples ------------------------------------------------------------------


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]
    assert len(tests) >= 3
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
