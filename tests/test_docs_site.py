r"""The documentation site builds cleanly and renders offline in a real browser.

The site is built with ``mkdocs build --strict`` into a temporary directory, served on
127.0.0.1 from a thread, and every page is opened in headless Chromium (Debian's
``/usr/bin/chromium`` driven by the PyPI ``playwright`` package; no browser download). Every
request that does not go to 127.0.0.1 is aborted and recorded. Each page must then show:

* every formula typeset by KaTeX (each ``.arithmatex`` element holds a ``.katex`` rendering) and
  no ``.katex-error``; no LaTeX or reST math markup (``$$``, ``\frac``, ``:math:`` ...) left in
  the visible text outside code;
* the KaTeX fonts loaded from the site, and no font that failed to load;
* every image (the matplotlib figures) loaded, with a natural width above 0;
* no console error, no uncaught exception, no HTTP error, and no attempt to reach another host.

Before the browser runs, the built HTML is checked against the registry: every chapter page
has an anchor equal to each claim id, its status, its derivation (if it has a symbolic leg), its
test id and links to the API entries of its reference functions; every erratum is on the errata
page; every figure of a chapter's ``FIGURES`` is shown.

Without chromium, playwright or the docs extra the test is skipped, except under ``CI=true``,
where it fails: CI installs them and must run it.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("DLTHEORY_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").strip().lower() == "true"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# markup that must never reach the reader as text: LaTeX, reST math, unresolved Markdown
# references (``[text][id]``) and icon shortcodes that were not turned into inline SVG
RAW_MARKUP = (
    "$$",
    "\\frac",
    "\\(",
    "\\[",
    "\\begin{",
    "\\mathbf",
    "\\operatorname",
    "math:`",  # a reST role, also when a docstring parser took its leading colon
    ".. math::",
    "][",
    ":material-",
    ":octicons-",
    ":fontawesome-",
)


def _require(ok: bool, reason: str) -> None:
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true the browser test must run, not skip")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with ``mkdocs build --strict`` into a temporary directory."""
    missing = [
        m
        for m in ("mkdocs", "material", "mkdocstrings", "mkdocs_gen_files", "matplotlib")
        if importlib.util.find_spec(m) is None
    ]
    _require(not missing, f"the docs extra is not installed (missing {', '.join(missing)})")

    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if line.startswith("WARNING")]
    assert not warnings, "\n".join(warnings)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _page_paths(site: Path) -> list[str]:
    paths = []
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        paths.append("/" + rel.removesuffix("index.html"))
    return paths


# Evaluated in each page once KaTeX has run.
_INSPECT = r"""
async () => {
  await document.fonts.ready;
  const formulas = [...document.querySelectorAll('.arithmatex')];
  const unrendered = formulas.filter(e => !e.querySelector('.katex'))
                             .map(e => e.textContent.slice(0, 120));
  const errors = [...document.querySelectorAll('.katex-error')]
                   .map(e => (e.title || '') + ' :: ' + e.textContent.slice(0, 120));
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('.katex, pre, code, script, style, noscript').forEach(e => e.remove());
  const text = clone.textContent;
  const images = [...document.images].map(i => ({src: i.getAttribute('src'),
                                                 ok: i.complete && i.naturalWidth > 0}));
  const fonts = [...document.fonts];
  const katexFonts = fonts.filter(f => f.family.replace(/["']/g, '').startsWith('KaTeX_')
                                       && f.status === 'loaded').map(f => f.family);
  const badFonts = fonts.filter(f => f.status === 'error').map(f => f.family);
  return {formulas: formulas.length, unrendered, errors, text, images, katexFonts, badFonts,
          figures: document.querySelectorAll('figure.dlt-figure img').length};
}
"""


