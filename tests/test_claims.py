"""Every registered claim, one test id each: ``test_claim[<claim id>]``.

The test runs the same legs as ``dltheory verify`` (the claims it uses first) and passes when
the outcome is what the record declares: ``verified`` for theorems, identities and definitions,
``refuted_as_expected`` for errata, ``noted`` for notation notes. On failure it prints every
leg's status, message and counterexample. It also checks that the numeric and property legs
exercised every function the record declares in ``code``: a declared function no leg calls
would let a target that gets it wrong pass ``dltheory check``.

The legs get the reference functions behind the strictest signatures ``dltheory check``
accepts from a target (``tests/conformance/strict_reference.py``): a leg that calls a function
in a way the check's signature test does not foresee fails here.
"""

from __future__ import annotations

import pytest

from dltheory.core.implementation import Implementation
from dltheory.core.registry import all_claims
from dltheory.core.runner import run_claim
from tests.conformance.strict_reference import DLTHEORY_FUNCTIONS

CLAIMS = all_claims()
STRICT = Implementation(DLTHEORY_FUNCTIONS, "the reference, behind strict signatures")


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim(claim, device, hypothesis_settings):
    result = run_claim(claim, device=device, settings=hypothesis_settings, implementation=STRICT)
    assert result.outcome == claim.expected_outcome, result.failure_report()
    used = set().union(*(leg.details.get("used", set()) for leg in result.legs.values()))
    declared = {name.rpartition(".")[2] for name in claim.functions}
    assert used == declared, (
        f"{claim.id}: `code` declares {sorted(declared)}, legs used {sorted(used)}"
    )
