"""``dltheory``: verify the claims of the notes, or check someone else's code against them.

    dltheory verify [--chapter NAME] [--claim ID ...] [--legs symbolic,numeric,property]
                    [--profile ci|dev|thorough] [--device cpu|cuda] [--json PATH] [--quiet]
    dltheory check  TARGET [--chapter NAME] [--claim ID ...] [--profile P] [--device D]
                    [--json PATH] [--quiet]
    dltheory list   [--chapter NAME] [--functions]

Exit status: 0 when every claim run ends as its record declares (theorems verified, errata
refuted), 1 otherwise, 2 on a usage error (for ``check``: a target that cannot be imported,
provides no function a claim checks, or has a function whose signature cannot take the
claims' calls), 130 when interrupted with Ctrl-C (the claims finished so far are reported).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_DESCRIPTION = """\
Check the mathematical claims of the deep-learning notes. Each claim has up to three legs:
  symbolic  a SymPy derivation (general, or for fixed sizes - the report says which)
  numeric   the PyTorch reference implementation against an independent oracle
            (SciPy, mpmath, a torch built-in, autograd), in every float dtype
  property  a Hypothesis property over generated inputs; for a statement the notes get
            wrong (an erratum) Hypothesis must find a counterexample

Outcomes: verified, refuted_as_expected (an erratum was refuted), noted (a notation note:
nothing to check), failed, skipped.
"""

_EXAMPLES = """\
examples:
  dltheory verify                              check every claim
  dltheory verify --chapter classification     one chapter
  dltheory verify --claim softmax-ce-gradient  one claim (short id, or the full one)
  dltheory verify --profile thorough --json report.json
  dltheory check mypkg.ops                     run the claims on your functions
  dltheory check my_softmax.py --chapter classification
  dltheory list                                all claim ids
  dltheory list --functions                    the functions `check` can substitute

exit status: 0 all outcomes as declared, 1 some claim failed, 2 usage error,
             130 interrupted (Ctrl-C; the claims finished so far are reported)
"""

_CHECK_DESCRIPTION = """\
Run the claims' numeric and property legs on someone else's implementation.

