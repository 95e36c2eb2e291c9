"""Contracts of the MLP reference functions: dtypes, devices, shapes, no mutation, errors that
name the argument, NaN/inf policies, stability at the ends of each dtype's range, gradients,
and agreement with the torch built-ins."""

from __future__ import annotations

import doctest
import math

import pytest
import torch
import torch.nn.functional as F

from dltheory.core.tolerances import FLOAT_DTYPES, assert_accurate, assert_close
from dltheory.mlp import (
    MLPGradients,
    _elementwise,
    dropout,
    linear,
    mlp_backward,
    mlp_forward,
    reference,
    relu,
    sigmoid,
    tanh,
    xavier_uniform,
)
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _randn(*shape, dtype=torch.float32, device="cpu", seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype).to(device)


def _network(d=4, m=5, q=3, **kw):
    return [_randn(*s, seed=10 + k, **kw) for k, s in enumerate([(m, d), (m,), (q, m), (q,)])]


def _calls(x, device):
    params = _network(dtype=x.dtype, device=device)
    g = _randn(*x.shape[:-1], 3, dtype=x.dtype, device=device, seed=3)
    return {
        "relu": lambda: relu(x),
        "sigmoid": lambda: sigmoid(x),
        "tanh": lambda: tanh(x),
        "linear": lambda: linear(x, params[0], params[1]),
        "mlp_forward": lambda: mlp_forward(x, *params, activation="tanh"),
        "mlp_backward": lambda: mlp_backward(x, *params, g, activation="sigmoid").W1,
        "dropout": lambda: dropout(
            x, 0.3, generator=torch.Generator(device=x.device).manual_seed(1)
        ),
    }


# --- dtype, device, mutation ---------------------------------------------------------------


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    x = _randn(3, 4, dtype=dtype, device=device, scale=3.0)
    before, version = x.clone(), x._version
    for name, call in _calls(x, device).items():
        out = call()
        assert out.dtype == dtype and out.device == x.device, name
        assert torch.isfinite(out).all(), name
    assert torch.equal(x, before) and x._version == version


@ON_DEVICES
@DTYPES
def test_xavier_uniform_creates_the_requested_dtype_and_device(dtype, device):
    w = xavier_uniform((4, 3, 2, 2), 2.0, dtype=dtype, device=device)
    assert w.dtype == dtype and w.device.type == torch.device(device).type
    assert w.shape == (4, 3, 2, 2)
    bound = 2.0 * math.sqrt(6 / (3 * 4 + 4 * 4))
    assert w.double().abs().max() <= torch.tensor(bound).to(dtype).double()
    assert xavier_uniform((2, 2)).dtype == torch.get_default_dtype()


def test_activations_accept_zero_dimensional_and_empty_tensors():
    for fn in (relu, sigmoid, tanh):
        assert fn(torch.tensor(0.5)).shape == ()
        assert fn(torch.empty(0, 3)).shape == (0, 3)


def test_mlp_backward_returns_named_gradients_of_each_arguments_shape():
    x, params = _randn(2, 3, 4), _network()
    grads = mlp_backward(x, *params, _randn(2, 3, 3))
    assert isinstance(grads, MLPGradients)
    for grad, arg in zip(grads, (x, *params), strict=True):
        assert grad.shape == arg.shape


def test_mlp_backward_does_not_need_b2():
    """b2 enters no gradient: passing None gives the same gradients (mlp_forward needs it)."""
    x, params, g = _randn(4, 4), _network(), _randn(4, 3)
    with_b2 = mlp_backward(x, *params, g, activation="tanh")
    without = mlp_backward(x, *params[:3], None, g, activation="tanh")
    for a, b in zip(with_b2, without, strict=True):
        assert torch.equal(a, b)
    with pytest.raises(TypeError, match=r"b2 must be a torch\.Tensor"):
        mlp_forward(x, *params[:3], None)


# --- stability and NaN/inf policies --------------------------------------------------------


@DTYPES
def test_activations_are_finite_at_the_ends_of_the_range(dtype):
    big = torch.finfo(dtype).max
    x = torch.tensor([-big, -1e4, -100.0, 100.0, 1e4, big]).to(dtype)
    assert sigmoid(x).double().tolist()[::5] == [0.0, 1.0]
    assert tanh(x).double().tolist()[::5] == [-1.0, 1.0]
    for fn in (sigmoid, tanh):
        leaf = x.clone().requires_grad_()
        fn(leaf).sum().backward()
        assert torch.isfinite(leaf.grad).all() and (leaf.grad == 0).any()


