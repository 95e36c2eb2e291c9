r"""§ 5 Incorporating Hidden Layers / From Linear to Nonlinear — why the hidden layer needs an
activation function.

The notes leave "From Linear to Nonlinear" empty; its standard content is filled in here and
labelled as an addition.

Main declarations:

* notation note ``mlp.perceptron-spelling`` — "multilayer preceptron" for *perceptron*;
* ``mlp.affine-composition-is-affine`` (addition) — stacking affine layers without an activation
  gives one affine layer, :math:`(XW_1^\top + \mathbf{b}_1)W_2^\top + \mathbf{b}_2 =
  X(W_2W_1)^\top + (W_2\mathbf{b}_1 + \mathbf{b}_2)^\top` (general sizes), so hidden layers add
  nothing without a nonlinearity;
* ``mlp.nonlinearity-needed`` (addition) — with ReLU, two hidden units already compute
  :math:`|x|`, which no affine map does.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close
from dltheory.mlp.claims._support import float_arrays, networks

SECTION = Section("mlp", "5 Incorporating Hidden Layers")

perceptron_spelling = SECTION.claim(
    "perceptron-spelling",
    title="“Multilayer preceptron”",
    statement=r"\text{``This architecture is commonly called a multilayer preceptron or MLP''}",
    kind=Kind.NOTATION,
    corrects="mlp.forward-propagation",
    note="Read *multilayer perceptron*: a stack of fully connected layers, here with one hidden "
    "layer as computed in mlp.forward-propagation.",
)


affine_composition_is_affine = SECTION.claim(
    "affine-composition-is-affine",
    title="A composition of affine layers is one affine layer",
    statement=r"H = XW_1^\top + \mathbf{1}\mathbf{b}_1^\top,\ O = HW_2^\top + "
    r"\mathbf{1}\mathbf{b}_2^\top \;\Rightarrow\; O = X(W_2W_1)^\top + "
    r"\mathbf{1}(W_2\mathbf{b}_1 + \mathbf{b}_2)^\top",
    source="5 From Linear to Nonlinear",
    kind=Kind.THEOREM,
    code=("linear",),
    note="Addition (the heading is empty in the notes). Weights are stored as torch stores "
    r"them, $W_1 \in \mathbb{R}^{m \times d}$, $W_2 \in \mathbb{R}^{q \times m}$, examples in "
    "the rows of $X$. Without an activation between them, any number of hidden layers "
    "collapses to a single affine layer with the same inputs and outputs.",
)


@affine_composition_is_affine.symbolic_leg(scope="general $n$, $d$, $m$, $q$")
def _() -> Derivation:
    n, d, m, q = sp.symbols("n d m q", integer=True, positive=True)
    X, W1, W2 = (
        sp.MatrixSymbol("X", n, d),
        sp.MatrixSymbol("W_1", m, d),
        sp.MatrixSymbol("W_2", q, m),
    )
    b1, b2 = sp.MatrixSymbol("b_1", m, 1), sp.MatrixSymbol("b_2", q, 1)
    ones = sp.OneMatrix(n, 1)
    hidden = X * W1.T + ones * b1.T
    stacked = hidden * W2.T + ones * b2.T
    single = X * (W2 * W1).T + ones * (W2 * b1 + b2).T
    return Derivation(
        steps=[
            Step("The hidden layer, no activation", equation(sp.Symbol("H"), hidden)),
            Step("The output layer", equation(sp.Symbol("O"), stacked)),
            Step("Expand the products", equation(stacked, sp.expand(stacked))),
            Step("Collect: one affine map", equation(sp.Symbol("O"), single)),
        ],
        residuals=[sp.expand(stacked - single) == sp.ZeroMatrix(n, q)],
        compared=["the stacked layers minus the single affine layer"],
    )


@affine_composition_is_affine.numeric_leg(
    oracle="torch.nn.functional.linear with the collapsed weights W2 W1 and bias W2 b1 + b2, "
    "in float64",
    # the hidden layer is rounded to the dtype before the second layer; in float16/bfloat16
    # that rounding, amplified by W2, exceeds the dtype's tolerance on the composed result.
    # linear itself is checked in every dtype by mlp.linear-model-monotone
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    w1, b1 = randn(6, 4, seed=1).to(dtype).to(device), randn(6, seed=2).to(dtype).to(device)
    w2, b2 = randn(3, 6, seed=3).to(dtype).to(device), randn(3, seed=4).to(dtype).to(device)
    for seed, shape in enumerate([(4,), (7, 4), (2, 5, 4)]):
        x = randn(*shape, seed=10 + seed).to(dtype).to(device)
        got = impl.linear(impl.linear(x, w1, b1), w2, b2)
        w1_, b1_, w2_, b2_ = (t.double() for t in (w1, b1, w2, b2))
        want = F.linear(x.double(), w2_ @ w1_, w2_ @ b1_ + b2_)
        assert_close(got, want, dtype=dtype, msg=f"stacked linear layers, input {shape}")


@affine_composition_is_affine.property_leg(
    "two `linear` layers equal one `linear` layer with the collapsed weights and bias, for "
    "random sizes (1 to 4 examples, features, hidden units, outputs; float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, (w1, b1, w2, b2), _ = case
        stacked = impl.linear(impl.linear(x, w1, b1), w2, b2)
        return is_close(stacked, impl.linear(x, w2 @ w1, w2 @ b1 + b2))

    return ForAll(networks(), holds, names=("X", "params", "extras"))


nonlinearity_needed = SECTION.claim(
    "nonlinearity-needed",
    title="With ReLU, a hidden layer computes what no affine map can",
    statement=r"\operatorname{ReLU}(x) + \operatorname{ReLU}(-x) = |x|, \quad "
    r"\text{while every affine } f \text{ has } f(1) + f(-1) = 2f(0)",
    source="5 From Linear to Nonlinear",
    kind=Kind.THEOREM,
    code=("mlp_forward",),
    uses=("mlp.affine-composition-is-affine",),
    note=r"Addition. The MLP with $W_1 = (1, -1)^\top$, $\mathbf{b}_1 = \mathbf{0}$, "
    r"$W_2 = (1, 1)$, $b_2 = 0$ computes $|x|$; since $|1| + |-1| = 2 \ne 0 = 2|0|$, no affine "
    "map, and so (by mlp.affine-composition-is-affine) no stack of affine layers, computes it.",
    numeric=NotApplicable("the property leg checks the network against |x| (torch.abs)"),
)


@nonlinearity_needed.symbolic_leg(scope="every real $x$ and every affine map")
def _() -> Derivation:
    x, a, c = sp.symbols("x a c", real=True)
    network = sp.Max(x, 0) + sp.Max(-x, 0)
    affine = sp.Lambda(x, a * x + c)
    defect = affine(1) + affine(-1) - 2 * affine(0)
    return Derivation(
        steps=[
            Step(
                r"Two ReLU units with weights $\pm 1$, summed",
                equation(sp.Symbol("f(x)"), network),
            ),
            Step("It is the absolute value", equation(network, sp.Abs(x))),
            Step(
                "A stack of affine layers is one affine map, which satisfies f(1) + f(-1) = 2 f(0)",
                equation(defect, sp.expand(defect)),
                cites=("mlp.affine-composition-is-affine",),
            ),
            Step(r"$|x|$ does not: $|1| + |-1| - 2|0| = 2$", sp.Ne(sp.Integer(2), 0)),
        ],
        residuals=[
            (network - sp.Abs(x)).rewrite(sp.Piecewise),
            sp.expand(defect),
            sp.Ne(sp.Abs(1) + sp.Abs(-1) - 2 * sp.Abs(0), 0),
        ],
        compared=[
            r"$\operatorname{ReLU}(x) + \operatorname{ReLU}(-x) - |x|$",
            "f(1) + f(-1) - 2 f(0) for affine f",
            "|1| + |-1| - 2|0| is not 0",
        ],
    )


@nonlinearity_needed.property_leg(
    r"`mlp_forward` with ReLU and weights $W_1 = (1, -1)^\top$, $W_2 = (1, 1)$ returns $|x|$ "
    "(torch.abs) for inputs across the float64 range"
)
def _(impl) -> ForAll:
    w1 = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)
    w2 = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    zeros2, zeros1 = torch.zeros(2, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)

    def holds(x) -> bool:
        out = impl.mlp_forward(x.unsqueeze(-1), w1, zeros2, w2, zeros1, activation="relu")
        return torch.equal(out.squeeze(-1), x.abs())

    return ForAll(float_arrays(magnitude=1e307), holds, names=("x",))
