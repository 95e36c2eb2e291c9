"""Contracts of ``dltheory.regression.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.regression import reference as R
from tests.contracts._support import F64, generator, normal, per_dtype, t

INF, NAN = float("inf"), float("nan")
REDUCTIONS = ("none", "mean", "sum")


def _positive(*shape, seed):
    return normal(*shape, seed=seed, scale=1.0).exp()


def _design_errors(call) -> tuple[ErrorInput, ...]:
    """Errors of ``(X, y, w, b)``, passed to ``call`` which orders them as the function does."""
    X, y, w, b = normal(4, 2), normal(4, seed=1), normal(2, seed=2), t(0.5)
    return (
        ErrorInput(call(X.tolist(), y, w, b), TypeError, r"must be a torch\.Tensor", "X"),
        ErrorInput(call(X, y.long(), w, b), TypeError, "floating-point", "y"),
        ErrorInput(call(X, y, w, 0.5), TypeError, r"must be a torch\.Tensor", "b"),
        ErrorInput(call(X, y, w.float(), b), TypeError, "must match", "w"),
        ErrorInput(call(X[0], y, w, b), ValueError, r"shape \(\.\.\., n, d\)", "X"),
        ErrorInput(call(X, y[:3], w, b), ValueError, "needs n = 4 targets", "y"),
        ErrorInput(call(X, y, w[:1], b), ValueError, "needs d = 2 entries", "w"),
        ErrorInput(call(X[:0], y[:0], w, b), ValueError, r"no examples \(n = 0\)", "X"),
        ErrorInput(
            call(X.expand(3, 4, 2), y.expand(2, 4), w, b), ValueError, "do not broadcast", "y"
        ),
        ErrorInput(
            call(X.expand(2, 4, 2), y, w, torch.zeros(3, dtype=F64)),
            ValueError,
            "do not broadcast",
            "b",
        ),
        ErrorInput(call(X, y, w.to("meta"), b), ValueError, "is on meta", "w"),
    )


# --- the model and its loss ------------------------------------------------------------------

LINEAR_MODEL = FunctionContract(
    R.linear_model,
    samples=(
        Sample((normal(5, 3), normal(3, seed=1), t(0.5)), name="one model"),
        Sample((normal(2, 4, 3, seed=2), normal(2, 3, seed=3), normal(2, seed=4)), name="batched"),
        Sample((normal(4, 3, seed=5), normal(2, 3, seed=6), normal(2, seed=7)), name="2 models"),
        Sample((normal(4, 0, seed=8), torch.zeros(0, dtype=F64), t(1.5)), name="d = 0"),
        Sample((torch.zeros(0, 3, dtype=F64), normal(3, seed=9), t(1.0)), name="n = 0"),
        Sample((torch.zeros(3, 2, dtype=F64), torch.zeros(2, dtype=F64), t(0.0)), name="zeros"),
        *per_dtype(
            "largest entries",
            lambda fi: ((t([[fi.max, 1.0], [-fi.max, fi.max]]), t([1.0, 0.5]), t(-fi.max)), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal entries",
            lambda fi: (
                (t([[fi.smallest_normal / 4, 1.0]]), t([0.5, fi.smallest_normal / 2]), t(0.0)),
                {},
            ),
            gradcheck=False,
        ),
    ),
    error_inputs=tuple(
        e
        for e in _design_errors(lambda X, y, w, b: Sample((X, w, b)))
        if e.argument != "y" and "no examples" not in e.match
    ),
    differentiable=("X", "w", "b"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[INF, 1.0], [1.0, 2.0], [INF, -INF]]), t([1.0, 0.0]), t(0.5)), name="inf X"),
            Sample((t([[1.0, 2.0], [0.0, 1.0]]), t([INF, 1.0]), t(0.5)), name="inf w"),
            Sample((t([[1.0, 2.0], [0.0, 1.0]]), t([1.0, 1.0]), t(-INF)), name="inf b"),
        ),
        oracle=lambda X, w, b: F.linear(X.double(), w.double()) + b.double(),
    ),
)


def _loss_samples() -> list[Sample]:
    out = [Sample((normal(4, 3), normal(4, 3, seed=1)), name="random")]
    for i, reduction in enumerate(REDUCTIONS):
        kw = {"reduction": reduction}
        out += [
            Sample((normal(6, seed=2 + i), normal(6, seed=5 + i)), kw, name=f"1-D, {reduction}"),
            Sample((t(1.5), t(-0.5)), kw, name=f"0-d, {reduction}"),
            Sample((torch.zeros(0, dtype=F64), torch.zeros(0, dtype=F64)), kw, name="empty"),
        ]
    out += [
        Sample((normal(3, 4, seed=9), normal(3, 4, seed=9)), name="y_hat = y"),
        Sample((torch.zeros(2, 3, dtype=F64), normal(2, 3, seed=10)), name="zero predictions"),
        *per_dtype(
            "largest errors",
            lambda fi: ((t([fi.max, -fi.max, fi.max]), t([-fi.max, fi.max, fi.max])), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal errors",
            lambda fi: ((t([fi.smallest_normal / 4, 0.0]), t([0.0, fi.smallest_normal])), {}),
            gradcheck=False,
        ),
    ]
    return out


_LOSS_ERRORS = (
    ErrorInput(Sample(([1.0], t([1.0]))), TypeError, r"must be a torch\.Tensor", "y_hat"),
    ErrorInput(Sample((t([1.0]), t([1], dtype=torch.int64))), TypeError, "floating", "y"),
    ErrorInput(Sample((t([1.0]), t([1.0]).float())), TypeError, "must match", "y"),
    ErrorInput(Sample((t([1.0, 2.0]), t([1.0]))), ValueError, "must match", "y_hat"),
    ErrorInput(
        Sample((t([1.0]), t([1.0])), {"reduction": "avg"}), ValueError, "one of", "reduction"
    ),
    ErrorInput(Sample((t([1.0]), t([1.0]).to("meta"))), ValueError, "is on meta", "y"),
)

SQUARED_LOSS = FunctionContract(
    R.squared_loss,
    samples=tuple(_loss_samples()),
    error_inputs=_LOSS_ERRORS,
    differentiable=("y_hat", "y"),
    nan_policy=NanPolicy(
        special=tuple(
            Sample((t([INF, 1.0, -INF, INF]), t([0.0, INF, 1.0, INF])), {"reduction": r}, name=r)
            for r in REDUCTIONS
        ),
        oracle=lambda y_hat, y, reduction="mean": (
            F.mse_loss(y_hat.double(), y.double(), reduction=reduction) / 2
        ),
    ),
)


# --- gradients and steps ---------------------------------------------------------------------


def _data_samples(order) -> list[Sample]:
    """``(X, y, w, b)`` samples, put in the function's order by ``order``."""

    def s(X, y, w, b, name, **flags):
        args, kwargs = order(X, y, w, b)
        return Sample(args, kwargs, name=name, **flags)

    return [
        s(normal(6, 3), normal(6, seed=1), normal(3, seed=2), t(0.3), "random"),
        s(normal(1, 2, seed=3), normal(1, seed=4), normal(2, seed=5), t(-1.0), "one example"),
        s(
            normal(2, 5, 3, seed=6),
            normal(2, 5, seed=7),
            normal(2, 3, seed=8),
            normal(2, seed=9),
            "batched",
        ),
        s(
            normal(5, 3, seed=10),
            normal(5, seed=11),
            normal(4, 3, seed=12),
            normal(4, seed=13),
            "4 models",
        ),
        s(normal(4, 0, seed=14), normal(4, seed=15), torch.zeros(0, dtype=F64), t(0.5), "d = 0"),
        s(
            torch.zeros(3, 2, dtype=F64),
            torch.zeros(3, dtype=F64),
            normal(2, seed=16),
            t(0.0),
            "zeros",
        ),
        *(
            s(
                t([[fi.max, 1.0], [1.0, -fi.max]]),
                t([fi.max, 0.0]),
                t([1.0, 0.5]),
                t(0.0),
                f"largest entries ({d})",
                dtypes=(d,),
                gradcheck=False,
            )
            for d, fi in (
                (d, torch.finfo(d)) for d in (F64, torch.float32, torch.bfloat16, torch.float16)
            )
        ),
        *(
            s(
                t([[fi.smallest_normal / 4, 1.0], [0.0, fi.smallest_normal]]),
                t([fi.smallest_normal / 2, 0.0]),
                t([fi.smallest_normal, 0.5]),
                t(0.0),
                f"subnormal entries ({d})",
                dtypes=(d,),
                gradcheck=False,
            )
            for d, fi in (
                (d, torch.finfo(d)) for d in (F64, torch.float32, torch.bfloat16, torch.float16)
            )
        ),
    ]