def _inspect_page(context, url: str) -> tuple[list[str], dict]:
    """Open ``url``; return the problems found and the raw inspection result."""
    problems: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None,
    )
    try:
        page.goto(url, wait_until="load", timeout=20_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.arithmatex')]"
            ".every(e => e.getAttribute('data-katex') === 'done')",
            timeout=10_000,
        )
        info = page.evaluate(_INSPECT)
    finally:
        page.close()
    if info["unrendered"]:
        problems.append(f"formulas not typeset by KaTeX: {info['unrendered'][:5]}")
    if info["errors"]:
        problems.append(f"KaTeX parse errors: {info['errors'][:5]}")
    leaked = [m for m in RAW_MARKUP if m in info["text"]]
    if leaked:
        snippets = []
        for marker in leaked:
            at = info["text"].index(marker)
            snippets.append(repr(info["text"][max(0, at - 60) : at + 60]))
        problems.append(f"raw math markup {leaked} in visible text: {snippets}")
    if info["formulas"] and not info["katexFonts"]:
        problems.append("page has formulas but no KaTeX font was loaded")
    if info["badFonts"]:
        problems.append(f"fonts failed to load: {sorted(set(info['badFonts']))}")
    broken = [i["src"] for i in info["images"] if not i["ok"]]
    if broken:
        problems.append(f"images that did not load: {broken}")
    return problems, info


def _check_generated_content(site: Path) -> None:
    """Static checks of the built HTML, generic over the registry."""
    from dltheory.core import registry
    from dltheory.core.claim import NotApplicable, SymbolicLeg

    paths = set(_page_paths(site))
    chapters = registry.chapters()
    expected = {"/", "/verification/", "/errata/", "/reference/", "/check/"}
    expected |= {f"/chapters/{c.name}/" for c in chapters}
    assert expected <= paths, f"pages missing from the build: {expected - paths}"

    for chapter in chapters:
        html = (site / "chapters" / chapter.name / "index.html").read_text(encoding="utf-8")
        claims = registry.chapter_claims(chapter)
        for claim in claims:
            assert f'id="{claim.id}"' in html, f"no anchor for {claim.id}"
            assert claim.test_id in html, f"no test id for {claim.id}"
            assert claim.location in html, f"no record location for {claim.id}"
            for name, leg in claim.legs.items():
                if not isinstance(leg, NotApplicable):
                    assert f"Source of the {name} leg: {leg.location}" in html, (
                        f"{claim.id}: no source listing of its {name} leg"
                    )
            for qualified in claim.functions:
                owner, _, name = qualified.partition(".")
                target = f"dltheory.{owner}.{name}"
                owner_api = site / "reference" / owner / "index.html"
                assert f'id="{target}"' in owner_api.read_text(encoding="utf-8"), (
                    f"no API entry {target} (cited by {claim.id})"
                )
                assert f'href="../../reference/{owner}/#{target}"' in html, (
                    f"{claim.id} does not link to {target}"
                )
        # the dependency graph: one node per claim, linking to its section
        assert html.count('class="dlt-graph"') == 1, "no dependency graph"
        for claim in claims:
            assert f'<a href="#{claim.id}">' in html, f"{claim.id} is not in the graph"
        # a kind badge, a status badge in the overview and one in each claim's header
        assert html.count('class="dlt-status dlt-status--') >= 2 * len(claims)
        derivations = sum(isinstance(c.symbolic, SymbolicLeg) for c in claims)
        assert html.count("Derivation (SymPy).") == derivations
        if importlib.util.find_spec(f"dltheory.{chapter.name}.figures"):
            figures = importlib.import_module(f"dltheory.{chapter.name}.figures").FIGURES
            assert html.count('class="dlt-figure"') == len(figures)
    # "Check your own implementation": the worked example ran in this build and failed with a
    # snippet; every function a target can provide is listed, a later chapter's included
    from dltheory.core.target import checkable_functions

    check = (site / "check" / "index.html").read_text(encoding="utf-8")
    assert "exit status 1" in check and "# expected:" in check, "no worked example report"
    for qualified in checkable_functions():
        assert f"<code>{qualified}</code>" in check, f"{qualified} not on the check page"
    errata = (site / "errata" / "index.html").read_text(encoding="utf-8")
    for claim in registry.all_claims():
        if claim.corrects:
            assert f'id="erratum-{claim.id}"' in errata, f"{claim.id} missing from the errata"


