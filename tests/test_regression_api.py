"""Contracts of the regression reference functions: dtypes, devices, shapes, errors, no
mutation, gradients, and agreement with torch.nn.functional, torch.optim and torch.linalg."""

from __future__ import annotations

import doctest
import math

import pytest
import torch
import torch.nn.functional as F

from dltheory.core.tolerances import FLOAT_DTYPES, assert_close
from dltheory.regression import (
    gaussian_nll,
    k_fold_splits,
    least_squares,
    linear_model,
    linear_regression_grad,
    polynomial_features,
    reference,
    sgd_step,
    squared_loss,
    weight_decay_step,
)
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _data(n=8, d=3, dtype=torch.float64, device="cpu", seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=torch.float64)
    w = torch.randn(d, generator=g, dtype=torch.float64)
    b = torch.randn((), generator=g, dtype=torch.float64)
    y = X @ w + b + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)
    return tuple(t.to(dtype).to(device) for t in (X, y, w, b))


def test_docstring_examples_run():
    result = doctest.testmod(reference, extraglobs={"torch": torch})
    assert result.attempted >= 9 and result.failed == 0


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    X, y, w, b = _data(dtype=dtype, device=device)
    var = torch.full_like(y, 0.5)
    inputs = (X, y, w, b, var)
    before = [t.clone() for t in inputs]
    versions = [t._version for t in inputs]
    outputs = [
        linear_model(X, w, b),
        squared_loss(y, y.flip(0)),
        *linear_regression_grad(X, y, w, b),
        *sgd_step(w, b, X, y, 0.1),
        *weight_decay_step(w, b, X, y, 0.1, 0.5),
        gaussian_nll(y, y.flip(0), var),
        *least_squares(X, y),
        polynomial_features(y, 3),
    ]
    for out in outputs:
        assert out.dtype == dtype and out.device == X.device
        assert torch.isfinite(out).all()
    for t, before_t, v in zip(inputs, before, versions, strict=True):
        assert torch.equal(t, before_t) and t._version == v


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_losses_match_torch(reduction):
    X, y, w, b = _data()
    y_hat = linear_model(X, w, b)
    assert_close(linear_model(X, w, b), F.linear(X, w.unsqueeze(0), b.reshape(1)).squeeze(-1))
    assert_close(squared_loss(y_hat, y, reduction), F.mse_loss(y_hat, y, reduction=reduction) / 2)
    var = torch.rand(8, generator=torch.Generator().manual_seed(3), dtype=torch.float64) + 0.1
    assert_close(
        gaussian_nll(y, y_hat, var, reduction),
        F.gaussian_nll_loss(y_hat, y, var, full=True, reduction=reduction),
    )


def test_gaussian_nll_takes_a_number_or_a_broadcast_variance_and_stays_finite():
    y, mean = torch.tensor([0.0, 1e200]), torch.tensor([0.0, -1e200])
    assert_close(
        gaussian_nll(y.double(), mean.double(), 2.0, "none")[0], 0.5 * math.log(4 * math.pi)
    )
    huge = gaussian_nll(
        torch.tensor([1e150], dtype=torch.float64), torch.zeros(1, dtype=torch.float64), 1e290
    )
    assert torch.isfinite(huge)  # (y - mu)^2 = 1e300 / 1e290: no overflow on the way
    column = gaussian_nll(torch.zeros(3, 2), torch.zeros(3, 2), torch.ones(3, 1))
    assert_close(column, 0.5 * math.log(2 * math.pi))
    limits = gaussian_nll(torch.tensor([1.0, 0.0]), torch.zeros(2), 0.0, "none", validate=False)
    assert limits.tolist() == [math.inf, -math.inf]


@pytest.mark.claim("regression.minibatch-sgd-update", "regression.weight-decay-is-l2-sgd")
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_steps_match_torch_optim_sgd(dtype):
    X, y, w, b = _data(dtype=dtype)
    wp, bp = torch.nn.Parameter(w.clone()), torch.nn.Parameter(b.clone())
    optimizer = torch.optim.SGD(
        [{"params": [wp], "weight_decay": 0.3}, {"params": [bp], "weight_decay": 0.0}], lr=0.05
    )
    (F.mse_loss(X @ wp + bp, y) / 2).backward()
    optimizer.step()
    new_w, new_b = weight_decay_step(w, b, X, y, 0.05, 0.3)
    assert_close(new_w, wp.detach())
    assert_close(new_b, bp.detach())
    plain = sgd_step(w, b, X, y, 0.05)
    assert_close(plain[0], w - 0.05 * linear_regression_grad(X, y, w, b)[0])


