"""Tables generated for the verification and benchmarks pages: tolerances, Hypothesis
profiles, the oracle of every numeric leg, exit codes, a report excerpt, where the run's time
goes and the committed benchmark results (imported by gen_pages.py)."""

from __future__ import annotations

import json
from pathlib import Path

from site_markdown import claim_ref, text


def tolerance_block() -> str:
    from dltheory.core.tolerances import TOLERANCES

    lines = ["| dtype | rtol | atol | ulps (vs an exact oracle) |", "|---|---|---|---|"]
    for dtype, tol in TOLERANCES.items():
        name = str(dtype).removeprefix("torch.")
        lines.append(f"| `{name}` | {tol.rtol:g} | {tol.atol:g} | {tol.ulps:g} |")
    return "\n".join(lines)


def profiles_block() -> str:
    from hypothesis import settings

    from dltheory.core.profiles import DEFAULT_PROFILE, PROFILES, register_profiles

    register_profiles()
    lines = [
        "| Profile | Examples per property | Derandomized | Deadline | Example database |",
        "|---|---|---|---|---|",
    ]
    for name in PROFILES:
        p = settings.get_profile(name)
        shown = f"`{name}` (default)" if name == DEFAULT_PROFILE else f"`{name}`"
        lines.append(
            f"| {shown} | {p.max_examples} | {'yes' if p.derandomize else 'no'} | "
            f"{'none' if p.deadline is None else p.deadline} | "
            f"{'none' if p.database is None else 'local (.hypothesis/)'} |"
        )
    return "\n".join(lines)


def timings_block(chapters, results) -> str:
    """Seconds per chapter and leg in this build's run (each claim's own legs, in the worker
    that ran it), and the chapter's slowest claim."""
    legs = ("symbolic", "numeric", "property")
    lines = [
        "| Chapter | Claims | Symbolic (s) | Numeric (s) | Property (s) | Total (s) "
        "| Slowest claim (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    totals = dict.fromkeys(legs, 0.0)
    for chapter in chapters:
        rs = [r for r in results.values() if r.claim.chapter == chapter.name]
        per = {leg: sum(r.legs[leg].seconds for r in rs if leg in r.legs) for leg in legs}
        for leg in legs:
            totals[leg] += per[leg]
        slowest = max(rs, key=lambda r: r.seconds)
        lines.append(
            f"| {chapter.name} | {len(rs)} | "
            + " | ".join(f"{per[leg]:.1f}" for leg in legs)
            + f" | {sum(per.values()):.1f} | {claim_ref(slowest.claim.id)} "
            f"({slowest.seconds:.2f}) |"
        )
    lines.append(
        f"| **all** | {len(results)} | "
        + " | ".join(f"{totals[leg]:.1f}" for leg in legs)
        + f" | {sum(totals.values()):.1f} | |"
    )
    return "\n".join(lines)


def oracles_block(results) -> str:
    from dltheory.core import registry
    from dltheory.core.claim import NumericLeg

    lines = ["| Claim | Oracle | dtypes |", "|---|---|---|"]
    for claim in registry.all_claims():
        if isinstance(claim.numeric, NumericLeg):
            lines.append(
                f"| {claim_ref(claim.id)} | {text(claim.numeric.oracle)} | "
                f"{', '.join(claim.numeric.dtypes)} |"
            )
    return "\n".join(lines)


def benchmarks_block() -> str:
    """The committed ``benchmarks/results.json`` as tables (speed, then accuracy)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "results.json"
    if not path.exists():
        return "No benchmark results are committed yet."
    data = json.loads(path.read_text(encoding="utf-8"))
    m = data["machine"]
    lines = [
        f"Measured on {data['date']}: {m['processor']}, {m['cpus']} CPUs, {m['platform']}; "
        f"Python {m['python']}, torch {m['torch']}, {m['threads']} thread(s), device "
        f"`{m['device']}`"
        + (f" ({m['gpu']})" if m.get("gpu") else "")
        + (f"; allocator: {m['allocator']}" if m.get("allocator") else "")
        + ".",
        "",
        "| Function | Shape | Ours (ms) | Built-in | Built-in (ms) | Ratio | Goal |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        goal = "—" if r["goal"] is None else f"≤ {r['goal']:g}"
        mark = "" if r["within_goal"] in (None, True) else " (over)"
        lines.append(
            f"| `{r['function']}` | {r['shape']} | {r['ours_ms']:.4g} | {text(r['builtin'])} | "
            f"{r['builtin_ms']:.4g} | {r['ratio']:.2f}{mark} | {goal} |"
        )

    over = [r for r in data["rows"] if r["within_goal"] is False]
    if over:
        lines += ["", "Rows over their goal, and what the extra time buys:", ""]
        for r in over:
            why = r.get("why") or "not explained yet: a performance bug to fix"
            lines.append(f"- `{r['function']}` {r['shape']} ({r['ratio']:.2f}): {text(why)}")

    def eps(value) -> str:
        return "—" if value is None else ("∞" if value == float("inf") else f"{value:.3g}")

    lines += [
        "",
        "| Function | Inputs | Ours (eps) | Built-in | Built-in (eps) |",
        "|---|---|---|---|---|",
    ]
    for a in data["accuracy"]:
        lines.append(
            f"| `{a['function']}` | {text(a['inputs'])} | {eps(a['ours_eps'])} | "
            f"{text(a['builtin'] or '—')} | {eps(a['builtin_eps'])} |"
        )
    return "\n".join(lines)


def exit_codes_block() -> str:
    from dltheory import cli

    return "\n".join(
        [
            "| Exit status | Meaning |",
            "|---|---|",
            f"| {cli.EXIT_OK} | every claim's outcome is what its record declares "
            "(theorems verified, errata refuted as expected) |",
            f"| {cli.EXIT_MISMATCH} | at least one claim's outcome differs from its record |",
            f"| {cli.EXIT_USAGE} | usage error (unknown chapter, claim id, leg or profile) |",
            f"| {cli.EXIT_INTERRUPTED} | interrupted with Ctrl-C (the claims finished so far "
            "are reported) |",
        ]
    )


def report_example_block(report) -> str:
    """One real entry of this build's report (an erratum if there is one), timings removed."""
    entries = report["claims"]
    entry = next((e for e in entries if e["kind"] == "erratum"), entries[0] if entries else {})

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "seconds"}
        return value

    body = json.dumps(strip(entry), indent=2, ensure_ascii=False)
    return "\n".join(["```json", body, "```"])
