"""Contracts of ``dltheory.preliminaries.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch

from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.preliminaries import reference as R
from tests.contracts._support import F64, normal, per_dtype, simplex, t

INF, NAN = float("inf"), float("nan")
UNCHECKED = {"validate": False}


# --- vector_norm -----------------------------------------------------------------------------


def _norm_samples() -> list[Sample]:
    x = normal(3, 4, seed=1)
    out = [
        Sample((normal(3, 4),), name="random, ord 2 over everything"),
        Sample((normal(7, seed=2),), name="1-D"),
        Sample((normal(64, 33, seed=3),), {"dim": -1}, name="random, wide rows"),
        Sample((normal(2, 3, 4, seed=4),), {"dim": (0, 2)}, name="dim (0, 2)"),
        Sample((normal(2, 3, 4, seed=5),), {"dim": 1, "keepdim": True}, name="keepdim"),
        Sample((normal(2, 3, 4, seed=5).transpose(0, 2),), {"dim": 0}, name="not contiguous"),
        Sample((t(-2.5),), name="0-d"),
        Sample((t(-2.5),), {"ord": 0.5, "dim": 0}, name="0-d, ord 0.5"),
        Sample((torch.zeros(3, 4, dtype=F64),), {"dim": 1}, name="exact zeros", gradcheck=False),
        Sample((torch.zeros(0, 3, dtype=F64),), {"dim": 0}, name="empty", gradcheck=False),
        Sample((torch.zeros(2, 0, dtype=F64),), {"ord": 1}, name="empty, ord 1", gradcheck=False),
    ]
    for i, ord in enumerate((1, 3, 0.5, -2, INF, -INF, 0)):
        kwargs = {"ord": ord, "dim": (-1 if i % 2 else None)}
        out.append(Sample((x,), kwargs, name=f"ord {ord}"))
    zeros = t([[0.0, -3.0, 4.0], [0.0, 0.0, 1.5]])
    for ord in (2, 1, 0.5, 3, INF, 0):  # a zero entry: a kink (ord 1), a cusp (ord 0.5)
        kwargs = {"ord": ord, "dim": 1}
        out.append(
            Sample((zeros,), kwargs, name=f"zeros, ord {ord}", gradcheck=ord not in (1, 0.5))
        )
    out += [
        *per_dtype(
            "largest entries",
            lambda fi: ((t([[fi.max, -fi.max, 0.0], [fi.max / 4, fi.max / 4, 1.0]]),), {"dim": 1}),
            gradcheck=False,
        ),
        *per_dtype(
            "largest entries, ord 3",
            lambda fi: ((t([[fi.max / 2, -fi.max / 2], [fi.max, 1.0]]),), {"ord": 3, "dim": 1}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal entries",
            lambda fi: ((t([[fi.smallest_normal / 4, -fi.smallest_normal / 8, 0.0]]),), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal entries, ord 0.5",
            lambda fi: ((t([fi.smallest_normal / 4, fi.smallest_normal / 2]),), {"ord": 0.5}),
            gradcheck=False,
        ),
    ]
    return out


_X = t([3.0, -4.0])
VECTOR_NORM = FunctionContract(
    R.vector_norm,
    samples=tuple(_norm_samples()),
    error_inputs=(
        ErrorInput(Sample(([3.0, 4.0],)), TypeError, r"must be a torch\.Tensor", "x"),
        ErrorInput(Sample((t([3, 4], dtype=torch.int64),)), TypeError, "floating-point", "x"),
        ErrorInput(Sample((_X.to(torch.complex128),)), TypeError, "real floating-point", "x"),
        ErrorInput(Sample((_X,), {"ord": "fro"}), TypeError, "real number", "ord"),
        ErrorInput(Sample((_X,), {"ord": True}), TypeError, "real number", "ord"),
        ErrorInput(Sample((_X,), {"ord": NAN}), ValueError, "got nan", "ord"),
        ErrorInput(Sample((_X,), {"ord": 10**400}), ValueError, "does not fit", "ord"),
        ErrorInput(Sample((_X,), {"dim": 1}), ValueError, "out of range", "dim"),
        ErrorInput(Sample((_X,), {"dim": (0, 0)}), ValueError, "names a dimension twice", "dim"),
        ErrorInput(Sample((_X,), {"dim": 0.0}), TypeError, "must be an int", "dim"),
        ErrorInput(Sample((_X,), {"dim": [True]}), TypeError, "must be an int", "dim"),
        ErrorInput(Sample((t(1.0),), {"dim": 1}), ValueError, "out of range", "dim"),
        ErrorInput(Sample((_X,), {"keepdim": 1}), TypeError, "must be a bool", "keepdim"),
        ErrorInput(Sample((torch.zeros(0, dtype=F64),), {"ord": -1}), ValueError, "empty", "ord"),
        ErrorInput(
            Sample((torch.zeros(2, 0, dtype=F64),), {"ord": INF, "dim": 1}),
            ValueError,
            "empty",
            "ord",
        ),
    ),
    differentiable=("x",),
    nan_policy=NanPolicy(
        special=tuple(
            Sample((t([[INF, 1.0, 0.0], [-INF, INF, 2.0], [NAN, INF, 1.0]]),), {"ord": o, "dim": 1})
            for o in (2, 1, 0.5, 3, -1, INF, -INF, 0)
        ),
        oracle=lambda x, ord=2, dim=None, keepdim=False: torch.linalg.vector_norm(
            x, ord, dim, keepdim
        ),
    ),
)


# --- chain_rule ------------------------------------------------------------------------------

CHAIN_RULE = FunctionContract(
    R.chain_rule,
    samples=(
        Sample((normal(3), normal(3, 4, seed=1)), name="vector-Jacobian product"),
        Sample((normal(5, 3, seed=2), normal(5, 3, 2, seed=3)), name="batched"),
        Sample((normal(2, 1, 3, seed=4), normal(4, 3, 2, seed=5)), name="batch shapes broadcast"),
        Sample((normal(1, seed=6), normal(1, 1, seed=7)), name="m = n = 1"),
        Sample((torch.zeros(0, dtype=F64), torch.zeros(0, 3, dtype=F64)), name="m = 0"),
        Sample((normal(3, seed=8), torch.zeros(3, 0, dtype=F64)), name="n = 0"),
        Sample((torch.zeros(3, dtype=F64), normal(3, 2, seed=9)), name="exact zeros"),
        *per_dtype(
            "largest factors",
            lambda fi: ((t([fi.max, 1.0]), t([[1.0, 0.5, 0.0], [-fi.max, 1.0, 0.0]])), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal products",
            lambda fi: ((t([fi.smallest_normal, 0.5]), t([[0.25], [fi.smallest_normal / 2]])), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(
            Sample(([1.0], t([[1.0]]))), TypeError, r"must be a torch\.Tensor", "outer_grad"
        ),
        ErrorInput(
            Sample((t([1.0]), t([[1]], dtype=torch.int64))),
            TypeError,
            "floating-point",
            "inner_jacobian",
        ),
        ErrorInput(Sample((t(1.0), t([[1.0]]))), ValueError, "at least one dim", "outer_grad"),
        ErrorInput(
            Sample((t([1.0]), t([1.0]))), ValueError, r"shape \(\.\.\., m, n\)", "inner_jacobian"
        ),
        ErrorInput(
            Sample((t([1.0]), t([[1.0]]).float())), TypeError, "must match", "inner_jacobian"
        ),
        ErrorInput(Sample((t([1.0, 2.0]), t([[1.0]]))), ValueError, "m = 2", "outer_grad"),
        ErrorInput(
            Sample((torch.zeros(2, 3, dtype=F64), torch.zeros(4, 3, 1, dtype=F64))),
            ValueError,
            "do not broadcast",
            "inner_jacobian",
        ),
        ErrorInput(
            Sample((t([1.0]), t([[1.0]]).to("meta"))),
            ValueError,
            "is on cpu but inner_jacobian is on meta",
            "inner_jacobian",
        ),
    ),
    differentiable=("outer_grad", "inner_jacobian"),
    nan_policy=NanPolicy(
        special=(
            Sample(
                (t([INF, 1.0, 0.0]), t([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [INF, 1.0, 2.0]])),
                name="infinite factors",
            ),
        ),
        oracle=lambda g, jac: torch.einsum("...m,...mn->...n", g, jac),
    ),
)


# --- bayes_posterior -------------------------------------------------------------------------


def _likelihood(*shape, seed):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=F64) * 0.9 + 0.05


BAYES = FunctionContract(
    R.bayes_posterior,
    samples=(
        Sample((_likelihood(3, 4, seed=0), simplex(3, 4, seed=1)), name="random"),
        Sample((_likelihood(5, seed=2), simplex(5, seed=3)), name="1-D"),
        Sample((_likelihood(2, 3, seed=4), simplex(3, seed=5)), name="one prior, broadcast"),
        Sample(
            (_likelihood(4, 2, seed=6), simplex(2, 4, seed=7).T.contiguous()),
            {"dim": 0},
            name="dim 0",
        ),
        Sample(
            (_likelihood(3, seed=8), simplex(3, seed=9) * 2),
            UNCHECKED,
            name="a prior not summing to 1",
        ),
        Sample((t([0.0, 1.0, 0.5]), t([0.5, 0.0, 0.5])), name="exact zeros and ones"),
        Sample((t([[0.3, 0.3]]), t([[0.0, 1.0]])), name="a certain prior"),
        Sample((t([0.0, 0.0]), t([0.5, 0.5])), UNCHECKED, name="P(B) = 0: NaN", gradcheck=False),
        *per_dtype(
            "subnormal likelihoods",
            lambda fi: (
                (
                    t([(fi.smallest_normal * fi.eps), 2 * (fi.smallest_normal * fi.eps)]),
                    t([0.5, 0.5]),
                ),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "a subnormal prior",
            lambda fi: (
                (t([1.0, 0.5]), t([fi.smallest_normal / 4, 1.0 - fi.smallest_normal / 4])),
                {},
            ),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(Sample(([0.5], t([1.0]))), TypeError, r"must be a torch\.Tensor", "likelihood"),
        ErrorInput(Sample((t([0.5]), t([1], dtype=torch.int64))), TypeError, "floating", "prior"),
        ErrorInput(Sample((t([0.5]), t([1.0]).float())), TypeError, "must match", "prior"),
        ErrorInput(Sample((t([0.5, 0.5]), t([1.0, 0.0, 0.0]))), ValueError, "broadcast", "prior"),
        ErrorInput(Sample((t([1.5, 0.5]), t([0.5, 0.5]))), ValueError, r"\[0, 1\]", "likelihood"),
        ErrorInput(Sample((t([-0.5, 0.5]), t([0.5, 0.5]))), ValueError, r"\[0, 1\]", "likelihood"),
        ErrorInput(Sample((t([INF, 0.5]), t([0.5, 0.5]))), ValueError, r"\[0, 1\]", "likelihood"),
        ErrorInput(Sample((t([NAN, 0.5]), t([0.5, 0.5]))), ValueError, "NaN", "likelihood"),
        ErrorInput(Sample((t([0.5, 0.5]), t([0.5, 0.6]))), ValueError, "must sum to 1", "prior"),
        ErrorInput(Sample((t([0.5, 0.5]), t([1.5, -0.5]))), ValueError, "negative", "prior"),
        ErrorInput(Sample((t([0.0, 0.5]), t([1.0, 0.0]))), ValueError, "is 0", "evidence"),
        ErrorInput(Sample((t([0.5]), t([1.0])), {"dim": 1}), ValueError, "out of range", "dim"),
        ErrorInput(Sample((t([0.5]), t([1.0])), {"dim": 0.0}), TypeError, "an int", "dim"),
        ErrorInput(
            Sample((t([0.5]), t([1.0])), {"validate": 1}), TypeError, "must be a bool", "validate"
        ),
        ErrorInput(Sample((t([0.5]), t([1.0]).to("meta"))), ValueError, "is on meta", "prior"),
    ),
    differentiable=("likelihood", "prior"),
    nan_policy=NanPolicy(raises=("likelihood", "prior")),
    unchecked=UNCHECKED,
)


# --- expectation, variance -------------------------------------------------------------------


def _moment_samples() -> list[Sample]:
    return [
        Sample((normal(3, 5), simplex(3, 5, seed=1)), name="random"),
        Sample((normal(6, seed=2), simplex(6, seed=3)), name="1-D"),
        Sample((normal(16, 40, seed=4), simplex(16, 40, seed=5)), name="random, 40 outcomes"),
        Sample((normal(2, 4, seed=6), simplex(4, seed=7)), name="probs broadcast"),
        Sample(
            (normal(4, 3, seed=8), simplex(3, 4, seed=9).T.contiguous()),
            {"dim": 0, "keepdim": True},
            name="dim 0, keepdim",
        ),
        Sample(
            (normal(2, 3, 4, seed=10), simplex(2, 3, 4, seed=11, dims=(1,))),
            {"dim": 1},
            name="dim 1",
        ),
        Sample(
            (normal(3, 4, seed=12), simplex(3, 4, seed=13) * 1.5),
            UNCHECKED,
            name="weights not summing to 1",
        ),
        Sample(  # finite differences of 1e-6 on values of 1e8 keep 8 digits: no gradcheck
            (normal(3, 4, seed=14) + 1e8, simplex(3, 4, seed=15)),
            name="a large shift",
            gradcheck=False,
        ),
        Sample((torch.zeros(2, 3, dtype=F64), simplex(2, 3, seed=16)), name="zero values"),
        Sample((normal(2, 5, seed=17), simplex(2, 5, seed=18, zeros=0.4)), name="zero probs"),
        Sample(  # a corner of the simplex: the variance 0 is clamped there (one-sided)
            (t([1.0, 2.0, 3.0]), t([0.0, 1.0, 0.0])), name="a point mass", gradcheck=False
        ),
        Sample((t([[2.0, 2.0, 2.0]]), t([[0.2, 0.3, 0.5]])), name="constant values"),
        *per_dtype(
            "largest values",
            lambda fi: (
                (t([[fi.max, fi.max], [fi.max, -fi.max]]), t([[0.5, 0.5], [0.5, 0.5]])),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values and probs",
            lambda fi: (
                (
                    t([[fi.smallest_normal / 4, -fi.smallest_normal / 8, 0.0]]),
                    t([[fi.smallest_normal / 4, 0.5, 0.5 - fi.smallest_normal / 4]]),
                ),
                {},
            ),
            gradcheck=False,
        ),
    ]


_MOMENT_ERRORS = (
    ErrorInput(Sample(([1.0], t([1.0]))), TypeError, r"must be a torch\.Tensor", "values"),
    ErrorInput(Sample((t([1.0]), t([1], dtype=torch.int64))), TypeError, "floating", "probs"),
    ErrorInput(Sample((t([1.0]), t([1.0]).float())), TypeError, "must match", "probs"),
    ErrorInput(Sample((t(1.0), t([1.0]))), ValueError, "at least one dim", "values"),
    ErrorInput(Sample((t([1.0, 2.0]), t([1.0, 0.0, 0.0]))), ValueError, "broadcast", "probs"),
    ErrorInput(Sample((t([1.0, 2.0]), t([0.5, 0.6]))), ValueError, "must sum to 1", "probs"),
    ErrorInput(Sample((t([1.0, 2.0]), t([1.5, -0.5]))), ValueError, "negative", "probs"),
    ErrorInput(Sample((t([1.0, 2.0]), t([NAN, 0.5]))), ValueError, "NaN", "probs"),
    ErrorInput(Sample((t([1.0, 2.0]), t([INF, 0.5]))), ValueError, "infinite", "probs"),
    ErrorInput(Sample((torch.zeros(2, 0), torch.zeros(2, 0))), ValueError, "empty", "values"),
    ErrorInput(Sample((t([1.0]), t([1.0])), {"dim": 1}), ValueError, "out of range", "dim"),
    ErrorInput(Sample((t([1.0]), t([1.0])), {"dim": 0.0}), TypeError, "an int", "dim"),
    ErrorInput(Sample((t([1.0]), t([1.0])), {"keepdim": 1}), TypeError, "a bool", "keepdim"),
    ErrorInput(Sample((t([1.0]), t([1.0])), {"validate": 1}), TypeError, "a bool", "validate"),
    ErrorInput(Sample((t([1.0]).to("meta"), t([1.0]))), ValueError, "is on cpu", "probs"),
)

_MOMENT_SPECIAL = (
    Sample(
        (
            t(
                [
                    [INF, 1.0, 2.0],
                    [-INF, 1.0, 2.0],
                    [INF, -INF, 0.0],
                    [INF, 1.0, NAN],
                    [INF, 1.0, 2.0],
                ]
            ),
            t(
                [
                    [0.5, 0.25, 0.25],
                    [0.5, 0.25, 0.25],
                    [0.5, 0.5, 0.0],
                    [0.5, 0.5, 0.0],
                    [0.0, 0.5, 0.5],
                ]
            ),
        ),
        name="infinite values",
    ),
)


def _mean_oracle(values, probs, dim=-1, keepdim=False, *, validate=True):
    """The sum of products in float64 (``0 * inf = nan``, ``inf - inf = nan``)."""
    return (values.double() * probs.double()).sum(dim, keepdim)


def _variance_oracle(values, probs, dim=-1, keepdim=False, *, validate=True):
    """:math:`\\sum_i p_i (x_i - E[X])^2` as written, in float64."""
    x, p = values.double(), probs.double()
    return (p * (x - (p * x).sum(dim, keepdim=True)) ** 2).sum(dim, keepdim)


def _moment(function, oracle) -> FunctionContract:
    return FunctionContract(
        function,
        samples=tuple(_moment_samples()),
        error_inputs=_MOMENT_ERRORS,
        differentiable=("values", "probs"),
        nan_policy=NanPolicy(raises=("probs",), special=_MOMENT_SPECIAL, oracle=oracle),
        unchecked=UNCHECKED,
    )


CONTRACTS = (
    BAYES,
    CHAIN_RULE,
    _moment(R.expectation, _mean_oracle),
    _moment(R.variance, _variance_oracle),
    VECTOR_NORM,
)
