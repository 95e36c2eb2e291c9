"""Contracts of the optimization reference functions: shapes, dtypes, devices, errors, no
mutation, NaN policy, gradients."""

from __future__ import annotations

import doctest
import math

import pytest
import torch

from dltheory.core.tolerances import FLOAT_DTYPES, assert_close
from dltheory.optimization import gradient_descent, jensen_gap, reference
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _randn(*shape, dtype=torch.float64, device="cpu", seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype).to(device)


def _simplex(*shape, dtype=torch.float64, device="cpu", seed=1):
    return torch.softmax(_randn(*shape, seed=seed), -1).to(dtype).to(device)


def _square_norm(z: torch.Tensor) -> torch.Tensor:
    return z.square().sum(-1)


# --- dtype, device, mutation, shapes ------------------------------------------------------


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    x, w = _randn(3, 5, 2, dtype=dtype, device=device), _simplex(3, 5, dtype=dtype, device=device)
    x0 = _randn(2, dtype=dtype, device=device, seed=2)
    before = [t.clone() for t in (x, w, x0)]
    gap = jensen_gap(_square_norm, x, w)
    assert gap.shape == (3,) and gap.dtype == dtype and gap.device == x.device
    iterates = gradient_descent(_square_norm, x0, 0.1, 4)
    assert iterates.shape == (5, 2) and iterates.dtype == dtype and iterates.device == x0.device
    for t, b in zip((x, w, x0), before, strict=True):
        assert torch.equal(t, b)


def test_jensen_gap_scalar_and_vector_points():
    x = torch.tensor([0.0, 2.0], dtype=torch.float64)
    w = torch.tensor([0.5, 0.5], dtype=torch.float64)
    assert jensen_gap(torch.square, x, w).item() == 1.0
    X = torch.tensor([[0.0, 0.0], [2.0, 2.0]], dtype=torch.float64)
    assert jensen_gap(_square_norm, X, w).item() == 2.0
    assert jensen_gap(torch.exp, _randn(4), _simplex(4)).shape == ()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_jensen_gap_calls_f_in_float32_for_half_inputs(dtype):
    seen = []

    def f(z):
        seen.append(z.dtype)
        return z.square()

    jensen_gap(f, _randn(6, dtype=dtype), _simplex(6, dtype=dtype))
    assert seen == [torch.float32, torch.float32]


def test_jensen_gap_zero_weights_ignore_non_finite_values():
    x = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    w = torch.tensor([0.0, 0.5, 0.5], dtype=torch.float64)
    gap = jensen_gap(lambda t: -torch.log(t), x, w)  # -log 0 = inf at a point of weight 0
    assert_close(gap, -0.5 * math.log(2.0) + math.log(1.5))
    uniform = torch.full((3,), 1 / 3, dtype=torch.float64)
    assert torch.isinf(jensen_gap(lambda t: -torch.log(t), x, uniform))


def test_jensen_gap_weight_gradient_at_a_zero_weight():
    # d gap / d alpha_i = f(x_i) - f'(mean) x_i, also where alpha_i = 0 and f(x_i) is finite;
    # a non-finite f(x_i) at a zero weight adds nothing to the value or to the gradient
    x = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    w = torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64, requires_grad=True)
    jensen_gap(torch.exp, x, w).backward()
    mean = 0.5
    expected = [math.exp(v) - math.exp(mean) * v for v in (0.0, 1.0, 2.0)]
    assert_close(w.grad, torch.tensor(expected, dtype=torch.float64))
    w = torch.tensor([0.0, 0.5, 0.5], dtype=torch.float64, requires_grad=True)
    jensen_gap(lambda t: -torch.log(t), x, w).backward()  # -log 0 = inf at weight 0
    mean = 1.5
    expected = [0.0, -math.log(1.0) + 1.0 / mean, -math.log(2.0) + 2.0 / mean]
    assert_close(w.grad, torch.tensor(expected, dtype=torch.float64))
    w = torch.tensor([0.0, 0.5, 0.5], dtype=torch.float64, requires_grad=True)
    gap = jensen_gap(torch.log, x, w)  # log 0 = -inf at weight 0
    assert_close(gap, 0.5 * math.log(2.0) - math.log(mean))
    gap.backward()
    expected = [0.0, math.log(1.0) - 1.0 / mean, math.log(2.0) - 2.0 / mean]
    assert_close(w.grad, torch.tensor(expected, dtype=torch.float64))


def test_gradient_descent_iterates_and_given_gradient():
    A = torch.tensor([[2.0, 0.0], [0.0, 0.5]], dtype=torch.float64)
    x0 = torch.tensor([1.0, 1.0], dtype=torch.float64)

    def f(z):
        return 0.5 * z @ A @ z

    iterates = gradient_descent(f, x0, 0.25, 3)
    t = torch.arange(4, dtype=torch.float64)
    assert_close(iterates, torch.stack([0.5**t, 0.875**t], -1))
    assert_close(gradient_descent(f, x0, 0.25, 3, grad=lambda z: A @ z), iterates)
    assert gradient_descent(f, x0, 0.25, 0).shape == (1, 2)


