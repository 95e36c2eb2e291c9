"""Contracts of ``dltheory.normalization.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.normalization import reference as R
from tests.contracts._support import F64, normal, per_dtype, t

INF, NAN = float("inf"), float("nan")
I64 = torch.int64


def _stats(c: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Running statistics of ``c`` channels: a mean and a positive variance."""
    return normal(c, seed=seed, scale=1.0), normal(c, seed=seed + 1, scale=0.5).exp()


def _affine_params(c: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    return normal(c, seed=seed, scale=0.5) + 1, normal(c, seed=seed + 1, scale=0.5)


# --- batch_norm ------------------------------------------------------------------------------
# The running statistics are buffers, as in torch.nn.BatchNorm: the new ones are computed
# without autograd (tests/test_normalization_api.py). So samples in training mode that pass
# running statistics are gradchecked (gradcheck skips outputs that do not require grad) but
# never marked ``gradcheck=False``: the NaN-gradient check differentiates every output. In
# evaluation mode the output is a differentiable function of the running statistics, and the
# ones returned are the given ones, so ``running_mean``/``running_var`` are declared
# differentiable (covered by the evaluation samples).


def _bn_samples() -> list[Sample]:
    g3, b3 = _affine_params(3)
    m3, v3 = _stats(3)
    g2, b2 = _affine_params(2, seed=4)
    m2, v2 = _stats(2, seed=4)
    return [
        Sample(
            (normal(4, 3), g3, b3),
            {"running_mean": m3, "running_var": v3},
            name="(N, C), affine, running statistics",
        ),
        Sample((normal(5, 3, seed=1),), name="(N, C), no affine"),
        Sample((normal(2, 2, 3, seed=2), g2, b2), {"eps": 1e-3}, name="(N, C, L), eps"),
        Sample(
            (normal(2, 2, 2, 2, seed=3), g2, b2),
            {"running_mean": m2, "running_var": v2, "momentum": 0.3},
            name="(N, C, H, W), momentum",
        ),
        Sample((normal(2, 2, 1, 2, 1, seed=5), None, b2), name="5-D, shift only"),
        Sample(
            (normal(3, 3, seed=6), g3, b3),
            {"training": False, "running_mean": m3, "running_var": v3},
            name="evaluation",
        ),
        Sample(
            (normal(2, 2, 3, seed=7), g2, None),
            {"training": False, "running_mean": m2, "running_var": v2, "eps": 0.5},
            name="evaluation, (N, C, L), scale only",
        ),
        Sample(
            (normal(4, 3, seed=8),),
            {"running_mean": m3, "running_var": v3, "momentum": 0.0},
            name="momentum 0",
        ),
        Sample(
            (normal(4, 3, seed=9),),
            {"running_mean": m3, "running_var": v3, "momentum": 1},
            name="momentum 1 (an int)",
        ),
        Sample((normal(2, 3, seed=10),), name="two values per channel"),
        Sample((normal(3, 2, seed=11) * 1e-3 + 1e4,), name="large mean, small spread"),
        Sample((torch.zeros(4, 3, dtype=F64), g3, b3), name="exact zeros: output beta"),
        Sample(
            (torch.zeros(2, 2, dtype=F64), g2, b2),
            {"training": False, "running_mean": torch.zeros(2, dtype=F64), "running_var": v2},
            name="evaluation, exact zeros",
            gradcheck=False,
        ),
        *per_dtype(
            "largest values",
            lambda fi: ((t([[fi.max, -fi.max], [-fi.max, fi.max], [fi.max, 0.0]]),), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: (
                (t([[fi.smallest_normal / 4, 0.0], [-fi.smallest_normal / 2, fi.tiny]]),),
                {},
            ),
            gradcheck=False,
        ),
    ]


def _bn_errors() -> tuple[ErrorInput, ...]:
    x = torch.zeros(4, 3)
    one = torch.ones(3)
    return (
        ErrorInput(Sample(([[1.0, 2.0]],)), TypeError, r"must be a torch\.Tensor", "x"),
        ErrorInput(Sample((x.long(),)), TypeError, "must be a floating-point", "x"),
        ErrorInput(Sample((t(1.0),)), ValueError, "at least one dimension", "x"),
        ErrorInput(Sample((torch.zeros(3),)), ValueError, "at least 2 dimensions", "x"),
        ErrorInput(Sample((torch.zeros(0, 3),)), ValueError, "has an empty dimension", "x"),
        ErrorInput(Sample((torch.zeros(1, 3),)), ValueError, "single value per channel", "x"),
        ErrorInput(Sample((x, torch.ones(4))), ValueError, r"shape \(3,\), got \(4,\)", "gamma"),
        ErrorInput(Sample((x, [1.0] * 3)), TypeError, r"torch\.Tensor or None", "gamma"),
        ErrorInput(Sample((x, one.long())), TypeError, "floating-point", "gamma"),
        ErrorInput(Sample((x, None, torch.ones(3, 1))), ValueError, "must have shape", "beta"),
        ErrorInput(Sample((x,), {"eps": 0.0}), ValueError, r"finite number in \(0", "eps"),
        ErrorInput(Sample((x,), {"eps": INF}), ValueError, "finite number", "eps"),
        ErrorInput(Sample((x,), {"eps": "1e-5"}), TypeError, "real number", "eps"),
        ErrorInput(Sample((x,), {"momentum": 1.5}), ValueError, r"in \[0, 1\]", "momentum"),
        ErrorInput(Sample((x,), {"momentum": NAN}), ValueError, "finite", "momentum"),
        ErrorInput(Sample((x,), {"training": 1}), TypeError, "must be a bool", "training"),
        ErrorInput(Sample((x,), {"running_mean": one}), ValueError, "is missing", "running_var"),
        ErrorInput(Sample((x,), {"running_var": one}), ValueError, "is missing", "running_mean"),
        ErrorInput(
            Sample((x,), {"training": False}), ValueError, "required when training", "running_mean"
        ),
        ErrorInput(
            Sample((x,), {"running_mean": torch.ones(2), "running_var": one}),
            ValueError,
            "must have shape",
            "running_mean",
        ),
        ErrorInput(
            Sample((x,), {"running_mean": one, "running_var": one.long()}),
            TypeError,
            "floating-point",
            "running_var",
        ),
        ErrorInput(
            Sample((x, one.to("meta"))), ValueError, "gamma is on meta but x is on cpu", "gamma"
        ),
    )


def _bn_oracle(x, gamma=None, beta=None, eps=1e-5, training=True, rm=None, rv=None, m=0.1, **kw):
    """``F.batch_norm``, updating copies of the running statistics in place (as torch does)."""
    rm, rv = kw.get("running_mean", rm), kw.get("running_var", rv)
    eps, training, m = kw.get("eps", eps), kw.get("training", training), kw.get("momentum", m)
    rm = None if rm is None else rm.clone()
    rv = None if rv is None else rv.clone()
    out = F.batch_norm(x, rm, rv, gamma, beta, training=training, momentum=m, eps=eps)
    return out, rm, rv


_BN_SPECIAL = (
    Sample((t([[INF, 1.0], [0.0, 2.0], [1.0, -1.0]]),), name="+inf: its channel NaN"),
    Sample(
        (t([[-INF, 1.0], [0.0, 2.0]]),),
        {"running_mean": t([0.0, 0.0]), "running_var": t([1.0, 1.0])},
        name="-inf with running statistics",
    ),
    Sample(
        (t([[INF, 1.0], [-INF, 2.0]]), t([1.0, 2.0]), t([0.0, 1.0])),
        {"training": False, "running_mean": t([0.0, 1.0]), "running_var": t([1.0, 4.0])},
        name="evaluation: per element",
    ),
)

BATCH_NORM = FunctionContract(
    R.batch_norm,
    samples=tuple(_bn_samples()),
    error_inputs=_bn_errors(),
    differentiable=("x", "gamma", "beta", "running_mean", "running_var"),
    nan_policy=NanPolicy(special=_BN_SPECIAL, oracle=_bn_oracle),
)


# --- layer_norm ------------------------------------------------------------------------------


def _ln_samples() -> list[Sample]:
    g5, b5 = _affine_params(5)
    g34 = normal(3, 4, seed=2, scale=0.5) + 1
    b34 = normal(3, 4, seed=3, scale=0.5)
    return [
        Sample((normal(3, 5), 5, g5, b5), name="(N, D), affine"),
        Sample((normal(4, 5, seed=1), 5), name="no affine"),
        Sample((normal(5, seed=2), (5,)), {"eps": 1e-3}, name="one example, a tuple shape"),
        Sample((normal(2, 3, 4, seed=3), (3, 4), g34, b34), name="two trailing dimensions"),
        Sample((normal(2, 3, 4, seed=4), [4], None, normal(4, seed=9)), name="list, shift only"),
        Sample((normal(2, 2, 3, seed=5), torch.Size([2, 3])), name="torch.Size"),
        Sample((normal(2, 1, seed=6), 1), name="D = 1: output beta"),
        Sample((normal(3, 4, seed=7) * 1e-3 + 1e4, 4), name="large mean, small spread"),
        Sample((torch.zeros(2, 5, dtype=F64), 5, g5, b5), name="exact zeros"),
        Sample((torch.zeros(0, 5, dtype=F64), 5, g5, b5), name="an empty batch"),
        *per_dtype(
            "largest values",
            lambda fi: ((t([[fi.max, -fi.max, 0.0], [fi.max, fi.max, -fi.max]]), 3), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: ((t([[fi.smallest_normal / 4, 0.0, -fi.smallest_normal / 2]]), 3), {}),
            gradcheck=False,
        ),
    ]


def _ln_errors() -> tuple[ErrorInput, ...]:
    x = torch.zeros(2, 3)
    return (
        ErrorInput(Sample(([[1.0]], 1)), TypeError, r"must be a torch\.Tensor", "x"),
        ErrorInput(Sample((x.long(), 3)), TypeError, "floating-point", "x"),
        ErrorInput(Sample((t(1.0), 1)), ValueError, "at least one dimension", "x"),
        ErrorInput(Sample((x, 4)), ValueError, "match the trailing", "normalized_shape"),
        ErrorInput(Sample((x, (2, 3, 1))), ValueError, "trailing", "normalized_shape"),
        ErrorInput(Sample((x, ())), ValueError, "must be nonempty", "normalized_shape"),
        ErrorInput(Sample((x, 0)), ValueError, "int >= 1", "normalized_shape"),
        ErrorInput(Sample((x, 3.0)), TypeError, "int or a sequence", "normalized_shape"),
        ErrorInput(Sample((x, True)), TypeError, "int or a sequence", "normalized_shape"),
        ErrorInput(Sample((x, (3.0,))), TypeError, "must be an int", "normalized_shape"),
        ErrorInput(Sample((x, 3, torch.ones(2))), ValueError, "must have shape", "gamma"),
        ErrorInput(Sample((x, 3, None, [0.0] * 3)), TypeError, r"torch\.Tensor", "beta"),
        ErrorInput(Sample((x, 3), {"eps": -1.0}), ValueError, "finite number", "eps"),
        ErrorInput(Sample((x, 3), {"eps": None}), TypeError, "real number", "eps"),
        ErrorInput(
            Sample((x, 3, None, torch.zeros(3, device="meta"))),
            ValueError,
            "beta is on meta but x is on cpu",
            "beta",
        ),
    )


def _ln_oracle(x, normalized_shape, gamma=None, beta=None, eps=1e-5):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    return F.layer_norm(x, tuple(shape), gamma, beta, eps)


LAYER_NORM = FunctionContract(
    R.layer_norm,
    samples=tuple(_ln_samples()),
    error_inputs=_ln_errors(),
    differentiable=("x", "gamma", "beta"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[INF, 1.0, 2.0], [0.0, 1.0, 3.0]]), 3), name="+inf: its example NaN"),
            Sample((t([[-INF, 1.0], [INF, INF]]), 2), name="-inf, all +inf"),
        ),
        oracle=_ln_oracle,
    ),
)


