"""``dltheory check``: the claims run on other people's implementations.

* targets load from a module or a file, match functions by the reference names (any subset,
  ``DLTHEORY_FUNCTIONS``, names two chapters share), and are refused with one line and exit 2
  when unusable;
* the reference functions pass behind the strictest signatures a target may have, so every
  claim calls the functions the way the signature check assumes;
* real flawed implementations (``tests/conformance/flawed_*.py``) are caught by the claims one
  would expect, each failure with a counterexample and a snippet that runs;
* two correct implementations written differently (torch built-ins, plain NumPy) pass every
  claim they cover except where a claim is about a regime they get wrong: each such failure
  is listed below with the reason, and the leg's message names it;
* the pytest plugin gives one test per covered claim.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dltheory import cli
from dltheory.core.check import plan_check
from dltheory.core.registry import all_claims, chapters, select
from dltheory.core.target import TargetError, checkable_functions, load_target

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = Path("tests/conformance")  # relative, as a user types it (tests run from ROOT)
CHAPTERS = {c.name for c in chapters()}


@pytest.fixture(autouse=True)
def _in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _check(tmp_path, target: str, *options: str) -> tuple[int, dict, str]:
    """Run ``dltheory check`` in-process; return the exit code, the JSON report, the output."""
    report = tmp_path / "report.json"
    code = cli.main(["check", target, "--quiet", "--json", str(report), *options])
    return code, json.loads(report.read_text()) if report.exists() else {}, ""


def _failed(report: dict) -> dict[str, dict]:
    return {c["id"]: c for c in report["claims"] if c["outcome"] != c["expected"]}


def _messages(entry: dict) -> str:
    return " ".join(str(leg.get("message", "")) for leg in entry["legs"].values())


def _write(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


# --- loading a target ------------------------------------------------------------------------


def test_a_module_and_a_file_load_under_the_reference_names(tmp_path):
    module = load_target("dltheory.classification.reference")
    assert set(module.functions) == {q for q in checkable_functions("classification")}
    path = _write(
        tmp_path,
        "mine.py",
        """
        import torch
        __all__ = ["softmax"]
        def softmax(input, dim=-1):
            return torch.softmax(input, dim)
        def logsumexp(input, dim=-1, keepdim=False):  # not in __all__: not offered
            return torch.logsumexp(input, dim, keepdim)
        """,
    )
    loaded = load_target(path)
    assert list(loaded.functions) == ["classification.softmax"]
    assert loaded.describe("classification.softmax") == f"{path}:softmax"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import nonexistent_package_xyz\n", "ModuleNotFoundError: No module named"),
        ("def softmax(input, dim=-1)\n    return input\n", "SyntaxError"),
        ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
        ("def unrelated(x):\n    return x\n", "provides none of the functions"),
        ("def softmax(x):\n    return x\n", "cannot take the claims' calls"),
        ("def cross_entropy(logits, labels, reduction='mean'):\n    return logits\n", "validate"),
        ("DLTHEORY_FUNCTIONS = {'classification.frobnicate': len}\n", "which no claim checks"),
        ("DLTHEORY_FUNCTIONS = {'softmax': 3}\n", "is not callable"),
    ],
)
def test_an_unusable_target_exits_2_with_one_line(tmp_path, capsys, source, message):
    path = _write(tmp_path, "target.py", source)
    assert cli.main(["check", path]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_module_that_is_not_importable_exits_2(capsys):
    assert cli.main(["check", "no_such_module_xyz.ops"]) == 2
    err = capsys.readouterr().err
    assert "cannot import target 'no_such_module_xyz.ops': ModuleNotFoundError" in err
    assert cli.main(["check", "tests/conformance/no_such_file.py"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_module_with_no_matching_function_exits_2(capsys):
    assert cli.main(["check", "json"]) == 2
    assert "json provides none of the functions the claims check" in capsys.readouterr().err


def test_the_signature_check_names_what_the_function_cannot_take(tmp_path):
    path = _write(tmp_path, "t.py", "def logsumexp(input, dim=-1):\n    return input\n")
    with pytest.raises(TargetError, match=r"keepdim"):
        load_target(path)
    adapted = _write(  # the adapter pattern: accept the reference's parameters
        tmp_path,
        "adapted.py",
        """
        import torch
        def logsumexp(input, dim=-1, keepdim=False, **ignored):
            return torch.logsumexp(input, dim, keepdim=keepdim)
        """,
    )
    assert list(load_target(adapted).functions) == ["classification.logsumexp"]


def test_a_shared_name_goes_to_the_chapter_whose_signature_it_fits(tmp_path):
    """``cross_entropy`` is in classification and information."""
    classification_style = _write(
        tmp_path,
        "c.py",
        """
        def cross_entropy(input, target, *, reduction="mean", validate=True):
            return input
        """,
    )
    loaded = load_target(classification_style)
    assert list(loaded.functions) == ["classification.cross_entropy"]
    assert "its signature fits that, not information.cross_entropy" in loaded.notes[0]
    information_style = _write(
        tmp_path,
        "i.py",
        """
        def cross_entropy(p, q, dim=-1, *, keepdim=False, base=None, validate=True):
            return p
        """,
    )
    assert list(load_target(information_style).functions) == ["information.cross_entropy"]


def test_an_ambiguous_name_asks_for_chapter_or_mapping(tmp_path):
    anything = _write(tmp_path, "a.py", "def cross_entropy(*args, **kwargs):\n    return 0\n")
    with pytest.raises(TargetError, match=r"could be .*--chapter or DLTHEORY_FUNCTIONS"):
        load_target(anything)
    assert list(load_target(anything, "classification").functions) == [
        "classification.cross_entropy"
    ]
    mapped = _write(
        tmp_path,
        "m.py",
        """
        def cross_entropy(*args, **kwargs):
            return 0
        def distributions_ce(*args, **kwargs):
            return 1
        DLTHEORY_FUNCTIONS = {"information.cross_entropy": distributions_ce}
        """,
    )
    loaded = load_target(mapped)  # the bare name then goes to the chapter not mapped
    assert loaded.functions["information.cross_entropy"].__name__ == "distributions_ce"
    assert loaded.functions["classification.cross_entropy"].__name__ == "cross_entropy"
    assert loaded.origins["information.cross_entropy"].startswith("DLTHEORY_FUNCTIONS[")


# --- the reference passes --------------------------------------------------------------------
# (tests/test_claims.py runs every claim on the reference behind the strictest signatures a
# target may have, so every leg calls the functions the way the signature check assumes)


@pytest.mark.slow  # every claim of the chapter
def test_the_reference_module_passes(tmp_path):
    code, report, _ = _check(tmp_path, "dltheory.classification.reference")
    failed = _failed(report)
    assert code == 0, {k: _messages(v) for k, v in failed.items()}
    covered = {c.id for c in all_claims() if c.code and c.chapter == "classification"}
    assert {c["id"] for c in report["claims"]} == covered
    assert report["target"] == "dltheory.classification.reference"
    entry = next(c for c in report["claims"] if c["id"] == "classification.softmax-sums-to-one")
    assert entry["legs"]["symbolic"] == {
        **entry["legs"]["symbolic"],
        "status": "proved",
        "rerun": False,
    }
    assert entry["functions"] == {
        "classification.softmax": "dltheory.classification.reference.softmax"
    }
    not_covered = {c["id"] for c in report["not_covered"]}
    assert not_covered == {c.id for c in all_claims() if c.code} - covered


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_every_chapter_reference_module_is_a_target_covering_its_chapter(chapter):
    """A chapter's functions join the check by being declared in its claims' ``code``: its
    reference module matches under every name, and covers every claim of the chapter that
    checks a function (running them is test_claims' job, behind the strictest signatures)."""
    loaded = load_target(f"dltheory.{chapter}.reference")
    assert list(loaded.functions) == list(checkable_functions(chapter))
    plan = plan_check(loaded, select(chapter))
    checking = {c.id for c in select(chapter) if c.code}
    # a claim that also calls another chapter's function (``"classification.cross_entropy"``)
    # needs that function from the target too: not covered by this chapter's module alone
    own = {
        c.id
        for c in select(chapter)
        if c.code and all("." not in name or name.startswith(f"{chapter}.") for name in c.code)
    }
    assert {c.id for c in plan.covered} == own
    assert {c.id for c, _lacking in plan.not_covered} == checking - own


def test_the_readme_shows_dltheory_check_and_the_plugin():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "dltheory check my_ops.py" in readme
    assert "pytest --dltheory-target" in readme
    assert "Exit status 0 when every checked claim holds, 1 when one fails, 2" in readme


# --- flawed implementations ------------------------------------------------------------------

#: each flawed implementation, and claims that must catch it (others may too)
FLAWED = {
    "flawed_softmax_no_shift.py": {
        "classification.softmax-nonnegative",
        "classification.softmax-sums-to-one",
        "classification.softmax-preserves-argmax",
        "classification.softmax-shift-invariant",
    },
    "flawed_cross_entropy_log_of_softmax.py": {
        "classification.log-likelihood-factorizes",
        "classification.cross-entropy-one-hot",
    },
    "flawed_logsumexp_float16_sum.py": {"classification.cross-entropy-logsumexp-form"},
    "flawed_entropy_nan_at_zero.py": {
        "information.entropy-discrete-form",
        "information.entropy-nonnegative-discrete",
        "information.entropy-at-most-log-k",
    },
    "flawed_kl_without_inf.py": {
        "information.kl-infinite-outside-support",
        "information.kl-definition",
    },
    "flawed_mutual_information_wrong_axis.py": {
        "information.mutual-information-definition",
        "information.mutual-information-symmetric",
        "information.mutual-information-kl-joint-product",
    },
    # a chapter added after `dltheory check`: its function joins by its reference name
    "flawed_clip_grad_norm_always_scales.py": {
        "sequences.clipping-identity-below-threshold",
        "sequences.clipped-norm-at-most-threshold",
    },
}


def _flawed_params() -> list:
    return [pytest.param(n, e, id=n.removesuffix(".py")) for n, e in FLAWED.items()]


@pytest.mark.parametrize(("name", "expected"), _flawed_params())
def test_a_flawed_implementation_is_caught_with_a_counterexample(tmp_path, name, expected):
    code, report, _ = _check(tmp_path, str(CONFORMANCE / name))
    failed = _failed(report)
    assert code == 1
    assert expected <= set(failed), f"not caught by {sorted(expected - set(failed))}"
    for claim_id, entry in failed.items():
        # a shrunk counterexample (property legs), or the call of a numeric leg on which the
        # function differs from the reference, as a snippet
        counterexample = entry["legs"]["property"].get("counterexample_values")
        snippet = entry["reproduction"].get("snippet", "")
        assert counterexample or "# expected:" in snippet, claim_id
        assert entry["command"] == f"dltheory check {CONFORMANCE / name} --claim {claim_id}"


def test_the_snippet_of_a_failure_runs_and_shows_the_bug(tmp_path):
    target = str(CONFORMANCE / "flawed_softmax_no_shift.py")
    _, report, _ = _check(tmp_path, target, "--claim", "softmax-nonnegative")
    entry = _failed(report)["classification.softmax-nonnegative"]
    assert entry["legs"]["property"]["counterexample_values"] == {"o": [710.0]}
    snippet = entry["reproduction"]["snippet"]
    assert "from flawed_softmax_no_shift import softmax" in snippet
    assert "# expected: [1.0]" in snippet
    ran = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert ran.stdout.strip() == "[nan]"


def test_the_snippet_of_a_failure_with_tensors_in_a_list_runs_and_prints_what_it_says(tmp_path):
    """clip_grad_norm takes a list of tensors and returns (list, norm): the snippet rebuilds
    the list and prints the result the way its ``# yours:`` comment shows it."""
    target = str(CONFORMANCE / "flawed_clip_grad_norm_always_scales.py")
    _, report, _ = _check(tmp_path, target, "--claim", "clipping-identity-below-threshold")
    entry = _failed(report)["sequences.clipping-identity-below-threshold"]
    assert entry["legs"]["property"]["counterexample_values"] == {"grads": [[1.0]], "factor": 2.0}
    snippet = entry["reproduction"]["snippet"]
    assert "clip_grad_norm([torch.tensor([1.0], dtype=torch.float64)], 2.0)" in snippet
    ran = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=True, cwd=ROOT
    )
    yours = next(line for line in snippet.splitlines() if line.startswith("# yours:"))
    assert ran.stdout.strip() == yours.removeprefix("# yours:").strip()
    assert ran.stdout.strip() == "([[1.9999980000020001]], 1.0)"