_DATA_SPECIAL = (
    (t([[INF, 1.0], [1.0, 2.0]]), t([1.0, 0.0]), t([1.0, 0.5]), t(0.5), "inf X"),
    (t([[1.0, 2.0], [0.0, 1.0]]), t([INF, 1.0]), t([1.0, 0.5]), t(0.5), "inf y"),
    (t([[1.0, 2.0], [0.0, 1.0]]), t([1.0, 1.0]), t([-INF, 0.5]), t(0.5), "inf w"),
)


def _grad_oracle(X, y, w, b):
    """By autograd on ``F.mse_loss / 2`` in float64."""
    w, b = w.double().requires_grad_(), b.double().requires_grad_()
    with torch.enable_grad():
        loss = F.mse_loss(F.linear(X.double(), w) + b, y.double()) / 2
        return torch.autograd.grad(loss, (w, b))


GRAD = FunctionContract(
    R.linear_regression_grad,
    samples=tuple(_data_samples(lambda X, y, w, b: ((X, y, w, b), {}))),
    error_inputs=_design_errors(lambda X, y, w, b: Sample((X, y, w, b))),
    differentiable=("X", "y", "w", "b"),
    nan_policy=NanPolicy(
        special=tuple(Sample((X, y, w, b), name=n) for X, y, w, b, n in _DATA_SPECIAL),
        oracle=_grad_oracle,
    ),
)


