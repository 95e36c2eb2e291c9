r"""Generate the dltheory site from the claim registry, once per build.

Run by mkdocs-gen-files (``plugins: gen-files`` in mkdocs.yml). Nothing here is written twice:
every statement, derivation, property and status on the site comes from the same claim records,
SymPy objects and runner that ``dltheory verify`` and pytest use.

1. **Verification.** Every claim is run once with the runner behind ``dltheory verify``, in one
   worker process per CPU as ``dltheory verify`` does (profile ``ci``: derandomized, so the
   build is deterministic whatever the worker count; device CPU).
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

import importlib
import importlib.util
import io
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import mkdocs_gen_files

log = logging.getLogger("mkdocs.plugins.dltheory")


sys.path.insert(0, str(Path(__file__).parent))  # docs/ holds the helper modules

from check_page import check_example_block, check_functions_block  # noqa: E402
from dependency_graph import dependency_svg  # noqa: E402
from page_blocks import (  # noqa: E402
    benchmarks_block,
    exit_codes_block,
    oracles_block,
    profiles_block,
    report_example_block,
    timings_block,
    tolerance_block,
)
from site_markdown import (  # noqa: E402
    DEVICE,
    LEG_LABELS,
    OUTCOME_LABELS,
    PROFILE,
    claim_ref,
    claim_section,
    code,
    derivation_of,
    display_math,
    outcome_badge,
    set_claim_ids,
    sympy_latex,
    text,
    witness_latex,
)

# ---------------------------------------------------------------------------------------------
# The verification run (once per build)
# ---------------------------------------------------------------------------------------------


def run_verification() -> tuple[dict[str, Any], dict[str, Any]]:
    """Run every claim; return ``(results by id, report dict)``."""
    from dltheory.core import registry
    from dltheory.core.parallel import default_jobs, run_claims
    from dltheory.core.report import to_json
    from dltheory.core.runner import ALL_LEGS

    claims = registry.all_claims()
    jobs = min(default_jobs(), len(claims))
    start = time.perf_counter()
    results = run_claims(claims, jobs, device=DEVICE, legs=ALL_LEGS, profile=PROFILE)
    elapsed = time.perf_counter() - start
    report = to_json(results, device=DEVICE, profile=PROFILE)
    counts = report["summary"]
    log.info(
        "dltheory: ran %d claims in %.1f s (%d verified, %d refuted as expected, %d noted, "
        "%d failed; %d worker processes)",
        counts["claims"],
        elapsed,
        counts["verified"],
        counts["refuted_as_expected"],
        counts["noted"],
        counts["failed"],
        jobs,
    )
    for result in results:
        if not result.as_declared:
            log.info("dltheory: %s", result.failure_report())
    return {r.claim.id: r for r in results}, report


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def alt_text(caption: str) -> str:
    r"""Plain words for an image's alt text from its Markdown caption: math shown as its
    symbols (``$\sigma(x)$`` -> ``σ(x)``-like text without backslashes), no markup."""
    greek = {
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
        "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ",
        "ell": "ℓ", "infty": "∞", "le": "≤", "ge": "≥", "cdot": "·", "to": "→", "approx": "≈",
    }  # fmt: skip

    def math(match: re.Match[str]) -> str:
        body = re.sub(r"\\(?:operatorname|mathrm|text|mathbf|mathcal)\{([^}]*)\}", r"\1", match[1])
        body = re.sub(r"\\([a-zA-Z]+)", lambda m: greek.get(m[1], m[1]), body)
        return re.sub(r"[{}\\]", "", body).replace("^", "^").strip()

    plain = re.sub(r"\$([^$]+)\$", math, caption)
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]", r"\1\2", plain)
    return " ".join(re.sub(r"[*_`<>\"]", "", plain).split())


def render_figures(chapter: str) -> list[tuple[str, str, str, str]]:
    """Draw ``dltheory.<chapter>.figures.FIGURES``; return ``(key, path, caption, alt)``.

    An entry is ``key: (draw, caption)`` or ``key: (draw, caption, alt)``; without an
    explicit alt text, the caption in plain words is used. Fonts are large enough to stay
    legible when the figure is scaled to a phone's width.
    """
    name = f"dltheory.{chapter}.figures"
    if importlib.util.find_spec(name) is None:
        return []
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "dltheory"  # stable element ids in the SVG
    matplotlib.rcParams["svg.fonttype"] = "path"  # glyphs as paths: no font to load
    matplotlib.rcParams.update({"font.size": 12, "legend.fontsize": 11})
    from matplotlib.figure import Figure

    figures = importlib.import_module(name).FIGURES
    out = []
    for key, (draw, caption, *alt) in figures.items():
        slug = re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")
        fig = Figure(figsize=(5.6, 3.6), layout="constrained")
        draw(fig.add_subplot())
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        path = f"assets/figures/{chapter}/{slug}.svg"
        with mkdocs_gen_files.open(path, "w") as f:
            f.write(buffer.getvalue())
        out.append((slug, path, caption, alt[0] if alt else alt_text(caption)))
    return out


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def _summary_markdown(chapter) -> str:
    """The chapter record's summary (reST-ish; hooks.py renders its math and roles)."""
    summary = chapter.summary.strip()
    slugs = {c.slug: c.id for c in _claims(chapter)}
    return re.sub(
        r"``([a-z0-9-]+)``",
        lambda m: claim_ref(slugs[m[1]], code(m[1])) if m[1] in slugs else m[0],
        summary,
    )