def test_a_generator_argument_is_replayed_and_shown_as_it_was_passed():
    """``k_fold_splits(..., generator=g)``: the target and the reference each draw from a copy
    of ``g`` as the leg passed it, and the snippet seeds a generator the same way."""
    import torch

    from dltheory.core import check, check_calls

    g = torch.Generator().manual_seed(7)
    expected = torch.randperm(9, generator=torch.Generator().manual_seed(7))
    for _ in range(2):
        assert torch.equal(torch.randperm(9, generator=check_calls.copy_arguments(g)), expected)
    assert check._source(g) == "torch.Generator().manual_seed(7)"
    assert torch.equal(torch.randperm(9, generator=g), expected)  # g itself untouched


def test_a_failure_report_in_the_terminal_shows_the_snippet(capsys):
    path = str(CONFORMANCE / "flawed_logsumexp_float16_sum.py")
    assert cli.main(["check", path, "--quiet"]) == 1
    out = capsys.readouterr().out
    # float64 comes first: there the float16-style sum loses the rows whose maximum dominates
    assert "from flawed_logsumexp_float16_sum import logsumexp" in out and "input = torch." in out
    assert "Not covered" in out and "needs softmax" in out
    assert "claim checked:" in out or "claims checked:" in out
    assert (
        f"rerun: dltheory check {path} --claim classification.cross-entropy-logsumexp-form" in out
    )