def _step_oracle(w, b, X, y, lr, weight_decay=0.0):
    """``torch.optim.SGD`` on ``F.mse_loss / 2``, the bias in a group without decay."""
    w = w.double().clone().requires_grad_()
    b = b.double().clone().requires_grad_()
    groups = [{"params": [w], "weight_decay": weight_decay}, {"params": [b], "weight_decay": 0}]
    optimizer = torch.optim.SGD(groups, lr=lr)
    with torch.enable_grad():
        (F.mse_loss(F.linear(X.double(), w) + b, y.double()) / 2).backward()
    optimizer.step()
    return w.detach(), b.detach()


def _step_errors(extra) -> tuple[ErrorInput, ...]:
    X, y, w, b = normal(4, 2), normal(4, seed=1), normal(2, seed=2), t(0.5)
    out = [
        *_design_errors(lambda X, y, w, b: Sample((w, b, X, y, 0.1, *extra))),
        ErrorInput(Sample((w, b, X, y, -0.1, *extra)), ValueError, ">= 0", "lr"),
        ErrorInput(Sample((w, b, X, y, INF, *extra)), ValueError, "finite", "lr"),
        ErrorInput(Sample((w, b, X, y, NAN, *extra)), ValueError, "finite", "lr"),
        ErrorInput(Sample((w, b, X, y, 10**400, *extra)), ValueError, "finite", "lr"),
        ErrorInput(Sample((w, b, X, y, "0.1", *extra)), TypeError, "real number", "lr"),
        ErrorInput(Sample((w, b, X, y, True, *extra)), TypeError, "real number", "lr"),
        ErrorInput(Sample((w, b, X, y, t(0.1), *extra)), TypeError, "real number", "lr"),
    ]
    if extra:
        out += [
            ErrorInput(Sample((w, b, X, y, 0.1, -1.0)), ValueError, ">= 0", "weight_decay"),
            ErrorInput(Sample((w, b, X, y, 0.1, NAN)), ValueError, "finite", "weight_decay"),
            ErrorInput(Sample((w, b, X, y, 0.1, None)), TypeError, "real", "weight_decay"),
        ]
    return tuple(out)


def _step(function, *extra) -> FunctionContract:
    samples = _data_samples(lambda X, y, w, b: ((w, b, X, y, 0.1, *extra), {}))
    samples += [
        Sample(
            (normal(3, seed=1), t(0.0), normal(5, 3), normal(5, seed=2), 0, *extra), name="lr 0"
        ),
        Sample(
            (normal(3, seed=3), t(0.0), normal(5, 3, seed=4), normal(5, seed=5)),
            {"lr": 10**6, **({"weight_decay": 10**3} if extra else {})},
            name="large int lr",
        ),
    ]
    return FunctionContract(
        function,
        samples=tuple(samples),
        error_inputs=_step_errors(extra),
        differentiable=("w", "b", "X", "y"),
        nan_policy=NanPolicy(
            special=tuple(
                Sample((w, b, X, y, 0.5, *extra), name=n) for X, y, w, b, n in _DATA_SPECIAL
            ),
            oracle=_step_oracle,
        ),
    )


