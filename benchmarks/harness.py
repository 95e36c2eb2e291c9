"""What every chapter's benchmark module shares: cases, interleaved timing, accuracy in eps.

A benchmark module ``benchmarks/bench_<chapter>.py`` defines

* ``cases(quick: bool) -> list[Case]``: a reference function and the matching built-in on the
  same inputs (one case per function and shape);
* ``accuracy(quick: bool) -> list[Accuracy]``: the largest error of a function, and of the
  built-in where there is one, against mpmath (or another exact oracle), in units of eps.

``python -m benchmarks`` runs them all and prints one table. Timings interleave the two calls
(ours, built-in, ours, built-in, ...) in rounds and take the median of each, so that the
machine's drift (±30% here) hits both sides alike.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import torch

__all__ = ["Accuracy", "Case", "eps_error", "interleaved_ms", "worst_eps"]


@dataclass
class Case:
    """One timing comparison: ``ours()`` against ``builtin()`` on the same inputs."""

    function: str  # e.g. "classification.softmax"
    shape: str  # e.g. "4096x1000 f32"
    ours: Callable[[], Any]
    builtin: Callable[[], Any]
    builtin_name: str
    goal: float | None = None  # the ratio the function should stay within
    note: str = ""
    #: where the ratio may exceed the goal: what the extra time buys (accuracy, a documented
    #: behaviour) that the built-in does not give
    why: str = ""


@dataclass
class Accuracy:
    """Largest error against an exact oracle, in units of the dtype's eps (relative)."""

    function: str
    inputs: str  # what was measured, e.g. "float64, logits up to 1e300"
    ours_eps: float
    builtin_eps: float | None = None
    builtin_name: str = ""


@dataclass
class Row:
    function: str
    shape: str
    ours_ms: float
    builtin_ms: float
    builtin_name: str
    goal: float | None
    note: str = ""
    accuracy: list[Accuracy] = field(default_factory=list)
    why: str = ""

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.builtin_ms


def _calls_per_round(fn: Callable[[], Any], target_s: float) -> int:
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, min(10_000, int(target_s / once)))


def interleaved_ms(
    ours: Callable[[], Any], builtin: Callable[[], Any], *, rounds: int = 21, round_s: float = 0.01
) -> tuple[float, float]:
    """Median milliseconds per call of ``ours`` and ``builtin``, measured alternately."""
    for fn in (ours, builtin, ours, builtin):  # warm up caches and allocators
        fn()
    n_ours = _calls_per_round(ours, round_s)
    n_builtin = _calls_per_round(builtin, round_s)
    times: dict[str, list[float]] = {"ours": [], "builtin": []}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            order = (("ours", ours, n_ours), ("builtin", builtin, n_builtin))
            for name, fn, n in order if r % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                for _ in range(n):
                    fn()
                times[name].append((time.perf_counter() - start) / n * 1e3)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(times["ours"]), statistics.median(times["builtin"])


def eps_error(got: float, exact: mpmath.mpf, dtype: torch.dtype) -> float:
    """``|got - exact| / max(|exact|, tiny)`` in units of ``dtype``'s eps (exact: mpmath)."""
    info = torch.finfo(dtype)
    scale = max(abs(exact), mpmath.mpf(info.tiny))
    return float(abs(mpmath.mpf(got) - exact) / scale) / info.eps


def worst_eps(pairs: Iterable[tuple[float, mpmath.mpf]], dtype: torch.dtype) -> float:
    """The largest :func:`eps_error` over ``(got, exact)`` pairs; non-finite results where the
    exact value is finite count as infinitely wrong."""
    worst = 0.0
    for got, exact in pairs:
        if not mpmath.isfinite(exact):
            continue
        if got != got or abs(got) == float("inf"):
            return float("inf")
        worst = max(worst, eps_error(got, exact, dtype))
    return worst
