r"""What the convolution claims share: seeded images and kernels, the grid of small
configurations the output-shape claims sweep, and Hypothesis strategies for images, kernels
and window configurations.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.samples import randn


def image(*shape: int, seed: int, dtype: torch.dtype, device: str) -> torch.Tensor:
    """Seeded normal values of ``shape``, rounded to ``dtype``, on ``device``."""
    return randn(*shape, seed=seed).to(dtype).to(device)


@st.composite
def image_and_kernel(draw, *, max_side: int = 6, kernel_fits: bool = True, batch: bool = True):
    """``(X, K)``: an image ``(*, n_h, n_w)`` (an optional batch dimension of 1 or 2) and a
    kernel ``(k_h, k_w)``, no larger than the image when ``kernel_fits``."""
    n_h, n_w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    k_h = draw(st.integers(1, n_h if kernel_fits else max_side))
    k_w = draw(st.integers(1, n_w if kernel_fits else max_side))
    lead = (draw(st.integers(1, 2)),) if batch and draw(st.booleans()) else ()
    x, k = draw(dst.float_tensors((*lead, n_h, n_w), (k_h, k_w), magnitude=5.0))
    return x, k


#: the grid the output-shape claims sweep: input sizes, kernel sizes, total paddings (split
#: as evenly as possible, the extra row at the bottom), strides and dilations
GRID_N = range(1, 10)
GRID_K = range(1, 6)
GRID_P = range(0, 5)
GRID_S = range(1, 5)
GRID_D = range(1, 4)


def grid(dilations=GRID_D, paddings=GRID_P):
    """Every ``(n, k, p_total, s, d)`` of the grid whose dilated kernel fits the padded input."""
    for n, k, p, s, d in itertools.product(GRID_N, GRID_K, paddings, GRID_S, dilations):
        if d * (k - 1) + 1 <= n + p:
            yield n, k, p, s, d


def padded(x: torch.Tensor, total: int, value: float = 0.0) -> torch.Tensor:
    """``x`` with ``total`` rows and columns of ``value`` added: ``total // 2`` before, the
    rest after (so odd totals, which torch's symmetric ``padding=`` cannot express, too)."""
    before = total // 2
    after = total - before
    return F.pad(x, (before, after, before, after), value=value)


@st.composite
def window_configs(draw, *, max_n: int = 12, pooling: bool = False):
    """``(n, k, padding, stride, dilation)`` per dimension (pairs) with the dilated kernel
    fitting the padded input; ``padding`` is per side (torch's convention), at most half the
    window when ``pooling`` (torch's rule for pooling, which has no dilation here)."""
    config = []
    for _ in range(2):
        k = draw(st.integers(1, 5))
        d = 1 if pooling else draw(st.integers(1, 3))
        p = draw(st.integers(0, k // 2 if pooling else 3))
        span = d * (k - 1) + 1
        n = draw(st.integers(max(1, span - 2 * p), max_n))
        config.append((n, k, p, draw(st.integers(1, 4)), d))
    return tuple(zip(*config, strict=True))
