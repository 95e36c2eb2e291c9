r"""What the normalization claims share: SymPy symbols, exact oracles, samples, strategies.

Symbols: a minibatch :math:`x_1, \dots, x_n` of one feature (``IndexedBase`` from 1), its mean
:math:`\hat\mu`, biased variance :math:`v` and the :math:`\epsilon > 0` the notes add.

Exact oracle: :func:`mp_standardize` standardizes one slice in mpmath at :data:`DPS` digits and
returns, beside the exact values, the scale :math:`(|x_i| + |\hat\mu|)/\hat\sigma` that bounds
what any floating-point algorithm can reach: subtracting the mean from inputs of magnitude
:math:`|x_i|` is accurate only to :math:`\varepsilon\,(|x_i| + |\hat\mu|)` (absolute), which
standardization divides by :math:`\hat\sigma`. Elements with :math:`x_i \approx \hat\mu` are
ill-conditioned, not inaccurate: errors are measured against that scale.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.samples import randn

n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True)
x = sp.IndexedBase("x", real=True)
eps = sp.Symbol(r"\epsilon", positive=True)
gamma, beta = sp.symbols(r"\gamma \beta", real=True)
v = sp.Symbol("v", nonnegative=True)  # the biased variance of the batch, as a symbol

#: the notes' mean, biased variance and standardized value, general n
MEAN = sp.Sum(x[i], (i, 1, n)) / n
VAR = sp.Sum((x[i] - MEAN) ** 2, (i, 1, n)) / n
Z = (x[i] - MEAN) / sp.sqrt(VAR + eps)

#: mpmath precision of the exact oracles
DPS = 60

#: input magnitudes each dtype holds with room for the statistics (the extreme samples)
BIG = {torch.float64: 1e300, torch.float32: 1e30, torch.bfloat16: 1e30, torch.float16: 3e4}


def mp_standardize(values, eps_, gamma_=1.0, beta_=0.0) -> tuple[list[float], list[float]]:
    r"""``(exact, scale)`` for :math:`\gamma (x_i - \hat\mu)/\sqrt{v + \epsilon} + \beta`.

    ``scale`` is :math:`|\gamma|(1 + |z_i|) \max_j(|x_j| + |\hat\mu|)/\sqrt{v + \epsilon}
    + |\beta|`: rounding the deviations :math:`x_j - \hat\mu` moves each by up to
    :math:`\varepsilon(|x_j| + |\hat\mu|)`, which shifts :math:`z_i` directly and through the
    variance (by :math:`|z_i|` times the relative change of :math:`\hat\sigma`). Both are
    rounded to float64.
    """
    with mpmath.workdps(DPS):
        xs = [mpmath.mpf(float(a)) for a in values]
        g, b, e = mpmath.mpf(float(gamma_)), mpmath.mpf(float(beta_)), mpmath.mpf(float(eps_))
        mu = mpmath.fsum(xs) / len(xs)
        var = mpmath.fsum((a - mu) ** 2 for a in xs) / len(xs)
        root = mpmath.sqrt(var + e)
        spread = max(abs(a) + abs(mu) for a in xs) / root
        zs = [(a - mu) / root for a in xs]
        exact = [float(g * z + b) for z in zs]
        scale = [float(abs(g) * (1 + abs(z)) * spread + abs(b)) for z in zs]
        return exact, scale


def mp_moments(values) -> tuple[float, float]:
    """Exact mean and biased variance of ``values`` (rounded to float64)."""
    with mpmath.workdps(DPS):
        xs = [mpmath.mpf(float(a)) for a in values]
        mu = mpmath.fsum(xs) / len(xs)
        return float(mu), float(mpmath.fsum((a - mu) ** 2 for a in xs) / len(xs))


def channel_slices(t: torch.Tensor) -> list[list[float]]:
    """The values of each channel (dimension 1) of ``(N, C, ...)``, as float64 lists."""
    moved = t.detach().to("cpu", torch.float64).movedim(1, 0).reshape(t.shape[1], -1)
    return moved.tolist()


def exact_batch_norm(t: torch.Tensor, eps_: float, gamma_=None, beta_=None):
    """Exact batch norm of ``t`` (every channel by :func:`mp_standardize`), and its scale,
    as float64 tensors of ``t``'s shape."""
    channels = t.shape[1]
    g = [1.0] * channels if gamma_ is None else gamma_.double().tolist()
    b = [0.0] * channels if beta_ is None else beta_.double().tolist()
    exact, scale = [], []
    for c, values in enumerate(channel_slices(t)):
        e, s = mp_standardize(values, eps_, g[c], b[c])
        exact.append(e)
        scale.append(s)
    moved = (t.shape[1], t.shape[0], *t.shape[2:])

    def back(rows):
        return torch.tensor(rows, dtype=torch.float64).reshape(moved).movedim(0, 1)

    return back(exact), back(scale)


def batch(shape, seed: int, dtype: torch.dtype, device: str, *, loc=0.0, scale=1.0):
    """Seeded normal values of ``shape`` (times ``scale``, plus ``loc``), rounded to ``dtype``."""
    return (randn(*shape, seed=seed, scale=scale) + loc).to(dtype).to(device)


def params(channels: int, seed: int, dtype: torch.dtype, device: str):
    """Seeded scale (around 1, sign included) and shift of one batch-norm layer."""
    g = randn(channels, seed=seed, scale=0.5) + 1.0
    b = randn(channels, seed=seed + 1)
    return g.to(dtype).to(device), b.to(dtype).to(device)


def finite_floats(magnitude: float) -> st.SearchStrategy[float]:
    """Finite floats in ``[-magnitude, magnitude]``, without subnormals: the mean of subnormal
    values is not representable to any relative accuracy, so no algorithm standardizes them
    accurately (exact zeros and the smallest normal numbers are still drawn)."""
    return st.floats(
        -magnitude, magnitude, allow_nan=False, allow_infinity=False, allow_subnormal=False
    )


@st.composite
def batches(draw, *, min_rows: int = 2, max_rows: int = 6, max_cols: int = 3, magnitude=1e6):
    """``(N, C)`` float64 batches with ``N >= min_rows`` (two rows at least: batch statistics)."""
    rows = draw(st.integers(min_rows, max_rows))
    cols = draw(st.integers(1, max_cols))
    values = draw(hnp.arrays(np.float64, (rows, cols), elements=finite_floats(magnitude)))
    return torch.from_numpy(np.ascontiguousarray(values))


#: epsilons the property legs draw: from 1e-8 to 10, spread over the decades
EPSILONS = st.integers(-8, 1).flatmap(lambda e: st.floats(10.0**e, 10.0 ** (e + 1)))


@st.composite
def grid_batches(draw, *, min_rows: int = 2, max_rows: int = 6, max_cols: int = 4):
    """``(N, C)`` float64 batches on the grid :math:`k/2^{10}`, :math:`|k| \\le 2^{20}`: adding
    an integer of magnitude up to :math:`2^{20}`, or scaling by :math:`2^{\\pm 8}`, is exact."""
    rows = draw(st.integers(min_rows, max_rows))
    cols = draw(st.integers(1, max_cols))
    ints = draw(hnp.arrays(np.int64, (rows, cols), elements=st.integers(-(2**20), 2**20)))
    return torch.from_numpy(np.ascontiguousarray(ints)).to(torch.float64) / 1024
