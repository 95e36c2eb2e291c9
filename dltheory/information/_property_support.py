"""Strategies and comparisons shared by the information-theory property legs (float64, CPU).

Distributions come from :func:`dltheory.core.strategies.mixed_probability_vectors`: entries
mix exact zeros, powers of ten down to 1e-300 and ordinary values, so every property sees
one-hot, nearly deterministic, uniform-like and everything-between vectors.
"""

from __future__ import annotations

import functools
import itertools
import math

import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.tolerances import tolerance

TOL = tolerance(torch.float64)
SIZES = st.integers(1, 6)


@functools.cache  # building a composite strategy is costly; draws reuse the same objects
def distributions(size=SIZES, batch_shape=()) -> st.SearchStrategy[torch.Tensor]:
    """Probability vectors with exact zeros, tiny entries (down to 1e-300) and ordinary ones."""
    return dst.mixed_probability_vectors(size=size, batch_shape=batch_shape)


def pairs() -> st.SearchStrategy[tuple[torch.Tensor, torch.Tensor]]:
    """``(p, q)`` over the same outcomes, each from either family."""

    @st.composite
    def build(draw):
        k = draw(SIZES)
        return draw(distributions(k)), draw(distributions(k))

    return build()


def joints(batch: bool = False) -> st.SearchStrategy[torch.Tensor]:
    """Joint tables ``rows x cols`` (1 to 4 each), optionally with a batch dimension."""

    @st.composite
    def build(draw):
        rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        shape = draw(st.sampled_from([(), (2,), (3,)])) if batch else ()
        flat = draw(distributions(rows * cols, batch_shape=shape))
        return flat.reshape(*shape, rows, cols)

    return build()


def close(actual, expected) -> bool:
    """:func:`dltheory.core.tolerances.is_close` at float64 tolerance, without the cost of
    ``torch.testing``: same shapes, ``|a - b| <= atol + rtol |b|``, infinities equal, NaN never."""
    a = torch.as_tensor(actual, dtype=torch.float64)
    b = torch.as_tensor(expected, dtype=torch.float64)
    return a.shape == b.shape and bool(torch.isclose(a, b, rtol=TOL.rtol, atol=TOL.atol).all())


def le(a, b) -> bool:
    """``a <= b`` up to the float64 comparison tolerance (``+inf <= +inf`` holds)."""
    a = torch.as_tensor(a, dtype=torch.float64)
    b = torch.as_tensor(b, dtype=torch.float64)
    slack = torch.where(torch.isfinite(b), TOL.atol + TOL.rtol * b.abs(), torch.zeros_like(b))
    return bool(((a <= b + slack) | (a == b)).all())


def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).abs().sum(-1)


def marginals(joint: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return joint.sum(-1), joint.sum(-2)


def mutual_information_math(joint: torch.Tensor) -> float:
    """I(X, Y) by Python's ``math`` over the support, with logs of each factor (no products
    that could underflow)."""
    rows, cols = joint.sum(1).tolist(), joint.sum(0).tolist()
    terms = [
        v * (math.log(v) - math.log(rows[a]) - math.log(cols[b]))
        for (a, b), v in _cells(joint)
        if v > 0
    ]
    return math.fsum(terms)


def _cells(joint: torch.Tensor):
    values = joint.tolist()
    for a, b in itertools.product(range(len(values)), range(len(values[0]))):
        yield (a, b), values[a][b]
