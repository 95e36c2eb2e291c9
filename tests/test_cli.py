"""The command line as a new user meets it: errors caught before a run, progress while it runs,
Ctrl-C, short claim ids, help texts, the summary line, and labelled counterexamples."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import strategies as st

from dltheory import cli
from dltheory.core import registry, runner
from dltheory.core.claim import ForAll, Kind, NotApplicable, PropertyLeg, Section
from dltheory.core.implementation import Implementation
from dltheory.core.registry import all_claims, chapters
from dltheory.core.report import format_table, summary_line
from dltheory.core.runner import ClaimResult, LegResult

NA = NotApplicable("not needed here")


def _usage_error(argv, capsys) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- checked before the run ------------------------------------------------------------------


def test_json_to_a_directory_or_an_unwritable_path_is_refused_before_the_run(tmp_path, capsys):
    start = time.perf_counter()
    err = _usage_error(["verify", "--json", str(tmp_path)], capsys)
    assert "is a directory" in err
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert "does not exist" in _usage_error(["verify", "--json", str(a_file / "r.json")], capsys)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    unwritable = locked / "report.json"
    if os.access(locked, os.W_OK):  # root writes anywhere; /sys refuses even root
        unwritable = Path("/sys/dltheory-report.json")
        if not Path("/sys").is_dir():
            pytest.skip("no directory this user cannot write to")
    err = _usage_error(["verify", "--json", str(unwritable)], capsys)
    assert "cannot write" in err and not unwritable.exists()
    assert time.perf_counter() - start < 30  # refused before any claim ran


def test_json_path_that_is_fine_leaves_no_file_behind_before_the_run(tmp_path):
    path = tmp_path / "r.json"
    cli._check_json_path(str(path))
    assert not path.exists()


def test_unknown_leg_is_named(capsys):
    err = _usage_error(["verify", "--legs", "symbolic,foo"], capsys)
    assert "unknown leg 'foo'" in err and "symbolic, numeric, property" in err


def test_an_invalid_hypothesis_profile_says_where_it_came_from(monkeypatch, capsys):
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "fastest")
    err = _usage_error(["verify", "--claim", "softmax-sums-to-one"], capsys)
    assert "environment variable HYPOTHESIS_PROFILE" in err and "'fastest'" in err


def test_a_short_claim_id_works_when_unique(capsys):
    argv = ["verify", "--quiet", "--legs", "symbolic", "--claim", "softmax-ce-gradient"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "classification.softmax-ce-gradient" in out
    assert "1 claim: 1 verified, 0 failed" in out


def test_an_ambiguous_short_id_suggests_the_full_ids(monkeypatch, capsys):
    twins = tuple(
        SimpleNamespace(id=f"{c}.same-name", slug="same-name", chapter=c) for c in ("alpha", "beta")
    )
    monkeypatch.setattr(registry, "all_claims", lambda: twins)
    monkeypatch.setattr(registry, "chapters", lambda: ())
    err = _usage_error(["verify", "--claim", "same-name"], capsys)
    assert "ambiguous" in err and "alpha.same-name, beta.same-name" in err


# --- help ----------------------------------------------------------------------------------


def _help(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dltheory", *argv, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    return done.stdout


def test_help_lists_chapters_and_legs_and_says_what_list_lists():
    verify = _help("verify")
    for chapter in chapters():
        assert chapter.name in verify
    assert "legs: symbolic, numeric, property" in verify
    listing = _help("list")
    assert "List every claim" in listing and "--functions" in listing
    check = _help("check")
    assert "TARGET" in check and "DLTHEORY_FUNCTIONS" in check


def test_list_functions_names_what_a_target_can_provide(capsys):
    assert cli.main(["list", "--functions"]) == 0
    out = capsys.readouterr().out
    assert "classification.softmax" in out and "softmax(input, dim=-1)" in out


# --- the report ------------------------------------------------------------------------------


def _result(claim_id="toy.a", kind=Kind.THEOREM, **statuses) -> ClaimResult:
    claim = Section("toy", "s").claim(
        claim_id.partition(".")[2],
        title="t",
        statement="",
        kind=kind,
        symbolic=NA,
        numeric=NA,
        property=NA,
        **({"corrects": "toy.b", "note": "reading"} if kind is Kind.NOTATION else {}),
    )
    legs = {name: LegResult(statuses.get(name, "not_applicable")) for name in claim.legs}
    return ClaimResult(claim, runner.decide_outcome(claim, legs), legs, 0.0)


def test_the_fixed_size_legend_appears_only_when_a_row_has_it():
    general, fixed = _result(symbolic="proved"), _result("toy.b", symbolic="proved_fixed_size")
    without, with_ = io.StringIO(), io.StringIO()
    format_table([general], without)
    format_table([general, fixed], with_)
    assert "proved*" not in without.getvalue()
    assert "(proved* = proved for the fixed sizes" in with_.getvalue()


def test_the_summary_line_counts_notation_notes_apart_and_says_1_claim():
    one = [_result(symbolic="proved")]
    assert summary_line(one) == "1 claim: 1 verified, 0 failed"
    notes = [*one, _result("toy.n", Kind.NOTATION)]
    assert summary_line(notes) == "2 claims: 1 verified, 1 noted (notation notes), 0 failed"


def _erratum():
    section = Section("toy", "s")
    claim = section.claim(
        "max-is-sum",
        title="t",
        statement="",
        kind=Kind.ERRATUM,
        corrects="toy.other",
        symbolic=NA,
        numeric=NA,
    )

    @claim.property_leg("max(x, y) = x + y")
    def _(impl):
        pairs = st.tuples(st.integers(0, 5), st.integers(0, 5))
        return ForAll(pairs, lambda xy: max(xy) == xy[0] + xy[1], names=("x", "y"))

    return claim


def test_counterexamples_are_labelled_in_the_table_and_the_json(monkeypatch, tmp_path, capsys):
    claim = _erratum()
    monkeypatch.setattr(registry, "select", lambda *a, **k: (claim,))
    path = tmp_path / "r.json"
    assert cli.main(["verify", "--quiet", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "toy.max-is-sum: x = 1, y = 1" in out or "toy.max-is-sum: x = " in out
    prop = json.loads(path.read_text())["claims"][0]["legs"]["property"]
    assert prop["status"] == "refuted"
    assert prop["counterexample"].startswith("x = ")
    values = prop["counterexample_values"]
    assert set(values) == {"x", "y"} and max(values.values()) != sum(values.values())


def test_every_property_leg_names_what_it_draws():
    reference = Implementation.reference()
    unnamed = []
    for claim in all_claims():
        leg = claim.legs["property"]
        if isinstance(leg, PropertyLeg) and not leg.run(reference.for_claim(claim)).names:
            unnamed.append(claim.id)
    assert not unnamed, f"ForAll/Exists without names=: {unnamed}"


def test_verify_runs_a_claim_used_by_several_others_once(monkeypatch, capsys):
    """A lemma cited by two claims, and selected itself: its legs run once per invocation."""
    from dltheory.core.claim import Derivation

    calls = []

    def lemma_leg():
        calls.append(1)
        return Derivation([], [0])

    section = Section("toy", "s")
    claims = {}
    for slug, uses in (("lemma", ()), ("u1", ("toy.lemma",)), ("u2", ("toy.lemma",))):
        claim = section.claim(
            slug, title="t", statement="", kind=Kind.THEOREM, numeric=NA, property=NA, uses=uses
        )
        claim.symbolic_leg("general")(lemma_leg if slug == "lemma" else lambda: Derivation([], [0]))
        claims[claim.id] = claim
    monkeypatch.setattr(registry, "select", lambda *a, **k: tuple(claims.values()))
    monkeypatch.setattr(registry, "get_claim", claims.__getitem__)
    assert cli.main(["verify", "--quiet", "--jobs", "1"]) == 0  # one process: one count
    assert "3 claims: 3 verified" in capsys.readouterr().out
    assert len(calls) == 1


@pytest.mark.slow  # verify in fresh processes
def test_worker_processes_give_the_same_report(tmp_path, capsys):
    """``--jobs 2`` spreads the claims over two spawned processes: the same outcomes, legs
    and counterexamples as one process, the table in the selection's order."""
    reports = []
    for jobs in ("1", "2"):
        path = tmp_path / f"jobs{jobs}.json"
        # information: its errata give counterexamples to compare
        argv = ["verify", "--quiet", "--chapter", "information", "--legs", "numeric,property"]
        assert cli.main([*argv, "--jobs", jobs, "--json", str(path)]) == 0
        reports.append(json.loads(path.read_text()))
        capsys.readouterr()

    def essentials(report):
        return [
            (
                c["id"],
                c["outcome"],
                {k: (v["status"], v.get("counterexample")) for k, v in c["legs"].items()},
            )
            for c in report["claims"]
        ]

    assert essentials(reports[0]) == essentials(reports[1])
    assert any(c["legs"]["property"].get("counterexample") for c in reports[1]["claims"])


