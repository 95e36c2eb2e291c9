"""The generated parts of the page "Check your own implementation" (``docs/check.md``).

* ``<!-- dltheory:check-example -->``: the worked example's file and the report
  ``dltheory check`` prints for it, produced by running the check in this build;
* ``<!-- dltheory:check-functions -->``: every function a target can provide, from the
  registry (qualified name, reference signature, the claims that check it).
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import textwrap
from pathlib import Path

from site_markdown import claim_ref, code

EXAMPLE = '''\
import torch


def softmax(input, dim=-1):
    """exp(o_i) / sum_k exp(o_k), as the notes write it."""
    e = torch.exp(input)
    return e / e.sum(dim=dim, keepdim=True)


def encode(labels, n):  # your own one-hot encoder, with its own signature
    return torch.eye(n, dtype=torch.int64, device=labels.device)[labels]


def one_hot(labels, num_classes=-1, *, dtype=torch.int64):  # the adapter
    if num_classes == -1:
        num_classes = int(labels.max()) + 1
    return encode(labels, num_classes).to(dtype)
'''


def check_example_block() -> str:
    """The example file and the report of ``dltheory check my_ops.py`` on it, from this build."""
    from dltheory import cli

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "my_ops.py")
        path.write_text(EXAMPLE, encoding="utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.chdir(directory):
            code_ = cli.main(["check", "my_ops.py", "--quiet"])
    report = out.getvalue().strip()
    table, _, failures = report.partition("\nNot as declared:\n")
    failures, _, summary = failures.rpartition("\n\n")  # the summary line comes last
    blocks = re.split(r"\n(?=[a-z]+\.[a-z0-9-]+: outcome )", failures)
    # the first failure Hypothesis shrank to a counterexample (short to show), else the first
    first = next((b for b in blocks if "counterexample:" in b), blocks[0])
    return "\n".join(
        [
            '```python title="my_ops.py"',
            EXAMPLE.rstrip(),
            "```",
            "",
            "```bash",
            "dltheory check my_ops.py",
            "```",
            "",
            f"prints (this run was made while the site was built; exit status {code_}):",
            "",
            "```text",
            table.rstrip(),
            "",
            "Not as declared:",
            first.rstrip(),
            "...",
            "",
            summary,
            "```",
        ]
    )


def check_functions_block() -> str:
    """A table of every function a ``dltheory check`` target can provide."""
    from dltheory.core.implementation import Implementation
    from dltheory.core.target import checkable_functions, plain_signature

    reference = Implementation.reference()
    lines = ["| Name | Signature (as the reference) | Checked by |", "|---|---|---|"]
    for qualified, claim_ids in checkable_functions().items():
        function = reference.get(qualified)
        signature = plain_signature(function) if function is not None else "(...)"
        bare = qualified.rpartition(".")[2]
        shown = textwrap.shorten(f"{bare}{signature}", 200).replace("|", "\\|")
        claims = ", ".join(claim_ref(c) for c in claim_ids)
        lines.append(f"| {code(qualified)} | {code(shown)} | {claims} |")
    return "\n".join(lines)
