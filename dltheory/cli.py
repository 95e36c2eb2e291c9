"""``dltheory``: verify the claims of the notes from the command line.

    dltheory verify [--chapter NAME] [--claim ID ...] [--legs symbolic,numeric,property]
                    [--profile ci|dev|thorough] [--device cpu|cuda] [--json PATH] [--quiet]
    dltheory list   [--chapter NAME]

Exit status of ``verify``: 0 when every claim's outcome is what its record declares
(theorems verified, errata refuted), 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2

_DESCRIPTION = """\
Check the mathematical claims of the deep-learning notes. Each claim has up to three legs:
  symbolic  a SymPy derivation (general, or for fixed sizes - the report says which)
  numeric   the PyTorch reference implementation against an independent oracle
            (SciPy, mpmath, a torch built-in, autograd), in every float dtype
  property  a Hypothesis property over generated inputs; for a statement the notes get
            wrong (an erratum) Hypothesis must find a counterexample

Outcomes: verified, refuted_as_expected (an erratum was refuted), failed, skipped.
"""

_EPILOG = """\
examples:
  dltheory verify                              check every claim
  dltheory verify --chapter classification     one chapter
  dltheory verify --claim classification.softmax-ce-gradient
  dltheory verify --profile thorough --json report.json
  dltheory list                                all claim ids

exit status: 0 all outcomes as declared, 1 some claim failed, 2 usage error
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, no usage dump
        self.exit(EXIT_USAGE, f"dltheory: error: {message} (see dltheory {self._sub()}--help)\n")

    def _sub(self) -> str:
        parts = self.prog.split()
        return f"{parts[1]} " if len(parts) > 1 else ""


def _parser() -> argparse.ArgumentParser:
    from dltheory import __version__

    parser = _Parser(
        prog="dltheory",
        description=_DESCRIPTION,
        epilog=_EPILOG,
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
        epilog=_EPILOG,
    )
    verify.add_argument("--chapter", metavar="NAME", help="only this chapter's claims")
    verify.add_argument(
        "--claim", metavar="ID", action="append", default=[], help="only this claim (repeatable)"
    )
    verify.add_argument(
        "--legs",
        metavar="LIST",
        default="symbolic,numeric,property",
        help="comma-separated legs to run (default: all three)",
    )
    verify.add_argument(
        "--profile",
        choices=("ci", "dev", "thorough"),
        default=None,
        help="Hypothesis profile: ci = deterministic, 60 examples (default, or "
        "$HYPOTHESIS_PROFILE); dev = random, 150; thorough = 2000",
    )
    verify.add_argument(
        "--device", default="cpu", help="device for the numeric legs: cpu (default) or cuda"
    )
    verify.add_argument("--json", metavar="PATH", help="write the machine-readable report here")
    verify.add_argument("--quiet", action="store_true", help="no progress lines, only the table")

    lister = sub.add_parser("list", help="list the claims (id, kind, title)")
    lister.add_argument("--chapter", metavar="NAME", help="only this chapter")
    return parser


def _check_device(device: str) -> str:
    import torch

    kind = device.split(":")[0]
    if kind not in ("cpu", "cuda"):
        raise ValueError(f"--device must be cpu or cuda, got {device!r}")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but no CUDA device is available")
    return device


def _progress(index: int, total: int, result, stream) -> None:
    flag = "" if result.as_declared else "  <-- not as declared"
    print(
        f"[{index:>3}/{total}] {result.claim.id:<55} {result.outcome:<20} "
        f"{result.seconds:6.2f}s{flag}",
        file=stream,
        flush=True,
    )


def _verify(args) -> int:
    from dltheory.core.profiles import load_profile, selected_profile
    from dltheory.core.registry import select
    from dltheory.core.report import format_table, summary, to_json, write_json
    from dltheory.core.runner import ALL_LEGS, run_claim

    legs = [leg.strip() for leg in args.legs.split(",") if leg.strip()]
    unknown = [leg for leg in legs if leg not in ALL_LEGS]
    if unknown or not legs:
        raise ValueError(f"--legs takes a comma-separated subset of {','.join(ALL_LEGS)}")
    claims = select(args.chapter, args.claim)
    if not claims:
        raise ValueError("no claim matches the selection")
    device = _check_device(args.device)
    profile = selected_profile(args.profile)
    if args.json and not Path(args.json).resolve().parent.is_dir():
        raise ValueError(f"--json: the directory of {args.json!r} does not exist")
    settings = load_profile(profile)

    start = time.perf_counter()
    results = []
    done: dict = {}  # results by claim id: a claim used by several others runs once
    for index, claim in enumerate(claims, 1):
        result = done.get(claim.id) or run_claim(
            claim, device=device, legs=legs, settings=settings, dependency_results=done
        )
        done[claim.id] = result
        results.append(result)
        if not args.quiet:
            _progress(index, len(claims), result, sys.stderr)
    elapsed = time.perf_counter() - start

    print(file=sys.stdout)
    format_table(results, sys.stdout)
    counts = summary(results)
    print(
        f"\n{counts['claims']} claims: {counts['verified']} verified, "
        f"{counts['refuted_as_expected']} refuted as expected (errata), {counts['failed']} failed, "
        f"{counts['skipped']} skipped - profile {profile}, device {device}, {elapsed:.1f}s"
    )
    if args.json:
        write_json(to_json(results, device=device, profile=profile, seconds=elapsed), args.json)
        print(f"report written to {args.json}")
    return EXIT_OK if all(r.as_declared for r in results) else EXIT_MISMATCH


def _list(args) -> int:
    from dltheory.core.registry import select

    for claim in select(args.chapter):
        print(f"{claim.id:<55} {claim.kind.value:<10} {claim.title}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _verify(args) if args.command == "verify" else _list(args)
    except ValueError as exc:
        print(f"dltheory: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