def test_batched_models_and_gradients():
    X, y, w, b = _data()
    Xs, ys = torch.stack([X, 2 * X]), torch.stack([y, -y])
    ws, bs = torch.stack([w, w]), torch.stack([b, b])
    assert linear_model(Xs, ws, bs).shape == (2, 8)
    gw, gb = linear_regression_grad(Xs, ys, ws, bs)
    assert gw.shape == (2, 3) and gb.shape == (2,)
    assert_close(gw[1], linear_regression_grad(2 * X, -y, w, b)[0])
    fit = least_squares(Xs, ys)
    assert fit[0].shape == (2, 3) and fit[1].shape == (2,) and fit[2].shape == (2,)
    leaves = tuple(t.clone().requires_grad_() for t in (X, y, w, b))
    assert torch.autograd.gradcheck(
        lambda *a: squared_loss(linear_model(*a[:1], *a[2:]), a[1]), leaves
    )
    assert torch.autograd.gradcheck(lambda *a: sgd_step(a[2], a[3], a[0], a[1], 0.1), leaves)
    Xg, yg = X.clone().requires_grad_(), y.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda a, c: least_squares(a, c), (Xg, yg))


@pytest.mark.claim("regression.squared-error-is-mle")
def test_least_squares_matches_lstsq_and_handles_rank_deficiency():
    X, y, _, _ = _data(n=30, d=4)
    w, b, var = least_squares(X, y)
    design = torch.cat([X, torch.ones(30, 1, dtype=X.dtype)], 1)
    solution = torch.linalg.lstsq(design, y.unsqueeze(-1)).solution.squeeze(-1)
    assert_close(torch.cat([w, b.reshape(1)]), solution)
    assert_close(var, ((design @ solution - y) ** 2).mean())
    repeated = torch.cat([X, X[:, :1]], 1)  # collinear: the minimum-norm solution
    w2, b2, var2 = least_squares(repeated, y)
    assert_close(w2[0], w2[-1])  # the weight of the repeated column is split evenly
    assert_close(torch.cat([w2[:1] * 2, w2[1:-1]]), w)
    assert_close(b2, b)
    assert_close(var2, var)
    one = least_squares(X[:1], y[:1])  # n = 1: w = 0, b = y
    assert torch.equal(one[0], torch.zeros(4, dtype=X.dtype)) and one[1] == y[0]
    constant = least_squares(torch.zeros(5, 0, dtype=X.dtype), y[:5])  # d = 0: the mean
    assert_close(constant[1], y[:5].mean())


def test_polynomial_features_match_vander():
    x = torch.linspace(-2, 2, 7, dtype=torch.float64)
    assert_close(polynomial_features(x, 4), torch.vander(x, N=5, increasing=True)[:, 1:])
    assert polynomial_features(x, 0).shape == (7, 0)


@pytest.mark.claim("regression.k-fold-partition")
def test_k_fold_splits_layout_and_shuffling():
    splits = k_fold_splits(10, 3)
    assert [v.tolist() for _, v in splits] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert splits[0][0].tolist() == [4, 5, 6, 7, 8, 9]
    a = k_fold_splits(10, 3, shuffle=True, generator=torch.Generator().manual_seed(0))
    c = k_fold_splits(10, 3, shuffle=True, generator=torch.Generator().manual_seed(0))
    assert all(torch.equal(p[1], q[1]) for p, q in zip(a, c, strict=True))
    assert sorted(torch.cat([v for _, v in a]).tolist()) == list(range(10))


