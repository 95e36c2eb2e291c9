"""Deterministic sample inputs for numeric legs.

Numeric legs draw their inputs in float64 from a seeded generator, round them to the dtype
under test, and hand the oracle the *rounded* values upcast to float64 (:func:`oracle_input`),
so that only the reference's own arithmetic is measured.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["nearly_independent", "oracle_input", "randint", "randn", "simplex"]


def randn(*shape: int, seed: int, scale: float = 1.0) -> torch.Tensor:
    """Standard normal samples times ``scale``, float64 on the CPU, reproducible by ``seed``."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64) * scale


def randint(high: int, *shape: int, seed: int) -> torch.Tensor:
    """Integers in ``[0, high)``, int64 on the CPU, reproducible by ``seed``."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(high, shape, generator=g)


def simplex(*shape: int, seed: int, zeros: float = 0.0) -> torch.Tensor:
    """Probability vectors along the last dimension (float64); a fraction ``zeros`` of the
    entries is set to exactly 0 (every row keeps at least one positive entry)."""
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(shape, generator=g, dtype=torch.float64)
    if zeros:
        w = torch.where(torch.rand(shape, generator=g, dtype=torch.float64) < zeros, 0.0, w)
        w[..., 0] = w[..., 0] + 0.5
    return w / w.sum(-1, keepdim=True)


def nearly_independent(rows: int, cols: int, *, noise: float, seed: int) -> torch.Tensor:
    r"""A joint table :math:`p_X p_Y (1 + \text{noise} \cdot N(0, 1))`, renormalized
    (float64): its log-ratios :math:`\log(p / (p_X p_Y))` are about ``noise`` and its mutual
    information about :math:`\text{noise}^2 / 2`."""
    g = torch.Generator().manual_seed(seed)
    independent = torch.outer(simplex(rows, seed=seed), simplex(cols, seed=seed + 1))
    table = independent * (1 + noise * torch.randn(rows, cols, generator=g, dtype=torch.float64))
    return table / table.sum()


def oracle_input(x: torch.Tensor) -> np.ndarray:
    """The values ``x`` actually holds, as a float64 NumPy array (for SciPy/NumPy oracles)."""
    return x.detach().to("cpu", torch.float64).numpy()
