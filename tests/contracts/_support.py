"""Sample builders shared by the chapters' declarations (float64 on the CPU, fixed seeds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from dltheory.core.contracts import FLOATING, Sample

F64 = torch.float64


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def normal(*shape: int, seed: int = 0, scale: float = 3.0) -> torch.Tensor:
    """Logits: N(0, scale^2) in float64."""
    return torch.randn(shape, generator=generator(seed), dtype=F64) * scale


def simplex(*shape: int, seed: int = 0, zeros: float = 0.0, dims: tuple[int, ...] = (-1,)):
    """Probability vectors (or tables, over ``dims``) with a fraction ``zeros`` of exact zeros;
    the first entry of each row stays positive."""
    g = generator(seed)
    w = torch.rand(shape, generator=g, dtype=F64) + 0.05
    if zeros:
        w = torch.where(torch.rand(shape, generator=g, dtype=F64) < zeros, 0.0, w)
        w[(..., *([0] * len(dims)))] += 0.5
    return w / w.sum(dim=dims, keepdim=True)


def labels(shape: tuple[int, ...], classes: int, seed: int = 1, dtype=torch.int64):
    return torch.randint(classes, shape, generator=generator(seed)).to(dtype)


def per_dtype(
    name: str, build: Callable[[torch.finfo], tuple[tuple[Any, ...], dict[str, Any]]], **flags
) -> list[Sample]:
    """One sample per floating dtype, built from that dtype's ``finfo`` (its largest, smallest
    normal and smallest subnormal numbers are exact in float64, so they survive conversion)."""
    out = []
    for dtype in FLOATING:
        args, kwargs = build(torch.finfo(dtype))
        out.append(Sample(args, kwargs, name=f"{name} ({dtype})", dtypes=(dtype,), **flags))
    return out


def t(*values, dtype=F64) -> torch.Tensor:
    """A float64 (or ``dtype``) tensor from nested values."""
    return torch.tensor(values if len(values) != 1 else values[0], dtype=dtype)