def _claims(chapter):
    from dltheory.core import registry

    return registry.chapter_claims(chapter)


def graph_section(chapter, results) -> list[str]:
    """The chapter's dependency graph (claims coloured by outcome, arrows to citing claims)."""
    from dltheory.core import registry

    claims = _claims(chapter)
    uses = {c.id: list(c.uses) for c in registry.all_claims()}
    href = {c.id: f"#{c.id}" for c in claims}
    for c in claims:
        for used in c.uses:
            if used not in href:
                href[used] = f"../{used.partition('.')[0]}/#{used}"
    outcomes = {cid: r.outcome for cid, r in results.items()}
    svg = dependency_svg([c.id for c in claims], uses, outcomes, href)
    edges = sum(len(c.uses) for c in claims)
    return [
        "## Dependency graph {#dependency-graph}",
        "",
        f"An arrow runs from a claim to each claim whose derivation cites it ({edges} "
        f"citation{'s' if edges != 1 else ''} in this chapter); claims of other chapters have a "
        "dashed border. Colours are this build's outcomes; every box links to its claim.",
        "",
        f'<div class="dlt-graph-wrap">{svg}</div>',
        "",
    ]


def chapter_page(chapter, results, figures, corrected_by, used_by) -> str:
    counts = Counter(results[c.id].outcome for c in _claims(chapter))
    lines = [
        f"# {chapter.order:g} {text(chapter.title, link_ids=False)}",
        "",
        f"Source in the notes: § {text(chapter.source)}. "
        f"{len(_claims(chapter))} claims; in this build's run "
        + ", ".join(f"{counts[o]} {OUTCOME_LABELS[o][0]}" for o in OUTCOME_LABELS if counts.get(o))
        + ".",
        "",
        _summary_markdown(chapter),
        "",
        "## Overview {#overview}",
        "",
        '<div class="dlt-overview" markdown="1">',
        "",
        "| Claim | Status | Symbolic | Numeric | Property | Kind |",
        "|---|---|---|---|---|---|",
    ]
    for claim in _claims(chapter):
        r = results[claim.id]
        legs = [LEG_LABELS.get(r.legs[n].status, r.legs[n].status) for n in r.legs]
        lines.append(
            f"| [{text(claim.title, link_ids=False)}](#{claim.id}) | {outcome_badge(r.outcome)} | "
            + " | ".join(legs)
            + f" | {claim.kind.value} |"
        )
    lines += ["", "</div>", "", *graph_section(chapter, results)]
    if figures:
        lines += ["", "## Figures {#figures}", ""]
        for slug, path, caption, alt in figures:
            alt = alt.replace("[", "(").replace("]", ")")
            lines += [
                f'<figure class="dlt-figure" id="figure-{slug}" markdown="1">',
                "",
                f"![{alt}](../{path})",
                "",
                f'<figcaption markdown="span">{caption}</figcaption>',
                "",
                "</figure>",
                "",
            ]
    lines += ["", "## Claims {#claims}", ""]
    for claim in _claims(chapter):
        lines += claim_section(claim, results[claim.id], corrected_by, used_by)
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
            derivation = derivation_of(result)[0] if sym.get("witness") else None
            if derivation is not None and derivation.witness:
                lines += [
                    f"**Symbolic witness:** at ${witness_latex(derivation.witness)}$ the "
                    f"difference between the statement as written and the correct one is "
                    f"{code(sym.get('value_at_witness', '?'))}, not 0{witness_where(derivation)}.",
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
    lines += notation_section(chapters, results)
    return "\n".join(lines)


def witness_where(derivation) -> str:
    """``", where $a$ is ...; $b$ is ..."``: what each symbol of the witness stands for."""
    by_name = {str(k): k for k in derivation.witness}
    parts = []
    for name, meaning in derivation.witness_symbols.items():
        symbol = f"${sympy_latex(by_name[name])}$" if name in by_name else f"${name}[\\dots]$"
        parts.append(f"{symbol} is {text(meaning)}")
    return f", where {'; '.join(parts)}" if parts else ""


def notation_section(chapters, results) -> list[str]:
    """Slips of wording or notation: nothing false is asserted, so nothing is refuted."""
    from dltheory.core import registry

    notes = [c for c in registry.all_claims() if c.kind.value == "notation"]
    lines = [
        "",
        "## Notation and wording notes {#notation}",
        "",
        "Places where the notes reuse a letter, name a symbol they never define, or say one "
        "thing where they mean another. Read literally they may not even parse; read as "
        "intended they are right, so there is nothing for Hypothesis to refute. Each note gives "
        "the reading that fixes it and the claim that states it correctly.",
        "",
        f"{len(notes)} notation {'note' if len(notes) == 1 else 'notes'} in this build.",
        "",
    ]
    for chapter in chapters:
        for claim in (c for c in notes if c.chapter == chapter.name):
            corrected = registry.get_claim(claim.corrects)
            lines += [
                f"### {text(claim.title, link_ids=False)} {{#erratum-{claim.id}}}",
                "",
                f'<p class="dlt-claim-head" markdown="span">'
                f"{outcome_badge(results[claim.id].outcome)} <code>{claim.id}</code></p>",
                "",
                f"From § {text(claim.source)} ({chapter.order:g} {text(chapter.title)}); "
                f"full record: {claim_ref(claim.id)}.",
                "",
                "**As the notes write it:**",
                *display_math(claim.statement),
                f"**The reading that fixes it:** {text(claim.note)}",
                "",
                f"**Stated correctly in:** {claim_ref(corrected.id, text(corrected.title))} "
                f"({outcome_badge(results[corrected.id].outcome)}):",
                *display_math(corrected.statement),
                "",
            ]
    return lines


def reference_page(chapter, module) -> str:
    """One chapter's API page: each public function under its public import path, followed by
    the claims that check it."""
    names = list(getattr(module, "__all__", ()))
    package = f"dltheory.{chapter.name}"
    example = names[0] if names else "..."
    checked: dict[str, list[str]] = {name: [] for name in names}
    from dltheory.core import registry

    for claim in registry.all_claims():
        for qualified in claim.functions:
            owner, _, name = qualified.partition(".")
            if owner == chapter.name:
                checked.setdefault(name, []).append(claim.id)
    lines = [
        f"# `{package}` {{#{package}}}",
        "",
        f"Reference implementations for § {text(chapter.source)}. Import them from the "
        f"chapter package, e.g. `from {package} import {example}`. "
        f"The claims that check them are on the [chapter page](../chapters/{chapter.name}.md).",
        "",
        '<div class="dlt-api-index" markdown="1">',
        "",
        "| Function | Checked by |",
        "|---|---|",
    ]
    for name in names:
        claims = ", ".join(claim_ref(cid) for cid in checked.get(name, [])) or "—"
        lines.append(f"| [`{name}()`][{package}.{name}] | {claims} |")
    lines += ["", "</div>", ""]
    for name in names:
        claims = ", ".join(claim_ref(cid) for cid in checked.get(name, [])) or "no claim"
        lines += [
            f"::: {package}.{name}",
            "    options:",
            "      show_root_heading: true",
            "      show_root_full_path: true",
            "      heading_level: 2",
            "",
            f'<p class="dlt-checked-by" markdown="span">**Checked by:** {claims}</p>',
            "",
        ]
    return "\n".join(lines)


def reference_index(entries) -> str:
    lines = [
        "# API reference",
        "",
        "Every chapter package exports checked reference functions, written from the formulas. "
        "Where a fused `torch` kernel computes part of a formula well (the softmax passes), they "
        "build on it and recompute what it gets wrong, such as the largest log-probability of a "
        "confident row; the claims then check them against oracles independent of that kernel "
        "(mpmath, SciPy, autograd of another expression). "
        "They follow `torch.nn.functional`'s conventions: tensors first, `dim`, `keepdim`, "
        '`reduction="mean" | "sum" | "none"`; they keep dtype and device, never mutate '
        "their inputs, and are differentiable.",
        "",
        "| Module | Functions |",
        "|---|---|",
    ]
    for chapter, module in entries:
        package = f"dltheory.{chapter.name}"
        names = ", ".join(f"[`{n}`][{package}.{n}]" for n in module.__all__)
        lines.append(f"| [`dltheory.{chapter.name}`]({chapter.name}.md) | {names} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Generated parts of the hand-written pages
# ---------------------------------------------------------------------------------------------


def build_stamp() -> str:
    """When and from which commit this build's verification ran."""
    import datetime
    import subprocess

    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        except OSError:
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return f"on {when} (not from a git checkout)"
    dirty = (
        " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    )
    return f"on {when} at commit `{commit}`{dirty}"


def status_block(chapters, results, report) -> str:
    counts = report["summary"]
    erratum = "erratum" if counts["refuted_as_expected"] == 1 else "errata"
    note = "note" if counts.get("noted", 0) == 1 else "notes"
    lines = [
        f"This build ran every claim {build_stamp()} (dltheory {report['dltheory']}, profile "
        f"{code(report['profile'])}, device {code(report['device'])}): "
        f"**{counts['claims']} claims** — {counts['verified']} verified, "
        f"{counts['refuted_as_expected']} {erratum} refuted as expected, "
        f"{counts.get('noted', 0)} notation {note}, "
        f"{counts['failed']} failed, {counts['skipped']} skipped.",
        "",
        "| Chapter | Claims | Verified | Errata refuted | Notation notes | Failed | "
        "Proved in general | Proved for fixed sizes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for chapter in chapters:
        rs = [results[c.id] for c in _claims(chapter)]
        outcome = Counter(r.outcome for r in rs)
        sym = Counter(r.legs["symbolic"].status for r in rs)
        lines.append(
            f"| [{chapter.order:g} {text(chapter.title, link_ids=False)}]"
            f"(chapters/{chapter.name}.md) | {len(rs)} | {outcome['verified']} | "
            f"{outcome['refuted_as_expected']} | {outcome['noted']} | {outcome['failed']} | "
            f"{sym['proved']} | {sym['proved_fixed_size']} |"
        )
    bad = [r for r in results.values() if not r.as_declared]
    if bad:
        lines += ["", '!!! failure "Claims not as declared in this build"', ""]
        lines += [f"    - {claim_ref(r.claim.id)}: {r.outcome}" for r in bad]
    return "\n".join(lines)


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
    from dltheory.core import registry

    start = time.perf_counter()
    chapters = registry.chapters()
    set_claim_ids(c.id for c in registry.all_claims())
    results, report = run_verification()

    corrected_by: dict[str, list] = {}
    used_by: dict[str, list] = {}
    for claim in registry.all_claims():
        if claim.corrects:
            corrected_by.setdefault(claim.corrects, []).append(claim)
        for used in claim.uses:
            used_by.setdefault(used, []).append(claim.id)

    api = []
    for chapter in chapters:
        figures = render_figures(chapter.name)
        with mkdocs_gen_files.open(f"chapters/{chapter.name}.md", "w") as f:
            f.write(chapter_page(chapter, results, figures, corrected_by, used_by))
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
    fill_markers("benchmarks.md", {"benchmarks": benchmarks_block()})
    fill_markers(
        "check.md",
        {"check-example": check_example_block(), "check-functions": check_functions_block()},
    )
    fill_markers(
        "verification.md",
        {
            "tolerances": tolerance_block(),
            "profiles": profiles_block(),
            "oracles": oracles_block(results),
            "exit-codes": exit_codes_block(),
            "report-example": report_example_block(report),
            "timings": timings_block(chapters, results),
        },
    )
    log.info("dltheory: generated the site's pages in %.1f s", time.perf_counter() - start)


main()