TARGET is an importable module (mypkg.ops) or a path to a .py file. It provides functions
under the reference functions' names (softmax, cross_entropy, entropy, ...; `dltheory list
--functions` lists them), any subset; a function whose signature differs is adapted in a few
lines of the same file. Every claim whose functions the target all provides runs with the
target's functions in place of dltheory's; its symbolic leg is about the mathematics and is
not rerun (shown in parentheses). The others are listed once as not covered. A name that two
chapters share (cross_entropy) goes to the chapter whose signature it fits; say which with
--chapter or DLTHEORY_FUNCTIONS = {"classification.cross_entropy": fn} in the target.
Each failure shows the shrunk counterexample and a snippet that calls your function on it,
with the reference's result beside yours.
"""


def _chapter_names() -> list[str]:
    """The chapters, from the file system (importing them would load SymPy for --help)."""
    root = Path(__file__).resolve().parent
    return sorted(p.parent.parent.name for p in root.glob("*/claims/__init__.py"))


def _selection_help() -> str:
    from dltheory.core.claim import LEG_NAMES

    return (
        f"chapters: {', '.join(_chapter_names())}\n"
        f"legs: {', '.join(LEG_NAMES)}\n"
        "claim ids: `dltheory list` (a claim's short id works where it is unique)\n\n"
    )


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, no usage dump
        self.exit(EXIT_USAGE, f"dltheory: error: {message} (see dltheory {self._sub()}--help)\n")

    def _sub(self) -> str:
        parts = self.prog.split()
        return f"{parts[1]} " if len(parts) > 1 else ""


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chapter", metavar="NAME", help="only this chapter's claims")
    parser.add_argument(
        "--claim",
        metavar="ID",
        action="append",
        default=[],
        help="only this claim (repeatable; the short id works where it is unique)",
    )
    parser.add_argument(
        "--profile",
        choices=("ci", "dev", "thorough"),
        default=None,
        help="Hypothesis profile: ci = deterministic, 60 examples (default, or "
        "$HYPOTHESIS_PROFILE); dev = random, 150; thorough = 2000",
    )
    parser.add_argument(
        "--device", default="cpu", help="device for the numeric legs: cpu (default) or cuda"
    )
    parser.add_argument("--json", metavar="PATH", help="write the machine-readable report here")
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the table")


def _parser() -> argparse.ArgumentParser:
    from dltheory import __version__

    parser = _Parser(
        prog="dltheory",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dltheory {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    verify = sub.add_parser(
        "verify",
        help="run the legs of the claims and print a report",
        description="Run every leg of every selected claim, print one line per claim and a "
        "summary. Exit 0 when every outcome is what the claim declares.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_selection_help() + _EXAMPLES,
    )
    _add_run_options(verify)
    verify.add_argument(
        "--legs",
        metavar="LIST",
        default="symbolic,numeric,property",
        help="comma-separated legs to run (default: all three)",
    )
    verify.add_argument(
        "--jobs",
        metavar="N",
        type=_positive_int,
        default=None,
        help="worker processes (default: one per CPU; 1 runs every claim in this process)",
    )

    check = sub.add_parser(
        "check",
        help="run the claims on your own implementation (a module or a .py file)",
        description=_CHECK_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_selection_help() + _EXAMPLES,
    )
    check.add_argument("target", metavar="TARGET", help="a module name or a path to a .py file")
    _add_run_options(check)

    lister = sub.add_parser(
        "list",
        help="list the claims (id, kind, title) or the functions `check` can substitute",
        description="List every claim in the order of the notes: its id (the pytest id and "
        "docs anchor), its kind (theorem, identity, definition, erratum, notation) and its "
        "title. With --functions, list instead the functions a `dltheory check` target can "
        "provide: qualified name, reference signature, and how many claims check it.",
        epilog=_selection_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lister.add_argument("--chapter", metavar="NAME", help="only this chapter")
    lister.add_argument(
        "--functions", action="store_true", help="list the functions a check target can provide"
    )
    return parser


# -- checks made before a run ---------------------------------------------------------------


def _check_device(device: str) -> str:
    import torch

    kind = device.split(":")[0]
    if kind not in ("cpu", "cuda"):
        raise ValueError(f"--device must be cpu or cuda, got {device!r}")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but no CUDA device is available")
    return device


def _check_json_path(path: str | None) -> None:
    """The report can be written there (checked before the run, which may take minutes)."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"--json: {path!r} is a directory; give a file path")
    if not target.resolve().parent.is_dir():
        raise ValueError(f"--json: the directory of {path!r} does not exist")
    existed = target.exists()
    try:
        with open(target, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ValueError(f"--json: cannot write {path!r}: {exc.strerror or exc}") from None
    if not existed:
        target.unlink()


def _legs(text: str) -> list[str]:
    from dltheory.core.claim import LEG_NAMES

    legs = [leg.strip() for leg in text.split(",") if leg.strip()]
    unknown = [leg for leg in legs if leg not in LEG_NAMES]
    if unknown:
        raise ValueError(
            f"--legs: unknown leg {', '.join(map(repr, unknown))}; legs are {', '.join(LEG_NAMES)}"
        )
    if not legs:
        raise ValueError(f"--legs takes a comma-separated subset of {', '.join(LEG_NAMES)}")
    return legs


# -- progress ---------------------------------------------------------------------------------


class _Progress:
    """One line per finished claim; on a terminal, also a live line naming the running claim
    with its elapsed time and how many claims remain (elsewhere, e.g. a CI log, a line every
    30 s while one claim runs long)."""

    HEARTBEAT_S = 30.0

    def __init__(self, total: int, stream: TextIO, quiet: bool) -> None:
        self.total, self.stream, self.quiet = total, stream, quiet
        self.live = not quiet and stream.isatty()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._current: tuple[int, str, float] | None = None
        self._thread: threading.Thread | None = None
        if not quiet:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        last_beat = time.monotonic()
        while not self._stop.wait(0.25 if self.live else 1.0):
            with self._lock:
                if self._current is None:
                    continue
                index, claim_id, started = self._current
                elapsed = time.monotonic() - started
                if self.live:
                    remaining = self.total - index
                    line = f"[{index:>3}/{self.total}] running {claim_id}  {elapsed:5.1f}s  " + (
                        f"({remaining} more after it)" if remaining else "(the last one)"
                    )
                    self.stream.write("\r\x1b[K" + line[: _width() - 1])
                    self.stream.flush()
                elif time.monotonic() - last_beat >= self.HEARTBEAT_S:
                    last_beat = time.monotonic()
                    print(f"      still running {claim_id}: {elapsed:.0f}s", file=self.stream)

    def start(self, index: int, claim_id: str) -> None:
        with self._lock:
            self._current = (index, claim_id, time.monotonic())

    def done(self, index: int, result) -> None:
        with self._lock:
            self._current = None
            if self.quiet:
                return
            if self.live:
                self.stream.write("\r\x1b[K")
            flag = "" if result.as_declared else "  <-- not as declared"
            print(
                f"[{index:>3}/{self.total}] {result.claim.id:<55} {result.outcome:<20} "
                f"{result.seconds:6.2f}s{flag}",
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.live and self._current is not None:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            self._current = None


def _width() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        return 100


def _run_all(claims, run_one: Callable[[Any], Any], quiet: bool) -> tuple[list, bool]:
    """Run ``run_one`` on each claim with progress; stop cleanly on Ctrl-C.

    Returns the results of the claims that finished and whether the run was interrupted.
    """
    progress = _Progress(len(claims), sys.stderr, quiet)
    results: list = []
    try:
        for index, claim in enumerate(claims, 1):
            progress.start(index, claim.id)
            result = run_one(claim)
            results.append(result)
            progress.done(index, result)
    except KeyboardInterrupt:
        return results, True
    finally:
        progress.close()
    return results, False


def _run_in_workers(claims, jobs: int, device, legs, profile, quiet: bool) -> tuple[list, bool]:
    """:func:`_run_all` with the claims spread over ``jobs`` worker processes: a line per claim
    as it finishes, the table in the selection's order; Ctrl-C cancels the rest."""
    from dltheory.core.parallel import run_in_workers

    progress = _Progress(len(claims), sys.stderr, quiet)
    finished: dict = {}
    running = run_in_workers(claims, jobs, device=device, legs=legs, profile=profile)
    try:
        for count, result in enumerate(running, 1):
            progress.start(count, result.claim.id)
            finished[result.claim.id] = result
            progress.done(count, result)
    except KeyboardInterrupt:
        return [finished[c.id] for c in claims if c.id in finished], True
    finally:
        running.close()
        progress.close()
    return [finished[c.id] for c in claims], False


def _finish(results: list, interrupted: bool, total: int, tail: str, args, report) -> int:
    """Print the table and the summary line, write the JSON report, return the exit code."""
    from dltheory.core.report import format_table, plural, summary_line, write_json

    print(file=sys.stdout)
    if results:
        format_table(results, sys.stdout)
    if interrupted:
        print(
            f"\ninterrupted (Ctrl-C) after {plural(len(results), 'claim')} of {total}: the table "
            "shows the claims that finished"
        )
    else:
        print(f"\n{summary_line(results, checked=args.command == 'check')}{tail}")
    if args.json:
        if interrupted:
            report["interrupted"] = True
        write_json(report, args.json)
        print(f"report written to {args.json}")
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if all(r.as_declared for r in results) else EXIT_MISMATCH


# -- commands -------------------------------------------------------------------------------


def _verify(args) -> int:
    from dltheory.core.parallel import default_jobs
    from dltheory.core.profiles import load_profile, selected_profile
    from dltheory.core.registry import select
    from dltheory.core.report import to_json
    from dltheory.core.runner import run_claim

    legs = _legs(args.legs)
    device = _check_device(args.device)
    profile = selected_profile(args.profile)
    _check_json_path(args.json)
    claims = select(args.chapter, args.claim)
    if not claims:
        raise ValueError("no claim matches the selection")
    settings = load_profile(profile)

    done: dict = {}  # results by claim id: a claim used by several others runs once

    def run_one(claim):
        if claim.id not in done:
            done[claim.id] = run_claim(
                claim, device=device, legs=legs, settings=settings, dependency_results=done
            )
        return done[claim.id]

    start = time.perf_counter()
    jobs = min(default_jobs() if args.jobs is None else args.jobs, len(claims))
    if jobs > 1:
        results, interrupted = _run_in_workers(claims, jobs, device, legs, profile, args.quiet)
    else:
        results, interrupted = _run_all(claims, run_one, args.quiet)
    elapsed = time.perf_counter() - start
    report = to_json(results, device=device, profile=profile, seconds=elapsed)
    tail = f" - profile {profile}, device {device}, {elapsed:.1f}s"
    return _finish(results, interrupted, len(claims), tail, args, report)


def _check(args) -> int:
    from dltheory.core.check import check_claim, not_covered_lines, plan_check
    from dltheory.core.profiles import load_profile, selected_profile
    from dltheory.core.registry import select
    from dltheory.core.report import plural, to_json
    from dltheory.core.target import load_target

    device = _check_device(args.device)
    profile = selected_profile(args.profile)
    _check_json_path(args.json)
    claims = select(args.chapter, args.claim)
    target = load_target(args.target, args.chapter)
    plan = plan_check(target, claims)
    provided = ", ".join(f"{target.origins[q]} ({q})" for q in target.functions)
    print(f"target {target.spec} provides {provided}")
    for note in target.notes:
        print(f"  {note}")
    if not plan.covered:
        needs = sorted({q for _, lacking in plan.not_covered for q in lacking})
        raise ValueError(
            f"{target.spec} covers none of the selected claims: they also need " + ", ".join(needs)
        )
    settings = load_profile(profile)
    chapter = f" --chapter {args.chapter}" if args.chapter else ""

    def run_one(claim):
        command = f"dltheory check {target.spec}{chapter} --claim {claim.id}"
        return check_claim(claim, target, device=device, settings=settings, command=command)

    start = time.perf_counter()
    results, interrupted = _run_all(plan.covered, run_one, args.quiet)
    elapsed = time.perf_counter() - start
    report = to_json(results, device=device, profile=profile, seconds=elapsed)
    report["target"] = target.spec
    report["functions"] = {q: target.describe(q) for q in target.functions}
    report["summary"]["not_covered"] = len(plan.not_covered)
    report["not_covered"] = [
        {"id": c.id, "needs": list(lacking)} for c, lacking in plan.not_covered
    ]
    if plan.not_covered and not interrupted:
        print("\n" + "\n".join(not_covered_lines(plan)))
    tail = (
        (f", {len(plan.not_covered)} not covered" if plan.not_covered else "")
        + f" - {plural(len(target.functions), 'function')} of {target.spec}, profile {profile}, "
        f"device {device}, {elapsed:.1f}s"
    )
    return _finish(results, interrupted, len(plan.covered), tail, args, report)


def _list(args) -> int:
    from dltheory.core.registry import select

    if args.functions:
        from dltheory.core.implementation import Implementation
        from dltheory.core.report import plural
        from dltheory.core.target import checkable_functions, plain_signature

        reference = Implementation.reference()
        for name, claim_ids in checkable_functions(args.chapter).items():
            function = reference.get(name)
            signature = plain_signature(function) if function else "(...)"
            bare = name.rpartition(".")[2]
            print(f"{name:<42} {bare}{signature}  [{plural(len(claim_ids), 'claim')}]")
        return EXIT_OK
    for claim in select(args.chapter):
        print(f"{claim.id:<55} {claim.kind.value:<10} {claim.title}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from dltheory.core.target import TargetError

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    command = {"verify": _verify, "check": _check, "list": _list}[args.command]
    try:
        return command(args)
    except (ValueError, TargetError) as exc:
        print(f"dltheory: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # while loading the claims (SymPy, Hypothesis), before any ran
        print("\ninterrupted (Ctrl-C) before any claim finished", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
