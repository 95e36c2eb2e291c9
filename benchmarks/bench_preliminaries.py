"""Preliminaries: ``vector_norm`` against ``torch.linalg.vector_norm``, speed and accuracy.

Speed (``cases``): row norms of a 4096x1000 float32 batch for p = 2, 1, 3 and inf, the norm of
a 10^6-entry float64 vector, and a 10-entry vector (per-call overhead). Our p = 2 tries an
unscaled sum of squares first (a BLAS dot for a full reduction, cache-sized chunks for rows)
and rescales like LAPACK's nrm2 only where that sum over- or underflows; the built-in has no
such guard.

Accuracy (``accuracy``): the largest relative error in float64 against mpmath at 50 digits, in
units of eps, for N(0, 9) entries and for entries spread over 10^-300 .. 10^300 (where the
built-in's squares overflow to inf or underflow to 0).

Run through ``python -m benchmarks --chapter preliminaries``.
"""

from __future__ import annotations

import math

import mpmath
import torch

from benchmarks.harness import Accuracy, Case, worst_eps
from dltheory.preliminaries import vector_norm

CH = "preliminaries"


def _randn(*shape, dtype, device="cpu", seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * 3).to(dtype).to(device)


_WHY = (
    "squares and their sum are two passes where the built-in fuses them, and one host read "
    "of the sums' range decides whether to rescale by the largest entry: no overflow or "
    "underflow (the built-in gives inf for entries near 1e300, see the accuracy table)"
)


def cases(quick: bool, device: str) -> list[Case]:
    rows = _randn(1024 if quick else 4096, 1000, dtype=torch.float32, device=device)
    label = f"{rows.shape[0]}x1000 f32 rows"
    flat = _randn(10**5 if quick else 10**6, dtype=torch.float64, device=device)
    small = _randn(10, dtype=torch.float32, device=device)
    builtin = "torch.linalg.vector_norm"
    out = []
    for p, goal in ((2, 1.5), (1, 1.5), (3, 1.5), (math.inf, 1.5)):
        out.append(
            Case(f"{CH}.vector_norm", f"{label}, p={p:g}",
                 lambda p=p: vector_norm(rows, p, dim=-1),
                 lambda p=p: torch.linalg.vector_norm(rows, p, dim=-1), builtin, goal,
                 why=_WHY)
        )  # fmt: skip
    out += [
        Case(f"{CH}.vector_norm", f"{flat.numel()} f64, p=2", lambda: vector_norm(flat),
             lambda: torch.linalg.vector_norm(flat), builtin, 1.5),
        Case(f"{CH}.vector_norm", "10 f32, p=2", lambda: vector_norm(small),
             lambda: torch.linalg.vector_norm(small), builtin, 3.0, "per-call overhead",
             why="the argument checks and a NaN scan of the values, which math.hypot (in "
             "float64, rounded once) would otherwise turn into inf beside an infinite entry"),
    ]  # fmt: skip
    return out


def _exact(row, p):
    entries = [abs(mpmath.mpf(v)) for v in row]
    if math.isinf(p):
        return max(entries)
    return mpmath.fsum(e**p for e in entries) ** (1 / mpmath.mpf(p))


def accuracy(quick: bool) -> list[Accuracy]:
    n = 32 if quick else 128
    g = torch.Generator().manual_seed(1)
    ordinary = _randn(n, 50, dtype=torch.float64, seed=2)
    exponents = torch.randint(-300, 301, (n, 50), generator=g).to(torch.float64)
    wide = torch.randn(n, 50, generator=g, dtype=torch.float64) * 10.0**exponents
    out = []
    with mpmath.workdps(50):
        for what, x in (("float64, N(0, 9)", ordinary), ("float64, 1e-300..1e300", wide)):
            rows = x.tolist()
            for p in (2, 1, 3):
                exact = [_exact(r, p) for r in rows]
                ours = vector_norm(x, p, dim=-1).tolist()
                theirs = torch.linalg.vector_norm(x, p, dim=-1).tolist()
                out.append(
                    Accuracy(f"{CH}.vector_norm", f"{what}, p={p}",
                             worst_eps(zip(ours, exact, strict=True), torch.float64),
                             worst_eps(zip(theirs, exact, strict=True), torch.float64),
                             "torch.linalg.vector_norm")
                )  # fmt: skip
    return out