def _status_column_problem(browser, url: str, width: int) -> str | None:
    """The overview's Status column must be fully visible without scrolling the table."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(url, wait_until="load", timeout=20_000)
        boxes = page.evaluate(
            """() => {
              const table = document.querySelector('.dlt-overview table');
              if (!table) return null;
              const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
              const view = wrap.getBoundingClientRect();
              return [...table.querySelectorAll('tr > :nth-child(2)')].map(cell => {
                const r = cell.getBoundingClientRect();
                return {text: cell.textContent.trim(), left: r.left, right: r.right,
                        viewLeft: view.left, viewRight: Math.min(view.right, window.innerWidth)};
              });
            }"""
        )
    finally:
        page.close()
    if not boxes:
        return f"no overview table at {width} px"
    if boxes[0]["text"] != "Status":
        return f"the overview's second column is {boxes[0]['text']!r}, not Status"
    clipped = [b["text"] for b in boxes if b["right"] > b["viewRight"] + 1 or b["left"] < 0]
    return f"Status column clipped at {width} px: {clipped[:3]}" if clipped else None


def _search_preview_problem(browser, url: str, query: str) -> str | None:
    """Search previews show typeset math, never raw LaTeX."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url, wait_until="load", timeout=20_000)
        page.locator(".md-search__input").first.click()
        page.wait_for_timeout(500)
        page.locator("input.md-search__input").press_sequentially(query, delay=30)
        page.wait_for_selector(".md-search-result__article", timeout=10_000)
        page.wait_for_timeout(500)
        found = page.evaluate(
            """() => [...document.querySelectorAll('.md-search-result__article')].map(a => {
                 const c = a.cloneNode(true);
                 c.querySelectorAll('.katex').forEach(k => k.remove());
                 return {text: c.textContent, katex: a.querySelectorAll('.katex').length};
               })"""
        )
    finally:
        page.close()
    if not found:
        return "no search result"
    leaked = [f["text"][:80] for f in found if any(m in f["text"] for m in RAW_MARKUP)]
    if leaked:
        return f"raw LaTeX in search previews: {leaked[:3]}"
    if not any(f["katex"] for f in found):
        return "no search preview holds typeset math"
    return None


def test_docs_site(site: Path, base_url: str, tmp_path: Path) -> None:
    _check_generated_content(site)

    _require(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
    _require(Path(CHROMIUM).exists(), f"no chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from dltheory.core import registry

    paths = _page_paths(site)
    report: dict[str, list[str]] = {}
    current = {"path": ""}

    def gate(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            report.setdefault(current["path"], []).append(
                f"request to another host attempted (aborted): {route.request.url}"
            )
            route.abort()

    infos: dict[str, dict] = {}
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"),  # new and empty
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            context.route("**/*", gate)
            for path in paths:
                current["path"] = path
                problems, infos[path] = _inspect_page(context, base_url + path)
                if problems:
                    report.setdefault(path, []).extend(problems)
        finally:
            context.close()
        # layout at a desktop and a phone width, and the search previews
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            for chapter in registry.chapters():
                path = f"/chapters/{chapter.name}/"
                for width in (1280, 390):
                    problem = _status_column_problem(browser, base_url + path, width)
                    if problem:
                        report.setdefault(path, []).append(problem)
            for query in ("softmax", "entropy"):
                problem = _search_preview_problem(browser, base_url + "/", query)
                if problem:
                    report.setdefault(f"search for {query!r}", []).append(problem)
        finally:
            browser.close()

    for chapter in registry.chapters():
        path = f"/chapters/{chapter.name}/"
        if infos[path]["formulas"] == 0:
            report.setdefault(path, []).append("a chapter page without a single formula")
    assert not report, "\n".join(
        f"{path}:\n  " + "\n  ".join(problems) for path, problems in report.items()
    )
