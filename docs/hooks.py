r"""MkDocs hooks for the dltheory site (loaded through ``hooks:`` in mkdocs.yml).

Driven by the claim registry, so that a new chapter needs no edit here:

* **Navigation.** Home, how verification works, one page per chapter (in the order of the
  notes), the errata, and one API page per chapter that has a ``reference`` module. The pages
  themselves are written by ``docs/gen_pages.py``.
* **reST-style markup.** Docstrings and chapter summaries use markup that Markdown does not
  know: ``:math:`x``` roles, ``.. math::`` blocks, roles such as ``:func:`softmax```, and
  ``>>>`` sessions outside a code block. It is translated in two places:

  - :class:`RstDocstrings`, a griffe extension (``extensions:`` of mkdocstrings in
    mkdocs.yml), rewrites roles in every docstring *before* griffe parses its sections, so
    that a ``Returns:`` line that starts with ``:math:`` is not split at the role's colon, and
    a bare name is resolved in the docstring's own module (``cross_entropy`` in an
    information-theory docstring is that chapter's function, not classification's);
  - Markdown preprocessors (registered for the pages and for the docstrings mkdocstrings
    renders) turn ``.. math::`` blocks into ``$$...$$``, remaining roles (chapter summaries)
    into ``$...$``, links or code, a code span holding a claim id into a link to the claim,
    and ``>>>`` sessions into ``pycon`` code blocks.

  Math ends up as ``$...$`` / ``$$...$$``, which arithmatex hands to the vendored KaTeX.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from typing import Any

import griffe
from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

_ROLE = re.compile(r":(?P<role>math|func|class|meth|mod|attr|data|exc|obj):`(?P<body>[^`]+)`")
_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<rest>.*)$")
_INDENT = re.compile(r"^[ \t]*")


# ---------------------------------------------------------------------------------------------
# What a role may link to
# ---------------------------------------------------------------------------------------------


def reference_module(chapter: str) -> Any | None:
    """``dltheory.<chapter>.reference`` if the chapter has one, else None."""
    name = f"dltheory.{chapter}.reference"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


@functools.cache
def documented_targets() -> dict[str, str]:
    """Names a role may cite, mapped to the API entry: the public import path
    ``dltheory.<chapter>.<name>``, under which the API pages document each function.

    Public and ``reference`` paths of every function always; a bare name only when exactly one
    chapter defines it (a docstring resolves ambiguous bare names in its own module, see
    :func:`convert_roles`).
    """
    from dltheory.core import registry

    targets: dict[str, str] = {}
    owners: dict[str, list[str]] = {}
    for chapter in registry.chapters():
        module = reference_module(chapter.name)
        if module is None:
            continue
        package = f"dltheory.{chapter.name}"
        targets[module.__name__] = package
        targets[package] = package
        for name in getattr(module, "__all__", ()):
            public = f"{package}.{name}"
            targets[f"{module.__name__}.{name}"] = public
            targets[public] = public
            owners.setdefault(name, []).append(public)
    targets.update({name: paths[0] for name, paths in owners.items() if len(paths) == 1})
    return targets


def convert_roles(text: str, scope: str = "") -> str:
    """``:math:`x``` -> ``$x$``; ``:func:`f``` -> a cross-reference if ``f`` is documented
    (looked up in ``scope``, the dotted path of the documenting object, and its parents first),
    otherwise inline code. A role may wrap onto the next line."""
    if ":" not in text:
        return text
    targets = documented_targets()

    def replace(match: re.Match[str]) -> str:
        role, body = match["role"], " ".join(match["body"].split())
        if role == "math":
            return f"${body}$"
        name = body.lstrip("~.")
        shown = name.rsplit(".", 1)[-1] if body.startswith("~") else name
        if role in ("func", "meth"):
            shown += "()"
        target = None
        path = scope
        while path and target is None:
            target = targets.get(f"{path}.{name}")
            path = path.rpartition(".")[0]
        target = target or targets.get(name)
        return f"[`{shown}`][{target}]" if target else f"`{shown}`"

    return _ROLE.sub(replace, text)


# ---------------------------------------------------------------------------------------------
# griffe: docstrings
# ---------------------------------------------------------------------------------------------


class RstDocstrings(griffe.Extension):
    """Rewrite reST roles in each docstring before griffe parses its sections."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            value = convert_roles(obj.docstring.value, scope=obj.path)
            obj.docstring.value = _with_imports(value, obj.path)


def _with_imports(docstring: str, path: str) -> str:
    """Give the first ``>>>`` example of a reference function the imports it needs to run."""
    parts = path.split(".")
    if len(parts) != 4 or parts[0] != "dltheory" or parts[2] != "reference":
        return docstring
    at = docstring.find(">>>")
    if at < 0 or "import" in docstring[at:]:
        return docstring
    line_start = docstring.rfind("\n", 0, at) + 1
    indent = docstring[line_start:at]
    imports = f">>> import torch\n{indent}>>> from dltheory.{parts[1]} import {parts[3]}\n{indent}"
    return docstring[:at] + imports + docstring[at:]


