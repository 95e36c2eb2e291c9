r"""§ 5 Vanishing and Exploding Gradients — why gradients through sigmoid layers shrink.

The heading is empty in the notes; the standard results are filled in and labelled as
additions.

Main declarations:

* ``mlp.sigmoid-derivative-bound`` (addition) — :math:`0 < \sigma'(x) \le 1/4`, with equality
  only at :math:`x = 0`;
* ``mlp.jacobian-product-bound`` (addition) — through :math:`L` sigmoid layers
  :math:`\mathbf{h}_l = \sigma(W_l\mathbf{h}_{l-1} + \mathbf{b}_l)` the Jacobian is the
  product :math:`\prod_l \operatorname{diag}(\sigma'(\mathbf{z}_l))W_l`, so
  :math:`\lVert\partial\mathbf{h}_L/\partial\mathbf{h}_0\rVert_2 \le 4^{-L}\prod_l
  \lVert W_l\rVert_2`: unless the weights are large, the gradient vanishes geometrically.
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close
from dltheory.mlp.claims._support import activation_inputs, float_arrays, grad_of

SECTION = Section("mlp", "5 Vanishing and Exploding Gradients")

sigmoid_derivative_bound = SECTION.claim(
    "sigmoid-derivative-bound",
    title="The sigmoid's derivative is at most 1/4",
    statement=r"0 < \sigma'(x) \le \tfrac{1}{4}, \qquad \sigma'(x) = \tfrac{1}{4} \iff x = 0",
    kind=Kind.THEOREM,
    code=("sigmoid",),
    uses=("mlp.sigmoid-derivative", "mlp.sigmoid-range"),
    note="Addition. In floating point the derivative underflows to 0 for large |x|; the legs "
    "check 0 <= sigma' <= 1/4 everywhere and sigma' > 0 where it is representable.",
)


@sigmoid_derivative_bound.symbolic_leg(scope="every real $x$")
def _() -> Derivation:
    s = sp.Symbol(r"\sigma", real=True)
    x = sp.Symbol("x", real=True)
    square = (s - sp.Rational(1, 2)) ** 2
    return Derivation(
        steps=[
            Step(
                r"$\sigma' = \sigma(1 - \sigma)$, with $0 < \sigma < 1$",
                equation(sp.Symbol(r"\sigma'"), s * (1 - s)),
                cites=("mlp.sigmoid-derivative", "mlp.sigmoid-range"),
            ),
            Step("Complete the square", equation(s * (1 - s), sp.Rational(1, 4) - square)),
            Step(
                r"The square is $\ge 0$, and $0$ exactly when $\sigma(x) = 1/2$, i.e. $x = 0$",
                equation(1 / (1 + sp.exp(-x)), sp.Rational(1, 2)),
            ),
        ],
        residuals=[
            sp.expand(s * (1 - s) - (sp.Rational(1, 4) - square)),
            square.is_nonnegative,
            sp.solve(sp.Eq(1 / (1 + sp.exp(-x)), sp.Rational(1, 2)), x) == [0],
        ],
        compared=[
            r"$\sigma(1 - \sigma) - (1/4 - (\sigma - 1/2)^2)$",
            r"$(\sigma - 1/2)^2 \ge 0$",
            r"$\sigma(x) = 1/2$ has the single solution $x = 0$",
        ],
    )


@sigmoid_derivative_bound.numeric_leg(
    oracle="the bound 1/4; the exact value 1/4 at 0; the autograd gradient of torch.sigmoid at 0"
)
def _(impl, device, dtype) -> None:
    x = torch.cat(
        [
            activation_inputs(dtype, device, seed=11),
            torch.linspace(-1, 1, 201, dtype=torch.float64).to(dtype).to(device),
        ]
    )
    grad = grad_of(impl.sigmoid, x).double()
    assert bool(((grad >= 0) & (grad <= 0.25)).all()), f"sigma' outside [0, 1/4]: {grad.max()}"
    # sigma'(10) = 4.5e-5 is above the smallest subnormal of every dtype
    assert bool((grad[x.abs() <= 10] > 0).all()), "sigma' vanished where it is representable"
    at_zero = grad_of(impl.sigmoid, torch.zeros(1, dtype=dtype, device=device))
    assert at_zero.item() == 0.25 == grad_of(torch.sigmoid, torch.zeros(1)).item()


@sigmoid_derivative_bound.property_leg(
    r"$0 \le \sigma'(x) \le 1/4$ (autograd of `sigmoid`) for floats across the float64 range"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        grad = grad_of(impl.sigmoid, x)
        return bool(((grad >= 0) & (grad <= 0.25)).all())

    return ForAll(float_arrays(), holds, names=("x",))


def _sigmoid_stack(impl, weights, biases):
    """The map :math:`\\mathbf{h}_0 \\mapsto \\mathbf{h}_L` through ``linear`` and ``sigmoid``."""

    def forward(h):
        for w, b in zip(weights, biases, strict=True):
            h = impl.sigmoid(impl.linear(h, w, b))
        return h

    return forward


def _bound(weights) -> float:
    """:math:`4^{-L}\\prod_l \\lVert W_l\\rVert_2` (spectral norms by torch.linalg)."""
    norms = [torch.linalg.matrix_norm(w.double(), ord=2).item() for w in weights]
    return float(torch.tensor(norms, dtype=torch.float64).prod()) / 4 ** len(weights)


jacobian_product_bound = SECTION.claim(
    "jacobian-product-bound",
    title="Gradients through sigmoid layers shrink geometrically",
    statement=r"\mathbf{h}_l = \sigma(W_l\mathbf{h}_{l-1} + \mathbf{b}_l) \;\Rightarrow\; "
    r"\frac{\partial\mathbf{h}_L}{\partial\mathbf{h}_0} = \prod_{l=L}^{1}"
    r"\operatorname{diag}(\sigma'(\mathbf{z}_l))\,W_l,\quad "
    r"\Big\lVert\frac{\partial\mathbf{h}_L}{\partial\mathbf{h}_0}\Big\rVert_2 \le "
    r"4^{-L}\prod_{l=1}^{L}\lVert W_l\rVert_2",
    kind=Kind.THEOREM,
    code=("sigmoid", "linear"),
    uses=("mlp.sigmoid-derivative-bound",),
    note="Addition. The bound follows from the product form, the submultiplicativity of the "
    r"spectral norm and $\lVert\operatorname{diag}(\sigma'(\mathbf{z}))\rVert_2 = "
    r"\max_i\sigma'(z_i) \le 1/4$. With $\lVert W_l\rVert_2 < 4$ in every layer the gradient "
    "reaching the input vanishes geometrically in the depth.",
)


@jacobian_product_bound.symbolic_leg(
    scope="the product form, for $L = 2$ layers of width 2 and any differentiable activation",
    general=False,
)
def _() -> Derivation:
    sigma, dsigma = sp.Function(r"\sigma"), sp.Function(r"\sigma'")
    h0 = sp.Matrix(sp.symbols("h_1 h_2", real=True))
    w1 = sp.Matrix(2, 2, sp.symbols("a_1:5", real=True))
    w2 = sp.Matrix(2, 2, sp.symbols("c_1:5", real=True))
    b1, b2 = sp.Matrix(sp.symbols("b_1:3", real=True)), sp.Matrix(sp.symbols("d_1:3", real=True))
    z1 = w1 * h0 + b1
    z2 = w2 * z1.applyfunc(sigma) + b2
    jacobian = z2.applyfunc(sigma).jacobian(h0)
    jacobian = jacobian.replace(lambda e: isinstance(e, sp.Subs), lambda e: dsigma(e.point[0]))
    product = sp.diag(*z2.applyfunc(dsigma)) * w2 * sp.diag(*z1.applyfunc(dsigma)) * w1
    return Derivation(
        steps=[
            Step(r"$\partial\mathbf{h}_2/\partial\mathbf{h}_0$ by SymPy", jacobian),
            Step(
                r"The product $\operatorname{diag}(\sigma'(\mathbf{z}_2))W_2"
                r"\operatorname{diag}(\sigma'(\mathbf{z}_1))W_1$",
                product,
            ),
            Step(
                r"Each factor $\operatorname{diag}(\sigma')$ has norm $\le 1/4$",
                sp.Le(sp.Symbol(r"\lVert\operatorname{diag}(\sigma')\rVert_2"), sp.Rational(1, 4)),
                cites=("mlp.sigmoid-derivative-bound",),
            ),
        ],
        residuals=list((jacobian - product).applyfunc(sp.expand)),
        compared=[
            f"entry {r}{c} of the Jacobian minus the product" for r in (1, 2) for c in (1, 2)
        ],
    )


@jacobian_product_bound.numeric_leg(
    oracle="torch.autograd.functional.jacobian; the product of diag(sigma'(z)) W by "
    "torch.sigmoid; spectral norms by torch.linalg.matrix_norm",
    # a float16/bfloat16 Jacobian of eight layers is not what the bound is about; linear and
    # sigmoid are checked in those dtypes by their own claims
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    depth, width = 8, 6
    weights = [randn(width, width, seed=k, scale=0.8).to(dtype).to(device) for k in range(depth)]
    biases = [randn(width, seed=50 + k).to(dtype).to(device) for k in range(depth)]
    h0 = randn(width, seed=99).to(dtype).to(device)
    got = torch.autograd.functional.jacobian(_sigmoid_stack(impl, weights, biases), h0)
    product, h = torch.eye(width, dtype=torch.float64, device=device), h0.double()
    for w, b in zip(weights, biases, strict=True):
        z = w.double() @ h + b.double()
        s = torch.sigmoid(z)
        product = torch.diag(s * (1 - s)) @ w.double() @ product
        h = s
    assert_close(got, product, dtype=dtype, msg="Jacobian vs the product of diag(sigma') W")
    norm = torch.linalg.matrix_norm(got.double(), ord=2).item()
    assert norm <= _bound(weights), f"||J|| = {norm} exceeds 4^-L prod ||W_l|| = {_bound(weights)}"


@jacobian_product_bound.property_leg(
    r"for 1 to 5 layers of width 1 to 4 with weights up to 3 in magnitude, the spectral norm "
    r"of the autograd Jacobian of the stack is at most $4^{-L}\prod_l\lVert W_l\rVert_2$ "
    "(float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def stacks(draw):
        depth, width = draw(st.integers(1, 5)), draw(st.integers(1, 4))
        shapes = [(width, width)] * depth + [(width,)] * depth + [(width,)]
        values = draw(dst.float_tensors(*shapes, magnitude=3.0))
        return values[:depth], values[depth:-1], values[-1]

    def holds(case) -> bool:
        weights, biases, h0 = case
        jac = torch.autograd.functional.jacobian(_sigmoid_stack(impl, weights, biases), h0)
        norm, bound = torch.linalg.matrix_norm(jac, ord=2).item(), _bound(weights)
        # the bound is attained (one layer, z = 0): equal up to the rounding of the two norms
        return norm <= bound or is_close(norm, bound)

    return ForAll(stacks(), holds, names=("weights", "biases", "h0"))