# --- the Gaussian likelihood -----------------------------------------------------------------


def _nll_samples() -> list[Sample]:
    y, mean = normal(4, 3), normal(4, 3, seed=1)
    out = [Sample((y, mean, _positive(4, 3, seed=2)), name="random")]
    for i, reduction in enumerate(REDUCTIONS):
        kw = {"reduction": reduction}
        out += [
            Sample((y, mean, _positive(4, 3, seed=3 + i)), kw, name=f"{reduction}"),
            Sample((y, mean, _positive(3, seed=6 + i)), kw, name=f"var broadcast, {reduction}"),
            Sample((y, mean, 0.5), kw, name=f"a number, {reduction}"),
            Sample((torch.zeros(0, dtype=F64), torch.zeros(0, dtype=F64), 1.0), kw, name="empty"),
        ]
    out += [
        Sample((y, y, _positive(4, 3, seed=9)), name="y = mean"),
        Sample(
            (t([0.5, -1.0]), t([0.0, 0.0]), t([1.0, 0.0])),
            {"validate": False},
            name="var 0",
            gradcheck=False,
        ),
        Sample(
            (t([0.5, -1.0]), t([0.0, 0.0]), t([1.0, 0.0])),
            {"validate": False, "reduction": "none"},
            name="var 0, none",
            gradcheck=False,
        ),
        *per_dtype(
            "largest values",
            lambda fi: (
                (t([fi.max, 0.0, 1.0]), t([-fi.max, 0.0, 0.0]), t([1.0, fi.max, fi.max])),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal variances",
            lambda fi: (
                (t([fi.smallest_normal, 0.0]), t([0.0, 0.0]), t([fi.smallest_normal / 4] * 2)),
                {"reduction": "none"},
            ),
            gradcheck=False,
        ),
    ]
    return out


def _nll_oracle(y, mean, var, reduction="mean", *, validate=True):
    """The formula as written, in float64."""
    v = torch.as_tensor(var, dtype=F64)
    loss = 0.5 * (torch.log(2 * torch.pi * v) + (y.double() - mean.double()) ** 2 / v)
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


GAUSSIAN_NLL = FunctionContract(
    R.gaussian_nll,
    samples=tuple(_nll_samples()),
    error_inputs=(
        ErrorInput(Sample(([0.0], t([0.0]), 1.0)), TypeError, r"must be a torch\.Tensor", "y"),
        ErrorInput(Sample((t([0.0]), t([0], dtype=torch.int64), 1.0)), TypeError, "float", "mean"),
        ErrorInput(Sample((t([0.0]), t([0.0]), t([1.0]).float())), TypeError, "must match", "var"),
        ErrorInput(Sample((t([0.0]), t([0.0]), "1")), TypeError, "real number", "var"),
        ErrorInput(Sample((t([0.0]), t([0.0]), True)), TypeError, "real number", "var"),
        ErrorInput(Sample((t([0.0]), t([0.0]), 10**400)), ValueError, "does not fit", "var"),
        ErrorInput(Sample((t([0.0]), t([0.0]), 0.0)), ValueError, "must be positive", "var"),
        ErrorInput(Sample((t([0.0]), t([0.0]), t([-1.0]))), ValueError, "must be positive", "var"),
        ErrorInput(Sample((t([0.0]), t([0.0]), t([NAN]))), ValueError, "NaN", "var"),
        ErrorInput(Sample((t([0.0, 1.0]), t([0.0]), 1.0)), ValueError, "but y has shape", "mean"),
        ErrorInput(
            Sample((t([0.0, 1.0]), t([0.0, 1.0]), t([1.0, 1.0, 1.0]))),
            ValueError,
            "does not broadcast",
            "var",
        ),
        ErrorInput(
            Sample((t([0.0]), t([0.0]), 1.0), {"reduction": "avg"}),
            ValueError,
            "one of",
            "reduction",
        ),
        ErrorInput(
            Sample((t([0.0]), t([0.0]), 1.0), {"validate": 1}), TypeError, "a bool", "validate"
        ),
        ErrorInput(Sample((t([0.0]), t([0.0]).to("meta"), 1.0)), ValueError, "is on meta", "mean"),
    ),
    differentiable=("y", "mean", "var"),
    nan_policy=NanPolicy(
        raises=("var",),
        special=tuple(
            Sample(
                (t([INF, 0.0, 1.0, INF]), t([0.0, -INF, 0.0, 0.0]), t([1.0, 1.0, INF, INF])),
                {"reduction": r},
                name=r,
            )
            for r in REDUCTIONS
        ),
        oracle=_nll_oracle,
    ),
    unchecked={"validate": False},
)


# --- least squares, features, folds ----------------------------------------------------------


def _lstsq_oracle(X, y):
    """``torch.linalg.lstsq`` on ``[X, 1]`` in float64; NaN for batch elements with a NaN or
    an infinite entry."""
    X, y = X.double(), y.double()
    finite = torch.isfinite(X).all(-1).all(-1) & torch.isfinite(y).all(-1)
    X, y = torch.where(finite[..., None, None], X, 0), torch.where(finite[..., None], y, 0)
    design = torch.cat([X, torch.ones_like(X[..., :1])], dim=-1)
    fit = torch.linalg.lstsq(design, y.unsqueeze(-1), driver="gelsd").solution.squeeze(-1)
    w, b = fit[..., :-1], fit[..., -1]
    residual = y - torch.matmul(X, w.unsqueeze(-1)).squeeze(-1) - b.unsqueeze(-1)
    var = (residual * residual).mean(-1)
    w = torch.where(finite.unsqueeze(-1), w, NAN)
    return w, torch.where(finite, b, NAN), torch.where(finite, var, NAN)


def _collinear() -> torch.Tensor:
    x = normal(6, 1, seed=20)
    return torch.cat([x, 2 * x, normal(6, 1, seed=21)], dim=-1)


LEAST_SQUARES = FunctionContract(
    R.least_squares,
    samples=(
        Sample((normal(8, 3), normal(8, seed=1)), name="random, n > d + 1"),
        Sample((normal(4, 3, seed=2), normal(4, seed=3)), name="n = d + 1: an exact fit"),
        Sample((normal(2, 6, 2, seed=4), normal(2, 6, seed=5)), name="batched"),
        Sample((normal(6, 2, seed=6), normal(3, 6, seed=7)), name="targets batched"),
        Sample((normal(5, 0, seed=8), normal(5, seed=9)), name="d = 0: the mean"),
        Sample((normal(1, 2, seed=10), normal(1, seed=11)), name="one example"),
        Sample((normal(3, 5, seed=12), normal(3, seed=13)), name="n < d: minimum norm"),
        Sample((normal(6, 2, seed=14) + 1e3, normal(6, seed=15)), name="features with large means"),
        Sample((_collinear(), normal(6, seed=22)), name="collinear features", gradcheck=False),
        Sample((torch.zeros(4, 2, dtype=F64), normal(4, seed=16)), name="zero X", gradcheck=False),
        Sample((normal(5, 2, seed=17), torch.zeros(5, dtype=F64)), name="zero y"),
        *per_dtype(
            "largest features: their sum overflows",
            lambda fi: (
                (t([[fi.max, 1.0], [fi.max / 2, 0.0], [0.0, fi.max]]), t([1.0, 2.0, 3.0])),
                {},
            ),
            gradcheck=False,
        ),
        # no sample with huge targets and an inexact fit: a backward-stable solver's residuals
        # are eps * |y|, whose squares (the variance) overflow for |y| > sqrt(max / eps)
        *per_dtype(
            "subnormal targets",
            lambda fi: ((t([[1.0], [0.0], [2.0]]), t([fi.smallest_normal / 4, 0.0, 0.5])), {}),
            gradcheck=False,
        ),
        # no sample with subnormal features x: dw/dy ~ 1/x overflows, exactly
    ),
    error_inputs=(
        ErrorInput(Sample(([[1.0]], t([1.0]))), TypeError, r"must be a torch\.Tensor", "X"),
        ErrorInput(Sample((t([[1.0]]), t([1], dtype=torch.int64))), TypeError, "floating", "y"),
        ErrorInput(Sample((t([[1.0]]), t([1.0]).float())), TypeError, "must match", "y"),
        ErrorInput(Sample((t([1.0]), t([1.0]))), ValueError, r"shape \(\.\.\., n, d\)", "X"),
        ErrorInput(Sample((t([[1.0]]), t([1.0, 2.0]))), ValueError, "needs n = 1", "y"),
        ErrorInput(Sample((torch.zeros(0, 2), torch.zeros(0))), ValueError, "n = 0", "X"),
        ErrorInput(
            Sample((torch.zeros(3, 4, 2), torch.zeros(2, 4))), ValueError, "do not broadcast", "y"
        ),
        ErrorInput(Sample((t([[1.0]]), t([1.0]).to("meta"))), ValueError, "is on meta", "y"),
    ),
    differentiable=("X", "y"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[1.0], [INF], [3.0]]), t([1.0, 2.0, 3.0])), name="inf X"),
            Sample((t([[1.0], [2.0], [3.0]]), t([1.0, -INF, 3.0])), name="inf y"),
            Sample(
                (
                    t([[[1.0], [2.0], [4.0]], [[1.0], [NAN], [3.0]]]),
                    t([[1.0, 0.0, 2.0], [1.0, 2.0, 3.0]]),
                ),
                name="NaN in one batch element",
            ),
        ),
        oracle=_lstsq_oracle,
    ),
)

