r"""What the preliminaries claims share: SymPy symbols, mpmath oracles, samples, strategies.

Symbols: :math:`n` entries (a positive integer), :math:`p > 0`, the entries :math:`x_i` as an
``IndexedBase`` indexed from 1. Oracles: :func:`mp_norm` evaluates
:math:`(\sum_i |x_i|^p)^{1/p}` in mpmath at 50 digits on the values a tensor actually holds
(mpmath's exponent range is unbounded, so entries of :math:`10^{\pm 300}` are no problem).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.samples import randn
from dltheory.core.tolerances import is_close

n = sp.Symbol("n", integer=True, positive=True)
p = sp.Symbol("p", positive=True)
i, j, k = sp.symbols("i j k", integer=True)
x = sp.IndexedBase("x", real=True)
y = sp.IndexedBase("y", real=True)

#: the p the numeric legs sweep: quasi-norms, norms, and inf
P_VALUES = (0.5, 1.0, 1.5, 2.0, 3.0, 7.0, math.inf)

#: entry magnitudes each dtype holds with room to spare (the numeric legs' extreme rows);
#: float16/bfloat16 are computed in float32, so their whole range is fair game
BIG = {torch.float64: 1e300, torch.float32: 1e36, torch.bfloat16: 1e36, torch.float16: 1e3}
SMALL = {torch.float64: 1e-300, torch.float32: 1e-36, torch.bfloat16: 1e-36, torch.float16: 1e-6}


def mp_norm(values, p: float) -> float:
    r""":math:`(\sum_i |x_i|^p)^{1/p}` (:math:`\max_i |x_i|` for ``p = inf``), exactly
    enough: 50 digits, rounded to float64."""
    with mpmath.workdps(50):
        entries = [abs(mpmath.mpf(float(v))) for v in values]
        if math.isinf(p):
            return float(max(entries))
        if all(e == 0 for e in entries):
            return 0.0
        q = mpmath.mpf(p)
        return float(mpmath.fsum(e**q for e in entries) ** (1 / q))


def mp_norms(t: torch.Tensor, p: float, dim: int = -1) -> torch.Tensor:
    """:func:`mp_norm` of every slice of ``t`` along ``dim`` (float64)."""
    moved = t.detach().to("cpu", torch.float64).movedim(dim, -1)
    rows = moved.reshape(-1, moved.shape[-1]).tolist()
    return torch.tensor([mp_norm(r, p) for r in rows], dtype=torch.float64).reshape(
        moved.shape[:-1]
    )


def vectors(shape, seed: int, dtype: torch.dtype, device: str, scale: float = 3.0):
    """Seeded normal entries of ``shape``, rounded to ``dtype`` on ``device``."""
    return randn(*shape, seed=seed, scale=scale).to(dtype).to(device)


def extreme_rows(dtype: torch.dtype) -> torch.Tensor:
    """Rows whose norms a naive formula overflows or underflows, in float64 (exact in
    ``dtype``): huge, tiny and mixed entries, and the smallest subnormal."""
    big, small = BIG[dtype], SMALL[dtype]
    tiniest = {  # the smallest positive subnormal of each dtype
        torch.float64: 2.0**-1074,
        torch.float32: 2.0**-149,
        torch.bfloat16: 2.0**-133,
        torch.float16: 2.0**-24,
    }[dtype]
    rows = [
        [big, -big, big / 2, 0.0],
        [small, -small, small * 3, 0.0],
        [big, small, -1.0, 2.0],
        [0.0, 0.0, 0.0, tiniest],
        [0.0, 0.0, 0.0, 0.0],
    ]
    return torch.tensor(rows, dtype=torch.float64).to(dtype).to(torch.float64)


def dyadic_simplex(rows: int, size: int, seed: int) -> torch.Tensor:
    """Probability vectors (float64, ``rows x size``) whose entries are multiples of 1/64 and
    sum to exactly 1: exact in every dtype, so rounding to the dtype under test leaves them
    on the simplex (zeros included)."""
    g = torch.Generator().manual_seed(seed)
    cuts = torch.randint(0, 65, (rows, size - 1), generator=g).sort(-1).values
    edges = torch.cat(
        [torch.zeros(rows, 1, dtype=torch.int64), cuts, torch.full((rows, 1), 64)], -1
    )
    return edges.diff(dim=-1).to(torch.float64) / 64


#: finite entries across the whole float64 range: exact zeros, ordinary values, and signed
#: powers of ten from 1e-300 to 1e300 (where squaring overflows or underflows)
WIDE_ENTRIES = st.one_of(
    st.just(0.0),
    st.floats(-100.0, 100.0, allow_nan=False),
    st.tuples(st.sampled_from((-1.0, 1.0)), st.integers(-300, 300)).map(
        lambda t: t[0] * 10.0 ** t[1]
    ),
)


def wide_vectors(
    *, size: st.SearchStrategy[int] | None = None, batch: int | None = None
) -> st.SearchStrategy[torch.Tensor]:
    """Float64 vectors (or ``batch`` rows of them) with :data:`WIDE_ENTRIES`; ``size``
    draws the length (1 to 6 by default)."""
    sizes = st.integers(1, 6) if size is None else size

    @st.composite
    def build(draw):
        k = draw(sizes)
        rows = 1 if batch is None else batch
        flat = draw(st.lists(WIDE_ENTRIES, min_size=rows * k, max_size=rows * k))
        t = torch.tensor(np.array(flat, dtype=np.float64).reshape(rows, k))
        return t[0] if batch is None else t

    return build()


#: p in the range the property legs draw for norms: the common 1, 2, 3, inf (each with its
#: own code path in a reference) as often as any other value of [1, 20]
NORM_P = st.one_of(st.sampled_from((1.0, 2.0, 3.0, math.inf)), st.floats(1.0, 20.0))
#: p for quasi-norms and norms: 1/2, 1, 2, 3, inf, or any value of [1/4, 20]
ANY_P = st.one_of(st.sampled_from((0.5, 1.0, 2.0, 3.0, math.inf)), st.floats(0.25, 20.0))


def vector_pairs(p_values: st.SearchStrategy[float], magnitude: float) -> st.SearchStrategy:
    """``(p, x, y)``: a ``p`` and two float64 vectors of one size (1 to 5), entries in
    ``[-magnitude, magnitude]``."""

    @st.composite
    def build(draw):
        size = draw(st.integers(1, 5))
        entries = st.floats(-magnitude, magnitude, allow_nan=False)
        a, b = (draw(st.lists(entries, min_size=size, max_size=size)) for _ in range(2))
        return (
            draw(p_values),
            torch.tensor(a, dtype=torch.float64),
            torch.tensor(b, dtype=torch.float64),
        )

    return build()


def triangle_holds(impl, case) -> bool:
    r""":math:`\|\mathbf{x}+\mathbf{y}\|_p \le \|\mathbf{x}\|_p + \|\mathbf{y}\|_p` for
    ``case = (p, x, y)``, up to the float64 tolerance (equality cases round either way)."""
    ord_, a, b = case
    lhs = impl.vector_norm(a + b, ord_)
    rhs = impl.vector_norm(a, ord_) + impl.vector_norm(b, ord_)
    return bool(lhs <= rhs) or is_close(lhs, rhs)
