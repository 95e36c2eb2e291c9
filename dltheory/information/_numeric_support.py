"""Inputs and oracles shared by the information-theory numeric legs.

Inputs are built in float64 from fixed seeds, rounded to the dtype under test and moved to the
device; oracles see the *rounded* values as float64 NumPy arrays
(:func:`dltheory.core.samples.oracle_input`). Rounding to float16/bfloat16 makes a distribution
sum to 1 only within the dtype's tolerance, so the oracles evaluate the same *unnormalized*
functional the reference computes (``scipy.special.entr`` / ``rel_entr`` / ``xlogy`` sums);
``scipy.stats.entropy``, which renormalizes its input, is compared only where the rounding is
below the comparison tolerance (float64, float32).
"""

from __future__ import annotations

import heapq

import mpmath
import numpy as np
import scipy.special
import torch

from dltheory.core.samples import oracle_input, simplex
from dltheory.core.tolerances import tolerance

#: rows with exact zeros, nearly deterministic rows and tiny entries (k = 4), float64
EXTREME = torch.tensor(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.25, 0.25, 0.25, 0.25],
        [0.5, 0.5, 0.0, 0.0],
        [1.0 - 3e-12, 1e-12, 1e-12, 1e-12],
        [1.0, 1e-30, 1e-30, 0.0],
        [1.0, 1e-150, 0.0, 1e-300],
        [0.7, 0.2, 0.1, 0.0],
    ],
    dtype=torch.float64,
)

#: a second set of rows, paired with EXTREME: equal rows, q = 0 < p (KL = inf), tiny q
EXTREME_Q = torch.tensor(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.1, 0.2, 0.3, 0.4],
        [0.5, 0.0, 0.5, 0.0],
        [1e-12, 1.0 - 3e-12, 1e-12, 1e-12],
        [1e-30, 1.0, 0.0, 1e-30],
        [1e-150, 1.0, 1e-300, 0.0],
        [0.7, 0.2, 0.1, 0.0],
    ],
    dtype=torch.float64,
)


def on(x: torch.Tensor, dtype: torch.dtype, device: str) -> torch.Tensor:
    return x.to(dtype).to(device)


def vectors(dtype: torch.dtype, device: str) -> list[torch.Tensor]:
    """Batches of distributions along the last dimension."""
    batches = [simplex(5, 7, seed=11, zeros=0.3), simplex(2, 3, 4, seed=12), EXTREME]
    return [on(x, dtype, device) for x in batches]