POLYNOMIAL_FEATURES = FunctionContract(
    R.polynomial_features,
    samples=(
        Sample((normal(5, scale=1.0), 3), name="degree 3"),
        Sample((normal(2, 4, seed=1, scale=1.0), 4), name="batched, degree 4"),
        Sample((normal(3, seed=2), 1), name="degree 1"),
        Sample((normal(3, seed=3), 0), name="degree 0"),
        Sample((torch.zeros(0, dtype=F64), 2), name="empty"),
        Sample((t([0.0, -1.0, 2.0, -0.5]), 5), name="zeros and negatives"),
        *per_dtype("largest entries", lambda fi: ((t([fi.max, 1.0]), 3), {}), gradcheck=False),
        *per_dtype(  # degree 2: at -max, degree 3's gradients 2x = -inf and 3x^2 = inf sum to NaN
            "largest negative entries", lambda fi: ((t([-fi.max, 1.0]), 2), {}), gradcheck=False
        ),
        *per_dtype(
            "subnormal entries",
            lambda fi: ((t([fi.smallest_normal / 4, -fi.smallest_normal]), 3), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(Sample(([1.0], 2)), TypeError, r"must be a torch\.Tensor", "x"),
        ErrorInput(Sample((t([1], dtype=torch.int64), 2)), TypeError, "floating", "x"),
        ErrorInput(Sample((t(1.0), 2)), ValueError, "0-d", "x"),
        ErrorInput(Sample((t([1.0]), 2.0)), TypeError, "must be an int", "degree"),
        ErrorInput(Sample((t([1.0]), True)), TypeError, "must be an int", "degree"),
        ErrorInput(Sample((t([1.0]), -1)), ValueError, ">= 0", "degree"),
        ErrorInput(Sample((t([1.0]), 10**400)), ValueError, "too large", "degree"),
    ),
    differentiable=("x",),
    nan_policy=NanPolicy(
        special=(Sample((t([INF, -INF, NAN, 2.0]), 3), name="inf and NaN"),),
        oracle=lambda x, degree: torch.linalg.vander(x.double(), N=degree + 1)[..., 1:],
    ),
)


def _folds(n, k, seed, **kw):
    return Sample((n, k), {"shuffle": True, "generator": generator(seed), **kw}, name=f"{n}, {k}")


K_FOLD = FunctionContract(
    R.k_fold_splits,
    samples=(_folds(10, 3, 0), _folds(5, 5, 1), _folds(2, 2, 2), _folds(7, 2, 3)),
    error_inputs=(
        ErrorInput(Sample((5.0, 2)), TypeError, "must be an int", "n"),
        ErrorInput(Sample((5, True)), TypeError, "must be an int", "k"),
        ErrorInput(Sample((5, 1)), ValueError, "at least 2", "k"),
        ErrorInput(Sample((5, 6)), ValueError, "at least k examples", "k"),
        ErrorInput(Sample((10**400, 2)), ValueError, "too large", "n"),
        ErrorInput(Sample((5, 2), {"shuffle": 1}), TypeError, "must be a bool", "shuffle"),
        ErrorInput(Sample((5, 2), {"generator": generator(0)}), ValueError, "shuffle", "generator"),
        ErrorInput(
            Sample((5, 2), {"shuffle": True, "generator": 0}), TypeError, "Generator", "generator"
        ),
    ),
    dtypes=(),
    random=True,
)

CONTRACTS = (
    GAUSSIAN_NLL,
    K_FOLD,
    LEAST_SQUARES,
    LINEAR_MODEL,
    GRAD,
    POLYNOMIAL_FEATURES,
    _step(R.sgd_step),
    SQUARED_LOSS,
    _step(R.weight_decay_step, 0.01),
)
