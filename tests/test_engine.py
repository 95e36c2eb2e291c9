"""The claim engine itself: records, runner outcomes, report contract and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory import cli
from dltheory.core import runner
from dltheory.core.claim import (
    Claim,
    Derivation,
    Exists,
    ForAll,
    Kind,
    NotApplicable,
    NumericLeg,
    PropertyLeg,
    Step,
    SymbolicLeg,
)
from dltheory.core.registry import all_claims, select
from dltheory.core.report import to_json
from dltheory.core.tolerances import TOLERANCES, assert_close, is_close

NA = NotApplicable("not needed here")
x = sp.Symbol("x", real=True)


def _claim(kind=Kind.THEOREM, corrects=None, **legs):
    fields = {"symbolic": NA, "numeric": NA, "property": NA, **legs}
    return Claim(
        id="toy.example",
        title="toy",
        statement="",
        source="test",
        kind=kind,
        corrects=corrects,
        **fields,
    )


@pytest.fixture
def legs(monkeypatch):
    """Install leg functions for the toy claim: ``legs['symbolic'] = fn`` etc."""
    table: dict = {}
    monkeypatch.setattr(runner, "leg_function", lambda claim, leg: table[leg])
    return table


def _run(claim, hypothesis_settings):
    return runner.run_claim(claim, settings=hypothesis_settings)


# --- records -------------------------------------------------------------------------------


def test_claim_record_rejects_inconsistent_declarations():
    with pytest.raises(ValueError, match=r"<chapter>\.<slug>"):
        Claim("nodot", "t", "", "s", Kind.THEOREM, NA, NA, PropertyLeg("p"))
    with pytest.raises(ValueError, match=r"only an erratum\) names `corrects`"):
        _claim(corrects="toy.other", property=PropertyLeg("p"))
    with pytest.raises(ValueError, match="erratum needs a property leg"):
        _claim(kind=Kind.ERRATUM, corrects="toy.other", symbolic=SymbolicLeg("n = 2", False))
    with pytest.raises(ValueError, match="at least one runnable leg"):
        _claim()


# --- runner outcomes -----------------------------------------------------------------------


def test_symbolic_leg_proves_and_fails(legs, hypothesis_settings):
    claim = _claim(symbolic=SymbolicLeg("general"))
    legs["symbolic"] = lambda: Derivation([Step("", x)], [sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1])
    assert _run(claim, hypothesis_settings).outcome == "verified"
    legs["symbolic"] = lambda: Derivation([Step("", x)], [sp.sin(x) - x])
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "failed"
    assert "did not simplify" in result.legs["symbolic"].details["message"]


def test_fixed_size_proof_is_labelled(legs, hypothesis_settings):
    claim = _claim(symbolic=SymbolicLeg("n = 2", general=False))
    legs["symbolic"] = lambda: Derivation([], [sp.Integer(0), sp.Eq(x, x)])
    assert _run(claim, hypothesis_settings).legs["symbolic"].status == "proved_fixed_size"


def test_unknown_truth_value_is_not_a_proof(legs, hypothesis_settings):
    claim = _claim(symbolic=SymbolicLeg("general"))
    legs["symbolic"] = lambda: Derivation([], [sp.Symbol("y").is_positive])  # None: unknown
    assert _run(claim, hypothesis_settings).outcome == "failed"


def test_numeric_leg_failure_names_the_dtype(legs, hypothesis_settings):
    def check(device, dtype):
        value = torch.tensor([1.0], dtype=dtype)
        assert_close(value + (0.5 if dtype == torch.float16 else 0.0), torch.tensor([1.0]))

    legs["numeric"] = check
    result = _run(_claim(numeric=NumericLeg("exact")), hypothesis_settings)
    assert result.outcome == "failed"
    assert result.legs["numeric"].details["message"].startswith("float16")
    assert result.legs["numeric"].details["dtypes"] == ["float64", "float32", "bfloat16"]


def test_property_leg_passes_and_refutes_with_shrunk_counterexample(legs, hypothesis_settings):
    claim = _claim(property=PropertyLeg("x*x >= x"))
    legs["property"] = lambda: ForAll(st.integers(-1000, 1000), lambda n: n * n >= n)
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "verified"
    assert result.legs["property"].details["examples"] > 0
    legs["property"] = lambda: ForAll(st.integers(0, 1000), lambda n: n < 10)
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "failed"
    assert result.legs["property"].details["counterexample"] == "10"  # shrunk to the minimum


def test_erratum_must_be_refuted(legs, hypothesis_settings):
    erratum = _claim(kind=Kind.ERRATUM, corrects="toy.fixed", property=PropertyLeg("n < 10"))
    legs["property"] = lambda: ForAll(st.integers(0, 1000), lambda n: n < 10)
    result = _run(erratum, hypothesis_settings)
    assert result.outcome == "refuted_as_expected" and result.as_declared
    legs["property"] = lambda: ForAll(st.integers(0, 5), lambda n: n < 10)  # true: not an erratum
    assert _run(erratum, hypothesis_settings).outcome == "failed"


def test_erratum_symbolic_leg_needs_a_witness(legs, hypothesis_settings):
    erratum = _claim(
        kind=Kind.ERRATUM,
        corrects="toy.fixed",
        symbolic=SymbolicLeg("general"),
        property=PropertyLeg("p"),
    )
    legs["property"] = lambda: ForAll(st.just(1), lambda n: False)
    legs["symbolic"] = lambda: Derivation([], [x**2 - x], witness={x: 2})
    assert _run(erratum, hypothesis_settings).legs["symbolic"].status == "disproved"
    legs["symbolic"] = lambda: Derivation([], [x**2 - x], witness={x: 1})  # zero there
    assert _run(erratum, hypothesis_settings).outcome == "failed"


def test_exists_leg(legs, hypothesis_settings):
    claim = _claim(property=PropertyLeg("some square is 49"))
    legs["property"] = lambda: Exists(st.integers(0, 100), lambda n: n * n == 49)
    result = _run(claim, hypothesis_settings)
    assert result.outcome == "verified" and result.legs["property"].details["witness"] == "7"
    legs["property"] = lambda: Exists(st.integers(0, 5), lambda n: n > 5)
    assert _run(claim, hypothesis_settings).outcome == "failed"


def test_exceptions_in_a_leg_become_failures(legs, hypothesis_settings):
    def boom():
        raise RuntimeError("broken leg")

    legs["symbolic"] = boom
    result = _run(_claim(symbolic=SymbolicLeg("general")), hypothesis_settings)
    assert result.outcome == "failed"
    assert "broken leg" in result.legs["symbolic"].details["message"]


def test_unselected_legs_are_skipped(legs):
    claim = _claim(symbolic=SymbolicLeg("general"))
    result = runner.run_claim(claim, legs=["numeric"])
    assert result.outcome == "skipped" and result.as_declared


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


# --- report contract -------------------------------------------------------------------------


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
        "refuted_as_expected": 1,
        "failed": 0,
        "skipped": 0,
    }
    for entry in report["claims"]:
        assert set(entry) >= {
            "id", "chapter", "title", "statement", "source", "kind", "corrects",
            "outcome", "legs", "test_id", "code",
        }  # fmt: skip
        assert set(entry["legs"]) == {"symbolic", "numeric", "property"}
        assert set(entry["legs"]["symbolic"]) >= {"status", "scope", "seconds"}
        assert set(entry["legs"]["numeric"]) >= {"status", "oracle"}
        assert set(entry["legs"]["property"]) >= {"status", "examples", "counterexample"}
        assert entry["test_id"] == f"tests/test_claims.py::test_claim[{entry['id']}]"
    erratum = next(e for e in report["claims"] if e["kind"] == "erratum")
    assert erratum["corrects"] == "classification.softmax-definition"
    assert erratum["legs"]["property"]["status"] == "refuted"
    assert erratum["legs"]["property"]["counterexample"]


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
    assert "softmax-index-clash" in out and "refuted_as_expected" in out
    assert "[0.0, 1.0]" in out  # the shrunk counterexample is shown
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
        "import sys, dltheory, dltheory.classification, dltheory.core.registry as r; r.chapters();"
        "heavy = [m for m in ('sympy', 'hypothesis', 'scipy', 'mpmath', 'matplotlib') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
