r"""Generate the dltheory site from the claim registry, once per build.

Run by mkdocs-gen-files (``plugins: gen-files`` in mkdocs.yml). Nothing here is written twice:
every statement, derivation, property and status on the site comes from the same claim records,
SymPy objects and runner that ``dltheory verify`` and pytest use.

1. **Verification.** Every claim is run once, in this process, with the runner behind
   ``dltheory verify`` (profile ``ci``: derandomized, so the build is deterministic; device CPU).
   The results and the JSON report are kept for all pages of this build.
2. **Pages.** ``chapters/<name>.md`` for each chapter of ``registry.chapters()``, ``errata.md``,
   ``reference/index.md`` and ``reference/<name>.md`` for each chapter with a ``reference``
   module. The hand-written pages (``index.md``, ``verification.md``) carry markers
   ``<!-- dltheory:NAME -->`` that are replaced by generated tables.
3. **Figures.** For each chapter with a module ``dltheory.<name>.figures``, every entry of its
   ``FIGURES`` dict (``key -> (draw(ax), caption)``) is drawn with matplotlib into
   ``assets/figures/<name>/<key>.svg`` and shown on the chapter page. The SVG files exist only
   in the built site.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import io
import json
import logging
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import mkdocs_gen_files

log = logging.getLogger("mkdocs.plugins.dltheory")

PROFILE = "ci"  # deterministic: derandomized Hypothesis, the same examples on every build
DEVICE = "cpu"

OUTCOME_LABELS = {
    "verified": ("verified", ":material-check-circle:", "ok"),
    "refuted_as_expected": ("refuted as expected", ":material-close-circle:", "erratum"),
    "failed": ("FAILED", ":material-alert-circle:", "fail"),
    "skipped": ("skipped", ":material-minus-circle:", "skip"),
}
LEG_LABELS = {
    "proved": "proved (general)",
    "proved_fixed_size": "proved for fixed sizes",
    "disproved": "disproved at a witness",
    "passed": "passed",
    "refuted": "refuted",
    "failed": "FAILED",
    "not_applicable": "—",
    "skipped": "skipped",
}

# ---------------------------------------------------------------------------------------------
# Markdown helpers
# ---------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|$#])")


_INLINE_MATH = re.compile(r"(\$[^$]+\$)")


def text(value: str, *, link_ids: bool = True) -> str:
    """Plain text (claim titles, descriptions, step texts) made safe for Markdown.

    HTML and Markdown specials are escaped, so ``o_i >= o_j`` or ``1 <= c <= q`` show as
    written; ``$...$`` segments pass through as inline math for KaTeX; claim ids in the
    text become links to the claim.
    """
    parts = _INLINE_MATH.split(value)
    out = "".join(
        part if index % 2 else _MD_SPECIAL.sub(r"\\\1", html.escape(part, quote=False))
        for index, part in enumerate(parts)
    )
    if link_ids and _CLAIM_ID_RE is not None:
        out = _CLAIM_ID_RE.sub(lambda m: f"[`{m[0]}`][{m[0]}]", out)
    return out


def code(value: str) -> str:
    """An inline code span that survives backticks in ``value``."""
    fence = "``" if "`" in value else "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def display_math(latex: str, indent: str = "") -> list[str]:
    return ["", f"{indent}$$", f"{indent}{latex.strip()}", f"{indent}$$", ""]


def claim_ref(claim_id: str, label: str | None = None) -> str:
    """A link to a claim's section, resolved by mkdocs-autorefs from the heading id."""
    return f"[{label or code(claim_id)}][{claim_id}]"


def sympy_latex(expr: Any) -> str:
    import sympy as sp

    if isinstance(expr, bool):
        return r"\text{True}" if expr else r"\text{False}"
    return sp.latex(expr)


def witness_latex(witness: dict) -> str:
    return r",\ ".join(f"{sympy_latex(k)} = {sympy_latex(v)}" for k, v in witness.items())


def _is_trivial(residual: Any) -> bool:
    """A residual that is already ``0`` or ``True`` before simplification."""
    import sympy as sp

    return residual is True or residual is sp.true or getattr(residual, "is_zero", None) is True


