"""Contracts of ``dltheory.mlp.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.mlp import reference as R
from tests.contracts._support import F64, generator, normal, per_dtype, t

INF, NAN = float("inf"), float("nan")

# --- activations: relu, sigmoid, tanh ----------------------------------------------------------


def _activation_samples(kink_at_zero: bool) -> list[Sample]:
    """Every shape (0-d to 3-D, empty), exact zeros, the whole range of each dtype."""
    return [
        Sample((normal(3, 4),), name="random"),
        Sample((t(0.7),), name="0-d"),
        Sample((normal(2, 3, 4, seed=1, scale=10),), name="3-D, wide range"),
        Sample((torch.zeros(0, 3, dtype=F64),), name="empty"),
        # ReLU has a kink at 0: finite differences straddle it there
        Sample((torch.zeros(2, 3, dtype=F64),), name="exact zeros", gradcheck=not kink_at_zero),
        Sample((t([-40.0, -20.0, 20.0, 40.0]),), name="saturated"),
        *per_dtype(
            "largest magnitudes",
            lambda fi: ((t([fi.max, -fi.max, fi.max / 2, -fi.max / 2]),), {}),
            gradcheck=False,  # x + eps rounds back to x there
        ),
        *per_dtype(
            "smallest normal and subnormal values",
            lambda fi: (
                (t([fi.smallest_normal, -fi.smallest_normal, fi.tiny / 4, -fi.tiny / 8]),),
                {},
            ),
            gradcheck=False,  # ReLU's kink, and steps of 1e-6 dwarf the values
        ),
        Sample((t([1e-8, -1e-8, 1e-300]),), name="tiny normal values", gradcheck=not kink_at_zero),
    ]


_ACTIVATION_SPECIAL = tuple(
    Sample((t(row),), name=str(row)) for row in ([INF, -INF, 0.0, 1.0], [NAN, INF, -2.0])
)
_BAD_ACTIVATION_INPUT = (
    ErrorInput(Sample(([1.0, 2.0],)), TypeError, r"must be a torch\.Tensor, got list", "input"),
    ErrorInput(
        Sample((t([1, 2], dtype=torch.int64),)), TypeError, "floating-point tensor", "input"
    ),
)


def _activation(function, oracle, kink_at_zero: bool = False) -> FunctionContract:
    return FunctionContract(
        function,
        samples=tuple(_activation_samples(kink_at_zero)),
        error_inputs=_BAD_ACTIVATION_INPUT,
        differentiable=("input",),
        nan_policy=NanPolicy(special=_ACTIVATION_SPECIAL, oracle=oracle),
    )


# --- linear, mlp_forward, mlp_backward ---------------------------------------------------------


def _linear_errors() -> tuple[ErrorInput, ...]:
    x, w, b = torch.zeros(3, 4), torch.zeros(2, 4), torch.zeros(2)
    return (
        ErrorInput(Sample((t(1.0), w, b)), ValueError, "at least one dimension", "input"),
        ErrorInput(Sample((x, torch.zeros(4), b)), ValueError, "must be 2-D", "weight"),
        ErrorInput(
            Sample((x, torch.zeros(2, 5), b)), ValueError, "expects 5 input features", "weight"
        ),
        ErrorInput(Sample((x, w, torch.zeros(3))), ValueError, r"must have shape \(2,\)", "bias"),
        ErrorInput(Sample((x, w.double(), b)), TypeError, "dtype", "weight"),
        ErrorInput(Sample((x, w, b.double())), TypeError, "dtype", "bias"),
        ErrorInput(Sample((x, w, [0.0, 0.0])), TypeError, r"torch\.Tensor", "bias"),
        ErrorInput(Sample((x, w.to("meta"), b)), ValueError, "meta", "weight"),
    )


LINEAR = FunctionContract(
    R.linear,
    samples=(
        Sample((normal(3, 4), normal(2, 4, seed=1), normal(2, seed=2)), name="batch of 3"),
        Sample((normal(4, seed=3), normal(2, 4, seed=4)), name="1-D input, no bias"),
        Sample(
            (normal(2, 3, 4, seed=5), normal(5, 4, seed=6), normal(5, seed=7)),
            name="3-D input",
        ),
        Sample(
            (torch.zeros(2, 3, dtype=F64), torch.zeros(1, 3, dtype=F64), torch.zeros(1, dtype=F64)),
            name="exact zeros",
        ),
        Sample(
            (torch.zeros(0, 3, dtype=F64), normal(2, 3, seed=8), normal(2, seed=9)),
            name="empty batch",
        ),
        *per_dtype(
            "largest values (overflow to inf)",
            lambda fi: ((t([[fi.max, fi.max]]), t([[1.0, 1.0], [1.0, -1.0]]), t([0.0, 0.0])), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: ((t([[fi.tiny / 4, -fi.tiny / 2]]), t([[0.5, 0.25]]), t([fi.tiny / 8])), {}),
        ),
    ),
    error_inputs=_linear_errors(),
    differentiable=("input", "weight", "bias"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[INF, 1.0], [2.0, -INF]]), t([[1.0, 0.0], [2.0, 1.0]]), t([0.0, 1.0]))),
        ),
        oracle=lambda x, w, b: F.linear(x.double(), w.double(), b.double()),
    ),
)


def _mlp_args(seed: int, batch: tuple[int, ...] = (4,), d: int = 3, m: int = 5, q: int = 2):
    return (
        normal(*batch, d, seed=seed),
        normal(m, d, seed=seed + 1, scale=1.0),
        normal(m, seed=seed + 2, scale=1.0),
        normal(q, m, seed=seed + 3, scale=1.0),
        normal(q, seed=seed + 4, scale=1.0),
    )


def _mlp_errors(extra: tuple[torch.Tensor, ...] = ()) -> tuple[ErrorInput, ...]:
    x, w1, b1, w2, b2 = (torch.zeros(s) for s in ((4, 3), (5, 3), (5,), (2, 5), (2,)))
    return (
        ErrorInput(Sample((x, w1, None, w2, b2, *extra)), TypeError, "NoneType", "b1"),
        ErrorInput(
            Sample((x, torch.zeros(5, 4), b1, w2, b2, *extra)),
            ValueError,
            "expects 4 input features",
            "W1",
        ),
        ErrorInput(Sample((x, w1, b1, torch.zeros(2, 6), b2, *extra)), ValueError, "hidden", "W2"),
        ErrorInput(Sample((x, w1, b1, w2, torch.zeros(3), *extra)), ValueError, "shape", "b2"),
        ErrorInput(Sample((x, w1.double(), b1, w2, b2, *extra)), TypeError, "dtype", "W1"),
        ErrorInput(
            Sample((x, w1, b1, w2, b2, *extra), {"activation": "gelu"}),
            ValueError,
            "must be one of",
            "activation",
        ),
    )


def _mlp_samples(backward: bool) -> list[Sample]:
    def args(seed, **shape):
        a = _mlp_args(seed, **shape)
        if not backward:
            return a
        batch = shape.get("batch", (4,))
        return (*a, normal(*batch, shape.get("q", 2), seed=seed + 5, scale=1.0))

    out = [Sample(args(0), {"activation": act}, name=act) for act in ("relu", "sigmoid", "tanh")]
    if backward:
        # b2 enters no gradient, so a NaN in it cannot show (mlp_backward's docstring):
        # samples[0] passes None, which mlp_backward accepts, so that the NaN-propagation
        # test covers the arguments that do enter
        out[0] = Sample((*out[0].args[:4], None, out[0].args[5]), out[0].kwargs, name="relu")
    out += [
        Sample(args(10, batch=(2, 3)), {"activation": "tanh"}, name="3-D input"),
        Sample(args(20, batch=(), d=2, m=3, q=1), name="one example (1-D input)"),
        Sample(args(30, batch=(0,)), {"activation": "sigmoid"}, name="empty batch"),
    ]
    zeros = tuple(torch.zeros_like(a) for a in args(40, batch=(2,), d=2, m=3, q=2))
    out.append(Sample(zeros, {"activation": "sigmoid"}, name="exact zeros"))
    out.append(Sample(zeros, {"activation": "relu"}, name="exact zeros, relu", gradcheck=False))
    out += per_dtype(
        "largest inputs",
        lambda fi: (
            (
                t([[fi.max, -fi.max]]),
                t([[1.0, 0.0], [0.0, 1.0]]),
                t([0.0, 0.0]),
                t([[1.0, -1.0]]),
                t([0.0]),
                *((t([[1.0]]),) if backward else ()),
            ),
            {"activation": "tanh"},
        ),
        gradcheck=False,
    )
    return out


MLP_FORWARD = FunctionContract(
    R.mlp_forward,
    samples=tuple(_mlp_samples(backward=False)),
    error_inputs=_mlp_errors(),
    differentiable=("input", "W1", "b1", "W2", "b2"),
)

MLP_BACKWARD = FunctionContract(
    R.mlp_backward,
    samples=tuple(_mlp_samples(backward=True)),
    error_inputs=(
        *_mlp_errors((torch.zeros(4, 2),)),
        ErrorInput(
            Sample(tuple(torch.zeros(s) for s in ((4, 3), (5, 3), (5,), (2, 5), (2,), (4, 3)))),
            ValueError,
            r"output's shape \(4, 2\)",
            "grad_output",
        ),
    ),
    # b2 is not differentiable: no gradient depends on it (its Jacobian is 0)
    differentiable=("input", "W1", "b1", "W2", "grad_output"),
)

# --- dropout and xavier_uniform ----------------------------------------------------------------

DROPOUT = FunctionContract(
    R.dropout,
    samples=(
        # seed 0 keeps the first entry (u = 0.97 >= p in float64; the NaN-propagation test
        # puts its NaN there)
        Sample((normal(3, 4),), {"p": 0.3, "generator": generator(0)}, name="p = 0.3"),
        Sample((normal(2, 3, 5, seed=2),), {"p": 0.9, "generator": generator(2)}, name="p = 0.9"),
        Sample((normal(6, seed=3),), {"p": 0.0, "generator": generator(3)}, name="p = 0"),
        Sample(
            (normal(6, seed=4),),
            {"p": 0.5, "training": False, "generator": generator(4)},
            name="evaluation",
        ),
        Sample((t(2.0),), {"p": 0.5, "generator": generator(5)}, name="0-d"),
        Sample((torch.zeros(0, 2, dtype=F64),), {"generator": generator(6)}, name="empty"),
        Sample((torch.zeros(3, 3, dtype=F64),), {"generator": generator(7)}, name="exact zeros"),
        *per_dtype(
            "largest values",
            lambda fi: ((t([fi.max, -fi.max, fi.max, -fi.max]),), {"generator": generator(8)}),
            gradcheck=False,  # x + eps rounds back to x
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: ((t([fi.tiny / 4, -fi.tiny / 2, fi.tiny]),), {"generator": generator(9)}),
        ),
    ),
    error_inputs=(
        ErrorInput(Sample((torch.zeros(3),), {"p": 1.0}), ValueError, r"\[0, 1\)", "p"),
        ErrorInput(Sample((torch.zeros(3),), {"p": -0.1}), ValueError, r"\[0, 1\)", "p"),
        ErrorInput(Sample((torch.zeros(3),), {"p": NAN}), ValueError, "finite", "p"),
        ErrorInput(Sample((torch.zeros(3),), {"p": "0.5"}), TypeError, "real number", "p"),
        ErrorInput(Sample((torch.zeros(3),), {"training": 1}), TypeError, "bool", "training"),
        ErrorInput(Sample(([1.0, 2.0],)), TypeError, r"torch\.Tensor", "input"),
        ErrorInput(
            Sample((torch.zeros(3),), {"generator": 0}), TypeError, "torch.Generator", "generator"
        ),
    ),
    differentiable=("input",),
    random=True,
)

XAVIER_UNIFORM = FunctionContract(
    R.xavier_uniform,
    samples=(
        Sample(((3, 5),), {"generator": generator(0)}, name="a 3 x 5 weight"),
        Sample(((4, 3, 2, 2), 5 / 3, generator(1)), name="a conv kernel, tanh gain"),
        Sample(((2, 2),), {"gain": 0.0, "generator": generator(2)}, name="gain 0"),
        *(
            Sample(
                ((6, 7),),
                {"generator": generator(3), "dtype": dtype, "device": "cpu"},
                name=f"{dtype}",
            )
            for dtype in (torch.float64, torch.float32, torch.bfloat16, torch.float16)
        ),
        Sample(((1, 1, 1),), {"generator": generator(4)}, name="1 x 1 x 1"),
    ),
    error_inputs=(
        ErrorInput(Sample(((3,),)), ValueError, "at least 2 dimensions", "shape"),
        ErrorInput(Sample(((3, 0),)), ValueError, ">= 1", "shape"),
        ErrorInput(Sample(("ab",)), TypeError, "sequence of ints", "shape"),
        ErrorInput(Sample(((3, 2.0),)), TypeError, "must be an int", "shape"),
        ErrorInput(Sample(((3, 2), -1.0)), ValueError, "finite number", "gain"),
        ErrorInput(Sample(((3, 2), INF)), ValueError, "finite number", "gain"),
        ErrorInput(Sample(((3, 2),), {"dtype": torch.int64}), TypeError, "floating", "dtype"),
        ErrorInput(Sample(((3, 2),), {"generator": 3}), TypeError, "Generator", "generator"),
        ErrorInput(Sample(((3, 2),), {"device": "nowhere"}), TypeError, "device", "device"),
    ),
    differentiable=(),
    dtypes=(),  # no tensor arguments: the dtype is an argument, covered by the samples
    random=True,
)

CONTRACTS = [
    _activation(R.relu, lambda x: torch.relu(x.double()), kink_at_zero=True),
    _activation(R.sigmoid, lambda x: torch.sigmoid(x.double())),
    _activation(R.tanh, lambda x: torch.tanh(x.double())),
    LINEAR,
    MLP_FORWARD,
    MLP_BACKWARD,
    DROPOUT,
    XAVIER_UNIFORM,
]
