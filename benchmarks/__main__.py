"""``python -m benchmarks``: every chapter's benchmarks, one table, one JSON file.

    python -m benchmarks [--quick] [--chapter NAME ...] [--threads N] [--device cpu|cuda]
                         [--json PATH]

For each reference function and shape: milliseconds per call of ours and of the matching
built-in (medians of interleaved rounds), their ratio and the goal it should stay within, and
the largest error in units of eps against mpmath for ours and for the built-in. The JSON
(default ``benchmarks/results.json``) holds the same rows plus the machine, so that a
regression shows run to run; the documentation site renders the committed file. The
``imports`` rows (``--chapter imports``) time ``import dltheory`` and each chapter package in
a fresh interpreter against ``import torch``. glibc's allocator is held in the steady state
of a long-running process (see :func:`_steady_allocator`).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import importlib
import json
import os
import platform
import sys
from pathlib import Path

import torch

from benchmarks.harness import Accuracy, Row, interleaved_ms

HERE = Path(__file__).resolve().parent


def _modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only]
    return names


def _synchronized(fn, device: str):
    if not device.startswith("cuda"):
        return fn

    def run():
        out = fn()
        torch.cuda.synchronize()
        return out

    return run


def _steady_allocator() -> str:
    """Fix glibc's thresholds for returning memory to the system at 256 MiB, where a
    long-running process ends up anyway (glibc raises them as large blocks are freed). Left
    dynamic, the first large temporaries of a fresh process are mapped and unmapped on every
    call, and a row's built-in time changes threefold with the rows that ran before it."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 256 << 20) and libc.mallopt(m_trim_threshold, 256 << 20)
    except (OSError, AttributeError):
        return "the platform's default"
    return "glibc, mmap and trim thresholds 256 MiB" if ok else "glibc's default"


def _machine(device: str) -> dict:
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": device,
    }
    if device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name()
    return info


def _fmt_eps(value: float | None) -> str:
    if value is None:
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:.3g}"


def _print_row(row: Row) -> None:
    over = row.goal is not None and row.ratio > row.goal
    print(
        f"{row.function:<42} {row.shape:<22} {row.ours_ms:9.4f} {row.builtin_ms:9.4f} "
        f"{row.ratio:6.2f}{'  over goal' if over else ''}",
        flush=True,
    )
    if over and row.why:
        print(f"    why: {row.why}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small shapes, few rounds")
    parser.add_argument("--chapter", action="append", default=[], help="only this chapter")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where to write")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    allocator = _steady_allocator()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("python -m benchmarks: --device cuda, but no CUDA device", file=sys.stderr)
        return 2

    rows: list[Row] = []
    measured: list[Accuracy] = []
    for name in _modules(args.chapter):
        module = importlib.import_module(f"benchmarks.{name}")
        accuracy: list[Accuracy] = (
            module.accuracy(args.quick) if hasattr(module, "accuracy") else []
        )
        measured += accuracy
        if hasattr(module, "rows"):  # measured its own way (imports: one process per call)
            for row in module.rows(args.quick, args.device):
                rows.append(row)
                _print_row(row)
            continue
        for case in module.cases(args.quick, args.device):
            ours = _synchronized(case.ours, args.device)
            builtin = _synchronized(case.builtin, args.device)
            rounds = 7 if args.quick else 21
            ours_ms, builtin_ms = interleaved_ms(ours, builtin, rounds=rounds)
            mine = [a for a in accuracy if a.function == case.function]
            rows.append(
                Row(case.function, case.shape, ours_ms, builtin_ms, case.builtin_name,
                    case.goal, case.note, mine, case.why)
            )  # fmt: skip
            _print_row(rows[-1])
        for acc in accuracy:
            print(
                f"  accuracy {acc.function:<33} {acc.inputs:<40} ours {_fmt_eps(acc.ours_eps)} "
                f"eps, {acc.builtin_name or 'built-in'} {_fmt_eps(acc.builtin_eps)} eps",
                flush=True,
            )
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {**_machine(args.device), "allocator": allocator},
        "quick": args.quick,
        "rows": [
            {
                "function": r.function,
                "shape": r.shape,
                "ours_ms": round(r.ours_ms, 6),
                "builtin": r.builtin_name,
                "builtin_ms": round(r.builtin_ms, 6),
                "ratio": round(r.ratio, 3),
                "goal": r.goal,
                "within_goal": None if r.goal is None else r.ratio <= r.goal,
                "note": r.note,
                "why": r.why,
            }
            for r in rows
        ],
        "accuracy": [
            {
                "function": a.function,
                "inputs": a.inputs,
                "ours_eps": a.ours_eps,
                "builtin": a.builtin_name,
                "builtin_eps": a.builtin_eps,
            }
            for a in measured
        ],
    }
    Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    over = [r for r in rows if r.goal is not None and r.ratio > r.goal]
    print(f"\n{len(rows)} rows, {len(over)} over their goal; written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