def test_run_claims_in_one_process_keeps_the_given_order():
    from dltheory.core import parallel, registry

    claims = registry.select("convolution")[:4][::-1]
    results = parallel.run_claims(claims, 1, device="cpu", legs=("symbolic",), profile="ci")
    assert [r.claim.id for r in results] == [c.id for c in claims]
    assert all(r.as_declared for r in results)


def test_ctrl_c_with_worker_processes(monkeypatch, capsys):
    """Ctrl-C while workers run: the claims finished so far, one line, exit 130."""
    from dltheory.core import parallel

    def one_then_interrupt(claims, jobs, **kwargs):
        yield runner.run_claim(claims[0], legs=("symbolic",))
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel, "run_in_workers", one_then_interrupt)
    argv = ["verify", "--quiet", "--legs", "symbolic", "--chapter", "classification"]
    assert cli.main([*argv, "--jobs", "2"]) == 130
    out = capsys.readouterr().out
    assert "interrupted (Ctrl-C) after 1 claim of" in out and "Traceback" not in out


def test_jobs_must_be_a_positive_integer(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["verify", "--jobs", "0"])
    err = capsys.readouterr().err.strip()
    assert stopped.value.code == 2 and len(err.splitlines()) == 1
    assert "--jobs" in err and "positive integer" in err


