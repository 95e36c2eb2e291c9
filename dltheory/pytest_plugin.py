"""pytest plugin: the claims as conformance tests of your own implementation.

    pytest --dltheory-target mypkg.ops --pyargs dltheory
    pytest --dltheory-target tests/my_softmax.py --dltheory-chapter classification --pyargs dltheory

gives one test per claim the target covers (``dltheory/__init__.py::check[<claim id>]``), run
as ``dltheory check`` runs it: the numeric and property legs on the target's functions; a
failure shows the legs, the shrunk counterexample and a reproduction snippet. The claims the
target does not cover are listed in the terminal summary. A target that cannot be used
(not importable, no function matched, a signature that cannot take the claims' calls) is a
usage error (exit 4).

Registered through the ``pytest11`` entry point, so it is active wherever dltheory is
installed; without ``--dltheory-target`` it adds nothing but its options. The Hypothesis
profile comes from ``HYPOTHESIS_PROFILE`` (default ``ci``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

_PLAN = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dltheory", "dltheory: check your own implementation")
    group.addoption(
        "--dltheory-target",
        metavar="TARGET",
        help="a module or .py file providing functions under dltheory's reference names; "
        "collect one test per claim it covers (run with --pyargs dltheory)",
    )
    group.addoption(
        "--dltheory-chapter", metavar="NAME", help="only this chapter's claims and functions"
    )
    group.addoption(
        "--dltheory-device", metavar="DEVICE", default="cpu", help="device for the numeric legs"
    )


def pytest_configure(config: pytest.Config) -> None:
    spec = config.getoption("--dltheory-target")
    if not spec:
        return
    from dltheory.core.check import plan_check
    from dltheory.core.registry import select
    from dltheory.core.target import TargetError, load_target

    chapter = config.getoption("--dltheory-chapter")
    try:
        target = load_target(spec, chapter)
        plan = plan_check(target, select(chapter))
    except (TargetError, ValueError) as exc:
        raise pytest.UsageError(f"dltheory: {exc}") from None
    if not plan.covered:
        raise pytest.UsageError(f"dltheory: {spec} covers no claim")
    config.stash[_PLAN] = plan


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    import dltheory

    plan = parent.config.stash.get(_PLAN, None)
    if plan is None or file_path != Path(dltheory.__file__):
        return None
    return ConformanceFile.from_parent(parent, path=file_path)


class ConformanceFile(pytest.File):
    """The claims a target covers, one item each (collected from ``dltheory/__init__.py``)."""

    def collect(self):
        for claim in self.config.stash[_PLAN].covered:
            yield ClaimCheck.from_parent(self, name=f"check[{claim.id}]", claim=claim)


class ClaimFailed(Exception):
    """A covered claim did not end as its record declares (the message is the report)."""


class ClaimCheck(pytest.Item):
    def __init__(self, *, claim, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claim = claim

    def runtest(self) -> None:
        from dltheory.core.check import check_claim
        from dltheory.core.profiles import load_profile

        plan = self.config.stash[_PLAN]
        spec = plan.target.spec
        result = check_claim(
            self.claim,
            plan.target,
            device=self.config.getoption("--dltheory-device"),
            settings=load_profile(),
            command=f"pytest --dltheory-target {spec} --pyargs dltheory -k '{self.claim.id}'",
        )
        if not result.as_declared:
            raise ClaimFailed(result.failure_report())

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"dltheory check: {self.claim.id}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    plan = config.stash.get(_PLAN, None)
    if plan is None or not plan.not_covered:
        return
    from dltheory.core.check import not_covered_lines

    terminalreporter.section("dltheory: claims not covered by the target")
    for line in not_covered_lines(plan):
        terminalreporter.write_line(line)
