"""Hypothesis strategies shared by the chapters.

Every strategy *constructs* inputs that meet a claim's preconditions (probability vectors on
the simplex, in-range class labels, logits of bounded magnitude) instead of filtering random
arrays, so no draw is wasted and shrinking lands on small, readable counterexamples.
All tensors are float64 on the CPU unless a dtype is given.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "batch_shapes",
    "float_tensors",
    "joint_distributions",
    "labels_and_classes",
    "logits",
    "mixed_probability_vectors",
    "probability_pairs",
    "probability_vectors",
    "real_vectors",
]


# The builders are module-level composites that take the strategies they draw from: a
# composite defined inside a function is decorated (its source read and parsed by
# Hypothesis) on every call, milliseconds each where a strategy is built per draw.


def batch_shapes(*, min_dims: int = 0, max_dims: int = 2, max_side: int = 4) -> st.SearchStrategy:
    """Leading batch shapes such as ``()``, ``(3,)``, ``(2, 4)``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def _to_tensor(array: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float64)).to(dtype)


def real_vectors(
    *,
    size: int | st.SearchStrategy[int] = st.integers(1, 6),
    magnitude: float = 10.0,
    batch_shape: tuple[int, ...] | st.SearchStrategy = (),
    dtype: torch.dtype = torch.float64,
) -> st.SearchStrategy[torch.Tensor]:
    """Tensors ``batch_shape + (size,)`` with finite entries in ``[-magnitude, magnitude]``."""
    sizes = size if isinstance(size, st.SearchStrategy) else st.just(size)
    batches = batch_shape if isinstance(batch_shape, st.SearchStrategy) else st.just(batch_shape)
    elements = st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False)

    return _real_vectors(sizes, batches, elements, dtype)


@st.composite
def _real_vectors(draw, sizes, batches, elements, dtype):
    shape = (*draw(batches), draw(sizes))
    return _to_tensor(draw(hnp.arrays(np.float64, shape, elements=elements)), dtype)


def logits(
    *,
    num_classes: int | st.SearchStrategy[int] = st.integers(1, 6),
    magnitude: float = 30.0,
    batch_shape: tuple[int, ...] | st.SearchStrategy = (),
    dtype: torch.dtype = torch.float64,
) -> st.SearchStrategy[torch.Tensor]:
    """Logit tensors ``batch_shape + (num_classes,)``; classes along the last dimension."""
    return real_vectors(size=num_classes, magnitude=magnitude, batch_shape=batch_shape, dtype=dtype)


def probability_vectors(
    *,
    size: int | st.SearchStrategy[int] = st.integers(1, 6),
    allow_zeros: bool = True,
    min_positive: float = 1e-12,
    batch_shape: tuple[int, ...] | st.SearchStrategy = (),
    dtype: torch.dtype = torch.float64,
) -> st.SearchStrategy[torch.Tensor]:
    r"""Points of the probability simplex :math:`\{p : p_i \ge 0, \sum_i p_i = 1\}`.

    Built as nonnegative weights divided by their sum, with one weight forced to 1 so the
    total is never zero. Weights range over ``[min_positive, 1]`` (and exact ``0`` when
    ``allow_zeros``), so vectors with exact zeros, nearly deterministic vectors (one entry
    close to 1, the others near ``min_positive``) and uniform vectors all occur.
    """
    sizes = size if isinstance(size, st.SearchStrategy) else st.just(size)
    batches = batch_shape if isinstance(batch_shape, st.SearchStrategy) else st.just(batch_shape)
    positive = st.floats(min_positive, 1.0)
    weights = st.one_of(st.just(0.0), positive) if allow_zeros else positive

    return _probability_vectors(sizes, batches, weights, dtype)


@st.composite
def _probability_vectors(draw, sizes, batches, weights, dtype):
    k = draw(sizes)
    shape = (*draw(batches), k)
    w = draw(hnp.arrays(np.float64, shape, elements=weights))
    anchor = draw(st.integers(0, k - 1))
    w[..., anchor] = 1.0
    return _to_tensor(w / w.sum(axis=-1, keepdims=True), dtype)


def probability_pairs(
    *,
    size: int | st.SearchStrategy[int] = st.integers(1, 6),
    allow_zeros: bool = True,
    min_positive: float = 1e-12,
    dtype: torch.dtype = torch.float64,
) -> st.SearchStrategy[tuple[torch.Tensor, torch.Tensor]]:
    """Two probability vectors ``(p, q)`` over the same support."""
    sizes = size if isinstance(size, st.SearchStrategy) else st.just(size)

    return _probability_pairs(sizes, allow_zeros, min_positive, dtype)


@st.composite
def _probability_pairs(draw, sizes, allow_zeros, min_positive, dtype):
    k = draw(sizes)
    vec = probability_vectors(
        size=k, allow_zeros=allow_zeros, min_positive=min_positive, dtype=dtype
    )
    return draw(vec), draw(vec)


