"""The claim engine itself: records, runner outcomes, citations, report contract and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory import cli
from dltheory.core import registry, runner
from dltheory.core.claim import (
    Claim,
    Derivation,
    Exists,
    ForAll,
    Kind,
    NotApplicable,
    Section,
    Step,
)
from dltheory.core.implementation import Implementation
from dltheory.core.registry import all_claims, select
from dltheory.core.report import to_json
from dltheory.core.tolerances import (
    TOLERANCES,
    assert_accurate,
    assert_close,
    is_accurate,
    is_close,
)

NA = NotApplicable("not needed here")
x = sp.Symbol("x", real=True)


def _claim(
    slug="example",
    kind=Kind.THEOREM,
    *,
    symbolic=None,
    numeric=None,
    prop=None,
    general=True,
    dtypes=("float64", "float32", "bfloat16", "float16"),
    **record,
) -> Claim:
    """A toy claim with the given leg functions attached (the others not applicable)."""
    section = Section("toy", "a toy section")
    claim = section.claim(
        slug,
        title="toy",
        statement="",
        kind=kind,
        symbolic=None if symbolic else NA,
        numeric=None if numeric else NA,
        property=None if prop else NA,
        **record,
    )
    if symbolic:
        claim.symbolic_leg("general" if general else "n = 2", general=general)(symbolic)
    if numeric:
        claim.numeric_leg("exact", dtypes=dtypes)(numeric)
    if prop:
        claim.property_leg("p")(prop)
    return claim


@pytest.fixture
def toy_registry(monkeypatch):
    """Let toy claims use each other: ``toy_registry[claim.id] = claim``."""
    table: dict[str, Claim] = {}
    monkeypatch.setattr(registry, "get_claim", lambda claim_id: table[claim_id])
    return table


def _run(claim, settings):
    return runner.run_claim(claim, settings=settings)


# --- records -------------------------------------------------------------------------------


def test_claim_record_rejects_inconsistent_declarations():
    with pytest.raises(ValueError, match=r"<chapter>\.<slug>"):
        Claim("nodot", "t", "", "s", Kind.THEOREM)
    with pytest.raises(ValueError, match="names `corrects`"):
        _claim(corrects="toy.other", symbolic=lambda: None)
    with pytest.raises(ValueError, match="names `corrects`"):
        _claim(kind=Kind.ERRATUM, prop=lambda impl: None)
    with pytest.raises(ValueError, match="reading that fixes it"):
        _claim(kind=Kind.NOTATION, corrects="toy.other")
    claim = _claim(symbolic=lambda: None)
    with pytest.raises(ValueError, match="declared twice"):
        claim.symbolic_leg("again")(lambda: None)
    undeclared = Section("toy", "s").claim("loose", title="t", statement="", kind=Kind.THEOREM)
    with pytest.raises(ValueError, match="no symbolic / numeric / property leg"):
        _ = undeclared.legs


def test_records_know_where_they_and_their_legs_stand():
    claim = _claim(symbolic=lambda: None)
    assert claim.location.startswith("tests/test_engine.py:")
    assert claim.symbolic.location.startswith("tests/test_engine.py:")


def test_registry_rejects_cycles_and_citations_of_errata(monkeypatch):
    a = _claim("a", symbolic=lambda: None, uses=("toy.b",))
    b = _claim("b", symbolic=lambda: None, uses=("toy.a",))
    with pytest.raises(RuntimeError, match=r"cycle: toy\.a -> toy\.b -> toy\.a"):
        registry._check_acyclic({"toy.a": a, "toy.b": b})


# --- runner outcomes -----------------------------------------------------------------------


def test_symbolic_leg_proves_and_fails(hypothesis_settings):
    claim = _claim(
        symbolic=lambda: Derivation([Step("", x)], [sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1])
    )
    assert _run(claim, hypothesis_settings).outcome == "verified"
    claim = _claim(symbolic=lambda: Derivation([Step("", x)], [sp.sin(x) - x]))
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "failed"
    assert "did not simplify" in result.legs["symbolic"].details["message"]


def test_a_derivation_without_residuals_proves_nothing(hypothesis_settings):
    claim = _claim(symbolic=lambda: Derivation([Step("", x)], []))
    assert _run(claim, hypothesis_settings).outcome == "failed"


def test_fixed_size_proof_is_labelled(hypothesis_settings):
    claim = _claim(symbolic=lambda: Derivation([], [sp.Integer(0), sp.Eq(x, x)]), general=False)
    assert _run(claim, hypothesis_settings).legs["symbolic"].status == "proved_fixed_size"


def test_unknown_truth_value_is_not_a_proof(hypothesis_settings):
    claim = _claim(symbolic=lambda: Derivation([], [sp.Symbol("y").is_positive]))  # None
    assert _run(claim, hypothesis_settings).outcome == "failed"


def test_numeric_leg_failure_names_the_dtype(hypothesis_settings):
    def check(impl, device, dtype):
        value = torch.tensor([1.0], dtype=dtype)
        assert_close(value + (0.5 if dtype == torch.float16 else 0.0), torch.tensor([1.0]))

    result = _run(_claim(numeric=check), hypothesis_settings)
    assert result.outcome == "failed"
    assert result.legs["numeric"].details["message"].startswith("float16")
    assert result.legs["numeric"].details["dtypes"] == ["float64", "float32", "bfloat16"]


def test_property_leg_passes_and_refutes_with_a_labelled_shrunk_counterexample(
    hypothesis_settings,
):
    claim = _claim(prop=lambda impl: ForAll(st.integers(-1000, 1000), lambda n: n * n >= n))
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "verified"
    assert result.legs["property"].details["examples"] > 0
    claim = _claim(prop=lambda impl: ForAll(st.integers(0, 1000), lambda n: n < 10, names=("n",)))
    details = _run(claim, hypothesis_settings).legs["property"].details
    assert details["counterexample"] == "n = 10"  # shrunk to the minimum, with its name
    assert details["counterexample_values"] == {"n": 10}
    pairs = st.tuples(st.integers(0, 9), st.integers(0, 9))
    claim = _claim(prop=lambda impl: ForAll(pairs, lambda t: t[0] + t[1] < 5, names=("a", "b")))
    details = _run(claim, hypothesis_settings).legs["property"].details
    assert set(details["counterexample_values"]) == {"a", "b"}
    assert sum(details["counterexample_values"].values()) == 5


def test_erratum_must_be_refuted(hypothesis_settings):
    spec = {"kind": Kind.ERRATUM, "corrects": "toy.fixed"}
    erratum = _claim(**spec, prop=lambda impl: ForAll(st.integers(0, 1000), lambda n: n < 10))
    result = _run(erratum, hypothesis_settings)
    assert result.outcome == "refuted_as_expected" and result.as_declared
    holds = _claim(**spec, prop=lambda impl: ForAll(st.integers(0, 5), lambda n: n < 10))
    assert _run(holds, hypothesis_settings).outcome == "failed"  # true: not an erratum


def test_erratum_symbolic_leg_needs_a_witness(hypothesis_settings):
    spec = {"kind": Kind.ERRATUM, "corrects": "toy.fixed"}
    refuted = lambda impl: ForAll(st.just(1), lambda n: False)  # noqa: E731
    at_2 = _claim(**spec, prop=refuted, symbolic=lambda: Derivation([], [x**2 - x], witness={x: 2}))
    assert _run(at_2, hypothesis_settings).legs["symbolic"].status == "disproved"
    at_1 = _claim(**spec, prop=refuted, symbolic=lambda: Derivation([], [x**2 - x], witness={x: 1}))
    assert _run(at_1, hypothesis_settings).outcome == "failed"  # zero there


def test_notation_note_is_noted_without_legs(hypothesis_settings):
    note = _claim(kind=Kind.NOTATION, corrects="toy.fixed", note="read k for i")
    assert all(isinstance(leg, NotApplicable) for leg in note.legs.values())
    result = _run(note, hypothesis_settings)
    assert result.outcome == "noted" and result.as_declared
    with pytest.raises(ValueError, match="notation note has no legs"):
        note.symbolic_leg("general")(lambda: None)


def test_exists_leg(hypothesis_settings):
    claim = _claim(prop=lambda impl: Exists(st.integers(0, 9), lambda n: n * n == 49))
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "verified" and result.legs["property"].details["witness"] == "7"
    claim = _claim(prop=lambda impl: Exists(st.integers(0, 5), lambda n: n > 5))
    assert _run(claim, hypothesis_settings).outcome == "failed"


def test_exceptions_in_a_leg_become_failures(hypothesis_settings):
    def boom():
        raise RuntimeError("broken leg")

    result = _run(_claim(symbolic=boom), hypothesis_settings)
    assert result.outcome == "failed"
    assert "broken leg" in result.legs["symbolic"].details["message"]


def test_unselected_legs_are_skipped():
    claim = _claim(symbolic=lambda: Derivation([], [0]))
    result = runner.run_claim(claim, legs=["numeric"])
    assert result.outcome == "skipped" and result.as_declared


# --- citations -----------------------------------------------------------------------------


def test_a_claim_whose_cited_claim_fails_fails_and_names_it(toy_registry, hypothesis_settings):
    lemma = _claim("lemma", symbolic=lambda: Derivation([], [sp.sin(x) - x]))  # not a proof
    toy_registry[lemma.id] = lemma
    step = Step("by the lemma", x, cites=(lemma.id,))
    user = _claim("user", symbolic=lambda: Derivation([step], [0]), uses=(lemma.id,))
    result = _run(user, hypothesis_settings)
    assert result.outcome == "failed"
    assert result.failed_dependencies == [lemma.id]
    assert f"uses {lemma.id}" in result.failure_report()
    toy_registry[lemma.id] = _claim("lemma", symbolic=lambda: Derivation([], [0]))
    assert _run(user, hypothesis_settings).outcome == "verified"


def test_a_cited_claim_must_be_listed_in_uses(hypothesis_settings):
    step = Step("by something", x, cites=("toy.elsewhere",))
    result = _run(_claim(symbolic=lambda: Derivation([step], [0])), hypothesis_settings)
    assert result.outcome == "failed"
    assert "does not list in uses" in result.legs["symbolic"].details["message"]


def test_run_claims_runs_a_shared_dependency_once(toy_registry, hypothesis_settings):
    calls = []

    def lemma_leg():
        calls.append(1)
        return Derivation([], [0])

    toy_registry["toy.lemma"] = _claim("lemma", symbolic=lemma_leg)
    users = [
        _claim(slug, symbolic=lambda: Derivation([], [0]), uses=("toy.lemma",))
        for slug in ("u1", "u2")
    ]
    results = runner.run_claims(users, settings=hypothesis_settings)
    assert [r.outcome for r in results] == ["verified", "verified"] and len(calls) == 1


# --- the implementation under test ---------------------------------------------------------


def test_legs_receive_the_implementation_they_check(hypothesis_settings):
    def check(impl, device, dtype):
        assert torch.equal(
            impl.double_it(torch.ones(2, dtype=dtype)), torch.full((2,), 2.0, dtype=dtype)
        )

    claim = _claim(numeric=check, code=("double_it",))
    right = Implementation({"toy.double_it": lambda t: 2 * t}, "right")
    wrong = Implementation({"toy.double_it": lambda t: t + 2 * (t != 1)}, "wrong")
    assert runner.run_claim(claim, implementation=right).outcome == "verified"
    assert runner.run_claim(claim, implementation=wrong).outcome == "failed"
    leg = runner.run_claim(claim, implementation=right).legs["numeric"]
    assert leg.details["used"] == {"double_it"}


def test_a_leg_cannot_reach_a_function_its_record_does_not_declare(hypothesis_settings):
    def check(impl, device, dtype):
        impl.other(torch.ones(1))

    claim = _claim(numeric=check, code=("double_it",))
    impl = Implementation({"toy.double_it": lambda t: 2 * t, "toy.other": abs}, "both")
    result = runner.run_claim(claim, implementation=impl)
    assert result.outcome == "failed"
    assert "declares in `code`" in result.legs["numeric"].details["message"]


# --- tolerances ----------------------------------------------------------------------------


def test_tolerance_table_is_assert_close_defaults_or_tighter():
    defaults = {
        torch.float64: (1e-7, 1e-7),
        torch.float32: (1.3e-6, 1e-5),
        torch.bfloat16: (1.6e-2, 1e-5),
        torch.float16: (1e-3, 1e-5),
    }
    for dtype, (rtol, atol) in defaults.items():
        assert TOLERANCES[dtype].rtol <= rtol and TOLERANCES[dtype].atol <= atol


def test_assert_close_uses_the_dtype_of_the_result():
    one = torch.tensor(1.0, dtype=torch.float64)
    assert is_close(torch.tensor(1.0009, dtype=torch.float16), one)
    assert not is_close(torch.tensor(1.0009, dtype=torch.float32), one)
    assert not is_close(torch.tensor(float("nan")), torch.tensor(float("nan")))


def test_assert_accurate_measures_in_eps_and_waves_no_tiny_value_through():
    exact = torch.tensor([1e-12, 2.0], dtype=torch.float64)
    assert is_accurate(exact * (1 + 4 * 2.0**-52), exact)
    # a Python float is the float64 it is, never read through float32 (6.7e6 eps away)
    assert is_accurate(torch.tensor(0.1, dtype=torch.float64), 0.1)
    assert not is_accurate(exact * (1 + 1e-9), exact)  # far below atol, yet 4500 eps off
    assert not is_accurate(torch.tensor([0.0, 2.0], dtype=torch.float64), exact)
    half = torch.tensor([0.1], dtype=torch.float16)  # rounded once: within 1 eps of float16
    assert is_accurate(half, [0.1])
    with pytest.raises(AssertionError, match="non-finite mismatch"):
        assert_accurate(torch.tensor([float("inf")]), [1.0])
    # an ill-conditioned value is measured against the scale a stable method can reach
    assert not is_accurate(torch.tensor([1e-10], dtype=torch.float64), [2e-10])
    assert is_accurate(torch.tensor([1e-10 + 1e-20], dtype=torch.float64), [1e-10], scale=100.0)


# --- report contract -----------------------------------------------------------------------


def test_json_report_follows_the_contract(hypothesis_settings):
    claims = select(
        claim_ids=["classification.softmax-index-clash", "classification.one-hot-encoding"]
    )
    results = [runner.run_claim(c, settings=hypothesis_settings) for c in claims]
    report = json.loads(json.dumps(to_json(results, device="cpu", profile="ci")))
    assert set(report) >= {"dltheory", "device", "profile", "summary", "claims"}
    assert report["summary"] == {
        "claims": 2,
        "verified": 1,
        "refuted_as_expected": 0,
        "noted": 1,
        "failed": 0,
        "skipped": 0,
    }
    for entry in report["claims"]:
        assert set(entry) >= {
            "id", "chapter", "title", "statement", "source", "kind", "corrects",
            "location", "uses", "outcome", "legs", "test_id", "code",
        }  # fmt: skip
        assert entry["location"].startswith("dltheory/classification/claims/")
        assert set(entry["legs"]) == {"symbolic", "numeric", "property"}
        assert set(entry["legs"]["symbolic"]) >= {"status", "scope", "seconds"}
        assert set(entry["legs"]["numeric"]) >= {"status", "oracle"}
        assert set(entry["legs"]["property"]) >= {"status", "examples", "counterexample"}
        assert entry["test_id"] == f"tests/test_claims.py::test_claim[{entry['id']}]"
    by_kind = {e["kind"]: e for e in report["claims"]}
    note, one_hot = by_kind["notation"], by_kind["definition"]
    assert note["kind"] == "notation" and note["outcome"] == "noted"
    assert note["corrects"] == "classification.softmax-definition"
    for leg in one_hot["legs"].values():
        assert leg["location"].startswith("dltheory/classification/claims/encoding.py:")


# --- registry ------------------------------------------------------------------------------


def test_short_ids_resolve_when_unique():
    assert registry.resolve_claim_id("softmax-ce-gradient") == "classification.softmax-ce-gradient"
    with pytest.raises(ValueError, match="did you mean"):
        registry.resolve_claim_id("softmax-ce")


# --- command line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "--claim", "nope.nothing"], "unknown claim id"),
        (["verify", "--chapter", "nope"], "unknown chapter"),
        (["verify", "--legs", "numeric,bogus"], "--legs"),
        (["verify", "--device", "tpu"], "cpu or cuda"),
        (["verify", "--profile", "fast"], "invalid choice"),
        (["verify", "--json", "/no/such/dir/report.json"], "does not exist"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        sys.exit(cli.main(argv))
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message when CUDA is absent")
def test_cli_cuda_absent_is_a_usage_error(capsys):
    assert cli.main(["verify", "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_cli_verify_writes_report_and_exits_0(tmp_path, capsys):
    path = tmp_path / "report.json"
    ids = ["classification.softmax-index-clash", "classification.softmax-sums-to-one"]
    argv = ["verify", "--quiet", "--json", str(path)] + [a for i in ids for a in ("--claim", i)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "softmax-index-clash" in out and "noted" in out
    report = json.loads(path.read_text())
    assert [c["id"] for c in report["claims"]] == ids


def test_cli_exits_1_when_a_claim_is_not_as_declared(monkeypatch, capsys):
    real = runner.run_leg

    def sabotaged(claim, name, **kwargs):
        result = real(claim, name, **kwargs)
        if name == "numeric" and result.status == "passed":
            result.status = "failed"
        return result

    monkeypatch.setattr(runner, "run_leg", sabotaged)
    argv = [
        "verify",
        "--quiet",
        "--legs",
        "numeric",
        "--claim",
        "classification.softmax-definition",
    ]
    assert cli.main(argv) == 1
    assert "Not as declared" in capsys.readouterr().out


def test_cli_list_and_help_run_as_a_program():
    listing = subprocess.run(
        [sys.executable, "-m", "dltheory", "list"], capture_output=True, text=True, check=True
    )
    assert len(listing.stdout.splitlines()) == len(all_claims())
    helptext = subprocess.run(
        [sys.executable, "-m", "dltheory", "verify", "--help"], capture_output=True, text=True
    )
    assert helptext.returncode == 0 and "--profile" in helptext.stdout


def test_import_dltheory_is_light():
    code = (
        "import sys, dltheory, dltheory.classification;"
        "heavy = [m for m in ('sympy', 'hypothesis', 'scipy', 'mpmath', 'matplotlib') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
