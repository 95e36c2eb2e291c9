"""Claims, tests, code and docs point at each other, and nothing points at nothing."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from dltheory.core.claim import NotApplicable
from dltheory.core.registry import LEG_MODULES, all_claims, chapters, leg_function

CLAIMS = all_claims()
IDS = {c.id for c in CLAIMS}


def test_registry_finds_claims():
    assert chapters(), "no chapter registered"
    assert len(IDS) == len(CLAIMS), "claim ids are not unique"
    for claim in CLAIMS:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*", claim.id), claim.id


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_every_declared_leg_has_a_function_and_vice_versa(claim):
    runnable = [name for name, leg in claim.legs.items() if not isinstance(leg, NotApplicable)]
    assert runnable, f"{claim.id} has no runnable leg"
    for name, leg in claim.legs.items():
        module = importlib.import_module(f"dltheory.{claim.chapter}.{LEG_MODULES[name]}")
        present = hasattr(module, claim.function_name)
        if isinstance(leg, NotApplicable):
            assert leg.reason.strip(), f"{claim.id}: a leg marked not applicable needs a reason"
            assert not present, f"{claim.id}: {name} leg is marked not applicable but exists"
        else:
            assert callable(leg_function(claim, name))


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.name)
def test_leg_modules_define_no_orphans(chapter):
    """Every public function of a leg module (defined there or re-exported from a helper
    module of the chapter) belongs to a claim of its chapter."""
    names = {c.function_name for c in chapter.claims}
    package = f"dltheory.{chapter.name}."
    for module_name in LEG_MODULES.values():
        module = importlib.import_module(f"dltheory.{chapter.name}.{module_name}")
        for name, obj in vars(module).items():
            own = inspect.isfunction(obj) and obj.__module__.startswith(package)
            if own and not name.startswith("_"):
                assert name in names, f"{module.__name__}.{name} belongs to no claim"


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.name)
def test_every_reference_function_is_checked_by_a_claim(chapter):
    """Breaking any public reference function must be able to turn a claim red."""
    reference = importlib.import_module(f"dltheory.{chapter.name}.reference")
    covered = {name for c in chapter.claims for name in c.code}
    for name in covered:
        assert callable(getattr(reference, name, None)), f"claims name unknown code {name}"
    missing = set(reference.__all__) - covered
    assert not missing, f"reference functions no claim checks: {sorted(missing)}"


def test_errata_correct_a_verified_claim():
    by_id = {c.id: c for c in CLAIMS}
    for claim in CLAIMS:
        if claim.corrects:
            assert by_id[claim.corrects].expected_outcome == "verified"


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
