r"""§ 7 Convolutional Neural Networks — an MLP ignores the order of its input features.

Main declarations:

* ``convolution.feature-order-equivariance`` — permuting the input features together with the
  columns of the first weight matrix changes neither the outputs nor, step by step, gradient
  descent: an MLP trained on permuted pixels is the MLP trained on the original pixels, with
  its first-layer columns permuted;
* notation note ``convolution.feature-order-wording`` — "these networks are invariant to the
  order of the features": a fixed network is not; the learning problem is.
"""

from __future__ import annotations

import itertools
import math

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("convolution", "7 Convolutional Neural Networks")


def _gradient_descent(impl, x, y, params, steps: int = 3, rate: float = 0.05):
    """``steps`` of full-batch gradient descent on the squared loss, by ``mlp_backward``."""
    params = [p.clone() for p in params]
    for _ in range(steps):
        out = impl.mlp_forward(x, *params, activation="tanh")
        grads = impl.mlp_backward(x, *params, (out - y) / len(x), activation="tanh")
        params = [p - rate * g for p, g in zip(params, grads[1:], strict=True)]
    return params


feature_order_equivariance = SECTION.claim(
    "feature-order-equivariance",
    title="Permuting the pixels permutes the first-layer weights, nothing else",
    statement=r"f_{W_1 P^\top, \mathbf{b}_1, W_2, \mathbf{b}_2}(P\mathbf{x}) = "
    r"f_{W_1, \mathbf{b}_1, W_2, \mathbf{b}_2}(\mathbf{x}),\qquad "
    r"\frac{\partial L}{\partial (W_1P^\top)} = \frac{\partial L}{\partial W_1}P^\top",
    kind=Kind.THEOREM,
    code=("mlp.mlp_forward", "mlp.mlp_backward"),
    uses=("mlp.backprop-equations",),
    note=r"$P$ is a permutation matrix (so $P^\top P = I$). With the design matrix's columns "
    r"permuted and the initial first-layer weights permuted alike, every step of gradient "
    "descent stays permuted alike and the predictions are identical; with the usual "
    "exchangeable random initialization the trained networks are equal in distribution. "
    "That is why an MLP cannot use the spatial arrangement of the pixels.",
)


@feature_order_equivariance.symbolic_leg(
    scope="the forward identity for every permutation of d = 2, 3, 4 features; the gradient "
    "identity for general sizes",
    general=False,
)
def _() -> Derivation:
    residuals, steps = [], []
    for d in (2, 3, 4):
        w = sp.Matrix(1, d, sp.symbols(f"w_1:{d + 1}", real=True))
        x = sp.Matrix(d, 1, sp.symbols(f"x_1:{d + 1}", real=True))
        for perm in itertools.permutations(range(d)):
            p = sp.Matrix(d, d, lambda r, c, perm=perm: 1 if perm[r] == c else 0)
            residuals.append(sp.expand((w * p.T * p * x - w * x)[0]))
        text = (
            rf"$d = {d}$: $W_1P^\top P\mathbf{{x}} = W_1\mathbf{{x}}$, all {math.factorial(d)} $P$"
        )
        steps.append(Step(text, sp.true))
    n, d_, m = sp.symbols("n d m", integer=True, positive=True)
    delta, x_mat = sp.MatrixSymbol(r"\Delta", n, m), sp.MatrixSymbol("X", n, d_)
    perm = sp.MatrixSymbol("P", d_, d_)
    grad = delta.T * (x_mat * perm.T)
    steps.append(
        Step(
            r"$\partial L/\partial W_1 = \Delta^\top X$ with the permuted design matrix "
            r"$XP^\top$ (rows are examples)",
            equation(grad, (delta.T * x_mat) * perm.T),
            cites=("mlp.backprop-equations",),
        )
    )
    residuals.append(sp.expand(grad - (delta.T * x_mat) * perm.T) == sp.ZeroMatrix(m, d_))
    return Derivation(
        steps=steps,
        residuals=residuals,
        compared=[f"permutation {k + 1}" for k in range(len(residuals) - 1)]
        + ["the gradient identity"],
    )


@feature_order_equivariance.numeric_leg(
    oracle="the unpermuted network's outputs and its gradient-descent weights (three steps), "
    "columns permuted"
)
def _(impl, device, dtype) -> None:
    x = randn(16, 6, seed=1).to(dtype).to(device)
    y = randn(16, 2, seed=2).to(dtype).to(device)
    params = [
        randn(*s, seed=3 + k, scale=0.5).to(dtype).to(device)
        for k, s in enumerate([(5, 6), (5,), (2, 5), (2,)])
    ]
    perm = torch.randperm(6, generator=torch.Generator().manual_seed(4)).to(device)
    permuted = [params[0][:, perm], *params[1:]]
    out = impl.mlp_forward(x, *params, activation="tanh")
    assert_close(
        impl.mlp_forward(x[:, perm], *permuted, activation="tanh"), out.double(), dtype=dtype
    )
    if dtype in (torch.float64, torch.float32):  # three steps in half precision drift apart
        trained = _gradient_descent(impl, x, y, params)
        trained_permuted = _gradient_descent(impl, x[:, perm], y, permuted)
        assert_close(trained_permuted[0], trained[0][:, perm].double(), dtype=dtype)
        for a, b in zip(trained_permuted[1:], trained[1:], strict=True):
            assert_close(a, b.double(), dtype=dtype, msg="the other parameters train alike")


@feature_order_equivariance.property_leg(
    "for random networks, inputs and permutations, `mlp_forward` on permuted features with "
    "permuted first-layer columns equals the original outputs, and `mlp_backward` gives the "
    "permuted first-layer gradient (float64)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d, m, q, n = (draw(st.integers(1, 4)) for _ in range(4))
        shapes = [(n, d), (m, d), (m,), (q, m), (q,), (n, q)]
        x, w1, b1, w2, b2, g = draw(dst.float_tensors(*shapes))
        perm = torch.tensor(draw(st.permutations(range(d))))
        return x, [w1, b1, w2, b2], g, perm

    def holds(case) -> bool:
        x, params, g, perm = case
        permuted = [params[0][:, perm], *params[1:]]
        same = is_close(
            impl.mlp_forward(x[:, perm], *permuted, activation="sigmoid"),
            impl.mlp_forward(x, *params, activation="sigmoid"),
        )
        grad = impl.mlp_backward(x, *params, g, activation="sigmoid").W1
        grad_permuted = impl.mlp_backward(x[:, perm], *permuted, g, activation="sigmoid").W1
        return same and is_close(grad_permuted, grad[:, perm])

    return ForAll(cases(), holds, names=("X", "params", "G", "permutation"))


feature_order_wording = SECTION.claim(
    "feature-order-wording",
    title="“These networks are invariant to the order of the features”",
    statement=r"\text{``these networks are invariant to the order of the features''}",
    kind=Kind.NOTATION,
    corrects="convolution.feature-order-equivariance",
    note=r"A trained network is not: $f(P\mathbf{x}) \ne f(\mathbf{x})$ in general. What does "
    "not depend on the order is the learning problem: permuting the columns of the design "
    "matrix permutes the first-layer weights that training finds and leaves the predictions "
    "unchanged (convolution.feature-order-equivariance), which is the sentence that follows "
    "in the notes.",
)