def _is_expr(residual: Any) -> bool:
    """An expression residual (must simplify to 0) rather than a fact (must be True)."""
    import sympy as sp

    return not isinstance(residual, bool | sp.logic.boolalg.Boolean | sp.core.relational.Relational)


def outcome_badge(outcome: str) -> str:
    label, icon, css = OUTCOME_LABELS.get(outcome, (outcome, "", "skip"))
    return f'<span class="dlt-status dlt-status--{css}">{icon} {label}</span>'


def kind_badge(kind: str) -> str:
    return f'<span class="dlt-kind dlt-kind--{kind}">{kind}</span>'


# ---------------------------------------------------------------------------------------------
# The verification run (once per build)
# ---------------------------------------------------------------------------------------------


def run_verification() -> tuple[dict[str, Any], dict[str, Any]]:
    """Run every claim; return ``(results by id, report dict)``."""
    from dltheory.core import registry
    from dltheory.core.profiles import load_profile
    from dltheory.core.report import to_json
    from dltheory.core.runner import run_claim

    settings = load_profile(PROFILE)
    start = time.perf_counter()
    results = [run_claim(c, device=DEVICE, settings=settings) for c in registry.all_claims()]
    elapsed = time.perf_counter() - start
    report = to_json(results, device=DEVICE, profile=PROFILE)
    counts = report["summary"]
    log.info(
        "dltheory: ran %d claims in %.1f s (%d verified, %d refuted as expected, %d failed)",
        counts["claims"],
        elapsed,
        counts["verified"],
        counts["refuted_as_expected"],
        counts["failed"],
    )
    for result in results:
        if not result.as_declared:
            log.info("dltheory: %s", result.failure_report())
    return {r.claim.id: r for r in results}, report


def derivation_of(claim) -> tuple[Any | None, str | None]:
    """The claim's SymPy ``Derivation`` (recomputed: the runner does not return it)."""
    from dltheory.core import registry

    try:
        return registry.leg_function(claim, "symbolic")(), None
    except Exception as exc:  # shown on the page; the runner reports the same failure
        return None, f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def render_figures(chapter: str) -> list[tuple[str, str, str]]:
    """Draw ``dltheory.<chapter>.figures.FIGURES``; return ``(key, site path, caption)``."""
    name = f"dltheory.{chapter}.figures"
    if importlib.util.find_spec(name) is None:
        return []
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "dltheory"  # stable element ids in the SVG
    matplotlib.rcParams["svg.fonttype"] = "path"  # glyphs as paths: no font to load
    from matplotlib.figure import Figure

    figures = importlib.import_module(name).FIGURES
    out = []
    for key, (draw, caption) in figures.items():
        slug = re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")
        fig = Figure(figsize=(6.4, 3.6), layout="constrained")
        draw(fig.add_subplot())
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        path = f"assets/figures/{chapter}/{slug}.svg"
        with mkdocs_gen_files.open(path, "w") as f:
            f.write(buffer.getvalue())
        out.append((slug, path, caption))
    return out


# ---------------------------------------------------------------------------------------------
# Per-claim sections
# ---------------------------------------------------------------------------------------------


def _leg_summary(result) -> str:
    parts = []
    for name, leg in result.legs.items():
        if leg.status == "not_applicable":
            continue
        parts.append(f"{name} {LEG_LABELS.get(leg.status, leg.status)}")
    return "; ".join(parts)


def _failure_block(message: str, indent: str = "") -> list[str]:
    """A red admonition holding ``message`` verbatim (a code block: no Markdown, no math)."""
    fence = "~~~~" if "~~~" not in message else "~~~~~~~~"
    body = [f"{indent}    {line}" for line in (fence + "text", *message.splitlines(), fence)]
    return ["", f'{indent}!!! failure "Not as declared in this build"', "", *body, ""]


