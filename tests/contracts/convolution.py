"""Contracts of ``dltheory.convolution.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dltheory.convolution import reference as R
from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from tests.contracts._support import F64, normal, per_dtype, t

INF, NAN = float("inf"), float("nan")


def _zeros(*shape: int) -> torch.Tensor:
    return torch.zeros(shape, dtype=F64)


def _bad_image_and_kernel() -> tuple[ErrorInput, ...]:
    x, k = torch.zeros(4, 5), torch.zeros(2, 2)
    return (
        ErrorInput(Sample(([[1.0]], k)), TypeError, r"torch\.Tensor", "input"),
        ErrorInput(Sample((x.to(torch.int64), k)), TypeError, "floating-point tensor", "input"),
        ErrorInput(Sample((torch.zeros(5), k)), ValueError, "at least 2-D", "input"),
        ErrorInput(Sample((x, torch.zeros(2, 2, 1))), ValueError, "must be 2-D", "kernel"),
        ErrorInput(Sample((x, k.double())), TypeError, "dtype", "kernel"),
        ErrorInput(Sample((x, k.to("meta"))), ValueError, "meta", "kernel"),
    )


def _image_kernel_samples(kernel_may_be_larger: bool) -> list[Sample]:
    out = [
        Sample((normal(4, 5), normal(2, 3, seed=1)), name="4 x 5 image, 2 x 3 kernel"),
        Sample((normal(2, 3, 5, 4, seed=2), normal(3, 2, seed=3)), name="batch of 2 x 3 images"),
        Sample((normal(3, 3, seed=4), normal(3, 3, seed=5)), name="kernel the image's size"),
        Sample((normal(3, 4, seed=6), normal(1, 1, seed=7)), name="1 x 1 kernel"),
        Sample((normal(0, 3, 3, seed=8), normal(2, 2, seed=9)), name="empty batch"),
        Sample((_zeros(3, 4), _zeros(2, 2)), name="exact zeros"),
        *per_dtype(
            "largest values (overflow to inf)",
            lambda fi: (
                (t([[fi.max, fi.max], [-fi.max, fi.max]]), t([[1.0, 1.0], [1.0, 0.5]])),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: ((t([[fi.tiny / 4, -fi.tiny], [fi.tiny / 2, 0.0]]), t([[0.5, 2.0]])), {}),
        ),
    ]
    if kernel_may_be_larger:
        out.append(Sample((normal(2, 2, seed=10), normal(3, 4, seed=11)), name="kernel larger"))
    return out


def _corr2d_oracle(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return F.conv2d(x.double()[None, None], k.double()[None, None])[0, 0]


_IMAGE_SPECIAL = (
    Sample((t([[INF, 1.0, 2.0], [3.0, 4.0, -INF], [5.0, 6.0, 7.0]]), t([[1.0, 0.0], [2.0, 1.0]]))),
    Sample((t([[NAN, 1.0, 2.0], [3.0, INF, 5.0]]), t([[1.0, -1.0]]))),
)

CORR2D = FunctionContract(
    R.corr2d,
    samples=tuple(_image_kernel_samples(kernel_may_be_larger=False)),
    error_inputs=(
        *_bad_image_and_kernel(),
        ErrorInput(
            Sample((torch.zeros(2, 5), torch.zeros(3, 2))), ValueError, "larger than", "kernel"
        ),
    ),
    differentiable=("input", "kernel"),
    nan_policy=NanPolicy(special=_IMAGE_SPECIAL, oracle=_corr2d_oracle),
)


def _convolve2d_oracle(x: torch.Tensor, k: torch.Tensor, mode: str = "full") -> torch.Tensor:
    """The flipped kernel, cross-correlated by torch with padding k - 1 ("full")."""
    kh, kw = k.shape
    pad = (kh - 1, kw - 1) if mode == "full" else (0, 0)
    flipped = k.double().flip(0, 1)[None, None]
    return F.conv2d(x.double()[None, None], flipped, padding=pad)[0, 0]


CONVOLVE2D = FunctionContract(
    R.convolve2d,
    samples=(
        *_image_kernel_samples(kernel_may_be_larger=True),
        Sample((normal(4, 5, seed=12), normal(2, 3, seed=13)), {"mode": "valid"}, name="valid"),
        Sample(
            (normal(2, 4, 4, seed=14), normal(4, 4, seed=15)), {"mode": "valid"}, name="valid 1x1"
        ),
    ),
    error_inputs=(
        *_bad_image_and_kernel(),
        ErrorInput(
            Sample((torch.zeros(3, 3), torch.zeros(2, 2)), {"mode": "same"}),
            ValueError,
            "'full' or 'valid'",
            "mode",
        ),
        ErrorInput(
            Sample((torch.zeros(2, 5), torch.zeros(3, 2)), {"mode": "valid"}),
            ValueError,
            "larger than",
            "kernel",
        ),
    ),
    differentiable=("input", "kernel"),
    nan_policy=NanPolicy(
        special=(*_IMAGE_SPECIAL, Sample((_IMAGE_SPECIAL[0].args), {"mode": "valid"})),
        oracle=_convolve2d_oracle,
    ),
)


def _conv2d_samples() -> list[Sample]:
    x, w, b = normal(2, 3, 6, 5), normal(4, 3, 3, 2, seed=1), normal(4, seed=2)
    return [
        Sample((x, w, b), name="2 images, 3 -> 4 channels"),
        Sample((x, w), {"stride": 2, "padding": 1}, name="no bias, stride 2, padding 1"),
        Sample((x, w, b, (2, 1), (1, 2), (2, 1)), name="pairs: stride, padding, dilation"),
        Sample((x, w, b), {"dilation": 2}, name="dilation 2"),
        Sample((x, w, b), {"stride": 9}, name="stride past the input: one position"),
        Sample(
            (normal(1, 16, 5, 5, seed=3), normal(2, 16, 3, 3, seed=4, scale=0.3), normal(2)),
            {"padding": 1},
            name="16 input channels, stride 1 (tap by tap)",
        ),
        Sample(
            (normal(1, 16, 5, 4, seed=5), normal(3, 16, 2, 2, seed=6, scale=0.3)),
            {"dilation": (2, 1)},
            name="16 channels, dilated (tap by tap)",
        ),
        Sample((normal(0, 3, 4, 4, seed=7), w, b), name="empty batch"),
        Sample((normal(2, 1, 3, 3, seed=8), normal(1, 1, 3, 3, seed=9)), name="kernel = input"),
        Sample((_zeros(1, 2, 3, 3), _zeros(2, 2, 2, 2), _zeros(2)), name="exact zeros"),
        *per_dtype(
            "largest values (overflow to inf)",
            lambda fi: (
                (
                    t([[[[fi.max, fi.max], [-fi.max, fi.max]]]]),
                    t([[[[1.0, 1.0], [1.0, 0.5]]]]),
                    t([fi.max]),
                ),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: (
                (t([[[[fi.tiny / 4, -fi.tiny], [fi.tiny / 2, 0.0]]]]), t([[[[0.5, 2.0]]]])),
                {"bias": t([fi.tiny / 8])},
            ),
        ),
    ]


def _conv2d_errors() -> tuple[ErrorInput, ...]:
    x, w, b = torch.zeros(1, 3, 4, 4), torch.zeros(2, 3, 3, 3), torch.zeros(2)
    return (
        ErrorInput(Sample((torch.zeros(3, 4, 4), w)), ValueError, "must be 4-D", "input"),
        ErrorInput(Sample((x, torch.zeros(2, 3, 3))), ValueError, "must be 4-D", "weight"),
        ErrorInput(Sample((x, torch.zeros(2, 2, 3, 3))), ValueError, "3 channels", "weight"),
        ErrorInput(Sample((x, w, torch.zeros(3))), ValueError, r"shape \(2,\)", "bias"),
        ErrorInput(Sample((x, w, torch.zeros(2, 1))), ValueError, "1-D", "bias"),
        ErrorInput(Sample((x, w.double())), TypeError, "dtype", "weight"),
        ErrorInput(Sample((x, w, b.double())), TypeError, "dtype", "bias"),
        ErrorInput(Sample((x, w.to("meta"))), ValueError, "meta", "weight"),
        ErrorInput(Sample((x, w), {"stride": 0}), ValueError, ">= 1", "stride"),
        ErrorInput(Sample((x, w), {"stride": (1, 0)}), ValueError, ">= 1", "stride"),
        ErrorInput(Sample((x, w), {"stride": 1.0}), TypeError, "int", "stride"),
        ErrorInput(Sample((x, w), {"padding": -1}), ValueError, ">= 0", "padding"),
        ErrorInput(Sample((x, w), {"padding": (1, 2, 3)}), ValueError, "pair", "padding"),
        ErrorInput(Sample((x, w), {"dilation": 0}), ValueError, ">= 1", "dilation"),
        ErrorInput(
            Sample((x, torch.zeros(2, 3, 5, 5))), ValueError, "larger than the padded", "weight"
        ),
        ErrorInput(Sample((x, w), {"dilation": 3}), ValueError, "dilated to 7", "dilation"),
        ErrorInput(Sample((x, w), {"padding": 2**62}), ValueError, "larger than", "padding"),
    )


def _conv2d_oracle(input, weight, bias=None, stride=1, padding=0, dilation=1):
    b = None if bias is None else bias.double()
    return F.conv2d(input.double(), weight.double(), b, stride, padding, dilation)


CONV2D = FunctionContract(
    R.conv2d,
    samples=tuple(_conv2d_samples()),
    error_inputs=_conv2d_errors(),
    differentiable=("input", "weight", "bias"),
    nan_policy=NanPolicy(
        special=(
            Sample(
                (t([[[[INF, 1.0, 2.0], [3.0, -INF, 4.0], [0.0, 1.0, 2.0]]]]),),
                {"weight": t([[[[1.0, 0.0], [2.0, 1.0]]]]), "bias": t([1.0]), "padding": 1},
            ),
            Sample(
                (normal(1, 1, 3, 3),),
                {"weight": t([[[[1.0, 2.0]]]]), "bias": t([INF])},
                name="infinite bias",
            ),
        ),
        oracle=_conv2d_oracle,
    ),
)

CONV_OUTPUT_SHAPE = FunctionContract(
    R.conv_output_shape,
    samples=(
        Sample((224, 3), {"padding": 1, "stride": 2, "dilation": 1}, name="ResNet stem"),
        Sample(((8, 6), (3, 2)), name="pairs"),
        Sample((7, 3, (1, 0), 2, (1, 2)), name="mixed ints and pairs"),
        Sample((5, 5), name="kernel = input"),
        Sample((1, 1), name="1 x 1"),
        Sample((4, 3, 0, 100), name="stride past the input"),
    ),
    error_inputs=(
        ErrorInput(Sample((4, 5)), ValueError, "larger than the padded", "k"),
        ErrorInput(Sample((5, 3), {"dilation": 3}), ValueError, "dilated to 7", "dilation"),
        ErrorInput(Sample((0, 1)), ValueError, ">= 1", "n"),
        ErrorInput(Sample((4, 0)), ValueError, ">= 1", "k"),
        ErrorInput(Sample((4, 3, -1)), ValueError, ">= 0", "padding"),
        ErrorInput(Sample((4, 3, 0, 0)), ValueError, ">= 1", "stride"),
        ErrorInput(Sample((4.0, 3)), TypeError, "int", "n"),
        ErrorInput(Sample((4, True)), TypeError, "int", "k"),
        ErrorInput(Sample(((4, 4, 4), 3)), ValueError, "pair", "n"),
        ErrorInput(Sample((4, 3), {"stride": (1, 2.0)}), TypeError, "int", "stride"),
    ),
    dtypes=(),  # sizes only: no tensor arguments
)


def _pool_samples() -> list[Sample]:
    x = normal(2, 3, 6, 7)
    out = []
    for mode in ("max", "avg"):
        out += [
            Sample((x, 2), {"mode": mode}, name=f"{mode}, 2 x 2"),
            Sample((x[0, 0], 3, 1, 1, mode), name=f"{mode}, 2-D input, 3 / 1 / 1"),
            Sample((x, (3, 2), (1, 2), (1, 1), mode), name=f"{mode}, pairs"),
            Sample((x[0], 1), {"mode": mode}, name=f"{mode}, 1 x 1 window"),
            Sample((x, 2, 9), {"mode": mode}, name=f"{mode}, stride past the input"),
            Sample((normal(0, 4, 4), 2), {"mode": mode}, name=f"{mode}, empty batch"),
            Sample(
                (_zeros(1, 4, 4), 2, 1),
                {"mode": mode},
                name=f"{mode}, exact zeros",
                gradcheck=mode == "avg",  # max pooling of ties is not differentiable
            ),
            *per_dtype(
                f"{mode}, largest values",
                lambda fi, m=mode: (
                    (t([[fi.max, fi.max, -fi.max], [fi.max, -fi.max, 1.0]]), 2, 1, 1, m),
                    {},
                ),
                gradcheck=False,
            ),
            *per_dtype(
                f"{mode}, subnormal values",
                lambda fi, m=mode: (
                    (t([[fi.tiny / 4, -fi.tiny / 2], [fi.tiny / 8, fi.tiny]]), 2),
                    {"mode": m},
                ),
                gradcheck=mode == "avg",  # steps of 1e-6 swap the order of the maximum
            ),
        ]
    return out


def _pool_oracle(x, kernel_size, stride=None, padding=0, mode="max"):
    builtin = F.max_pool2d if mode == "max" else F.avg_pool2d
    return builtin(x.double()[None], kernel_size, stride, padding)[0]  # (C, H, W) for torch


POOL2D = FunctionContract(
    R.pool2d,
    samples=tuple(_pool_samples()),
    error_inputs=(
        ErrorInput(Sample(([[1.0]], 1)), TypeError, r"torch\.Tensor", "input"),
        ErrorInput(Sample((torch.zeros(4, dtype=torch.int64), 1)), TypeError, "floating", "input"),
        ErrorInput(Sample((torch.zeros(4), 1)), ValueError, "at least 2-D", "input"),
        ErrorInput(Sample((torch.zeros(4, 4), 0)), ValueError, ">= 1", "kernel_size"),
        ErrorInput(Sample((torch.zeros(4, 4), 5)), ValueError, "larger than", "kernel_size"),
        ErrorInput(Sample((torch.zeros(4, 4), 2, 0)), ValueError, ">= 1", "stride"),
        ErrorInput(Sample((torch.zeros(4, 4), 2, 1, -1)), ValueError, ">= 0", "padding"),
        ErrorInput(Sample((torch.zeros(4, 4), 2, 1, 2)), ValueError, "half the window", "padding"),
        ErrorInput(Sample((torch.zeros(4, 4), 2.0)), TypeError, "int", "kernel_size"),
        ErrorInput(Sample((torch.zeros(4, 4), 2), {"mode": "min"}), ValueError, "max", "mode"),
    ),
    differentiable=("input",),
    nan_policy=NanPolicy(
        special=tuple(
            Sample((t([[INF, 1.0, -INF], [2.0, 3.0, 4.0], [NAN, -INF, 0.0]]), 2, 1, 1, mode))
            for mode in ("max", "avg")
        ),
        oracle=_pool_oracle,
    ),
)

CONTRACTS = [CORR2D, CONVOLVE2D, CONV2D, CONV_OUTPUT_SHAPE, POOL2D]
