"""Contracts of ``dltheory.attention.reference``: samples, errors, NaN/inf policy.

Kernel samples keep every distance away from the kinks of the compact kernels (``u = 0`` for
the triangular kernel, ``u = 1`` for all three) wherever they are gradchecked, and keep a key
within one bandwidth of every query (elsewhere the estimator is 0/0, NaN by design).
"""

from __future__ import annotations

import math

import torch

from dltheory.attention import reference as R
from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from tests.contracts._attention_scoring import (
    ADDITIVE_ATTENTION,
    SCALED_DOT_PRODUCT_ATTENTION,
    lens,
    masked_softmax_oracle,
)
from tests.contracts._support import F64, normal, per_dtype, t

INF, NAN = math.inf, math.nan
I64 = torch.int64


# --- masked_softmax ---------------------------------------------------------------------------


MASKED_SOFTMAX = FunctionContract(
    R.masked_softmax,
    samples=(
        Sample((normal(2, 3, 4), lens(3, 4)), name="lengths per sequence"),
        Sample((normal(2, 3, 4, seed=1), lens(1, 4, 2, 3, 3, 1, shape=(2, 3))), name="per query"),
        Sample((normal(5, seed=2),), name="1-D, no lengths"),
        Sample((normal(2, 2, 3, 4, seed=3), lens(4, 1, 2, 3, shape=(2, 2))), name="2 batch dims"),
        Sample((normal(2, 3, seed=4), lens(0, 2)), name="a valid length of 0"),
        Sample((normal(2, 3, seed=5), lens(2, 3, shape=(2,))), {"validate": False}, name="fast"),
        Sample((torch.zeros(2, 4, dtype=F64), lens(2, 1)), name="exact zeros"),
        Sample((t([[0.0, -INF, 1.0, 2.0]]), lens(3)), name="-inf masks", gradcheck=False),
        Sample((t([[1.0, 2.0, NAN, INF]]), lens(2)), name="NaN, inf padding", gradcheck=False),
        *per_dtype(
            "largest scores",
            lambda fi: ((t([[fi.max, -fi.max, 0.0], [fi.max, fi.max, -fi.max]]), lens(3, 2)), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal scores",
            lambda fi: ((t([[fi.smallest_normal / 4, -fi.smallest_normal / 2, 0.0]]),), {}),
        ),
    ),
    error_inputs=(
        ErrorInput(
            Sample((torch.zeros(2, 3, 4), lens(-1, 2))),
            ValueError,
            "lengths must be",
            "valid_lens",
        ),
        ErrorInput(
            Sample((torch.zeros(2, 3, 4), lens(5, 2))), ValueError, "longer than", "valid_lens"
        ),
        ErrorInput(
            Sample((torch.zeros(2, 3, 4), lens(1, 2, 3))),
            ValueError,
            r"shape \(3,\)",
            "valid_lens",
        ),
        ErrorInput(
            Sample((torch.zeros(2, 3, 4), torch.tensor([1.0, 2.0]))),
            TypeError,
            "must be an integer tensor",
            "valid_lens",
        ),
        ErrorInput(
            Sample((torch.zeros(2, 3, 4), [1, 2])),
            TypeError,
            r"torch\.Tensor or None",
            "valid_lens",
        ),
        ErrorInput(Sample((torch.zeros(2, 0),)), ValueError, "no key positions", "scores"),
        ErrorInput(Sample((torch.zeros(3, dtype=I64),)), TypeError, "must be a floating", "scores"),
        ErrorInput(
            Sample((torch.zeros(2, 3), None), {"validate": 1}), TypeError, "bool", "validate"
        ),
    ),
    differentiable=("scores",),
    nan_policy=NanPolicy(
        special=tuple(
            Sample((t(row), lens(*length)), name=f"{row} {length}")
            for row, length in (
                ([[INF, 0.0, 1.0]], (3,)),
                ([[NAN, 0.0, 1.0]], (3,)),
                ([[0.0, 1.0, NAN]], (2,)),
                ([[0.0, INF, -INF]], (1,)),
                ([[-INF, -INF, 0.0]], (2,)),
                ([[-INF, 0.0, 2.0]], (3,)),
                ([[1.0, 2.0, 3.0], [INF, NAN, 0.0]], (3, 0)),
            )
        ),
        oracle=masked_softmax_oracle,
    ),
    unchecked={"validate": False},
)


# --- attention_pool -----------------------------------------------------------------------------


def _pool_oracle(weights, values):
    """The sum of weight times value, term by term in float64 (not a matrix product)."""
    w, v = weights.double(), values.double()
    return (w.unsqueeze(-1) * v.unsqueeze(-3)).sum(dim=-2).to(weights.dtype)


ATTENTION_POOL = FunctionContract(
    R.attention_pool,
    samples=(
        Sample((torch.softmax(normal(3, 4), -1), normal(4, 2, seed=1)), name="convex weights"),
        Sample((normal(2, 3, 4, seed=2), normal(4, 5, seed=3)), name="real weights, batched"),
        Sample((normal(4, seed=4), normal(4, seed=5)), name="one query, scalar values"),
        Sample((normal(3, 4, seed=6), normal(4, seed=7)), name="scalar values"),
        Sample((normal(1, 3, 4, seed=8), normal(2, 4, 2, seed=9)), name="broadcast batch"),
        Sample((torch.zeros(2, 3, dtype=F64), torch.zeros(3, 2, dtype=F64)), name="exact zeros"),
        Sample((t([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), normal(3, 2, seed=10)), name="one-hot"),
        *per_dtype(
            "largest values",
            lambda fi: ((t([[0.5, 0.5], [1.0, 0.0]]), t([[fi.max, -fi.max], [fi.max, 1.0]])), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal weights",
            lambda fi: ((t([[fi.smallest_normal / 4, 1.0]]), t([[1.0], [fi.tiny / 2]])), {}),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        ErrorInput(Sample((torch.zeros(2, 3), torch.zeros(4, 2))), ValueError, "4", "values"),
        ErrorInput(
            Sample((torch.zeros(2, 3), torch.zeros(3, 2, dtype=F64))), TypeError, "dtype", "values"
        ),
        ErrorInput(Sample((torch.zeros(()), torch.zeros(3))), ValueError, "dimension", "weights"),
        ErrorInput(
            Sample((torch.zeros(3, 2, 3), torch.zeros(2, 3, 2))),
            ValueError,
            "do not broadcast",
            "weights",
        ),
        ErrorInput(Sample(([0.5, 0.5], torch.zeros(2))), TypeError, "torch.Tensor", "weights"),
    ),
    differentiable=("weights", "values"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[0.5, 0.5, 0.0]]), t([[1.0, 2.0], [3.0, 4.0], [INF, 0.0]])), name="0 inf"),
            Sample((t([[0.25, 0.75]]), t([[INF, 1.0], [-INF, 0.0]])), name="inf - inf"),
            Sample((t([[0.25, 0.75]]), t([[INF, 1.0], [1.0, 0.0]])), name="inf"),
        ),
        oracle=_pool_oracle,
    ),
)


