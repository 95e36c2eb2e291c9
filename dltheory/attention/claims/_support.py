r"""What the attention claims share: sample inputs, strategies, exact oracles.

Sample inputs are float64 from a fixed seed, rounded to the dtype under test by the legs.
Strategies construct queries, keys, values and valid lengths that fit together (matching
sizes, lengths in :math:`[0, m]`) rather than filtering. The mpmath oracles evaluate the
notes' formulas at :data:`DPS` digits.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.samples import randint, randn
from dltheory.core.tolerances import is_close

#: mpmath precision of the oracles
DPS = 50

#: leading batch shapes the property legs draw: (), (1,), (2,), (2, 2), ... (small: the
#: batched code path is the same for any size, and Hypothesis pays for every drawn float)
BATCHES = dst.batch_shapes(max_dims=2, max_side=2)


def sample(*shape: int, seed: int, dtype: torch.dtype, device: str, scale: float = 1.0):
    """Seeded normal samples of ``shape`` times ``scale``, rounded to ``dtype`` on ``device``."""
    return randn(*shape, seed=seed, scale=scale).to(dtype).to(device)


def lengths(high: int, *shape: int, seed: int, device: str) -> torch.Tensor:
    """Seeded valid lengths in ``[0, high]`` (int64), with a 0 and a ``high`` among them."""
    lens = randint(high + 1, *shape, seed=seed)
    flat = lens.view(-1)
    if flat.numel() >= 2:
        flat[0], flat[-1] = 0, high
    return lens.to(device)


def prefix_mask(lens: torch.Tensor, m: int, per_sequence: bool) -> torch.Tensor:
    """The boolean mask ``j < l`` as ``torch.nn.functional.scaled_dot_product_attention``
    takes it: ``(..., n, m)`` broadcastable."""
    extra = lens.unsqueeze(-1).unsqueeze(-1) if per_sequence else lens.unsqueeze(-1)
    return torch.arange(m, device=lens.device) < extra


def floats(magnitude: float) -> st.SearchStrategy[float]:
    return st.floats(-magnitude, magnitude, allow_nan=False, allow_infinity=False)


def arrays(shape, magnitude: float = 10.0) -> st.SearchStrategy[torch.Tensor]:
    """float64 tensors of ``shape`` with entries in ``[-magnitude, magnitude]`` (drawn as a
    flat list, which Hypothesis generates several times faster than NumPy arrays)."""
    size = int(np.prod(shape, dtype=np.int64))
    return st.lists(floats(magnitude), min_size=size, max_size=size).map(
        lambda values: torch.tensor(values, dtype=torch.float64).reshape(shape)
    )


@st.composite
def attention_inputs(
    draw,
    *,
    max_n: int = 3,
    max_m: int = 4,
    max_d: int = 3,
    magnitude: float = 5.0,
    masked: bool = True,
):
    """``(Q, K, V, valid_lens)``: ``(*B, n, d)``, ``(*B, m, d)``, ``(*B, m, v)`` and lengths in
    ``[0, m]`` per sequence ``(*B,)`` or per query ``(*B, n)`` (or ``None``)."""
    batch = draw(BATCHES)
    n, m = draw(st.integers(1, max_n)), draw(st.integers(1, max_m))
    d, v = draw(st.integers(1, max_d)), draw(st.integers(1, 2))
    Q = draw(arrays((*batch, n, d), magnitude))
    K = draw(arrays((*batch, m, d), magnitude))
    V = draw(arrays((*batch, m, v), magnitude))
    lens = None
    if masked and draw(st.booleans()):
        shape = (*batch, n) if draw(st.booleans()) else batch
        count = int(np.prod(shape, dtype=np.int64))
        lens = draw(st.lists(st.integers(0, m), min_size=count, max_size=count))
        lens = torch.tensor(lens, dtype=torch.int64).reshape(shape)
    return Q, K, V, lens


def within_valid_values(out: torch.Tensor, values: torch.Tensor, length: int) -> bool:
    """Every coordinate of every output row lies between the smallest and the largest value of
    that coordinate over the first ``length`` keys (up to float64 rounding): a necessary
    condition for lying in their convex hull, checked per batch entry."""
    lo = values[..., :length, :].amin(-2, keepdim=True)
    hi = values[..., :length, :].amax(-2, keepdim=True)
    below = torch.minimum(out - lo, torch.zeros(()))
    above = torch.maximum(out - hi, torch.zeros(()))
    return is_close(below, torch.zeros_like(below)) and is_close(above, torch.zeros_like(above))


def mp_softmax(row) -> list:
    """The softmax of a list of floats, at :data:`DPS` digits (mpmath numbers)."""
    with mpmath.workdps(DPS):
        values = [mpmath.mpf(float(v)) for v in row]
        top = max(values)
        e = [mpmath.exp(v - top) for v in values]
        total = mpmath.fsum(e)
        return [x / total for x in e]


def mp_pool(weights, values) -> list[float]:
    r""":math:`\sum_i \alpha_i \mathbf{v}_i` (mpmath numbers or floats), rounded to float64."""
    with mpmath.workdps(DPS):
        cols = len(values[0])
        return [
            float(
                mpmath.fsum(
                    mpmath.mpf(w) * mpmath.mpf(float(v[c]))
                    for w, v in zip(weights, values, strict=True)
                )
            )
            for c in range(cols)
        ]


def pool_scale(weights, values) -> list[float]:
    r""":math:`\sum_i |\alpha_i| |\mathbf{v}_i|`: the size a rounding error in a weighted sum is
    relative to (the sum itself may cancel to nearly 0)."""
    w = np.abs(np.asarray([float(x) for x in weights]))
    return (w @ np.abs(np.asarray(values, dtype=np.float64))).tolist()


def finite_rows(x: torch.Tensor) -> torch.Tensor:
    """Rows (last dimension) of ``x`` that hold only finite numbers."""
    return torch.isfinite(x).all(dim=-1)


def log_eps(dtype: torch.dtype) -> float:
    """:math:`-\\log` of the smallest positive normal number of ``dtype`` (exp underflow)."""
    return -math.log(torch.finfo(dtype).tiny)