# --- while it runs ---------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _one_slow_claim(stream, total: int, seconds: float) -> str:
    """What the progress display writes while one claim runs for ``seconds`` and finishes."""
    progress = cli._Progress(total, stream, quiet=False)
    progress.start(1, "toy.slow")
    time.sleep(seconds)
    progress.done(1, _result("toy.slow", symbolic="proved"))
    progress.close()
    return stream.getvalue()


def test_on_a_terminal_a_live_line_names_the_running_claim_and_what_remains():
    text = _one_slow_claim(_Terminal(), 3, 0.7)
    assert "\r\x1b[K[  1/3] running toy.slow" in text and "(2 more after it)" in text
    assert "[  1/3] toy.slow" in text  # the finished line replaces it


def test_off_a_terminal_progress_is_plain_lines_with_a_heartbeat(monkeypatch):
    monkeypatch.setattr(cli._Progress, "HEARTBEAT_S", 0.0)
    text = _one_slow_claim(io.StringIO(), 2, 1.5)
    assert "\r" not in text and "\x1b" not in text
    assert "still running toy.slow" in text and "[  1/2] toy.slow" in text


def test_ctrl_c_prints_the_finished_claims_and_one_line(monkeypatch, tmp_path, capsys):
    real = runner.run_claim
    calls = []

    def interrupted_at_the_second(claim, **kwargs):
        calls.append(claim.id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(claim, **kwargs)

    monkeypatch.setattr(runner, "run_claim", interrupted_at_the_second)
    path = tmp_path / "partial.json"
    argv = ["verify", "--quiet", "--legs", "symbolic", "--chapter", "classification"]
    assert cli.main([*argv, "--jobs", "1", "--json", str(path)]) == 130
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert calls[0] in captured.out and "classification.softmax-ce-gradient" not in captured.out
    assert "interrupted (Ctrl-C) after 1 claim of" in captured.out
    report = json.loads(path.read_text())
    assert report["interrupted"] is True and [c["id"] for c in report["claims"]] == calls[:1]


@pytest.mark.slow  # verify in fresh processes
def test_a_real_sigint_stops_the_run_with_the_table_and_no_traceback(tmp_path):
    """SIGINT sent to a running ``dltheory verify`` (as Ctrl-C does): exit 130, the claims
    that finished in the table, one line, no traceback."""
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "dltheory", "verify", "--chapter", "classification"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first claim finished: the run is under way
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert first.startswith("[  1/") and process.returncode == 130, (first, out, err)
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    assert first.split()[2] in out  # the claim that finished first (with workers: any one)
    assert "interrupted (Ctrl-C) after" in out