def symbolic_section(claim, result) -> list[str]:
    from dltheory.core.claim import NotApplicable

    leg = claim.symbolic
    lines = ["", "**Derivation (SymPy).**"]
    if isinstance(leg, NotApplicable):
        return [*lines[:-1], "", f"**Derivation.** No symbolic leg: {text(leg.reason)}", ""]
    status = result.legs["symbolic"]
    if claim.kind.value == "erratum":
        scope = f"Disproof of the statement as written ({text(leg.scope)})."
    elif leg.general:
        scope = f"A general proof: {text(leg.scope)}."
    else:
        scope = (
            f"A fixed-size check, not a general proof: {text(leg.scope)} only "
            f"(reported as *proved for fixed sizes*)."
        )
    lines[-1] += " " + scope
    derivation, error = derivation_of(claim)
    if derivation is None:
        return [*lines, *_failure_block(f"The derivation could not be computed: {error}")]
    lines.append("")
    for number, step in enumerate(derivation.steps, 1):
        lines.append(f"{number}. {text(step.text)}")
        lines += display_math(sympy_latex(step.expr), indent="    ")
    trivial = all(_is_trivial(r) for r in derivation.residuals)
    if claim.kind.value == "erratum":
        details = status.details
        if derivation.witness:
            witness = witness_latex(derivation.witness)
            value = details.get("value_at_witness")
            at = f", where it evaluates to {code(value)}" if value else ""
            lines += [
                "",
                f"The residual (as written minus correct) is not zero at the witness "
                f"${witness}${at}: the statement as written is false.",
            ]
    elif trivial:
        lines += ["", "The residual of the last step is already $0$ (or True) as derived."]
    else:
        lines += ["", "Residuals that SymPy simplifies to $0$ (or to True) in this build:"]
        for residual in derivation.residuals:
            arrow = r"\;\xrightarrow{\text{simplify}}\; " + (
                "0" if _is_expr(residual) else r"\text{True}"
            )
            lines += display_math(f"{sympy_latex(residual)} {arrow}")
    lines += ["", f"Status in this build: **{LEG_LABELS.get(status.status, status.status)}**."]
    if status.status == "failed":
        lines += _failure_block(status.details.get("message", "failed"))
    return lines


def numeric_section(claim, result) -> list[str]:
    from dltheory.core.claim import NotApplicable

    leg = claim.numeric
    if isinstance(leg, NotApplicable):
        return ["", f"**Numeric check.** None: {text(leg.reason)}", ""]
    status = result.legs["numeric"]
    dtypes = status.details.get("dtypes") or []
    done = ", ".join(code(d) for d in dtypes) if dtypes else "none"
    lines = [
        "",
        f"**Numeric check.** Oracle: {text(leg.oracle)}. Compared in float64 at the dtype's "
        f"tolerance ([table](../verification.md#tolerances)); dtypes that agreed on "
        f"{code(DEVICE)}: {done}. "
        f"Status: **{LEG_LABELS.get(status.status, status.status)}**.",
    ]
    if status.status == "failed":
        lines += _failure_block(status.details.get("message", "failed"))
    return lines


def property_section(claim, result) -> list[str]:
    from dltheory.core.claim import NotApplicable

    leg = claim.property
    if isinstance(leg, NotApplicable):
        return ["", f"**Property (Hypothesis).** None: {text(leg.reason)}", ""]
    status = result.legs["property"]
    details = status.details
    lines = ["", f"**Property (Hypothesis).** {text(leg.description)}."]
    if leg.latex:
        lines += display_math(leg.latex)
    examples = details.get("examples", 0)
    if status.status == "passed" and details.get("witness"):
        outcome = f"a witness was found after {examples} examples: {code(details['witness'])}"
    elif status.status == "passed":
        outcome = f"no counterexample in {examples} examples (profile {code(PROFILE)})"
    elif status.status == "refuted":
        outcome = "refuted; Hypothesis shrank the counterexample to"
    else:
        outcome = LEG_LABELS.get(status.status, status.status)
    lines += [
        "",
        f"Status in this build: **{LEG_LABELS.get(status.status, status.status)}** — "
        f"{outcome}" + ("" if status.status == "refuted" else "."),
    ]
    if status.status == "refuted":
        lines += ["", "```text", str(details.get("counterexample")), "```"]
    if status.status == "failed":
        lines += _failure_block(details.get("message", "failed"))
    return lines