def test_tiny_values_keep_their_relative_accuracy():
    tiny = torch.tensor([1e-300, 5e-324, -1e-20], dtype=torch.float64)
    assert tanh(tiny).tolist() == tiny.tolist()  # tanh x = x (1 - x^2/3 ...) to the last bit
    assert sigmoid(torch.tensor([-740.0], dtype=torch.float64)).item() > 0  # e^-740 subnormal


def test_nan_and_infinity_policies():
    special = torch.tensor([float("nan"), float("inf"), -float("inf"), -0.0])
    assert relu(special)[0].isnan() and relu(special)[1:].tolist() == [math.inf, 0.0, 0.0]
    assert sigmoid(special)[0].isnan() and sigmoid(special)[1:3].tolist() == [1.0, 0.0]
    out = tanh(special)
    assert out[0].isnan() and out[1:3].tolist() == [1.0, -1.0]
    assert math.copysign(1.0, out[3].item()) == -1.0  # the sign of zero is kept
    many = special[:3].repeat(50)
    dropped = dropout(many, 0.5, generator=torch.Generator().manual_seed(0))
    assert (dropped == 0).any()  # dropped entries are exactly 0, inf and NaN included
    kept = dropped != 0
    assert torch.equal(dropped[kept].isnan(), many[kept].isnan())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("with_nan", [False, True], ids=["no NaN", "a NaN"])
@pytest.mark.parametrize("copies", [1, 2048], ids=["small", "large"])
def test_relu_gradient_policy(dtype, with_nan, copies):
    # 1 for x > 0 (inf and the smallest subnormal included), 0 for x <= 0 (the left
    # derivative at 0, -0.0 and -inf), and NaN for a NaN input, where torch.relu's backward
    # passes the incoming gradient through; a large CPU input without NaN takes the fused
    # backward alone (after one host read), the others the ceil form, and all must agree
    tiny = torch.finfo(dtype).tiny * torch.finfo(dtype).eps
    values = [math.inf, 2.5, 1.0, tiny, 0.0, -0.0, -tiny, -1.0, -math.inf]
    expected = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    if with_nan:
        values, expected = [math.nan, *values], [math.nan, *expected]
    x = torch.tensor(values * copies, dtype=dtype, requires_grad=True)
    assert (x.numel() >= _elementwise._CHECKED_RELU) == (copies > 1)
    grad = torch.linspace(0.5, 2.0, x.numel(), dtype=dtype)
    relu(x).backward(grad)
    want = grad * torch.tensor(expected * copies, dtype=dtype)
    assert torch.equal(x.grad.isnan(), want.isnan())
    assert torch.equal(x.grad.nan_to_num(), want.nan_to_num())


def test_a_nan_elsewhere_does_not_cost_the_subnormal_tails():
    """sigma(-95), sigma'(+-95) and tanh'(46) are subnormal in float32 (e^-95, 4 e^-92): kept,
    whether or not another entry is NaN (a NaN reduction must not switch the tails off)."""
    tails = [95.0, -95.0, 46.0]
    for values in (tails, [math.nan, *tails]):
        x = torch.tensor(values, requires_grad=True)
        sigmoid(x).sum().backward()
        grad_sigmoid, x.grad = x.grad[-3:-1], None
        tanh(x).sum().backward()
        # float64 exp of these arguments is far more accurate than a float32 subnormal
        assert_accurate(sigmoid(x.detach())[-2], math.exp(-95.0))
        assert_accurate(grad_sigmoid, [math.exp(-95.0)] * 2)
        assert_accurate(x.grad[-1], 4 * math.exp(-92.0))


# --- agreement with torch ------------------------------------------------------------------


def test_linear_matches_functional_linear_in_every_layout():
    w, b = _randn(3, 5, dtype=torch.float64), _randn(3, dtype=torch.float64)
    for shape in [(5,), (2, 5), (2, 3, 5), (0, 5)]:
        x = _randn(*shape, dtype=torch.float64)
        assert_close(linear(x, w, b), F.linear(x, w, b))
        assert_close(linear(x, w), F.linear(x, w))


def test_dropout_conventions_match_functional_dropout():
    x = _randn(1000, dtype=torch.float64)
    assert dropout(x, 0.5, training=False) is x is F.dropout(x, 0.5, training=False)
    assert dropout(x, 0.0) is x
    out = dropout(x, 0.25, generator=torch.Generator().manual_seed(2))
    kept = out != 0
    assert_close(out[kept], x[kept] / 0.75)
    same = dropout(x, 0.25, generator=torch.Generator().manual_seed(2))
    assert torch.equal(out, same)


