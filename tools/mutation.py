"""Mutation testing of the reference modules against `dltheory verify` alone.

Each mutant changes one thing in one reference module (an operator, a comparison, a constant,
a called function, a keyword flag, a negated condition); the module is patched in place, the
chapter's claims are run with `dltheory verify --chapter C --legs numeric,property` in a fresh
process (symbolic legs do not touch the code), and the mutant is *killed* when verify exits
non-zero. The file is restored after every mutant.

    python tools/mutation.py classification information [--limit N] [--jobs 2] [--json out.json]
    python tools/mutation.py classification information --limit N --survivors-of out.json

``--survivors-of`` reruns only the mutants a previous run's JSON reports as survivors (the same
sample: same ``--limit``, unchanged reference modules), after the claims were strengthened.

Statements inside a branch that only raises (argument validation) are mutated too but
reported apart: `verify` runs the claims, which check behaviour on valid input, so those
mutants are the API tests' job. Docstrings and string constants are never mutated.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BINOPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
}
CMPOPS = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
CALLS = {
    "log": "log1p", "log1p": "log", "exp": "expm1", "expm1": "exp", "amax": "amin",
    "amin": "amax", "sum": "mean", "mean": "sum", "maximum": "minimum", "minimum": "maximum",
    "clamp_min": "clamp_max", "sqrt": "rsqrt", "abs": "neg", "logsumexp": "amax",
    "max": "min", "min": "max", "xlogy": "mul", "frac": "floor",
}  # fmt: skip


@dataclass
class Mutant:
    module: str
    line: int
    kind: str
    before: str
    after: str
    in_validation: bool
    killed: bool | None = None
    seconds: float = 0.0


def _raises_only(node: ast.If) -> bool:
    return all(isinstance(stmt, ast.Raise) for stmt in node.body)


class _Sites(ast.NodeVisitor):
    """Collect (node, kind, replacement-maker) for every mutable site, with the validation flag."""

    def __init__(self) -> None:
        self.sites: list[tuple[ast.AST, str, object, bool]] = []
        self._validation = 0
        self._docstrings: set[int] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if (
            node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        ):
            self._docstrings.add(id(node.body[0].value))
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        flag = _raises_only(node)
        self._validation += flag
        self.sites.append((node, "negate-if", None, bool(self._validation)))
        self.generic_visit(node)
        self._validation -= flag

    def visit_Raise(self, node: ast.Raise) -> None:  # messages: never mutated
        return

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if type(node.op) in BINOPS:
            self.sites.append((node, "binop", BINOPS[type(node.op)], bool(self._validation)))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        if len(node.ops) == 1 and type(node.ops[0]) in CMPOPS:
            self.sites.append((node, "compare", CMPOPS[type(node.ops[0])], bool(self._validation)))
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.USub | ast.Not):
            self.sites.append((node, "drop-unary", None, bool(self._validation)))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        self.sites.append((node, "constant", None, bool(self._validation)))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in CALLS:
            self.sites.append((node, "call", CALLS[node.attr], bool(self._validation)))
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool):
            self.sites.append((node, "keyword", None, bool(self._validation)))
            return
        self.generic_visit(node)


def _apply(tree: ast.Module, index: int) -> tuple[ast.Module, str, str, int, str, bool]:
    """A copy of ``tree`` with site ``index`` mutated; also what changed and where."""
    import copy

    tree = copy.deepcopy(tree)
    collector = _Sites()
    collector.visit(tree)
    node, kind, repl, validation = collector.sites[index]
    before = ast.unparse(node) if not isinstance(node, ast.If) else f"if {ast.unparse(node.test)}"
    if kind == "negate-if":
        node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)  # type: ignore[attr-defined]
    elif kind == "binop":
        node.op = repl()  # type: ignore[attr-defined, operator]
    elif kind == "compare":
        node.ops = [repl()]  # type: ignore[attr-defined, operator]
    elif kind == "drop-unary":  # `-x` -> `+x`, `not x` -> `+x` (same truthiness as x)
        node.op = ast.UAdd()  # type: ignore[attr-defined]
    elif kind == "constant":
        value = node.value  # type: ignore[attr-defined]
        bumped = (value + 1) if isinstance(value, int) else (value * 1.5 if value else 1.0)
        node.value = bumped  # type: ignore[attr-defined]
    elif kind == "call":
        node.attr = repl  # type: ignore[attr-defined]
    elif kind == "keyword":
        node.value = ast.Constant(not node.value.value)  # type: ignore[attr-defined]
    after = ast.unparse(node) if not isinstance(node, ast.If) else f"if {ast.unparse(node.test)}"
    return tree, kind, before, node.lineno, after, validation  # type: ignore[attr-defined]


def mutants_of(path: Path) -> list[tuple[int, Mutant]]:
    path = path.resolve()
    tree = ast.parse(path.read_text())
    collector = _Sites()
    collector.visit(tree)
    out = []
    for index in range(len(collector.sites)):
        _, kind, before, line, after, validation = _apply(tree, index)
        if before == after:
            continue
        name = str(path.relative_to(ROOT))
        out.append((index, Mutant(name, line, kind, before, after, validation)))
    return out


def _run_one(path: Path, index: int, mutant: Mutant, chapter: str, workdir: Path) -> Mutant:
    """Run verify against the mutant in a private copy of the package (safe in parallel)."""
    copy_root = Path(tempfile.mkdtemp(dir=workdir))
    shutil.copytree(ROOT / "dltheory", copy_root / "dltheory")
    tree = ast.parse(path.read_text())
    mutated, *_ = _apply(tree, index)
    (copy_root / path.relative_to(ROOT)).write_text(ast.unparse(mutated))
    env = {**os.environ, "PYTHONPATH": str(copy_root), "HYPOTHESIS_PROFILE": "ci"}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dltheory", "verify", "--quiet", "--chapter", chapter,
             "--legs", "numeric,property"],
            env=env, capture_output=True, timeout=600, cwd=copy_root,
        )  # fmt: skip
        mutant.killed = done.returncode != 0
    except subprocess.TimeoutExpired:
        mutant.killed = True
    mutant.seconds = time.perf_counter() - start
    shutil.rmtree(copy_root, ignore_errors=True)
    return mutant


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+")
    parser.add_argument("--limit", type=int, default=0, help="at most N mutants per module")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="write every mutant and its fate here")
    parser.add_argument("--survivors-of", help="rerun only the survivors listed in this JSON")
    args = parser.parse_args()
    wanted = None
    if args.survivors_of:
        previous = json.loads(Path(args.survivors_of).read_text())
        wanted = {(m["module"], m["line"], m["kind"], m["before"], m["after"])
                  for m in previous if not m["killed"]}  # fmt: skip
    results: list[Mutant] = []
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in args.chapters:
            modules = sorted((ROOT / "dltheory" / chapter).glob("*.py"))
            modules = [m for m in modules if m.name in ("reference.py",) or m.name.startswith("_")]
            modules = [m for m in modules if m.name != "__init__.py"]
            jobs = []
            for module in modules:
                found = mutants_of(module)
                if args.limit:
                    step = max(1, len(found) // args.limit)
                    found = found[::step][: args.limit]
                if wanted is not None:
                    found = [
                        (i, m)
                        for i, m in found
                        if (m.module, m.line, m.kind, m.before, m.after) in wanted
                    ]
                jobs += [(module, i, m) for i, m in found]
            print(f"{chapter}: {len(jobs)} mutants in {[m.name for m in modules]}", flush=True)
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
                futures = [
                    pool.submit(_run_one, module, i, m, chapter, Path(tmp)) for module, i, m in jobs
                ]
                for n, future in enumerate(concurrent.futures.as_completed(futures), 1):
                    m = future.result()
                    results.append(m)
                    mark = "killed" if m.killed else "SURVIVED"
                    print(f"[{n}/{len(jobs)}] {mark:<8} {m.module}:{m.line} {m.kind}: "
                          f"{m.before!r} -> {m.after!r}", flush=True)  # fmt: skip
    for label, group in (
        ("all", results),
        ("behaviour (outside raise-only branches)", [m for m in results if not m.in_validation]),
    ):
        killed = sum(bool(m.killed) for m in group)
        rate = killed / len(group) if group else 0.0
        print(f"{label}: {killed}/{len(group)} killed ({rate:.1%})")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(m) for m in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