def claim_section(claim, result, corrected_by: dict[str, list]) -> list[str]:
    erratum = claim.kind.value == "erratum"
    lines = [
        f"### {text(claim.title, link_ids=False)} {{#{claim.id}}}",
        "",
        f'<p class="dlt-claim-head" markdown="span">{kind_badge(claim.kind.value)} '
        f"{outcome_badge(result.outcome)} <code>{claim.id}</code></p>",
        "",
    ]
    if erratum:
        lines += ["**As the notes write it** (refuted):"]
    lines += display_math(claim.statement)

    facts = [f"- **Source:** § {text(claim.source)}", f"- **Kind:** {claim.kind.value}"]
    status = f"- **Status (this build):** {outcome_badge(result.outcome)}"
    legs = _leg_summary(result)
    facts.append(f"{status} — {legs}" if legs else status)
    if erratum:
        facts.append(f"- **Corrected claim:** {claim_ref(claim.corrects)}")
    for erratum_claim in corrected_by.get(claim.id, []):
        facts.append(
            f"- **Corrects the notes:** the notes' version is refuted in "
            f"{claim_ref(erratum_claim.id)}"
        )
    if claim.code:
        refs = ", ".join(
            f"[`{name}()`][dltheory.{claim.chapter}.reference.{name}]" for name in claim.code
        )
        facts.append(f"- **Reference implementation:** {refs}")
    facts.append(f'- **Test:** `pytest "{claim.test_id}"`')
    facts.append(f"- **Run it:** `dltheory verify --claim {claim.id}`")
    lines += facts
    if claim.note:
        lines += ["", '!!! note "How the statement is read"', "", f"    {text(claim.note)}"]
    lines += symbolic_section(claim, result)
    lines += numeric_section(claim, result)
    lines += property_section(claim, result)
    if not result.as_declared:
        lines += _failure_block(result.failure_report())
    lines += ["", ""]
    return lines


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def _summary_markdown(chapter) -> str:
    """The chapter record's summary (reST-ish; hooks.py renders its math and roles)."""
    summary = chapter.summary.strip()
    slugs = {c.slug: c.id for c in chapter.claims}
    return re.sub(
        r"``([a-z0-9-]+)``",
        lambda m: claim_ref(slugs[m[1]], code(m[1])) if m[1] in slugs else m[0],
        summary,
    )


def chapter_page(chapter, results, figures, corrected_by) -> str:
    counts = Counter(results[c.id].outcome for c in chapter.claims)
    lines = [
        f"# {chapter.order:g} {text(chapter.title, link_ids=False)}",
        "",
        f"Source in the notes: § {text(chapter.source)}. "
        f"{len(chapter.claims)} claims; in this build's run "
        + ", ".join(f"{counts[o]} {OUTCOME_LABELS[o][0]}" for o in OUTCOME_LABELS if counts.get(o))
        + ".",
        "",
        _summary_markdown(chapter),
        "",
        "## Overview {#overview}",
        "",
        '<div class="dlt-overview" markdown="1">',
        "",
        "| Claim | Kind | Symbolic | Numeric | Property | Status |",
        "|---|---|---|---|---|---|",
    ]
    for claim in chapter.claims:
        r = results[claim.id]
        legs = [LEG_LABELS.get(r.legs[n].status, r.legs[n].status) for n in r.legs]
        lines.append(
            f"| [{text(claim.title, link_ids=False)}](#{claim.id}) | {claim.kind.value} | "
            + " | ".join(legs)
            + f" | {outcome_badge(r.outcome)} |"
        )
    lines += ["", "</div>"]
    if figures:
        lines += ["", "## Figures {#figures}", ""]
        for slug, path, caption in figures:
            lines += [
                f'<figure class="dlt-figure" id="figure-{slug}" markdown="1">',
                "",
                f"![Figure: {slug.replace('-', ' ')}](../{path})",
                "",
                f'<figcaption markdown="span">{caption}</figcaption>',
                "",
                "</figure>",
                "",
            ]
    lines += ["", "## Claims {#claims}", ""]
    for claim in chapter.claims:
        lines += claim_section(claim, results[claim.id], corrected_by)
    return "\n".join(lines)