def test_gradient_descent_divergence_is_visible_not_stopped():
    iterates = gradient_descent(lambda z: z * z, torch.tensor(1.0, dtype=torch.float64), 3.0, 2000)
    assert not torch.isfinite(iterates[-1])  # |1 - 2 eta| = 5 per step: overflow, then NaN
    constant = gradient_descent(lambda z: torch.ones(()), torch.tensor(2.0), 0.5, 3)
    assert (constant == 2.0).all()  # f does not depend on x: zero gradient


# --- autograd ------------------------------------------------------------------------------


def test_gradients_and_second_derivatives():
    x = _randn(4, 2, seed=3).requires_grad_()
    w = _simplex(4, seed=4).requires_grad_()
    f = lambda z: torch.logsumexp(z, -1)  # noqa: E731
    gap = lambda a, b: jensen_gap(f, a, b, validate=False)  # noqa: E731
    assert torch.autograd.gradcheck(gap, (x, w))
    assert torch.autograd.gradgradcheck(gap, (x, w))
    x0 = _randn(2, seed=5).requires_grad_()
    lr = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
    run = lambda a, b: gradient_descent(lambda z: (z**4).sum() + z.square().sum(), a, b, 3)  # noqa: E731
    assert torch.autograd.gradcheck(run, (x0, lr))
    assert torch.autograd.gradgradcheck(run, (x0, lr))


def test_iterates_are_detached_unless_an_input_requires_grad():
    assert not gradient_descent(_square_norm, _randn(2), 0.1, 2).requires_grad
    assert gradient_descent(_square_norm, _randn(2).requires_grad_(), 0.1, 2).requires_grad


# --- bad input ---------------------------------------------------------------------------

_X, _W = torch.zeros(3), torch.full((3,), 1 / 3)

BAD_INPUTS = [
    (
        lambda: jensen_gap(torch.exp, _X, torch.tensor([0.5, 0.6, -0.1])),
        ValueError,
        r"weights has a negative entry",
    ),
    (
        lambda: jensen_gap(torch.exp, _X, torch.tensor([0.2, 0.2, 0.2])),
        ValueError,
        r"weights must sum to 1 along dim -1",
    ),
    (
        lambda: jensen_gap(torch.exp, _X, torch.tensor([math.nan, 0.5, 0.5])),
        ValueError,
        r"weights contains NaN",
    ),
    (
        lambda: jensen_gap(torch.exp, torch.zeros(4), _W),
        ValueError,
        r"x has shape \(4,\), but must start with weights' shape \(3,\)",
    ),
    (
        lambda: jensen_gap(torch.exp, _X.double(), _W),
        TypeError,
        r"weights has dtype torch.float32 but x has dtype torch.float64",
    ),
    (
        lambda: jensen_gap(torch.exp, _X, torch.tensor(1.0)),
        ValueError,
        r"weights must have at least one point",
    ),
    (
        lambda: jensen_gap(torch.exp, torch.zeros(3, dtype=torch.int64), _W),
        TypeError,
        r"x must be a floating-point tensor",
    ),
    (lambda: jensen_gap("exp", _X, _W), TypeError, r"f must be callable"),
    (
        lambda: jensen_gap(torch.exp, torch.zeros(3, 2), _W),
        ValueError,
        r"f must map points of shape \(2,\) to scalars",
    ),
    (
        lambda: gradient_descent(torch.sum, _X, 0.0, 3),
        ValueError,
        r"lr must be a finite number in \(0, inf\), got 0.0",
    ),
    (
        lambda: gradient_descent(torch.sum, _X, math.inf, 3),
        ValueError,
        r"lr must be a finite number in \(0, inf\), got inf",
    ),
    (
        lambda: gradient_descent(torch.sum, _X, "fast", 3),
        TypeError,
        r"lr must be a real number or a 0-d tensor",
    ),
    (
        lambda: gradient_descent(torch.sum, _X, torch.ones(2), 3),
        TypeError,
        r"lr must be a real number or a 0-d floating tensor",
    ),
    (
        lambda: gradient_descent(torch.sum, _X, 0.1, -1),
        ValueError,
        r"steps must be an int >= 0, got -1",
    ),
    (lambda: gradient_descent(torch.sum, _X, 0.1, 2.5), TypeError, r"steps must be an int"),
    (lambda: gradient_descent(torch.sum, _X, 0.1, True), TypeError, r"steps must be an int"),
    (lambda: gradient_descent(torch.sum, [1.0], 0.1, 3), TypeError, r"x0 must be a torch.Tensor"),
    (
        lambda: gradient_descent(lambda z: z, _X, 0.1, 3),
        ValueError,
        r"f must return a single value, got \(3,\)",
    ),
    (
        lambda: gradient_descent(torch.sum, _X, 0.1, 3, grad=lambda z: z[:2]),
        ValueError,
        r"grad must return a tensor of shape \(3,\)",
    ),
    (lambda: gradient_descent(torch.sum, _X, 0.1, 3, grad=1), TypeError, r"grad must be callable"),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_validate_false_accepts_unnormalized_weights():
    gap = jensen_gap(
        torch.square, torch.tensor([0.0, 2.0]), torch.tensor([1.0, 1.0]), validate=False
    )
    assert gap.item() == 4.0 - 4.0  # 0 + 4 - (0 + 2)^2


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]
    assert len(tests) >= 2
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
