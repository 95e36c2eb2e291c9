"""Claims, legs, tests, code and docs point at each other, and nothing points at nothing.

* every claim id is stable: the ids listed in ``tests/claim_ids/<chapter>.txt`` all exist
  (nothing lost), and every registered id is listed there (a new claim is a deliberate addition);
* each claim reads in one place: its legs are functions of the section module that holds its
  record, below the record, and section modules stay under 600 lines;
* a leg reaches the code under test only through ``impl``, and only the functions the record
  declares in ``code`` (``ClaimFunctions`` refuses the others; ``tests/test_claims.py`` checks
  that every declared function was exercised);
* every public reference function is checked by some claim;
* every symbol of an erratum's symbolic witness is defined where the errata page shows it.
"""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dltheory.core.claim import NotApplicable
from dltheory.core.implementation import Implementation
from dltheory.core.registry import all_claims, chapter_claims, chapters

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = all_claims()
IDS = {c.id for c in CLAIMS}
SNAPSHOTS = ROOT / "tests" / "claim_ids"


def test_registry_finds_claims():
    assert chapters(), "no chapter registered"
    assert len(IDS) == len(CLAIMS), "claim ids are not unique"
    for claim in CLAIMS:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*", claim.id), claim.id


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.name)
def test_claim_ids_are_stable(chapter):
    """No id disappears (test ids and docs anchors are links people keep); new ids are listed."""
    path = SNAPSHOTS / f"{chapter.name}.txt"
    assert path.exists(), f"list the ids of chapter {chapter.name} in {path.relative_to(ROOT)}"
    listed = path.read_text().split()
    assert len(listed) == len(set(listed)), f"{path.name} lists an id twice"
    current = [c.id for c in chapter_claims(chapter)]
    lost = sorted(set(listed) - set(current))
    assert not lost, f"claim ids disappeared: {lost}"
    unlisted = sorted(set(current) - set(listed))
    assert not unlisted, f"new claim ids: add them to {path.relative_to(ROOT)}: {unlisted}"


def test_every_snapshot_belongs_to_a_chapter():
    names = {c.name for c in chapters()}
    for path in SNAPSHOTS.glob("*.txt"):
        assert path.stem in names, f"{path.name} lists the ids of no registered chapter"


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_reads_in_one_place(claim):
    """The record and its legs stand in one section module, legs below the record."""
    record_path, _, record_line = claim.location.rpartition(":")
    assert record_path.startswith(f"dltheory/{claim.chapter}/claims/"), claim.location
    for name, leg in claim.legs.items():
        if isinstance(leg, NotApplicable):
            assert leg.reason.strip(), f"{claim.id}: a {name} leg marked not applicable needs a why"
            continue
        path, _, line = leg.location.rpartition(":")
        assert path == record_path, (
            f"{claim.id}: {name} leg is in {path}, the record in {record_path}"
        )
        assert int(line) > int(record_line), f"{claim.id}: {name} leg stands above its record"


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.name)
def test_section_modules_are_small_and_declare_one_section(chapter):
    for section in chapter.sections:
        module = importlib.import_module(f"dltheory.{chapter.name}.claims.{section}")
        lines = len(inspect.getsource(module).splitlines())
        assert lines < 600, f"{module.__name__} has {lines} lines; split the section"
        assert module.__doc__ and "Main declaration" in module.__doc__, (
            f"{module.__name__} needs a header naming its main declarations"
        )


def test_a_leg_cannot_reach_undeclared_code():
    claim = next(c for c in CLAIMS if c.code == ("softmax",))
    view = Implementation.reference().for_claim(claim)
    assert callable(view.softmax)
    with pytest.raises(AttributeError, match="declares in `code`"):
        view.cross_entropy  # noqa: B018


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.name)
def test_every_reference_function_is_checked_by_a_claim(chapter):
    """Breaking any public reference function must be able to turn a claim red."""
    reference = importlib.import_module(f"dltheory.{chapter.name}.reference")
    covered = {
        name.rpartition(".")[2]
        for c in CLAIMS
        for name in c.functions
        if name.partition(".")[0] == chapter.name
    }
    for name in covered:
        assert callable(getattr(reference, name, None)), f"claims name unknown code {name}"
    missing = set(reference.__all__) - covered
    assert not missing, f"reference functions no claim checks: {sorted(missing)}"


def test_corrections_point_at_claims_that_verify():
    by_id = {c.id: c for c in CLAIMS}
    for claim in CLAIMS:
        if claim.corrects:
            assert by_id[claim.corrects].expected_outcome == "verified", claim.id


@pytest.mark.parametrize(
    "claim",
    [c for c in CLAIMS if c.kind.value == "erratum" and c.symbolic is not None],
    ids=lambda c: c.id,
)
def test_every_witness_symbol_is_defined(claim):
    """The errata page shows a symbolic witness ("at a = 3/8 ...") with what each of its
    symbols stands for: the derivation must define every one."""
    derivation = claim.symbolic.run()
    assert derivation.witness, f"{claim.id}: an erratum's symbolic leg gives a witness"
    undefined = derivation.undefined_witness_symbols()
    assert not undefined, f"{claim.id}: witness_symbols does not define {undefined}"


def test_tests_name_only_known_claims(request):
    """A `@pytest.mark.claim(...)` on any collected test must name registered claims."""
    unknown = [
        (item.nodeid, claim_id)
        for item in request.session.items
        for mark in item.iter_markers("claim")
        for claim_id in mark.args
        if claim_id not in IDS
    ]
    assert not unknown, f"tests name unknown claims: {unknown}"


def test_chapter_packages_import_light():
    """``import dltheory.<chapter>`` loads neither SymPy nor Hypothesis (nor SciPy, mpmath)."""
    names = [c.name for c in chapters()]
    code = (
        "import sys, importlib\n"
        f"for name in {names!r}: importlib.import_module('dltheory.' + name)\n"
        "heavy = [m for m in ('sympy', 'hypothesis', 'scipy', 'mpmath', 'matplotlib') "
        "if m in sys.modules]\nprint(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"heavy modules imported: {out.stdout.strip()}"