def errata_page(chapters, results) -> str:
    from dltheory.core import registry

    errata = [c for c in registry.all_claims() if c.kind.value == "erratum"]
    lines = [
        "# Errata",
        "",
        "Statements of the notes that are false as written. For each one, Hypothesis searched "
        "for an input that violates the statement, found one and shrank it to the simplest it "
        "could; where there is a symbolic leg, SymPy evaluates the statement at a witness. The "
        "corrected statement is a separate claim that must verify.",
        "",
        f"{len(errata)} {'erratum' if len(errata) == 1 else 'errata'} in this build"
        + (
            ", all refuted as expected."
            if all(results[c.id].outcome == "refuted_as_expected" for c in errata)
            else "; **some are not refuted as expected** (see below)."
        ),
        "",
    ]
    for chapter in chapters:
        mine = [c for c in errata if c.chapter == chapter.name]
        if not mine:
            continue
        lines += [f"## {chapter.order:g} {text(chapter.title, link_ids=False)}", ""]
        for claim in mine:
            result = results[claim.id]
            corrected = registry.get_claim(claim.corrects)
            prop = result.legs["property"].details
            lines += [
                f"### {text(claim.title, link_ids=False)} {{#erratum-{claim.id}}}",
                "",
                f'<p class="dlt-claim-head" markdown="span">{outcome_badge(result.outcome)} '
                f"<code>{claim.id}</code></p>",
                "",
                f"From § {text(claim.source)}; full record: {claim_ref(claim.id)}.",
                "",
                "**As the notes write it:**",
                *display_math(claim.statement),
            ]
            if claim.note:
                lines += [text(claim.note), ""]
            lines += [
                f"**Property that fails:** {text(claim.property.description)}.",
                "",
                "**Shrunk counterexample** (Hypothesis, profile "
                f"{code(PROFILE)}, after {prop.get('examples', 0)} examples):",
                "",
                "```text",
                str(prop.get("counterexample")),
                "```",
                "",
            ]
            sym = result.legs["symbolic"].details
            derivation = derivation_of(claim)[0] if sym.get("witness") else None
            if derivation is not None and derivation.witness:
                lines += [
                    f"**Symbolic witness:** at ${witness_latex(derivation.witness)}$ the "
                    f"difference between the statement as written and the correct one is "
                    f"{code(sym.get('value_at_witness', '?'))}, not 0.",
                    "",
                ]
            lines += [
                f"**Corrected claim:** {claim_ref(corrected.id, text(corrected.title))} "
                f"({outcome_badge(results[corrected.id].outcome)}):",
                *display_math(corrected.statement),
                "",
            ]
    if not errata:
        lines += ["No erratum is registered."]
    return "\n".join(lines)


def reference_page(chapter, module) -> str:
    names = list(getattr(module, "__all__", ()))
    example = names[0] if names else "..."
    checked: dict[str, list[str]] = {name: [] for name in names}
    for claim in chapter.claims:
        for name in claim.code:
            checked.setdefault(name, []).append(claim.id)
    lines = [
        f"# `dltheory.{chapter.name}`",
        "",
        f"Reference implementations for § {text(chapter.source)}. Import them from the "
        f"chapter package, e.g. `from dltheory.{chapter.name} import {example}`. "
        f"The claims that check them are on the "
        f"[chapter page](../chapters/{chapter.name}.md).",
        "",
        "| Function | Checked by |",
        "|---|---|",
    ]
    for name in names:
        claims = ", ".join(claim_ref(cid) for cid in checked.get(name, [])) or "—"
        lines.append(f"| [`{name}()`][{module.__name__}.{name}] | {claims} |")
    lines += [
        "",
        f"::: {module.__name__}",
        "    options:",
        "      show_root_heading: true",
        "      filters: public",  # the names in __all__, in source order
        "",
    ]
    return "\n".join(lines)


