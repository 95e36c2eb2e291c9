"""The verification report: the JSON contract of DESIGN.md §4 and the terminal table."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from dltheory.core.runner import ClaimResult

__all__ = ["OUTCOMES", "format_table", "plural", "summary", "summary_line", "to_json", "write_json"]

OUTCOMES = ("verified", "refuted_as_expected", "noted", "failed", "skipped")


def summary(results: Sequence[ClaimResult]) -> dict[str, int]:
    counts = Counter(r.outcome for r in results)
    return {"claims": len(results), **{o: counts.get(o, 0) for o in OUTCOMES}}


def plural(count: int, noun: str) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary_line(results: Sequence[ClaimResult], *, checked: bool = False) -> str:
    """``15 claims: 13 verified, 2 noted (notation notes), 0 failed``: the errata, notation
    notes and skipped claims counted apart, each only when there are any."""
    counts = summary(results)
    parts = [f"{counts['verified']} verified"]
    if counts["refuted_as_expected"]:
        parts.append(f"{counts['refuted_as_expected']} refuted as expected (errata)")
    if counts["noted"]:
        parts.append(f"{counts['noted']} noted (notation notes)")
    parts.append(f"{counts['failed']} failed")
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped")
    return f"{plural(counts['claims'], 'claim')}{' checked' if checked else ''}: " + ", ".join(
        parts
    )


def _leg_json(name: str, result) -> dict[str, Any]:
    d = result.details
    out: dict[str, Any] = {"status": result.status, "seconds": round(result.seconds, 4)}
    if d.get("location"):
        out["location"] = d["location"]
    if name == "symbolic":
        out["scope"] = d.get("scope")
        if d.get("rerun") is False:  # dltheory check: the reference run's status, not rerun
            out["rerun"] = False
    elif name == "numeric":
        out["oracle"] = d.get("oracle")
        if "dtypes" in d:
            out["dtypes"] = d["dtypes"]
            out["device"] = d.get("device")
    else:
        out["examples"] = d.get("examples", 0)
        out["counterexample"] = d.get("counterexample")
        out["counterexample_values"] = d.get("counterexample_values")
        if d.get("witness"):
            out["witness"] = d["witness"]
            out["witness_values"] = d.get("witness_values")
    for key in ("reason", "message", "witness", "value_at_witness"):
        if d.get(key) is not None and key not in out:
            out[key] = d[key]
    return out


def claim_json(result: ClaimResult) -> dict[str, Any]:
    c = result.claim
    locations = c.code_locations
    return {
        "id": c.id,
        "chapter": c.chapter,
        "title": c.title,
        "statement": c.statement,
        "source": c.source,
        "kind": c.kind.value,
        "corrects": c.corrects,
        "location": c.location,
        "uses": list(c.uses),
        "outcome": result.outcome,
        "expected": c.expected_outcome,
        "seconds": round(result.seconds, 4),
        "legs": {name: _leg_json(name, leg) for name, leg in result.legs.items()},
        "test_id": c.test_id,
        "code": locations[0] if locations else None,
        "code_all": locations,
        "failed_dependencies": result.failed_dependencies,
        **result.extra,  # dltheory check: functions substituted, reproduction, command
    }


def to_json(
    results: Sequence[ClaimResult], *, device: str, profile: str, seconds: float | None = None
) -> dict[str, Any]:
    from dltheory import __version__

    report: dict[str, Any] = {
        "dltheory": __version__,
        "device": device,
        "profile": profile,
        "summary": summary(results),
        "claims": [claim_json(r) for r in results],
    }
    if seconds is not None:
        report["seconds"] = round(seconds, 3)
    return report


def write_json(report: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


_SHORT = {
    "proved": "proved",
    "proved_fixed_size": "proved*",
    "disproved": "disproved",
    "passed": "passed",
    "refuted": "refuted",
    "failed": "FAILED",
    "not_applicable": "-",
    "skipped": "skip",
}


def _cell(leg) -> str:
    text = _SHORT.get(leg.status, leg.status)
    return f"({text})" if leg.details.get("rerun") is False else text


def format_table(results: Sequence[ClaimResult], out: TextIO) -> None:
    """One line per claim: id, the three legs, outcome; then legends, counterexamples and
    witnesses (labelled with the claim's names), and a report of each claim not as declared."""
    width = max([len(r.claim.id) for r in results] + [5])
    header = f"{'claim':<{width}}  {'symbolic':<10} {'numeric':<8} {'property':<9} outcome"
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in results:
        legs = [_cell(r.legs[n]) for n in r.legs]
        outcome = (
            r.outcome
            if r.as_declared
            else f"{r.outcome.upper()} (expected {r.claim.expected_outcome})"
        )
        print(f"{r.claim.id:<{width}}  {legs[0]:<10} {legs[1]:<8} {legs[2]:<9} {outcome}", file=out)
    statuses = [leg.status for r in results for leg in r.legs.values()]
    if "proved_fixed_size" in statuses:
        print("(proved* = proved for the fixed sizes the claim names, not in general)", file=out)
    if any(leg.details.get("rerun") is False for r in results for leg in r.legs.values()):
        print(
            "(parentheses: a symbolic leg is about the mathematics, not the code under test; "
            "not rerun, its status is the one `dltheory verify` establishes)",
            file=out,
        )
    refuted = [r for r in results if r.legs["property"].details.get("counterexample")]
    if refuted:
        print("\nCounterexamples found by Hypothesis (shrunk):", file=out)
        for r in refuted:
            print(f"  {r.claim.id}: {r.legs['property'].details['counterexample']}", file=out)
    witnessed = [r for r in results if r.legs["property"].details.get("witness")]
    if witnessed:
        print("\nWitnesses found by Hypothesis (existence claims):", file=out)
        for r in witnessed:
            print(f"  {r.claim.id}: {r.legs['property'].details['witness']}", file=out)
    failed = [r for r in results if not r.as_declared]
    if failed:
        print("\nNot as declared:", file=out)
        for r in failed:
            print(r.failure_report(), file=out)