# --- correct implementations written differently --------------------------------------------

#: the claims a correct implementation may fail, and why: every one is a regime the
#: implementation really gets wrong, named in the leg's message
CONFIDENT = "confident rows"  # log of the rounded 1 + s, not log1p(s): tiny losses lose digits
SECOND = "second derivatives"  # a NumPy backward pass is differentiable once
EXTREME_GAUSSIANS = "underflowing and overflowing parameters"
WIDE_UNIFORM = "the width overflows"
EXPLAINED = {
    "torch_builtins.py": {
        # F.cross_entropy: a loss near 1e-5 off by ~1e4 eps (its absolute accuracy only)
        "classification.cross-entropy-one-hot": CONFIDENT,
        "classification.cross-entropy-logsumexp-form": CONFIDENT,
        # torch.log_softmax: the largest entry of a row whose maximum dominates (~ -1e-8) is
        # -log of the rounded sum near 1, off by ~1e8 eps
        "classification.cross-entropy-expansion": CONFIDENT,
        # xlogy(p, p) - xlogy(p, q) cancels when q is close to p: KL ~ 1e-16 far off
        "information.kl-nonnegative": "vs mpmath",
        # log p - log p_X - log p_Y cancels at a tiny cell with a moderate PMI: at p = 6e-57
        # (log p ~ -129) the PMI 0.85 is 51 eps off, beyond 16 eps of max(1, |pmi|)
        "information.pmi-definition": "",
        # the closed form as written: sigma_q / sigma_p overflows at sigma_p = tiny,
        # sigma_q = max / 4, so the divergence (1416.29 in float64) comes out +inf
        "information.kl-gaussian-closed-form": EXTREME_GAUSSIANS,
        # Uniform.entropy is log(high - low): +inf where the width overflows the dtype
        "information.differential-entropy-definition": WIDE_UNIFORM,
        # autograd of torch.xlogy: d(-p log q)/dp = 0 at p = q = 0, where -log q is +inf
        "information.cross-entropy-definition": "d CE / d p at p_i = 0",
        # autograd of xlogy(p, p) - xlogy(p, q): NaN at p_i = 0, where the one-sided
        # derivative is -inf (q_i > 0) or +inf (q_i = 0)
        "information.kl-infinite-outside-support": "d KL / d p",
        # autograd through entr of the joint and of its marginals: NaN (inf - inf) at an
        # empty cell, where the one-sided derivative along the table is finite or +-inf
        "information.mutual-information-definition": "gradient at empty cells",
        # H(X, Y) - H(X) cancels where the rows are nearly deterministic (H ~ 1e-7 from
        # entropies near 0.6): 2e6 eps off, before the gradient at empty cells is reached
        "information.conditional-entropy-definition": "nearly deterministic rows",
    },
    "numpy_impl.py": {
        "classification.cross-entropy-one-hot": CONFIDENT,
        "classification.cross-entropy-logsumexp-form": CONFIDENT,
        "classification.softmax-definition": SECOND,
        # its backward returns no gradient for probability targets
        "classification.cross-entropy-expansion": "no gradient with respect to the weights",
        "classification.softmax-ce-gradient": SECOND,
        # the information functions are values only: every gradcheck fails
        "information.entropy-discrete-form": "gradcheck",
        "information.joint-entropy-definition": "gradcheck",
        "information.conditional-entropy-definition": "gradcheck",
        "information.mutual-information-definition": "gradcheck",
        # log p - log p_X - log p_Y near 0 keeps no relative digit where the marginals are
        # exact (1.6e8 eps), before gradcheck is reached
        "information.pmi-definition": "nearly independent table with exact marginals",
        # p log(p / q) at q = 1e-310 under p = 3/4: p / q overflows to inf (KL is 535)
        "information.kl-definition": "vs mpmath",
        "information.cross-entropy-definition": "gradcheck",
        "information.kl-infinite-outside-support": "does not require grad",
        "information.kl-gaussian-closed-form": EXTREME_GAUSSIANS,  # the same overflow
        "information.differential-entropy-definition": WIDE_UNIFORM,  # log(b - a) overflows
        "information.kl-nonnegative": "vs mpmath",  # p log(p / q) for q close to p
        "information.cross-entropy-decomposition": "",  # the same: H + KL off by 16 eps
    },
}