def reference_index(entries) -> str:
    lines = [
        "# API reference",
        "",
        "Every chapter package exports checked reference functions, written from the formulas "
        "(not by calling the matching `torch` built-in, which serves as an oracle instead). "
        "They follow `torch.nn.functional`'s conventions: tensors first, `dim`, `keepdim`, "
        '`reduction="mean" | "sum" | "none"`; they keep dtype and device, never mutate '
        "their inputs, and are differentiable.",
        "",
        "| Module | Functions |",
        "|---|---|",
    ]
    for chapter, module in entries:
        names = ", ".join(f"[`{n}`][{module.__name__}.{n}]" for n in module.__all__)
        lines.append(f"| [`dltheory.{chapter.name}`]({chapter.name}.md) | {names} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Generated parts of the hand-written pages
# ---------------------------------------------------------------------------------------------


def status_block(chapters, results, report) -> str:
    counts = report["summary"]
    lines = [
        f"This build ran every claim (dltheory {report['dltheory']}, profile "
        f"{code(report['profile'])}, device {code(report['device'])}): "
        f"**{counts['claims']} claims** — {counts['verified']} verified, "
        f"{counts['refuted_as_expected']} "
        f"{'erratum' if counts['refuted_as_expected'] == 1 else 'errata'} refuted as expected, "
        f"{counts['failed']} failed, {counts['skipped']} skipped.",
        "",
        "| Chapter | Claims | Verified | Errata refuted | Failed | Proved in general | "
        "Proved for fixed sizes |",
        "|---|---|---|---|---|---|---|",
    ]
    for chapter in chapters:
        rs = [results[c.id] for c in chapter.claims]
        outcome = Counter(r.outcome for r in rs)
        sym = Counter(r.legs["symbolic"].status for r in rs)
        lines.append(
            f"| [{chapter.order:g} {text(chapter.title, link_ids=False)}]"
            f"(chapters/{chapter.name}.md) | {len(rs)} | {outcome['verified']} | "
            f"{outcome['refuted_as_expected']} | {outcome['failed']} | {sym['proved']} | "
            f"{sym['proved_fixed_size']} |"
        )
    bad = [r for r in results.values() if not r.as_declared]
    if bad:
        lines += ["", '!!! failure "Claims not as declared in this build"', ""]
        lines += [f"    - {claim_ref(r.claim.id)}: {r.outcome}" for r in bad]
    return "\n".join(lines)


def tolerance_block() -> str:
    from dltheory.core.tolerances import TOLERANCES

    lines = ["| dtype | rtol | atol |", "|---|---|---|"]
    for dtype, tol in TOLERANCES.items():
        lines.append(f"| `{str(dtype).removeprefix('torch.')}` | {tol.rtol:g} | {tol.atol:g} |")
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


def fill_markers(page: str, blocks: dict[str, str]) -> None:
    source = Path(mkdocs_gen_files.config.docs_dir, page).read_text(encoding="utf-8")

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in blocks:
            raise KeyError(f"{page}: unknown marker <!-- dltheory:{name} -->")
        return blocks[name]

    filled = re.sub(r"<!-- dltheory:([a-z-]+) -->", replace, source)
    with mkdocs_gen_files.open(page, "w") as f:
        f.write(filled)


# ---------------------------------------------------------------------------------------------


def main() -> None:
    global _CLAIM_ID_RE
    from dltheory.core import registry

    start = time.perf_counter()
    chapters = registry.chapters()
    ids = sorted((c.id for c in registry.all_claims()), key=len, reverse=True)
    _CLAIM_ID_RE = re.compile(r"\b(?:" + "|".join(map(re.escape, ids)) + r")\b") if ids else None
    results, report = run_verification()

    corrected_by: dict[str, list] = {}
    for claim in registry.all_claims():
        if claim.corrects:
            corrected_by.setdefault(claim.corrects, []).append(claim)

    api = []
    for chapter in chapters:
        figures = render_figures(chapter.name)
        with mkdocs_gen_files.open(f"chapters/{chapter.name}.md", "w") as f:
            f.write(chapter_page(chapter, results, figures, corrected_by))
        spec = importlib.util.find_spec(f"dltheory.{chapter.name}.reference")
        if spec is not None:
            module = importlib.import_module(f"dltheory.{chapter.name}.reference")
            api.append((chapter, module))
            with mkdocs_gen_files.open(f"reference/{chapter.name}.md", "w") as f:
                f.write(reference_page(chapter, module))
    with mkdocs_gen_files.open("reference/index.md", "w") as f:
        f.write(reference_index(api))
    with mkdocs_gen_files.open("errata.md", "w") as f:
        f.write(errata_page(chapters, results))

    fill_markers("index.md", {"status": status_block(chapters, results, report)})
    fill_markers(
        "verification.md",
        {
            "tolerances": tolerance_block(),
            "profiles": profiles_block(),
            "oracles": oracles_block(results),
            "exit-codes": exit_codes_block(),
            "report-example": report_example_block(report),
        },
    )
    log.info("dltheory: generated the site's pages in %.1f s", time.perf_counter() - start)


_CLAIM_ID_RE: re.Pattern[str] | None = None

main()