def test_xavier_uniform_draws_what_torch_draws():
    for shape, gain in [((5, 7), 1.0), ((8, 3, 3, 3), math.sqrt(2))]:
        mine = xavier_uniform(shape, gain, torch.Generator().manual_seed(3))
        theirs = torch.empty(shape)
        torch.nn.init.xavier_uniform_(theirs, gain, generator=torch.Generator().manual_seed(3))
        assert_close(mine, theirs)


def test_second_derivatives_exist_for_every_tensor_argument():
    x, params = _randn(2, 3, dtype=torch.float64), _network(3, 2, 2, dtype=torch.float64)
    g = _randn(2, 2, dtype=torch.float64, seed=4)
    leaves = tuple(t.requires_grad_() for t in (x, *params, g))
    assert torch.autograd.gradgradcheck(
        lambda *a: tuple(mlp_backward(*a, activation="tanh")), leaves
    )
    z = _randn(6, dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradgradcheck(
        lambda t: dropout(t, 0.4, generator=torch.Generator().manual_seed(5)), (z,)
    )


# --- bad input -----------------------------------------------------------------------------

_X, _P = torch.zeros(2, 4), _network()

BAD_INPUTS = [
    (lambda: relu([1.0]), TypeError, r"input must be a torch.Tensor"),
    (lambda: sigmoid(torch.tensor([1, 2])), TypeError, r"input must be a floating-point tensor"),
    (lambda: tanh(torch.tensor([True])), TypeError, r"input must be a floating-point tensor"),
    (lambda: linear(torch.tensor(1.0), _P[0]), ValueError, r"input must have at least one dim"),
    (lambda: linear(_X, torch.zeros(5)), ValueError, r"weight must be 2-D"),
    (lambda: linear(_X, torch.zeros(5, 3)), ValueError, r"weight of shape \(5, 3\) expects 3"),
    (lambda: linear(_X, _P[0], torch.zeros(4)), ValueError, r"bias must have shape \(5,\)"),
    (lambda: linear(_X, _P[0].double()), TypeError, r"weight has dtype torch.float64"),
    (lambda: mlp_forward(_X, _P[0], None, *_P[2:]), TypeError, r"b1 must be a torch.Tensor"),
    (lambda: mlp_forward(_X, *_P[:2], torch.zeros(3, 4), _P[3]), ValueError, r"W2 of shape"),
    (lambda: mlp_forward(_X, *_P, activation="gelu"), ValueError, r"activation must be one of"),
    (lambda: mlp_backward(_X, *_P, torch.zeros(2, 4)), ValueError, r"grad_output must have"),
    (lambda: mlp_backward(_X, *_P, [0.0]), TypeError, r"grad_output must be a torch.Tensor"),
    (lambda: dropout(_X, 1.0), ValueError, r"p must be a finite number in \[0, 1\)"),
    (lambda: dropout(_X, -0.1), ValueError, r"p must be a finite number in \[0, 1\)"),
    (lambda: dropout(_X, float("nan")), ValueError, r"p must be a finite number"),
    (lambda: dropout(_X, True), TypeError, r"p must be a real number, got bool"),
    (lambda: dropout(_X, torch.tensor(0.5)), TypeError, r"p must be a real number"),
    (lambda: dropout(_X, 0.5, training=1), TypeError, r"training must be a bool"),
    (lambda: dropout(_X, 0.5, generator=3), TypeError, r"generator must be a torch.Generator"),
    (lambda: xavier_uniform((3,)), ValueError, r"shape must have at least 2 dimensions"),
    (lambda: xavier_uniform((3, 0)), ValueError, r"shape\[1\] must be an int >= 1"),
    (lambda: xavier_uniform((3, 2.0)), TypeError, r"shape\[1\] must be an int"),
    (lambda: xavier_uniform(torch.Size([2, 2]), gain=-1.0), ValueError, r"gain must be"),
    (lambda: xavier_uniform("ab"), TypeError, r"shape must be a sequence of ints"),
    (lambda: xavier_uniform((2, 2), dtype=torch.int64), TypeError, r"dtype must be a floating"),
    (lambda: xavier_uniform((2, 2), 10**400), ValueError, r"gain must be a finite number"),
    (lambda: xavier_uniform((2, 2), device="nowhere"), TypeError, r"device must be a torch"),
    (lambda: dropout(_X, 10**400), ValueError, r"p must be a finite number"),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_mismatch_is_rejected():
    x = torch.zeros(2, 4, device="cuda")
    with pytest.raises(ValueError, match="weight is on cpu but input is on cuda"):
        linear(x, torch.zeros(3, 4))
    with pytest.raises(ValueError, match="generator is on cpu"):
        dropout(x, 0.5, generator=torch.Generator())


# --- docstring examples ----------------------------------------------------------------------


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]
    assert len(tests) >= 8
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