# --- residual_block --------------------------------------------------------------------------


def _conv(c_out: int, c_in: int, k: int, seed: int) -> torch.Tensor:
    return normal(c_out, c_in, k, k, seed=seed, scale=0.5)


def _rb_samples() -> list[Sample]:
    g, b = _affine_params(2, seed=20)
    g3, b3 = _affine_params(3, seed=22)
    return [
        Sample(
            (normal(2, 2, 3, 3), _conv(2, 2, 3, 1), _conv(2, 2, 3, 2)),
            {"gamma1": g, "beta1": b, "gamma2": g, "beta2": b},
            name="identity shortcut, affine",
        ),
        Sample(
            (normal(2, 2, 3, 3, seed=3), _conv(2, 2, 3, 4), _conv(2, 2, 3, 5)), name="no affine"
        ),
        Sample(
            (normal(2, 2, 4, 4, seed=6), _conv(3, 2, 3, 7), _conv(3, 3, 3, 8)),
            {
                "shortcut_weight": _conv(3, 2, 1, 9),
                "shortcut_bias": normal(3, seed=10),
                "stride": 2,
                "gamma2": g3,
                "beta1": b3,
            },
            name="projection shortcut, stride 2",
        ),
        Sample(
            (normal(2, 4, 3, 3, seed=11), _conv(4, 2, 3, 12), _conv(4, 2, 3, 13)),
            {"groups": 2, "eps": 1e-3},
            name="two groups",
        ),
        Sample(
            (normal(1, 2, 3, 3, seed=14), _conv(2, 2, 1, 15), _conv(2, 2, 5, 16)),
            {"shortcut_weight": _conv(2, 2, 1, 17)},
            name="a batch of one, 1x1 and 5x5 kernels, projection without bias",
        ),
        Sample(
            (torch.zeros(2, 2, 3, 3, dtype=F64), _conv(2, 2, 3, 18), _conv(2, 2, 3, 19)),
            {"beta2": t([0.5, -0.5])},
            name="exact zeros",
            gradcheck=False,  # every output sits on ReLU's kink or is constant
        ),
        *per_dtype(
            "largest values",
            lambda fi: (
                (
                    torch.full((2, 1, 2, 2), fi.max, dtype=F64) * t([1.0, -1.0]).view(2, 1, 1, 1),
                    t([[[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]]),
                    t([[[[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]]),
                ),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "convolutions overflow",
            lambda fi: (
                (
                    normal(2, 2, 3, 3, seed=30).clamp(-1, 1) * fi.max,
                    normal(2, 2, 3, 3, seed=31).clamp(-1, 1) * fi.max,
                    _conv(2, 2, 3, 32),
                ),
                {},
            ),
            gradcheck=False,
        ),
        # (not the 1x1 shortcut: it is not rescaled, and its weight's gradient sums x over
        # the batch and every position, which overflows at such x; see the docstring)
        *per_dtype(
            "subnormal values",
            lambda fi: (
                (
                    torch.full((2, 1, 2, 2), fi.smallest_normal / 4, dtype=F64)
                    * t([1.0, -2.0]).view(2, 1, 1, 1),
                    t([[[[1.0]]]]),
                    t([[[[1.0]]]]),
                ),
                {},
            ),
            gradcheck=False,
        ),
    ]


def _rb_errors() -> tuple[ErrorInput, ...]:
    x = torch.zeros(2, 2, 3, 3)
    w = torch.zeros(2, 2, 3, 3)
    return (
        ErrorInput(Sample((x.long(), w, w)), TypeError, "floating-point", "x"),
        ErrorInput(Sample((torch.zeros(2, 2, 3), w, w)), ValueError, r"\(N, C, H, W\)", "x"),
        ErrorInput(Sample((x, w.tolist(), w)), TypeError, r"torch\.Tensor", "weight1"),
        ErrorInput(Sample((x, torch.zeros(2, 2, 2, 2), w)), ValueError, "odd k", "weight1"),
        ErrorInput(Sample((x, torch.zeros(2, 3, 3, 3), w)), ValueError, "does not fit", "weight1"),
        ErrorInput(Sample((x, w, w.long())), TypeError, "floating-point", "weight2"),
        ErrorInput(Sample((x, w, torch.zeros(2, 1, 3, 3))), ValueError, "must have", "weight2"),
        ErrorInput(
            Sample((x, w, w), {"gamma1": torch.ones(3)}), ValueError, "must have shape", "gamma1"
        ),
        ErrorInput(
            Sample((x, w, w), {"beta2": torch.ones(2).long()}), TypeError, "floating", "beta2"
        ),
        ErrorInput(Sample((x, w, w), {"stride": 2}), ValueError, "identity shortcut", "stride"),
        ErrorInput(Sample((x, w, w), {"stride": 0}), ValueError, "int >= 1", "stride"),
        ErrorInput(Sample((x, w, w), {"stride": 1.0}), TypeError, "must be an int", "stride"),
        ErrorInput(Sample((x, w, w), {"groups": 0}), ValueError, "int >= 1", "groups"),
        ErrorInput(Sample((x, w, w), {"groups": 3}), ValueError, "divisible by groups", "groups"),
        ErrorInput(Sample((x, w, w), {"eps": 0}), ValueError, "finite number", "eps"),
        ErrorInput(
            Sample((x, w, w), {"shortcut_bias": torch.ones(2)}),
            ValueError,
            "needs shortcut_weight",
            "shortcut_bias",
        ),
        ErrorInput(
            Sample((x, w, w), {"shortcut_weight": torch.zeros(2, 2, 3, 3)}),
            ValueError,
            "must have shape",
            "shortcut_weight",
        ),
        ErrorInput(
            Sample((torch.zeros(1, 2, 1, 1), w, w)),
            ValueError,
            "single value per channel",
            "x",
        ),
        ErrorInput(
            Sample((x, w.to("meta"), w)),
            ValueError,
            "weight1 is on meta but x is on cpu",
            "weight1",
        ),
    )


def _rb_oracle(x, weight1, weight2, *, shortcut_weight=None, stride=1, groups=1, **bn):
    """The block from torch built-ins: ``F.conv2d``, ``F.batch_norm`` (batch statistics)."""
    eps = bn.get("eps", 1e-5)

    def norm(y, i):
        return F.batch_norm(y, None, None, bn.get(f"gamma{i}"), bn.get(f"beta{i}"), True, 0.1, eps)

    y = F.conv2d(x, weight1, stride=stride, padding=weight1.shape[2] // 2, groups=groups)
    y = F.conv2d(F.relu(norm(y, 1)), weight2, padding=weight2.shape[2] // 2, groups=groups)
    skip = x
    if shortcut_weight is not None:
        skip = F.conv2d(x, shortcut_weight, bn.get("shortcut_bias"), stride=stride)
    return F.relu(norm(y, 2) + skip)


_ONE = t([[[[1.0]]], [[[1.0]]]])  # (2, 1, 1, 1): with groups=2, channels stay apart

RESIDUAL_BLOCK = FunctionContract(
    R.residual_block,
    samples=tuple(_rb_samples()),
    error_inputs=_rb_errors(),
    nan_policy=NanPolicy(
        special=(
            Sample(
                (t([[[[INF, 1.0]], [[1.0, 2.0]]], [[[0.0, 2.0]], [[3.0, 1.0]]]]), _ONE, _ONE),
                {"groups": 2},
                name="+inf in channel 0 (groups keep channel 1 finite)",
                dtypes=(torch.float64, torch.float32),
            ),
        ),
        oracle=_rb_oracle,
    ),
    differentiable=(
        "x",
        "weight1",
        "weight2",
        "gamma1",
        "beta1",
        "gamma2",
        "beta2",
        "shortcut_weight",
        "shortcut_bias",
    ),
)

CONTRACTS = (BATCH_NORM, LAYER_NORM, RESIDUAL_BLOCK)
