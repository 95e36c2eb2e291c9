r"""§ 2 AutoDifferentiation — reverse-mode differentiation returns the symbolic gradient.

The notes' heading is empty; this module fills it with what it announces (an addition).

Main declaration: ``preliminaries.autograd-matches-symbolic`` — for an expression built from
elementary functions, ``torch.autograd.grad`` returns the gradient SymPy derives, at every
point where the expression is differentiable.
"""

from __future__ import annotations

import math

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import ForAll, Kind, NotApplicable, Section
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("preliminaries", "2 Preliminaries / AutoDifferentiation")

X1, X2 = sp.symbols("x_1 x_2", real=True)

#: the primitives an expression is built from, as (SymPy, torch) pairs; each keeps values
#: bounded on bounded inputs, so no composition overflows
_UNARY = {
    "sin": (sp.sin, torch.sin),
    "tanh": (sp.tanh, torch.tanh),
    "exp_sin": (lambda u: sp.exp(sp.sin(u)), lambda u: torch.exp(torch.sin(u))),
    "log1p_sq": (lambda u: sp.log(1 + u**2), lambda u: torch.log1p(u * u)),
}
_BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "ratio": (lambda a, b: a / (1 + b**2), lambda a, b: a / (1 + b * b)),
}

#: expression trees over x_1, x_2: a leaf is "x1" or "x2", a node (op, child[, child])
_LEAVES = st.sampled_from(("x1", "x2"))
TREES = st.recursive(
    _LEAVES,
    lambda kids: st.one_of(
        st.tuples(st.sampled_from(sorted(_UNARY)), kids),
        st.tuples(st.sampled_from(sorted(_BINARY)), kids, kids),
    ),
    max_leaves=6,
)


def _build(tree, leaves: dict, pick: int):
    """Evaluate ``tree`` with the SymPy (``pick=0``) or torch (``pick=1``) primitives."""
    if isinstance(tree, str):
        return leaves[tree]
    op, *kids = tree
    table = _UNARY if len(kids) == 1 else _BINARY
    return table[op][pick](*(_build(kid, leaves, pick) for kid in kids))


def _symbolic_gradient(tree, point: tuple[float, float]) -> list[float]:
    """SymPy's partial derivatives of ``tree`` at ``point``, evaluated at 30 digits."""
    expr = _build(tree, {"x1": X1, "x2": X2}, 0)
    at = {X1: sp.Float(point[0], 30), X2: sp.Float(point[1], 30)}
    return [float(sp.diff(expr, v).evalf(30, subs=at)) for v in (X1, X2)]


def _autograd_gradient(tree, point: tuple[float, float]) -> torch.Tensor:
    leaves = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    value = _build(tree, {"x1": leaves[0], "x2": leaves[1]}, 1)
    if not value.requires_grad:  # pragma: no cover - every tree contains a leaf
        return torch.zeros(2, dtype=torch.float64)
    (grad,) = torch.autograd.grad(value, leaves, allow_unused=True)
    return grad


#: fixed compositions for the numeric leg, nested three deep
_FIXED = (
    ("mul", ("sin", "x1"), ("exp_sin", ("mul", "x1", "x2"))),
    ("ratio", ("tanh", ("add", "x1", "x2")), ("log1p_sq", "x2")),
    ("log1p_sq", ("mul", ("sin", "x2"), ("tanh", ("mul", "x1", "x1")))),
    ("add", ("exp_sin", ("ratio", "x2", "x1")), ("mul", "x1", ("mul", "x2", "x2"))),
)

autograd_matches_symbolic = SECTION.claim(
    "autograd-matches-symbolic",
    title="Automatic differentiation returns the symbolic gradient",
    statement=r"\texttt{autograd}(f)(\mathbf{x}) = \nabla f(\mathbf{x}) = "
    r"\Bigl(\frac{\partial f}{\partial x_1}, \dots, \frac{\partial f}{\partial x_n}\Bigr)"
    r"(\mathbf{x})",
    kind=Kind.THEOREM,
    note="Addition: the notes' heading 'AutoDifferentiation' is empty. Reverse-mode automatic "
    "differentiation applies the chain rule (preliminaries.chain-rule) backwards through the "
    "computation, so it returns the exact gradient up to rounding. The check is on "
    "torch.autograd itself: no dltheory function is under test.",
    symbolic=NotApplicable(
        "a statement about an algorithm; its mathematical content is the chain rule, proved "
        "in preliminaries.chain-rule. The symbolic derivatives are the oracle of the other legs"
    ),
)


@autograd_matches_symbolic.numeric_leg(
    oracle="SymPy's derivative of the same expression, evaluated at 30 digits",
    dtypes=("float64",),  # the claim is about autograd's algorithm, not a dtype's rounding
)
def _(impl, device, dtype) -> None:
    g = torch.Generator().manual_seed(11)
    for tree in _FIXED:
        for _ in range(3):
            a, b = (float(v) for v in torch.rand(2, generator=g, dtype=dtype) * 4 - 2)
            point = (a, b)
            want = _symbolic_gradient(tree, point)
            assert_close(_autograd_gradient(tree, point), want, msg=f"{tree} at {point}")


@autograd_matches_symbolic.property_leg(
    r"for random expression trees over $x_1, x_2$ (sums, products, $\sin$, $\tanh$, "
    r"$e^{\sin u}$, $\log(1 + u^2)$, $a / (1 + b^2)$) and points in $[-2, 2]^2$, autograd's "
    "gradient equals SymPy's"
)
def _(impl) -> ForAll:
    coordinates = st.floats(-2.0, 2.0, allow_nan=False)

    def holds(case) -> bool:
        tree, a, b = case
        want = _symbolic_gradient(tree, (a, b))
        return all(map(math.isfinite, want)) and is_close(_autograd_gradient(tree, (a, b)), want)

    return ForAll(st.tuples(TREES, coordinates, coordinates), holds, names=("f", "x1", "x2"))
