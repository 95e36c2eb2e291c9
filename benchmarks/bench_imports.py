"""Imports: ``import dltheory`` and each chapter package, in a fresh process, against
``import torch`` alone.

A chapter package imports torch and its reference functions; SymPy, Hypothesis, SciPy and
mpmath load only where claims run. The goal is 1.1 times ``import torch``.

``import torch`` is timed as a user meets it: the wall-clock time of a fresh interpreter that
runs it, start-up included (the median over rounds). A chapter's row adds to that what the
chapter costs on top of torch, timed inside a fresh interpreter that imports torch first and
then the chapter: two fresh processes of about a second and a half differ by tens of
milliseconds from run to run, far more than the chapter's own share, which the in-process
difference measures to a millisecond. ``import dltheory`` itself loads no torch and is timed
as a whole fresh process. Each round runs one process per module, in an order that
alternates between rounds; the rows report medians.

Run through ``python -m benchmarks --chapter imports``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks.harness import Row

GOAL = 1.1

_AFTER_TORCH = (
    "import time; t = time.perf_counter(); import torch; u = time.perf_counter(); "
    "import {module}; print(time.perf_counter() - u)"
)


def _chapters() -> list[str]:
    from dltheory.core.registry import chapters

    return [chapter.name for chapter in chapters()]


def _seconds(module: str) -> float:
    """Wall-clock seconds of a fresh interpreter that imports ``module``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


def _seconds_after_torch(module: str) -> float:
    """Seconds that ``import module`` takes in a fresh interpreter that imported torch."""
    done = subprocess.run(
        [sys.executable, "-c", _AFTER_TORCH.format(module=module)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.split()[-1])


def rows(quick: bool, device: str) -> list[Row]:
    """One row per module: median milliseconds of ``import MODULE`` against ``import torch``
    (a chapter: torch's fresh process plus the chapter's time after torch)."""
    chapters = [f"dltheory.{name}" for name in _chapters()]
    order = ["torch", "dltheory", *chapters]
    for module in order:  # warm the file system cache
        _seconds(module)
    times: dict[str, list[float]] = {m: [] for m in order}
    for r in range(5 if quick else 11):
        for module in order if r % 2 == 0 else order[::-1]:
            timer = _seconds if module in ("torch", "dltheory") else _seconds_after_torch
            times[module].append(timer(module))
    torch_ms = statistics.median(times["torch"]) * 1e3
    out = [
        Row("import dltheory", "fresh process", statistics.median(times["dltheory"]) * 1e3,
            torch_ms, "import torch", GOAL)
    ]  # fmt: skip
    for module in chapters:
        extra_ms = statistics.median(times[module]) * 1e3
        out.append(
            Row(f"import {module}", "fresh process", torch_ms + extra_ms, torch_ms,
                "import torch", GOAL, note=f"{extra_ms:.0f} ms after torch")
        )  # fmt: skip
    return out
