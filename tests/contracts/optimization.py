"""Contracts of ``dltheory.optimization.reference``: samples, errors, NaN/inf policy.

Both functions take the function they work on as a Python callable; the samples pass plain
functions of tensors (``torch.exp``, a sum of squares, log-sum-exp), which work in every dtype
and on the ``meta`` device.
"""

from __future__ import annotations

import math

import torch

from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.optimization import reference as R
from tests.contracts._support import F64, normal, per_dtype, simplex, t

INF, NAN = math.inf, math.nan


def _sum_of_squares(z: torch.Tensor) -> torch.Tensor:
    """A convex function of points in R^d (the last dimension)."""
    return z.square().sum(dim=-1)


def _log_sum_exp(z: torch.Tensor) -> torch.Tensor:
    return torch.logsumexp(z, dim=-1)


def _neg_log(z: torch.Tensor) -> torch.Tensor:
    return -torch.log(z)


def _square_total(x: torch.Tensor) -> torch.Tensor:
    """The objective ``sum(x^2)`` of gradient descent (one value)."""
    return x.square().sum()


def _quartic(x: torch.Tensor) -> torch.Tensor:
    return (x**4).sum() + x.sum()


def _constant(x: torch.Tensor) -> torch.Tensor:
    return torch.ones((), dtype=x.dtype, device=x.device)


# --- jensen_gap ---------------------------------------------------------------------------------


def _jensen_oracle(f, x, weights, **_):
    """sum_i w_i f(x_i) over the points of nonzero weight, minus f at the mean, in float64."""
    xd, wd = x.double(), weights.double()
    event = xd.dim() - wd.dim()
    values = f(xd)
    terms = torch.where(wd != 0, wd * values, 0.0)
    mean = (wd.reshape(*wd.shape, *([1] * event)) * xd).sum(dim=wd.dim() - 1, keepdim=True)
    return (terms.sum(-1) - f(mean).squeeze(-1)).to(x.dtype)


JENSEN_GAP = FunctionContract(
    R.jensen_gap,
    samples=(
        Sample((torch.exp, normal(4, scale=1.0), simplex(4, seed=1)), name="exp on the line"),
        Sample((torch.square, normal(3, 5, seed=2), simplex(3, 5, seed=3)), name="batched"),
        Sample((_sum_of_squares, normal(4, 3, seed=4), simplex(4, seed=5)), name="points of R^3"),
        Sample((_log_sum_exp, normal(2, 3, 2, seed=6), simplex(2, 3, seed=7)), name="log-sum-exp"),
        Sample((torch.sin, normal(5, seed=8), simplex(5, seed=9)), name="a non-convex f"),
        Sample((torch.exp, normal(3, seed=10), t([0.0, 1.0, 0.0])), name="one-hot weights"),
        Sample(
            (torch.square, normal(4, seed=11), simplex(4, seed=12) * 1.5),
            {"validate": False},
            name="weights off the simplex, unchecked",
        ),
        Sample((torch.square, torch.zeros(3, dtype=F64), simplex(3, seed=13)), name="zeros"),
        Sample(
            (torch.abs, t([-1.0, 0.0, 2.0]), t([0.25, 0.5, 0.25])),
            name="|x|, a kink at 0",
            gradcheck=False,
        ),
        *per_dtype(
            "largest points",
            lambda fi: ((torch.abs, t([fi.max, -fi.max, fi.max]), t([0.25, 0.5, 0.25])), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal points",
            lambda fi: ((torch.square, t([fi.tiny / 4, -fi.tiny, 0.0]), t([0.25, 0.5, 0.25])), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(Sample(("exp", torch.zeros(2), torch.ones(2) / 2)), TypeError, "callable", "f"),
        ErrorInput(
            Sample((torch.exp, [0.0, 1.0], torch.ones(2) / 2)), TypeError, "torch.Tensor", "x"
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(2), torch.tensor([0.5, 0.7]))),
            ValueError,
            "sum to 1",
            "weights",
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(2), torch.tensor([1.5, -0.5]))),
            ValueError,
            "negative",
            "weights",
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(3), torch.ones(2) / 2)), ValueError, "must start", "x"
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(2), torch.ones(2, dtype=F64) / 2)),
            TypeError,
            "dtype",
            "weights",
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(0), torch.zeros(0))), ValueError, "one point", "weights"
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(2, 3), torch.ones(2) / 2)), ValueError, "scalars", "f"
        ),
        ErrorInput(
            Sample((torch.exp, torch.zeros(2), torch.ones(2) / 2), {"validate": None}),
            TypeError,
            "bool",
            "validate",
        ),
    ),
    differentiable=("x", "weights"),
    nan_policy=NanPolicy(
        raises=("weights",),
        special=(
            Sample((_neg_log, t([0.0, 1.0, 2.0]), t([0.0, 0.5, 0.5])), name="-log 0, weight 0"),
            Sample((_neg_log, t([0.0, 1.0]), t([0.5, 0.5])), name="-log 0, weight 1/2"),
            Sample((torch.exp, t([INF, 1.0]), t([0.5, 0.5])), name="exp(inf)"),
            Sample((torch.exp, t([-INF, 1.0]), t([0.5, 0.5])), name="exp(-inf)"),
        ),
        oracle=_jensen_oracle,
    ),
    unchecked={"validate": False},
)


