r"""§ 4 Linear Model — affine outputs, and why they are not probabilities.

Main declarations:

* ``classification.linear-model-matrix-form`` — the notes' output equations
  :math:`o_i = \sum_j x_j w_{ij} + b_i` are the affine map :math:`W\mathbf{x} + \mathbf{b}`
  (general :math:`q \times d`; the notes' :math:`3 \times 4` as an instance);
* ``classification.linear-outputs-not-normalized`` — affine outputs can sum to 1 and still
  lie outside :math:`[0, 1]`;
* notation note ``classification.outputs-named-sigma`` — the notes call the outputs
  :math:`\sigma_i` where they mean :math:`o_i`.
"""

from __future__ import annotations

import math

import sympy as sp
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, Exists, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation

SECTION = Section("classification", "4 Linear Model")

linear_model_matrix_form = SECTION.claim(
    "linear-model-matrix-form",
    title="The output equations are one affine map",
    statement=r"o_i = \sum_{j=1}^{d} x_j w_{ij} + b_i \ (i = 1, \dots, q)"
    r"\iff \mathbf{o} = W\mathbf{x} + \mathbf{b},\ W \in \mathbb{R}^{q\times d}",
    kind=Kind.IDENTITY,
    note=r"The notes write the equations for $q = 3$ outputs and $d = 4$ features; the "
    r"identity holds for every $q$ and $d$.",
    numeric=NotApplicable(
        "no reference function computes a linear layer (that is torch.nn.functional.linear); "
        "the identity is between two ways of writing one polynomial, settled symbolically"
    ),
    property=NotApplicable("a polynomial identity, settled symbolically for general sizes"),
)


@linear_model_matrix_form.symbolic_leg(
    scope="general $q$, $d$; the notes' $q = 3$, $d = 4$ as a step"
)
def _() -> Derivation:
    q, d = sp.symbols("q d", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True, nonnegative=True)
    W, x, b = sp.MatrixSymbol("W", q, d), sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("b", q, 1)
    written = sp.Sum(x[j, 0] * W[i, j], (j, 0, d - 1)) + b[i, 0]  # the notes' o_i, from 0
    # row i of the matrix product as SymPy defines it, its summation index named j
    matrix_form = (W * x + b)[i, 0].replace(
        lambda e: isinstance(e, sp.Sum), lambda s: s.change_index(s.variables[0], s.variables[0], j)
    )
    notes = sp.Matrix(3, 4, lambda a, e: sp.Symbol(f"w_{{{a + 1}{e + 1}}}"))
    xs = sp.Matrix(4, 1, lambda a, _: sp.Symbol(f"x_{a + 1}"))
    bs = sp.Matrix(3, 1, lambda a, _: sp.Symbol(f"b_{a + 1}"))
    equations = sp.Matrix(
        [sum((xs[col] * notes[row, col] for col in range(4)), start=bs[row]) for row in range(3)]
    )
    return Derivation(
        steps=[
            Step(r"Output $i$ as the notes write it (indices from 0)", written),
            Step(
                r"Row $i$ of $W\mathbf{x} + \mathbf{b}$ for $W \in \mathbb{R}^{q \times d}$",
                equation(sp.Symbol("o_i"), matrix_form),
            ),
            Step(r"The notes' instance, $q = 3$ and $d = 4$", equation(equations, notes * xs + bs)),
        ],
        residuals=[written - matrix_form, *(equations - (notes * xs + bs))],
        compared=[
            r"the notes' $o_i$ minus row $i$ of $W\mathbf{x} + \mathbf{b}$ (general sizes)",
            *(rf"equation $o_{r + 1}$ minus its matrix form" for r in range(3)),
        ],
    )


linear_outputs_not_normalized = SECTION.claim(
    "linear-outputs-not-normalized",
    title="Affine outputs are not a probability vector in general",
    statement=r"\exists\, W, \mathbf{b}, \mathbf{x}:\ \sum_i o_i = 1,\ "
    r"\min_i o_i < 0,\ \max_i o_i > 1 \quad (\mathbf{o} = W\mathbf{x} + \mathbf{b})",
    kind=Kind.THEOREM,
    note="The notes list three failures: the outputs need not sum to 1, and even when they do "
    "they can be negative or exceed 1. The witness shows the last two at once; the first is the "
    "generic case (any witness perturbed by a bias).",
    symbolic=NotApplicable("an existence statement: the property leg exhibits a witness"),
    numeric=NotApplicable("an existence statement: the property leg exhibits a witness"),
)


@linear_outputs_not_normalized.property_leg(
    "with the last bias chosen so the outputs sum to 1, Hypothesis finds weights, input and "
    "biases with an output below 0 and another above 1"
)
def _(impl) -> Exists:
    @st.composite
    def affine_cases(draw):
        d, q = draw(st.integers(1, 4)), draw(st.integers(2, 4))
        x = draw(dst.real_vectors(size=d))
        w = draw(dst.real_vectors(size=d, batch_shape=(q,)))
        b = draw(dst.real_vectors(size=q))
        b[-1] = 1 - (w @ x).sum() - b[:-1].sum()
        return x, w, b

    def sums_to_one_yet_not_a_distribution(case) -> bool:
        o = F.linear(*case)
        return (
            math.isclose(float(o.sum()), 1.0, abs_tol=1e-9)
            and bool(o.min() < 0)
            and bool(o.max() > 1)
        )

    return Exists(affine_cases(), sums_to_one_yet_not_a_distribution, names=("x", "W", "b"))


outputs_named_sigma = SECTION.claim(
    "outputs-named-sigma",
    title="The outputs are called σ_i where o_i is meant",
    statement=r"\text{``no guarantee that the outputs } \sigma_i \text{ sum up to 1''}",
    kind=Kind.NOTATION,
    corrects="classification.linear-outputs-not-normalized",
    note=r"The outputs of the linear model are named $o_1, o_2, o_3$ in the equations just "
    r"above; $\sigma_i$ is never defined. Read $\sigma_i$ as $o_i$: the statement is then "
    r"classification.linear-outputs-not-normalized.",
)
