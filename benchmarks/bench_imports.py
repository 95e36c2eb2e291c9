"""Imports: ``import dltheory`` and each chapter package, in a fresh process, against
``import torch`` alone.

A chapter package imports torch and its reference functions; SymPy, Hypothesis, SciPy and
mpmath load only where claims run. The goal is 1.1 times ``import torch``. Each round starts
one fresh interpreter per module, in an order that alternates between rounds, and the rows
report medians of the wall-clock times (the interpreter's own start-up included on both
sides, as a user meets it).

Run through ``python -m benchmarks --chapter imports``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks.harness import Row

GOAL = 1.1


def _chapters() -> list[str]:
    from dltheory.core.registry import chapters

    return [chapter.name for chapter in chapters()]


def _seconds(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


def rows(quick: bool, device: str) -> list[Row]:
    """One row per module: median seconds of ``import MODULE`` against ``import torch``."""
    modules = ["dltheory", *(f"dltheory.{name}" for name in _chapters())]
    order = ["torch", *modules]
    for module in order:  # warm the file system cache
        _seconds(module)
    times: dict[str, list[float]] = {m: [] for m in order}
    for r in range(5 if quick else 11):
        for module in order if r % 2 == 0 else order[::-1]:
            times[module].append(_seconds(module))
    torch_ms = statistics.median(times["torch"]) * 1e3
    return [
        Row(f"import {module}", "fresh process", statistics.median(times[module]) * 1e3,
            torch_ms, "import torch", GOAL)
        for module in modules
    ]  # fmt: skip