@pytest.mark.slow  # every claim of two chapters
@pytest.mark.parametrize("name", sorted(EXPLAINED))
def test_a_correct_implementation_written_differently_passes_or_fails_for_a_reason(tmp_path, name):
    code, report, _ = _check(tmp_path, str(CONFORMANCE / name))
    failed = _failed(report)
    unexplained = set(failed) - set(EXPLAINED[name])
    assert not unexplained, {k: _messages(failed[k])[:300] for k in unexplained}
    classification = {k for k in EXPLAINED[name] if k.startswith("classification.")}
    assert {k for k in failed if k.startswith("classification.")} == classification
    for claim_id, entry in failed.items():
        assert EXPLAINED[name][claim_id] in _messages(entry), claim_id
    assert report["functions"]["classification.softmax"].endswith(f"{name}:softmax")
    assert code == (1 if failed else 0)


# --- the pytest plugin ---------------------------------------------------------------------


def _pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.slow  # a whole chapter, or pytest in a subprocess
def test_pytest_plugin_gives_one_test_per_covered_claim():
    passing = _pytest(  # the softmax claims (the test above runs the whole chapter)
        "--dltheory-target",
        "dltheory.classification.reference",
        "--dltheory-chapter",
        "classification",
        "--pyargs",
        "dltheory",
        "-k",
        "softmax and not ce",
    )
    covered = [
        c
        for c in all_claims()
        if c.chapter == "classification" and "softmax" in c.id and "ce" not in c.slug and c.code
    ]
    assert passing.returncode == 0, passing.stdout[-2000:]
    assert f"{len(covered)} passed" in passing.stdout
    failing = _pytest(
        "--dltheory-target", str(CONFORMANCE / "flawed_softmax_no_shift.py"), "--pyargs", "dltheory"
    )
    assert failing.returncode == 1
    assert "dltheory/__init__.py::check[classification.softmax-sums-to-one]" in failing.stdout
    assert "counterexample: o = [710.0]" in failing.stdout
    assert "claims not covered by the target" in failing.stdout


@pytest.mark.slow  # a whole chapter, or pytest in a subprocess
def test_pytest_plugin_is_inert_without_the_option_and_refuses_a_bad_target():
    inert = _pytest("--pyargs", "dltheory")
    assert inert.returncode == 5 and "no tests ran" in inert.stdout  # nothing collected
    bad = _pytest("--dltheory-target", "json", "--pyargs", "dltheory")
    assert bad.returncode == 4
    assert "json provides none of the functions" in bad.stderr


# --- the docs page -------------------------------------------------------------------------


def test_the_docs_page_lists_every_function_a_target_can_provide(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "docs"))
    from check_page import check_functions_block

    block = check_functions_block()
    for name, claim_ids in checkable_functions().items():
        row = next(line for line in block.splitlines() if line.startswith(f"| `{name}` |"))
        assert all(f"[{claim_id}]" in row for claim_id in claim_ids)
    page = (ROOT / "docs" / "check.md").read_text()
    assert "<!-- dltheory:check-functions -->" in page and "<!-- dltheory:check-example -->" in page