# --- gradient_descent ---------------------------------------------------------------------------

GRADIENT_DESCENT = FunctionContract(
    R.gradient_descent,
    samples=(
        Sample((_square_total, t([1.5, -2.0]), 0.1, 3), name="a quadratic"),
        Sample((_quartic, t(0.5), t(0.05), 2), name="0-d start, tensor learning rate"),
        Sample((_quartic, normal(2, 2, seed=1, scale=0.5), 0.02, 2), name="a matrix start"),
        Sample((_square_total, t([1.0, -1.0]), 0.1, 0), name="no steps"),
        Sample(
            (_square_total, t([1.0, 2.0]), 0.25, 2),
            {"grad": lambda x: 2 * x},
            name="a given gradient",
        ),
        Sample((_constant, t([1.0, 2.0]), 0.5, 2), name="f independent of x"),
        Sample((_square_total, t([1.0, -1.0]), 1.5, 4), name="eta > 2/L: diverges"),
        Sample((_square_total, torch.zeros(3, dtype=F64), 0.1, 2), name="exact zeros"),
        *per_dtype(
            "largest start",
            lambda fi: ((_square_total, t([fi.max, -fi.max]), 0.25, 2), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal start",
            lambda fi: ((_square_total, t([fi.tiny / 4, -fi.tiny]), 0.25, 2), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(Sample((None, torch.ones(2), 0.1, 3)), TypeError, "callable", "f"),
        ErrorInput(Sample((torch.sum, [1.0], 0.1, 3)), TypeError, "torch.Tensor", "x0"),
        ErrorInput(Sample((torch.sum, torch.ones(2), 0.0, 3)), ValueError, "finite", "lr"),
        ErrorInput(Sample((torch.sum, torch.ones(2), -1.0, 3)), ValueError, "finite", "lr"),
        ErrorInput(Sample((torch.sum, torch.ones(2), INF, 3)), ValueError, "finite", "lr"),
        ErrorInput(
            Sample((torch.sum, torch.ones(2), torch.tensor(0.0), 3)), ValueError, "finite", "lr"
        ),
        ErrorInput(Sample((torch.sum, torch.ones(2), torch.ones(2), 3)), TypeError, "0-d", "lr"),
        ErrorInput(Sample((torch.sum, torch.ones(2), 0.1, -1)), ValueError, ">= 0", "steps"),
        ErrorInput(Sample((torch.sum, torch.ones(2), 0.1, 2.5)), TypeError, "an int", "steps"),
        ErrorInput(Sample((torch.sum, torch.ones(2), 0.1, 2**62)), ValueError, "can hold", "steps"),
        ErrorInput(
            Sample((torch.sum, torch.ones(2), 0.1, 2), {"grad": 1}), TypeError, "callable", "grad"
        ),
        ErrorInput(Sample((lambda x: x, torch.ones(2), 0.1, 2)), ValueError, "single value", "f"),
        ErrorInput(
            Sample((torch.sum, torch.ones(2), 0.1, 2), {"grad": lambda x: x[:1]}),
            ValueError,
            "shape",
            "grad",
        ),
    ),
    differentiable=("x0", "lr"),
    nan_policy=NanPolicy(),
)

CONTRACTS = [JENSEN_GAP, GRADIENT_DESCENT]
