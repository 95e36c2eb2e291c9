"""The README's Python tour runs as written, and its commands are the ones CI runs."""

from __future__ import annotations

import builtins
import re
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _fenced_after(marker: str) -> str:
    match = re.search(re.escape(marker) + r"\s*```\w*\n(.*?)```", README, re.S)
    assert match, f"no fenced block after {marker}"
    return match.group(1).strip()


def test_python_tour_runs_and_its_error_example_raises():
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    *body, last = [chunk for chunk in block.strip().split("\n\n") if chunk.strip()]
    namespace: dict = {}
    exec("\n\n".join(body), namespace)
    statement, comment = last.splitlines()
    expected = comment.removeprefix("# ").split(": ", 1)
    with pytest.raises(getattr(builtins, expected[0]), match=re.escape(expected[1])):
        exec(statement, namespace)
    # lines documented as `expression  # tensor(...)` print exactly that
    shown = re.findall(r"^(?!\w+ *=)([^#\n]+?)\s+# (tensor\(.*?\))", block, re.M)
    assert len(shown) >= 4
    for expression, printed in shown:
        assert repr(eval(expression, namespace)) == printed, expression


def test_quick_start_commands_install_torch_first_and_run_the_main_jobs():
    verify = _fenced_after("<!-- verify-command -->")
    tests = _fenced_after("<!-- test-command -->")
    for command in (verify, tests):
        assert "\n" not in command
        assert command.index("pip install torch==2.13.0") < command.index("pip install -e")
    assert verify.endswith("dltheory verify")
    assert re.search(r"&& pytest( |$)", tests)
    assert "--runslow" in tests  # CI runs the slow tier too
    assert "test-command" in (Path(__file__).parent.parent / ".ci" / "run").read_text()