def joint_distributions(
    *,
    rows: int | st.SearchStrategy[int] = st.integers(1, 4),
    cols: int | st.SearchStrategy[int] = st.integers(1, 4),
    allow_zeros: bool = True,
    min_positive: float = 1e-12,
    dtype: torch.dtype = torch.float64,
) -> st.SearchStrategy[torch.Tensor]:
    """Joint distributions of two discrete variables as ``rows x cols`` tables summing to 1."""
    rows_s = rows if isinstance(rows, st.SearchStrategy) else st.just(rows)
    cols_s = cols if isinstance(cols, st.SearchStrategy) else st.just(cols)

    return _joint_distributions(rows_s, cols_s, allow_zeros, min_positive, dtype)


@st.composite
def _joint_distributions(draw, rows_s, cols_s, allow_zeros, min_positive, dtype):
    r, c = draw(rows_s), draw(cols_s)
    flat = draw(
        probability_vectors(
            size=r * c, allow_zeros=allow_zeros, min_positive=min_positive, dtype=dtype
        )
    )
    return flat.reshape(r, c)


def labels_and_classes(
    *,
    num_classes: int | st.SearchStrategy[int] = st.integers(1, 6),
    batch_shape: tuple[int, ...] | st.SearchStrategy = batch_shapes(min_dims=1, max_dims=2),
) -> st.SearchStrategy[tuple[torch.Tensor, int]]:
    """``(labels, num_classes)``: an int64 tensor of class indices in ``[0, num_classes)``."""
    classes = num_classes if isinstance(num_classes, st.SearchStrategy) else st.just(num_classes)
    batches = batch_shape if isinstance(batch_shape, st.SearchStrategy) else st.just(batch_shape)

    return _labels_and_classes(classes, batches)


@st.composite
def _labels_and_classes(draw, classes, batches):
    k = draw(classes)
    shape = draw(batches)
    labels = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, k - 1)))
    return torch.from_numpy(np.ascontiguousarray(labels)), k


def mixed_probability_vectors(
    *,
    size: int | st.SearchStrategy[int] = st.integers(1, 6),
    min_exponent: int = -300,
    batch_shape: tuple[int, ...] | st.SearchStrategy = (),
    dtype: torch.dtype = torch.float64,
) -> st.SearchStrategy[torch.Tensor]:
    r"""Probability vectors whose entries mix exact zeros, tiny and ordinary values.

    Each weight is exactly 0, a power of ten :math:`10^{e}` with an integer
    :math:`e \in [\text{min\_exponent}, -1]`, or a float in :math:`[10^{-3}, 1]`; one weight
    per vector is forced to 1 before normalizing. So one draw may be one-hot, nearly
    deterministic (:math:`1 - \varepsilon` with :math:`\varepsilon` down to :math:`10^{-300}`,
    where :math:`p \log p` and :math:`\log(p/q)` under- or overflow in a naive formula), uniform,
    or anything between. Built from plain lists, which Hypothesis generates several times
    faster than arrays; shrinks towards one-hot vectors.
    """
    sizes = size if isinstance(size, st.SearchStrategy) else st.just(size)
    batches = batch_shape if isinstance(batch_shape, st.SearchStrategy) else st.just(batch_shape)
    weights = st.one_of(
        st.just(0.0),
        st.floats(1e-3, 1.0),
        st.integers(min_exponent, -1).map(lambda e: 10.0**e),
    )

    return _mixed_probability_vectors(sizes, batches, weights, dtype)


@st.composite
def _mixed_probability_vectors(draw, sizes, batches, weights, dtype):
    k = draw(sizes)
    shape = (*draw(batches), k)
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    w = np.array(draw(st.lists(weights, min_size=rows * k, max_size=rows * k)))
    w = w.reshape(rows, k)
    anchors = draw(st.lists(st.integers(0, k - 1), min_size=rows, max_size=rows))
    w[np.arange(rows), anchors] = 1.0
    return _to_tensor((w / w.sum(axis=-1, keepdims=True)).reshape(shape), dtype)


def float_tensors(
    *shapes: tuple[int, ...], magnitude: float = 10.0, dtype: torch.dtype = torch.float64
) -> st.SearchStrategy[list[torch.Tensor]]:
    """A list of tensors of the given ``shapes`` with finite entries in ``[-magnitude,
    magnitude]``.

    Drawn as one flat list of floats and split: several times faster for Hypothesis than one
    array strategy per tensor when a case needs many small tensors (the weights and biases of
    a network, an image and its kernel), and it shrinks entry by entry towards zeros.
    """
    sizes = [math.prod(shape) for shape in shapes]
    total = sum(sizes)
    elements = st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False)

    def split(flat: list[float]) -> list[torch.Tensor]:
        values = torch.tensor(flat, dtype=torch.float64).to(dtype)
        parts = values.split(sizes)
        return [part.reshape(shape) for part, shape in zip(parts, shapes, strict=True)]

    return st.lists(elements, min_size=total, max_size=total).map(split)