# --- Nadaraya–Watson ----------------------------------------------------------------------------

KERNELS = ("gaussian", "boxcar", "epanechnikov", "triangular")


def _profile(kernel: str, u: torch.Tensor) -> torch.Tensor:
    """The kernel profiles, written out (the Gaussian without its max shift)."""
    if kernel == "gaussian":
        return torch.exp(-u.square() / 2)
    if kernel == "boxcar":
        return (u <= 1).double()
    if kernel == "epanechnikov":
        return (1 - u.square()).clamp(min=0)
    return (1 - u).clamp(min=0)


def _nw_weights_oracle(queries, keys, *, kernel="gaussian", bandwidth=1.0):
    """K(u_ij) / sum_l K(u_il) in float64, NaN where the sum is 0 or a distance is NaN."""
    h = bandwidth.double() if isinstance(bandwidth, torch.Tensor) else bandwidth
    diff = (queries.double().unsqueeze(-2) - keys.double().unsqueeze(-3)) / h
    u = diff.square().sum(-1).sqrt()
    k = _profile(kernel, u)
    k = torch.where(torch.isnan(u), NAN, k)
    total = k.sum(-1, keepdim=True)
    return torch.where(total > 0, k / total, NAN).to(queries.dtype)


def _near(n: int, m: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Queries and keys within about 0.9 of each other (coordinates in [-0.3, 0.3]):
    with bandwidth 1 no distance is near 1, and none is 0."""
    g = torch.Generator().manual_seed(seed)
    return (
        torch.rand(n, d, generator=g, dtype=F64) * 0.6 - 0.3,
        torch.rand(m, d, generator=g, dtype=F64) * 0.6 - 0.3,
    )


def _nw_samples(with_values: bool) -> list[Sample]:
    def values(m: int, *extra: int, seed: int = 20) -> tuple[torch.Tensor, ...]:
        return (normal(m, *extra, seed=seed),) if with_values else ()

    q, k = _near(3, 4, 2, seed=1)
    out = [Sample((q, k, *values(4, 2)), name="gaussian, vector values")]
    for i, kernel in enumerate(KERNELS):
        q, k = _near(3, 5, 2, seed=10 + i)
        out.append(Sample((q, k, *values(5, seed=i)), {"kernel": kernel}, name=kernel))
        out.append(
            Sample(
                (q * 2, k * 3, *values(5, 3, seed=i)),
                {"kernel": kernel, "bandwidth": t([2.0, 3.0])},
                name=f"{kernel}, a width per coordinate",
            )
        )
    q, k = _near(4, 3, 1, seed=5)
    out += [
        Sample(
            (q.reshape(2, 2, 1), k, *values(3)),
            {"kernel": "epanechnikov", "bandwidth": 1.5},
            name="batched queries",
        ),
        Sample(
            (normal(2, 3, seed=6), normal(5, 3, seed=7), *values(5, 2)),
            {"bandwidth": t(0.5)},
            name="gaussian, narrow: tiny kernel values",
        ),
        Sample(
            (torch.zeros(2, 2, dtype=F64), torch.zeros(3, 2, dtype=F64), *values(3)),
            {"kernel": "triangular"},
            name="exact zeros",
            gradcheck=False,  # 1 - u has no derivative at u = 0
        ),
        *per_dtype(
            "largest coordinates",
            lambda fi: ((t([[fi.max]]), t([[fi.max], [-fi.max]]), *values(2)), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal coordinates",
            lambda fi: ((t([[fi.tiny / 4]]), t([[0.0], [fi.smallest_normal / 2]]), *values(2)), {}),
            gradcheck=False,
        ),
    ]
    return out


def _nw_errors(with_values: bool) -> tuple[ErrorInput, ...]:
    z = torch.zeros
    v = (z(2, 4, 6),) if with_values else ()
    q, k = z(2, 3, 5), z(2, 4, 5)
    out = [
        ErrorInput(Sample((q, k, *v), {"kernel": "cosine"}), ValueError, "one of", "kernel"),
        ErrorInput(Sample((q, k, *v), {"bandwidth": 0.0}), ValueError, "finite", "bandwidth"),
        ErrorInput(Sample((q, k, *v), {"bandwidth": -1}), ValueError, "finite", "bandwidth"),
        ErrorInput(
            Sample((q, k, *v), {"bandwidth": torch.tensor([1.0, 0.0, 1.0, 1.0, 1.0])}),
            ValueError,
            "positive and finite",
            "bandwidth",
        ),
        ErrorInput(Sample((q, k, *v), {"bandwidth": z(3)}), ValueError, r"\(5,\)", "bandwidth"),
        ErrorInput(Sample((q, k, *v), {"bandwidth": "wide"}), TypeError, "real", "bandwidth"),
        ErrorInput(Sample((q, z(2, 4, 3), *v)), ValueError, "5 features", "queries"),
        ErrorInput(Sample((q, z(2, 0, 5), *v)), ValueError, "no key positions", "keys"),
        ErrorInput(Sample((z(5), k, *v)), ValueError, r"shape \(\.\.\., n, d\)", "queries"),
        ErrorInput(Sample((q, k.double(), *v)), TypeError, "dtype", "queries"),
        ErrorInput(Sample((z(3, 3, 5), k, *v)), ValueError, "do not broadcast", "queries"),
    ]
    if with_values:
        out.append(ErrorInput(Sample((q, k, z(2, 5, 6))), ValueError, "need", "values"))
    return tuple(out)


_NW_SPECIAL = (
    Sample((t([[0.0]]), t([[0.0], [1.0], [INF]])), name="a key at inf"),
    Sample((t([[0.0], [0.5]]), t([[0.0], [-INF], [1.0]])), {"kernel": "boxcar"}, name="boxcar"),
    Sample((t([[INF]]), t([[0.0], [1.0]])), name="a query at inf: 0/0"),
    Sample((t([[5.0]]), t([[0.0], [1.0]])), {"kernel": "epanechnikov"}, name="no key near"),
)

NADARAYA_WATSON_WEIGHTS = FunctionContract(
    R.nadaraya_watson_weights,
    samples=tuple(_nw_samples(False)),
    error_inputs=_nw_errors(False),
    differentiable=("queries", "keys", "bandwidth"),
    nan_policy=NanPolicy(special=_NW_SPECIAL, oracle=_nw_weights_oracle),
)


def _nw_oracle(queries, keys, values, **kwargs):
    w = _nw_weights_oracle(queries, keys, **kwargs).double()
    v = values.double()
    out = (w @ v.unsqueeze(-1)).squeeze(-1) if v.shape == keys.shape[:-1] else w @ v
    return out.to(queries.dtype)


NADARAYA_WATSON = FunctionContract(
    R.nadaraya_watson,
    samples=tuple(_nw_samples(True)),
    error_inputs=_nw_errors(True),
    differentiable=("queries", "keys", "values", "bandwidth"),
    nan_policy=NanPolicy(
        special=tuple(
            Sample((*s.args, t([1.0, 2.0, 3.0][: s.args[1].shape[0]])), s.kwargs, name=s.name)
            for s in _NW_SPECIAL
        ),
        oracle=_nw_oracle,
    ),
)


CONTRACTS = [
    MASKED_SOFTMAX,
    ATTENTION_POOL,
    NADARAYA_WATSON_WEIGHTS,
    NADARAYA_WATSON,
    SCALED_DOT_PRODUCT_ATTENTION,
    ADDITIVE_ATTENTION,
]