# ---------------------------------------------------------------------------------------------
# Markdown: pages and rendered docstrings
# ---------------------------------------------------------------------------------------------


class RstMarkupPreprocessor(Preprocessor):
    """``.. math::`` blocks, leftover roles, and claim ids in code spans."""

    def __init__(self, md: Markdown, claim_ids: frozenset[str]):
        super().__init__(md)
        ids = "|".join(re.escape(i) for i in sorted(claim_ids, key=len, reverse=True))
        # `<claim id>` alone in a code span, not already the text of a link
        self.claim_span = re.compile(rf"(?<![`\[])(`{{1,2}})({ids})\1(?![`\]])") if ids else None

    def run(self, lines: list[str]) -> list[str]:
        source = convert_roles("\n".join(self._math_blocks(lines)))
        if self.claim_span is not None and "`" in source:
            source = self.claim_span.sub(lambda m: f"[`{m[2]}`][{m[2]}]", source)
        return source.split("\n")

    @staticmethod
    def _math_blocks(lines: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(lines):
            match = _DIRECTIVE.match(lines[i])
            if not match:
                out.append(lines[i])
                i += 1
                continue
            indent = match["indent"]
            body = [match["rest"].strip()] if match["rest"].strip() else []
            i += 1
            if not body:  # content starts on a later, more indented line
                while i < len(lines) and not lines[i].strip():
                    i += 1
            while i < len(lines):
                line = lines[i]
                if not line.strip() or len(_INDENT.match(line).group()) <= len(indent):
                    break
                body.append(line.strip())
                i += 1
            out += ["", f"{indent}$$", *(f"{indent}{b}" for b in body), f"{indent}$$", ""]
        return out


class DoctestPreprocessor(Preprocessor):
    """Turn ``>>>`` sessions into runnable ``python`` code: prompts dropped, printed output
    kept as ``# ...`` comments, so that the copy button copies code that runs (a docstring's
    ``Example:`` section holds sessions as plain text, where Markdown would read ``>>>`` as
    nested block quotes)."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence: str | None = None
        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip()
            if fence is None and stripped[:3] in ("```", "~~~"):
                fence = stripped[:3]
            elif fence is not None and stripped.startswith(fence):
                fence = None
            elif fence is None and stripped.startswith(">>>"):
                indent = line[: len(line) - len(stripped)]
                code = []
                while i < len(lines) and lines[i].strip() and lines[i].startswith(indent):
                    text = lines[i][len(indent) :]
                    if text.startswith((">>> ", "... ")) or text in (">>>", "..."):
                        code.append(text[4:])
                    else:
                        code.append(f"# {text}")  # what the line above prints
                    i += 1
                out += ["", f"{indent}```python", *(indent + c for c in code), f"{indent}```", ""]
                continue
            out.append(line)
            i += 1
        return out


class RstMarkupExtension(Extension):
    def __init__(self, claim_ids: frozenset[str]):
        super().__init__()
        self.claim_ids = claim_ids

    def extendMarkdown(self, md: Markdown) -> None:
        # after fenced code is stashed (25), before HTML blocks are parsed (20)
        md.preprocessors.register(RstMarkupPreprocessor(md, self.claim_ids), "dltheory_rst", 24)
        # before fenced code is stashed (25), so that the new fences become code blocks
        md.preprocessors.register(DoctestPreprocessor(md), "dltheory_doctest", 26)


# ---------------------------------------------------------------------------------------------
# MkDocs
# ---------------------------------------------------------------------------------------------


@event_priority(100)  # before mkdocstrings reads the Markdown extensions
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    from dltheory.core import registry

    chapters = registry.chapters()
    claim_ids = frozenset(claim.id for claim in registry.all_claims())
    config.markdown_extensions.append(RstMarkupExtension(claim_ids))

    chapter_nav = [{f"{c.order:g} {c.title}": f"chapters/{c.name}.md"} for c in chapters]
    api_nav = [
        {f"dltheory.{c.name}": f"reference/{c.name}.md"}
        for c in chapters
        if reference_module(c.name) is not None
    ]
    config.nav = [
        {"Home": "index.md"},
        {"How verification works": "verification.md"},
        {"Chapters": chapter_nav},
        {"Errata": "errata.md"},
        {"API reference": [{"Overview": "reference/index.md"}, *api_nav]},
        {"Check your own implementation": "check.md"},
        {"Benchmarks": "benchmarks.md"},
    ]
    return config


# source listings (the legs' on chapter pages, mkdocstrings' on API pages) are code, not prose:
# keep them out of the search index, whose previews would show their LaTeX strings raw
_SOURCE_LISTING = re.compile(r'<details class="(abstract|mkdocstrings-source)"')


def on_page_content(html: str, **kwargs: Any) -> str:
    return _SOURCE_LISTING.sub(r'<details class="\1" data-search-exclude', html)
