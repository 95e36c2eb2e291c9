r"""§ 5 ReLU Function — the rectified linear unit and its derivative.

Main declarations:

* ``mlp.relu-definition`` — :math:`\operatorname{ReLU}(x) = \max(x, 0)`;
* ``mlp.relu-derivative`` — the derivative is 0 for :math:`x < 0` and 1 for :math:`x > 0`; at
  0 the one-sided derivatives are 0 and 1, so ReLU is not differentiable there, and the
  notes' convention (the left derivative, 0) is what torch's autograd returns.
"""

from __future__ import annotations

import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.mlp.claims._support import activation_inputs, float_arrays, grad_of

SECTION = Section("mlp", "5 ReLU Function")

relu_definition = SECTION.claim(
    "relu-definition",
    title="ReLU",
    statement=r"\operatorname{ReLU}(x) = \max(x, 0)",
    kind=Kind.DEFINITION,
    code=("relu",),
    symbolic=NotApplicable("a definition; its derivative is derived in mlp.relu-derivative"),
)


@relu_definition.numeric_leg(
    oracle="torch.relu and torch.maximum(x, 0), exactly (ReLU needs no rounding), on values "
    "across the dtype's range, infinities and NaN"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=1)
    specials = torch.tensor([float("inf"), -float("inf"), float("nan")], dtype=dtype, device=device)
    for z in (x, x.reshape(2, -1), x[0], specials):
        got = impl.relu(z)
        assert got.dtype == dtype and got.device == z.device and got.shape == z.shape
        want = torch.relu(z)
        assert torch.equal(got.isnan(), want.isnan()), f"NaN pattern differs: {got} vs {want}"
        assert torch.equal(got.nan_to_num(), want.nan_to_num()), f"relu({z}) = {got}, not {want}"
        assert torch.equal(got.nan_to_num(), torch.maximum(z, torch.zeros_like(z)).nan_to_num())


@relu_definition.property_leg(
    r"`relu(x)` equals $\max(x, 0)$ computed by Python, exactly, for floats across the float64 "
    "range (subnormals and signed zeros included)"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        got = impl.relu(x).tolist()
        return got == [max(v, 0.0) for v in x.tolist()]

    return ForAll(float_arrays(), holds, names=("x",))


relu_derivative = SECTION.claim(
    "relu-derivative",
    title="The derivative of ReLU, and its value at 0",
    statement=r"\operatorname{ReLU}'(x) = \begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases},"
    r"\qquad \lim_{h \to 0^-} \frac{\operatorname{ReLU}(h)}{h} = 0 \ne 1 = "
    r"\lim_{h \to 0^+} \frac{\operatorname{ReLU}(h)}{h},\qquad \operatorname{ReLU}'(0) := 0",
    kind=Kind.THEOREM,
    code=("relu",),
    note="At 0 ReLU has no derivative; the notes default to the left-hand derivative, 0, and "
    "torch.relu's autograd returns the same (torch.clamp(min=0) would return 1 there).",
)


@relu_derivative.symbolic_leg(scope="every real $x$ (the signs of $x$ as cases)")
def _() -> Derivation:
    h = sp.Symbol("h", real=True)
    pos, neg = sp.Symbol("x", positive=True), sp.Symbol("x", negative=True)
    quotient = sp.Max(h, 0) / h  # (ReLU(0 + h) - ReLU(0)) / h
    left, right = sp.limit(quotient, h, 0, "-"), sp.limit(quotient, h, 0, "+")
    return Derivation(
        steps=[
            Step(r"For $x > 0$: $\max(x, 0) = x$", equation(sp.diff(sp.Max(pos, 0), pos), 1)),
            Step(r"For $x < 0$: $\max(x, 0) = 0$", equation(sp.diff(sp.Max(neg, 0), neg), 0)),
            Step("The difference quotient at 0", equation(sp.Symbol("q(h)"), quotient)),
            Step("Its one-sided limits differ: no derivative at 0", sp.Tuple(left, right)),
        ],
        residuals=[
            sp.diff(sp.Max(pos, 0), pos) - 1,
            sp.diff(sp.Max(neg, 0), neg),
            left,
            right - 1,
        ],
        compared=[
            "derivative for x > 0, minus 1",
            "derivative for x < 0",
            "left derivative at 0 (the notes' convention)",
            "right derivative at 0, minus 1",
        ],
    )


@relu_derivative.numeric_leg(
    oracle="autograd of torch.relu, and the notes' values 0 (x <= 0) and 1 (x > 0); "
    "torch.autograd.gradcheck / gradgradcheck away from 0 (float64)"
)
def _(impl, device, dtype) -> None:
    x = activation_inputs(dtype, device, seed=2)
    x = torch.cat([x, torch.tensor([0.0, -0.0], dtype=dtype, device=device)])
    got = grad_of(impl.relu, x)
    assert got.dtype == dtype and got.shape == x.shape
    assert torch.equal(got, grad_of(torch.relu, x)), "gradient differs from torch.relu's"
    assert torch.equal(got, (x > 0).to(dtype)), f"ReLU' must be 1 for x > 0, else 0: {got}"
    if dtype == torch.float64:
        leaf = torch.rand(12, generator=torch.Generator().manual_seed(3), dtype=dtype) + 0.1
        leaf = (leaf * torch.tensor([1.0, -1.0] * 6, dtype=dtype)).to(device).requires_grad_()
        assert torch.autograd.gradcheck(impl.relu, (leaf,))
        assert torch.autograd.gradgradcheck(impl.relu, (leaf,))


@relu_derivative.property_leg(
    r"the autograd gradient of `relu` is 1 where $x > 0$ and 0 where $x \le 0$ (0 included), "
    "for floats across the float64 range"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        return grad_of(impl.relu, x).tolist() == [1.0 if v > 0 else 0.0 for v in x.tolist()]

    return ForAll(float_arrays(), holds, names=("x",))
