r"""Markdown for the site's claim sections: escaping, math, badges and the three legs.

Imported by ``docs/gen_pages.py``; every function returns Markdown text or lines.
"""

from __future__ import annotations

import html
import inspect
import re
import textwrap
from typing import Any

PROFILE = "ci"  # deterministic: derandomized Hypothesis, the same examples on every build
DEVICE = "cpu"

OUTCOME_LABELS = {
    "verified": ("verified", ":material-check-circle:", "ok"),
    "refuted_as_expected": ("refuted as expected", ":material-close-circle:", "erratum"),
    "noted": ("notation note", ":material-information:", "noted"),
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


_INLINE_MATH = re.compile(r"(\$[^$]+\$|`[^`]+`)")  # inline math and code spans pass through


def _table_safe_math(math: str) -> str:  # also given code spans, left as they are
    """Inline math without a bare ``|``, which would end a Markdown table cell.

    ``\\|`` becomes ``\\Vert{}`` and ``|`` becomes ``\\vert{}``: KaTeX draws the same bars.
    """
    if not math.startswith("$"):
        return math  # a code span: the tables extension already ignores its pipes
    return math.replace("\\|", r"\Vert{}").replace("|", r"\vert{}")


def text(value: str, *, link_ids: bool = True) -> str:
    """Plain text (claim titles, descriptions, step texts) made safe for Markdown.

    HTML and Markdown specials are escaped, so ``o_i >= o_j`` or ``1 <= c <= q`` show as
    written; ``$...$`` segments pass through as inline math for KaTeX and backquoted segments
    as code; claim ids in the text become links to the claim.
    """
    parts = _INLINE_MATH.split(value)
    out = "".join(
        _table_safe_math(part)
        if index % 2
        else _MD_SPECIAL.sub(r"\\\1", html.escape(part, quote=False))
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


def derivation_of(result) -> tuple[Any | None, str | None]:
    """The SymPy ``Derivation`` the runner computed in this build, or the reason it has none."""
    details = result.legs["symbolic"].details
    if details.get("derivation") is not None:
        return details["derivation"], None
    return None, details.get("message", "the symbolic leg did not run")


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
    derivation, error = derivation_of(result)
    if derivation is None:
        return [*lines, *_failure_block(f"The derivation could not be computed: {error}")]
    lines.append("")
    for number, step in enumerate(derivation.steps, 1):
        cited = ", ".join(claim_ref(c) for c in step.cites)
        lines.append(f"{number}. {text(step.text)}" + (f" (by {cited})" if cited else ""))
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
    else:
        lines += residual_lines(derivation, trivial)
    lines += ["", f"Status in this build: **{LEG_LABELS.get(status.status, status.status)}**."]
    if status.status == "failed":
        lines += _failure_block(status.details.get("message", "failed"))
    return lines


def residual_lines(derivation, trivial: bool) -> list[str]:
    """What the proof checked: each residual with what it compares (when the derivation says),
    and what SymPy reduced it to. A residual already 0 or True as constructed is not shown as
    an empty ``0 -> 0`` row: it is described, or counted."""
    compared = list(derivation.compared) + [""] * len(derivation.residuals)
    shown, silent = [], 0
    for residual, what in zip(derivation.residuals, compared, strict=False):
        expr = _is_expr(residual)
        goal = "0" if expr else r"\text{True}"
        if _is_trivial(residual) and not what:
            silent += 1
            continue
        label = f"{text(what)}: " if what else ""
        if _is_trivial(residual):
            shown += [f"- {label}holds as constructed (SymPy evaluates it to ${goal}$ directly)."]
        else:
            arrow = r"\;\xrightarrow{\text{simplify}}\; " + goal
            shown += [f"- {label}", *display_math(f"{sympy_latex(residual)} {arrow}", "    ")]
    lines = ["", "What the proof checks:" if shown else ""]
    lines += shown
    if silent:
        which = "The last step" if trivial and len(derivation.residuals) == silent else "Also"
        lines += [
            "",
            f"{which}: {silent} residual{'s' if silent > 1 else ''} (left side minus right side "
            "of the equalities derived above) SymPy already evaluated to $0$ or True as the "
            "steps were built.",
        ]
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


def leg_source(claim, name: str) -> list[str]:
    """A collapsed listing of a leg's source, titled with its ``path:line``."""
    from dltheory.core.claim import NotApplicable

    leg = getattr(claim, name)
    if isinstance(leg, NotApplicable):
        return []
    source = textwrap.dedent(inspect.getsource(leg.run)).rstrip()
    body = ["```python", *source.splitlines(), "```"]
    return [
        "",
        f'??? abstract "Source of the {name} leg: {leg.location}"',
        "",
        *(f"    {line}" if line else "" for line in body),
        "",
    ]


def _facts(claim, result, corrected_by, used_by) -> list[str]:
    facts = [f"- **Source:** § {text(claim.source)}", f"- **Kind:** {claim.kind.value}"]
    status = f"- **Status (this build):** {outcome_badge(result.outcome)}"
    legs = _leg_summary(result)
    facts.append(f"{status} — {legs}" if legs else status)
    if claim.kind.value == "erratum":
        facts.append(f"- **Corrected claim:** {claim_ref(claim.corrects)}")
    if claim.kind.value == "notation":
        facts.append(f"- **Stated correctly in:** {claim_ref(claim.corrects)}")
    for other in corrected_by.get(claim.id, []):
        what = "refuted" if other.kind.value == "erratum" else "a notation note"
        facts.append(
            f"- **Corrects the notes:** the notes' version is {what} in {claim_ref(other.id)}"
        )
    if claim.uses:
        facts.append("- **Uses:** " + ", ".join(claim_ref(u) for u in claim.uses))
    if used_by.get(claim.id):
        facts.append("- **Used by:** " + ", ".join(claim_ref(u) for u in used_by[claim.id]))
    if claim.code:
        refs = []
        for name in claim.functions:
            chapter, _, function = name.partition(".")
            refs.append(f"[`{function}()`][dltheory.{chapter}.{function}]")
        facts.append(f"- **Reference implementation:** {', '.join(refs)}")
    facts.append(f"- **Record:** `{claim.location}`")
    facts.append(f'- **Test:** `pytest "{claim.test_id}"`')
    facts.append(f"- **Run it:** `dltheory verify --claim {claim.id}`")
    return facts


def claim_section(
    claim, result, corrected_by: dict[str, list], used_by: dict[str, list]
) -> list[str]:
    kind = claim.kind.value
    lines = [
        f"### {text(claim.title, link_ids=False)} {{#{claim.id}}}",
        "",
        f'<p class="dlt-claim-head" markdown="span">{kind_badge(kind)} '
        f"{outcome_badge(result.outcome)} <code>{claim.id}</code></p>",
        "",
    ]
    if kind == "erratum":
        lines += ["**As the notes write it** (refuted):"]
    elif kind == "notation":
        lines += ["**As the notes write it** (a slip of notation, not a false statement):"]
    lines += display_math(claim.statement)
    lines += _facts(claim, result, corrected_by, used_by)
    if kind == "notation":
        lines += ["", '!!! note "The reading that fixes it"', "", f"    {text(claim.note)}", "", ""]
        return lines
    if claim.note:
        lines += ["", '!!! note "How the statement is read"', "", f"    {text(claim.note)}"]
    lines += symbolic_section(claim, result) + leg_source(claim, "symbolic")
    lines += numeric_section(claim, result) + leg_source(claim, "numeric")
    lines += property_section(claim, result) + leg_source(claim, "property")
    if not result.as_declared:
        lines += _failure_block(result.failure_report())
    lines += ["", ""]
    return lines


def set_claim_ids(ids) -> None:
    """Teach :func:`text` the claim ids to turn into links (longest first)."""
    global _CLAIM_ID_RE
    ordered = sorted(ids, key=len, reverse=True)
    _CLAIM_ID_RE = (
        re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b") if ordered else None
    )


_CLAIM_ID_RE: re.Pattern[str] | None = None
