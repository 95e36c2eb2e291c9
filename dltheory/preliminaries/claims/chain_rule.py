r"""§ 2 Linear Algebra / Chain Rule — the multivariate chain rule.

Main declarations:

* ``preliminaries.chain-rule`` — for :math:`y = f(\mathbf{u})`, :math:`u_j = g_j(\mathbf{x})`:
  :math:`\partial y/\partial x_i = \sum_{j=1}^m (\partial y/\partial u_j)(\partial u_j/\partial
  x_i)`;
* notation note ``preliminaries.chain-rule-index-reuse`` — the notes use :math:`i` both for the
  components of :math:`\mathbf{u}` and for those of :math:`\mathbf{x}`;
* notation note ``preliminaries.chain-rule-heading`` — the chain rule stands under the
  heading "Linear Algebra"; it is calculus, the rule automatic differentiation applies.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_close

SECTION = Section("preliminaries", "2 Linear Algebra / Chain Rule")


def _inner(A: torch.Tensor, c: torch.Tensor):
    r""":math:`g(\mathbf{x}) = \tanh(A\mathbf{x} + \mathbf{c})`, :math:`\mathbb{R}^n \to
    \mathbb{R}^m`."""
    return lambda v: torch.tanh(A @ v + c)


def _outer(w: torch.Tensor):
    r""":math:`f(\mathbf{u}) = \sum_j w_j \sin u_j + \frac12 (\sum_j u_j)^2`."""
    return lambda u: (w * torch.sin(u)).sum() + 0.5 * u.sum() ** 2


def _factors_and_truth(A, c, w, point):
    """``(df/du at g(x), dg/dx at x, d(f o g)/dx at x)``, all by autograd in float64."""
    g, f = _inner(A, c), _outer(w)
    u = g(point).detach().requires_grad_()
    (outer,) = torch.autograd.grad(f(u), u)
    jacobian = torch.autograd.functional.jacobian(g, point)
    leaf = point.clone().requires_grad_()
    (truth,) = torch.autograd.grad(f(g(leaf)), leaf)
    return outer, jacobian, truth


def _exact_products(outer: torch.Tensor, jacobian: torch.Tensor):
    r""":math:`\sum_j a_j J_{ji}` in exact rational arithmetic (value, and the scale
    :math:`\sum_j |a_j J_{ji}|` the cancellation in the sum is measured against)."""
    a = [[Fraction(v) for v in row] for row in outer.double().reshape(-1, outer.shape[-1]).tolist()]
    jac = jacobian.double().reshape(-1, *jacobian.shape[-2:]).tolist()
    values, scales = [], []
    for row, mat in zip(a, jac, strict=True):
        cols = range(len(mat[0]))
        values.append(
            [
                float(sum(r * Fraction(m[col]) for r, m in zip(row, mat, strict=True)))
                for col in cols
            ]
        )
        scales.append(
            [
                float(sum(abs(r * Fraction(m[col])) for r, m in zip(row, mat, strict=True)))
                for col in cols
            ]
        )
    shape = jacobian.shape[:-2] + jacobian.shape[-1:]
    return (
        torch.tensor(values, dtype=torch.float64).reshape(shape),
        torch.tensor(scales, dtype=torch.float64).reshape(shape),
    )


chain_rule = SECTION.claim(
    "chain-rule",
    title="The multivariate chain rule",
    statement=r"y = f(\mathbf{u}),\ u_j = g_j(\mathbf{x}) \Rightarrow "
    r"\frac{\partial y}{\partial x_i} = \sum_{j=1}^m \frac{\partial y}{\partial u_j}"
    r"\frac{\partial u_j}{\partial x_i}",
    kind=Kind.THEOREM,
    code=("chain_rule",),
    note=r"In matrix form $\nabla_{\mathbf{x}} y = J_g^\top \nabla_{\mathbf{u}} y$ with the "
    r"Jacobian $(J_g)_{ji} = \partial u_j / \partial x_i$: the vector–Jacobian product that "
    r"reverse-mode differentiation evaluates.",
)


@chain_rule.symbolic_leg(
    scope=r"$m = 1, 2, 3$ functions $g_j$ of $n = 2$ variables, $f$ and $g_j$ arbitrary "
    "differentiable functions",
    general=False,
)
def _() -> Derivation:
    x1, x2 = sp.symbols("x_1 x_2", real=True)
    f = sp.Function("f")
    steps, residuals, compared = [], [], []
    for m in (1, 2, 3):
        gs = [sp.Function(f"g_{j + 1}")(x1, x2) for j in range(m)]
        us = sp.symbols(f"u_1:{m + 1}")
        direct = sp.diff(f(*gs), x1)
        by_rule = sum(
            (sp.Subs(sp.diff(f(*us), us[j]), us, gs) * sp.diff(gs[j], x1) for j in range(m)),
            start=sp.Integer(0),
        )
        steps.append(
            Step(
                rf"$m = {m}$: SymPy's derivative of $f(g(\mathbf{{x}}))$ by $x_1$",
                equation(direct, by_rule),
            )
        )
        residuals.append(direct - by_rule)
        compared.append(rf"$m = {m}$: the derivative minus the chain-rule sum")
    return Derivation(steps=steps, residuals=residuals, compared=compared)


@chain_rule.numeric_leg(
    oracle=r"autograd of the composition $f(g(\mathbf{x}))$ (float64); exact rational sums of "
    "products on the rounded factors (error in eps); gradcheck and gradgradcheck"
)
def _(impl, device, dtype) -> None:
    n_in, m_out, batch = 4, 3, 5
    A, c, w = randn(m_out, n_in, seed=60), randn(m_out, seed=61), randn(m_out, seed=62)
    points = randn(batch, n_in, seed=63)
    cases = [_factors_and_truth(A, c, w, pt) for pt in points]
    outer = torch.stack([o for o, _, _ in cases]).to(dtype).to(device)
    jac = torch.stack([j for _, j, _ in cases]).to(dtype).to(device)
    got = impl.chain_rule(outer, jac)
    assert got.shape == (batch, n_in) and got.dtype == dtype and got.device == outer.device
    if dtype == torch.float64:
        truth = torch.stack([t for _, _, t in cases])
        assert_close(got, truth, msg="chain rule vs autograd of the composition")
        leaves = (outer[:2].clone().requires_grad_(), jac[:2].clone().requires_grad_())
        assert torch.autograd.gradcheck(impl.chain_rule, leaves)
        assert torch.autograd.gradgradcheck(impl.chain_rule, leaves)
    exact, scale = _exact_products(outer, jac)
    # sums of products may cancel: the error is measured against sum_j |a_j J_ji|
    assert_accurate(got, exact, scale=scale, msg="vector-Jacobian product, rounded factors")
    shared = impl.chain_rule(outer, jac[0])  # one Jacobian broadcast over the batch
    assert shared.shape == (batch, n_in)
    exact_shared, scale_shared = _exact_products(outer, jac[0].expand(batch, -1, -1))
    assert_accurate(shared, exact_shared, scale=scale_shared, msg="broadcast Jacobian")


@chain_rule.property_leg(
    r"for random $g(\mathbf{x}) = \tanh(A\mathbf{x} + \mathbf{c})$, "
    r"$f(\mathbf{u}) = \sum_j w_j \sin u_j + \frac12(\sum_j u_j)^2$ and points $\mathbf{x}$, "
    r"`chain_rule` of the autograd factors equals autograd's gradient of $f \circ g$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        n_in, m_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        entries = st.floats(-3.0, 3.0, allow_nan=False)

        def array(*shape):
            return torch.from_numpy(draw(hnp.arrays("float64", shape, elements=entries)))

        return array(m_out, n_in), array(m_out), array(m_out), array(n_in)

    def holds(case) -> bool:
        outer, jacobian, truth = _factors_and_truth(*case)
        return is_close(impl.chain_rule(outer, jacobian), truth)

    return ForAll(cases(), holds, names=("A", "c", "w", "x"))


chain_rule_index_reuse = SECTION.claim(
    "chain-rule-index-reuse",
    title="The chain rule's statement uses i for two indices",
    statement=r"\forall i,\ \mathbf{u}_i = g_i(\mathbf{x}) \quad\ldots\quad "
    r"\frac{\partial y}{\partial x_i} = \frac{\partial y}{\partial u_1}"
    r"\frac{\partial u_1}{\partial x_i} + \ldots",
    kind=Kind.NOTATION,
    corrects="preliminaries.chain-rule",
    note=r"In '$\forall i, \mathbf{u}_i = g_i(\mathbf{x})$' the index $i$ runs over the $m$ "
    r"components of $\mathbf{u}$; in '$\partial y / \partial x_i$' it runs over the $n$ "
    r"components of $\mathbf{x}$. Read $u_j = g_j(\mathbf{x})$ for $j = 1, \dots, m$ and keep "
    r"$i = 1, \dots, n$ for $\mathbf{x}$ (and $u_j$, not bold $\mathbf{u}_j$, for a "
    r"component), as preliminaries.chain-rule states it.",
)


chain_rule_heading = SECTION.claim(
    "chain-rule-heading",
    title="The chain rule is filed under Linear Algebra",
    statement=r"\text{\# Linear Algebra} \supset \text{\#\# Chain Rule}",
    kind=Kind.NOTATION,
    corrects="preliminaries.chain-rule",
    note="The chain rule is a result of calculus, not of linear algebra (Dive into Deep "
    "Learning states it in its calculus section), and it is the rule that the empty "
    "'AutoDifferentiation' heading above announces: reverse-mode differentiation "
    "(preliminaries.autograd-matches-symbolic) evaluates exactly this sum. Read the section "
    "as calculus, the content that heading lacks.",
)