BAD_INPUTS = [
    (
        lambda: linear_model(torch.ones(3), torch.ones(3), torch.tensor(0.0)),
        ValueError,
        r"X must have shape \(\.\.\., n, d\)",
    ),
    (
        lambda: linear_model(torch.ones(4, 3), torch.ones(2), torch.tensor(0.0)),
        ValueError,
        r"w of shape \(2,\) needs d = 3",
    ),
    (
        lambda: linear_model(torch.ones(4, 3), torch.ones(3), 0.5),
        TypeError,
        r"b must be a torch.Tensor",
    ),
    (
        lambda: linear_model(
            torch.ones(4, 3), torch.ones(3, dtype=torch.float64), torch.tensor(0.0)
        ),
        TypeError,
        r"w has dtype torch.float64 but X",
    ),
    (
        lambda: linear_model(torch.ones(2, 4, 3), torch.ones(3, 3), torch.tensor(0.0)),
        ValueError,
        r"batch shapes do not broadcast",
    ),
    (
        lambda: squared_loss(torch.ones(3), torch.ones(4)),
        ValueError,
        r"y_hat has shape \(3,\) but y has shape \(4,\)",
    ),
    (
        lambda: squared_loss(torch.ones(3), torch.ones(3), "avg"),
        ValueError,
        r"reduction must be one of",
    ),
    (
        lambda: squared_loss(torch.ones(3, dtype=torch.int64), torch.ones(3)),
        TypeError,
        r"y_hat must be a floating-point",
    ),
    (
        lambda: linear_regression_grad(
            torch.ones(4, 3), torch.ones(5), torch.ones(3), torch.tensor(0.0)
        ),
        ValueError,
        r"y of shape \(5,\) needs n = 4",
    ),
    (
        lambda: linear_regression_grad(
            torch.ones(0, 3), torch.ones(0), torch.ones(3), torch.tensor(0.0)
        ),
        ValueError,
        r"X has no examples",
    ),
    (
        lambda: sgd_step(
            torch.ones(3), torch.tensor(0.0), torch.ones(4, 3), torch.ones(4), math.inf
        ),
        ValueError,
        r"lr must be finite",
    ),
    (
        lambda: sgd_step(
            torch.ones(3), torch.tensor(0.0), torch.ones(4, 3), torch.ones(4), math.nan
        ),
        ValueError,
        r"lr must be finite",
    ),
    (
        lambda: sgd_step(torch.ones(3), torch.tensor(0.0), torch.ones(4, 3), torch.ones(4), -0.1),
        ValueError,
        r"lr must be >= 0",
    ),
    (
        lambda: sgd_step(
            torch.ones(3), torch.tensor(0.0), torch.ones(4, 3), torch.ones(4), torch.tensor(0.1)
        ),
        TypeError,
        r"lr must be a real number",
    ),
    (
        lambda: weight_decay_step(
            torch.ones(3), torch.tensor(0.0), torch.ones(4, 3), torch.ones(4), 0.1, -1.0
        ),
        ValueError,
        r"weight_decay must be >= 0",
    ),
    (
        lambda: weight_decay_step(
            torch.ones(3), torch.tensor(0.0), torch.ones(4, 3), torch.ones(4), 0.1, math.inf
        ),
        ValueError,
        r"weight_decay must be finite",
    ),
    (
        lambda: gaussian_nll(torch.ones(3), torch.ones(3), torch.tensor([1.0, -1.0, 1.0])),
        ValueError,
        r"var must be positive",
    ),
    (lambda: gaussian_nll(torch.ones(3), torch.ones(3), 0.0), ValueError, r"var must be positive"),
    (
        lambda: gaussian_nll(torch.ones(3), torch.ones(3), math.nan),
        ValueError,
        r"var must be positive",
    ),
    (
        lambda: gaussian_nll(torch.ones(3), torch.ones(3), "1"),
        TypeError,
        r"var must be a tensor or a real number",
    ),
    (
        lambda: gaussian_nll(torch.ones(3), torch.ones(2), 1.0),
        ValueError,
        r"mean has shape \(2,\) but y has shape \(3,\)",
    ),
    (
        lambda: gaussian_nll(torch.ones(3), torch.ones(3), torch.ones(4)),
        ValueError,
        r"var of shape \(4,\) does not broadcast",
    ),
    (lambda: least_squares(torch.ones(3), torch.ones(3)), ValueError, r"X must have shape"),
    (lambda: least_squares(torch.ones(0, 2), torch.ones(0)), ValueError, r"X has no examples"),
    (
        lambda: least_squares(torch.ones(4, 2), torch.ones(3)),
        ValueError,
        r"y of shape \(3,\) needs n = 4",
    ),
    (lambda: polynomial_features(torch.ones(3), -1), ValueError, r"degree must be >= 0"),
    (lambda: polynomial_features(torch.ones(3), 2.0), TypeError, r"degree must be an int"),
    (lambda: polynomial_features(torch.tensor(1.0), 2), ValueError, r"x must have shape"),
    (lambda: k_fold_splits(10, 1), ValueError, r"k must be at least 2"),
    (lambda: k_fold_splits(3, 4), ValueError, r"k = 4 folds need at least k examples, but n = 3"),
    (lambda: k_fold_splits(10.0, 2), TypeError, r"n must be an int"),
    (lambda: k_fold_splits(10, True), TypeError, r"k must be an int"),
    (
        lambda: k_fold_splits(10, 2, generator=torch.Generator()),
        ValueError,
        r"generator is used only with shuffle=True",
    ),
    (
        lambda: k_fold_splits(10, 2, shuffle=True, generator=0),
        TypeError,
        r"generator must be a torch.Generator",
    ),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