def pairs(dtype: torch.dtype, device: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(p, q)`` batches: random with exact zeros (some rows have q = 0 < p), and extremes."""
    random = (simplex(6, 5, seed=21, zeros=0.3), simplex(6, 5, seed=22, zeros=0.3))
    dense = (simplex(3, 9, seed=23), simplex(3, 9, seed=24))
    return [
        (on(p, dtype, device), on(q, dtype, device))
        for p, q in (random, dense, (EXTREME, EXTREME_Q))
    ]


def joints(dtype: torch.dtype, device: str) -> list[torch.Tensor]:
    """Joint tables (last two dims): random with zeros, batched, and structured extremes."""
    diagonal = torch.diag(torch.tensor([0.5, 0.3, 0.2, 0.0], dtype=torch.float64))
    f64 = torch.float64
    independent = torch.outer(
        torch.tensor([0.6, 0.4, 0.0], dtype=f64), torch.tensor([0.2, 0.3, 0.5], dtype=f64)
    )
    deterministic = torch.tensor([[1.0 - 2e-20, 1e-20], [1e-20, 0.0]], dtype=torch.float64)
    tables = [
        simplex(4, 12, seed=31, zeros=0.3).reshape(4, 3, 4),
        simplex(15, seed=32).reshape(5, 3),
        diagonal,
        independent,
        deterministic,
    ]
    return [on(x, dtype, device) for x in tables]


def as_numpy(x: torch.Tensor) -> np.ndarray:
    """A reference result as a float64 NumPy array (to combine with oracle arrays)."""
    return x.detach().to("cpu", torch.float64).numpy()


def total(x: torch.Tensor, axis=-1) -> np.ndarray:
    """The float64 sum of the rounded values: 1 only up to the dtype's rounding.

    Inequalities are checked for the rounded input itself: with ``s = total(p)`` and
    ``t = total(q)``, ``H(p) = s H(p/s) - s log s``, ``sum p log(p/q) = s KL(p/s || q/t) +
    s log(s/t)`` and ``I(T) = s I(T/s) - s log s``, so the bounds shift by these terms (which
    vanish in float64 and are below the comparison tolerance in float32).
    """
    return oracle_input(x).sum(axis=axis)


def entropy_oracle(p: np.ndarray, axis=-1) -> np.ndarray:
    return scipy.special.entr(p).sum(axis=axis)


def marginals(joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return joint.sum(-1, keepdims=True), joint.sum(-2, keepdims=True)


def mi_oracle(joint: np.ndarray) -> np.ndarray:
    """I(X, Y) = sum rel_entr(P, p_X p_Y) with SciPy (inputs here keep the product normal)."""
    p_x, p_y = marginals(joint)
    return scipy.special.rel_entr(joint, p_x * p_y).sum(axis=(-2, -1))


def mp_sum(rows, term) -> list[float]:
    """Row sums of ``term`` evaluated at 50 significant digits (mpmath)."""
    with mpmath.workdps(50):
        return [
            float(
                mpmath.fsum(term(*(mpmath.mpf(v) for v in args)) for args in zip(*row, strict=True))
            )
            for row in rows
        ]


def mp_entropy(p: torch.Tensor) -> list[float]:
    rows = [(r,) for r in oracle_input(p).reshape(-1, p.shape[-1]).tolist()]
    return mp_sum(rows, lambda a: -a * mpmath.log(a) if a > 0 else mpmath.mpf(0))


def mp_kl(p: torch.Tensor, q: torch.Tensor) -> list[float]:
    ps = oracle_input(p).reshape(-1, p.shape[-1]).tolist()
    qs = oracle_input(q).reshape(-1, q.shape[-1]).tolist()

    def term(a, b):
        if a == 0:
            return mpmath.mpf(0)
        return mpmath.inf if b == 0 else a * mpmath.log(a / b)

    return mp_sum(list(zip(ps, qs, strict=True)), term)


def mp_mutual_information(joint: torch.Tensor) -> float:
    values = oracle_input(joint).tolist()
    with mpmath.workdps(50):
        table = [[mpmath.mpf(v) for v in row] for row in values]
        rows = [mpmath.fsum(row) for row in table]
        cols = [mpmath.fsum(col) for col in zip(*table, strict=True)]
        terms = [
            v * mpmath.log(v / (rows[a] * cols[b]))
            for a, row in enumerate(table)
            for b, v in enumerate(row)
            if v > 0
        ]
        return float(mpmath.fsum(terms))


def huffman_lengths(probabilities: list[float]) -> list[int]:
    """Codeword lengths of a binary Huffman code for the outcomes of positive probability."""
    heap = [(w, index, [index]) for index, w in enumerate(probabilities) if w > 0]
    lengths = [0] * len(probabilities)
    heapq.heapify(heap)
    counter = len(probabilities)
    while len(heap) > 1:
        w1, _, a = heapq.heappop(heap)
        w2, _, b = heapq.heappop(heap)
        for index in a + b:
            lengths[index] += 1
        heapq.heappush(heap, (w1 + w2, counter, a + b))
        counter += 1
    return lengths


def assert_le(a, b, dtype: torch.dtype, msg: str) -> None:
    """``a <= b`` at ``dtype``'s comparison tolerance (elementwise)."""
    tol = tolerance(dtype)
    a, b = torch.as_tensor(a).double().cpu(), torch.as_tensor(b).double().cpu()
    slack = torch.where(torch.isfinite(b), tol.atol + tol.rtol * b.abs(), torch.zeros_like(b))
    assert bool(((a <= b + slack) | (a == b)).all()), f"{msg}: {a.tolist()} > {b.tolist()}"
