r"""§ 12.2 Convex Sets — the definition, subspaces, and intersections.

Main declarations:

* ``optimization.convex-set-definition`` — :math:`a, b \in \mathcal{X},\ \lambda \in [0, 1]
  \Rightarrow \lambda a + (1 - \lambda) b \in \mathcal{X}` (checked on balls, half-spaces and
  boxes);
* ``optimization.subspace-convex`` — every vector subspace is convex;
* ``optimization.intersection-convex`` — the intersection of two convex sets is convex (the
  notes leave the proof as an exercise; it is given here).

Sets are given by membership tests; the legs draw points inside them by construction.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import is_close
from dltheory.optimization.claims._support import tensors

SECTION = Section("optimization", "12.2 Convex Sets")

lam = sp.Symbol(r"\lambda", real=True)


@st.composite
def _convex_set(draw, d: int):
    """A ball, a half-space or a box in :math:`\\mathbb{R}^d` with a membership test (with
    rounding slack judged by ``is_close``) and a way to put a point inside it."""
    kind = draw(st.sampled_from(("ball", "half-space", "box")))
    center = draw(tensors((d,), 5.0))
    if kind == "ball":
        radius = draw(st.floats(0.1, 5.0))

        def in_ball(p):
            return bool((p - center).norm() <= radius) or is_close((p - center).norm(), radius)

        def into_ball(z):  # z in [-1, 1]^d -> a point of the ball
            return center + z * radius / max(1.0, float(z.norm())) * 0.999

        return kind, in_ball, into_ball
    if kind == "half-space":
        normal = draw(tensors((d,), 3.0))
        offset = float(normal @ center)

        def in_half_space(p):
            value = normal @ p
            return bool(value <= offset) or is_close(value, offset)

        def into_half_space(z):
            return center - z.abs() * normal.sign() * 3.0

        return kind, in_half_space, into_half_space
    half = draw(tensors((d,), 3.0)).abs() + 0.1

    def inside(p):
        gap = (p - center).abs() - half
        return bool((gap <= 0).all()) or is_close(gap.clamp(min=0), torch.zeros(d))

    def place(z):
        return center + z * half

    return kind, inside, place


convex_set_definition = SECTION.claim(
    "convex-set-definition",
    title="Convex sets",
    statement=r"\mathcal{X} \text{ convex} \iff \forall a, b \in \mathcal{X},\ \lambda \in [0, 1]:"
    r"\ \lambda a + (1 - \lambda) b \in \mathcal{X}",
    kind=Kind.DEFINITION,
    note="The segment between any two points of the set lies in the set. The property leg "
    "checks the definition on balls, half-spaces and boxes; no reference function is involved.",
    symbolic=NotApplicable("a definition"),
    numeric=NotApplicable("sets have no dtype; the property leg draws the points"),
)


@convex_set_definition.property_leg(
    r"for balls, half-spaces and boxes in $\mathbb{R}^d$ ($d \le 3$), two points inside and "
    r"$\lambda \in [0, 1]$, the point $\lambda a + (1 - \lambda) b$ is inside"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d = draw(st.integers(1, 3))
        kind, inside, place = draw(_convex_set(d))
        a, b = place(draw(tensors((d,), 1.0))), place(draw(tensors((d,), 1.0)))
        return kind, inside, a, b, draw(st.floats(0.0, 1.0))

    def holds(case) -> bool:
        _, inside, a, b, t = case
        return inside(a) and inside(b) and inside(t * a + (1 - t) * b)

    return ForAll(cases(), holds, names=("set", "membership", "a", "b", "lambda"))


subspace_convex = SECTION.claim(
    "subspace-convex",
    title="Vector subspaces are convex",
    statement=r"\mathcal{U} = \operatorname{span}(B) \Rightarrow \lambda B\boldsymbol{\alpha} + "
    r"(1 - \lambda) B\boldsymbol{\beta} = B(\lambda\boldsymbol{\alpha} + (1 - \lambda)"
    r"\boldsymbol{\beta}) \in \mathcal{U}",
    kind=Kind.THEOREM,
    note="A subspace is closed under all linear combinations, the segments included. Points of "
    r"$\operatorname{span}(B)$ are $B\boldsymbol{\alpha}$; membership is tested by least squares.",
    numeric=NotApplicable("sets have no dtype; the property leg draws the points"),
)


@subspace_convex.symbolic_leg(scope="general $d$ and subspace dimension $r$")
def _() -> Derivation:
    d, r = sp.symbols("d r", integer=True, positive=True)
    B = sp.MatrixSymbol("B", d, r)
    alpha, beta = sp.MatrixSymbol(r"\alpha", r, 1), sp.MatrixSymbol(r"\beta", r, 1)
    combination = lam * (B * alpha) + (1 - lam) * (B * beta)
    factored = B * (lam * alpha + (1 - lam) * beta)
    return Derivation(
        steps=[
            Step(r"Two points of the span, $a = B\alpha$, $b = B\beta$", combination),
            Step(
                r"Matrix products are linear: the coefficients combine",
                equation(combination, factored),
            ),
        ],
        residuals=[sp.Eq(sp.expand(factored), sp.expand(combination))],
        compared=[r"$B(\lambda\alpha + (1-\lambda)\beta)$ equals the combination"],
    )


@subspace_convex.property_leg(
    r"for a random subspace of $\mathbb{R}^d$ spanned by $r < d$ vectors, the combination of two "
    r"of its points is reproduced by least squares on the basis (numpy.linalg.lstsq)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d = draw(st.integers(2, 4))
        r = draw(st.integers(1, d - 1))
        basis = draw(tensors((d, r), 3.0))
        return basis, draw(tensors((r,), 3.0)), draw(tensors((r,), 3.0)), draw(st.floats(0.0, 1.0))

    def holds(case) -> bool:
        basis, alpha, beta, t = case
        point = t * (basis @ alpha) + (1 - t) * (basis @ beta)
        coeffs = np.linalg.lstsq(basis.numpy(), point.numpy(), rcond=None)[0]
        return is_close(basis.numpy() @ coeffs, point.numpy())

    return ForAll(cases(), holds, names=("B", "alpha", "beta", "lambda"))


intersection_convex = SECTION.claim(
    "intersection-convex",
    title="The intersection of convex sets is convex",
    statement=r"\mathcal{X}, \mathcal{Y} \text{ convex} \Rightarrow \mathcal{X} \cap \mathcal{Y} "
    r"\text{ convex}",
    kind=Kind.THEOREM,
    uses=("optimization.convex-set-definition",),
    note=r"The proof the notes leave as an exercise: for $a, b \in \mathcal{X} \cap \mathcal{Y}$ "
    r"the point $c = \lambda a + (1 - \lambda) b$ lies in $\mathcal{X}$ (convexity of "
    r"$\mathcal{X}$, as $a, b \in \mathcal{X}$) and in $\mathcal{Y}$ (likewise), so in both. "
    r"The symbolic leg checks the propositional argument: the premises and the negated "
    r"conclusion are unsatisfiable.",
    numeric=NotApplicable("sets have no dtype; the property leg draws the points"),
)


@intersection_convex.symbolic_leg(scope="any two convex sets (propositional logic)")
def _() -> Derivation:
    aX, bX, cX, aY, bY, cY = sp.symbols("a_X b_X c_X a_Y b_Y c_Y")  # "a in X", ...
    premises = sp.And(
        sp.Implies(sp.And(aX, bX), cX),  # X is convex
        sp.Implies(sp.And(aY, bY), cY),  # Y is convex
        aX, aY, bX, bY,  # a, b lie in the intersection
    )  # fmt: skip
    conclusion = sp.And(cX, cY)  # c lies in the intersection
    counter = sp.satisfiable(sp.And(premises, sp.Not(conclusion)))
    return Derivation(
        steps=[
            Step(
                r"Convexity of $\mathcal{X}$ and $\mathcal{Y}$, and $a, b$ in both",
                premises,
                cites=("optimization.convex-set-definition",),
            ),
            Step(r"To show: $c = \lambda a + (1-\lambda) b$ is in both", conclusion),
            Step("No assignment makes the premises true and the conclusion false", counter),
        ],
        residuals=[sp.Eq(counter, False)],
        compared=["the premises with the negated conclusion are unsatisfiable"],
    )


@intersection_convex.property_leg(
    r"for two overlapping boxes or balls, points of the intersection combine to a point of "
    r"both sets"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        d = draw(st.integers(1, 3))
        shared = draw(tensors((d,), 3.0))  # a point of both sets, so they overlap
        sets = []
        for _ in range(2):
            kind = draw(st.sampled_from(("ball", "box")))
            offset = draw(tensors((d,), 1.0))
            size = draw(st.floats(0.5, 3.0))
            center = shared + offset * size * 0.5  # shared stays inside (distance < size)
            sets.append((kind, center, size))
        a = [draw(tensors((d,), 1.0)) for _ in range(2)]
        return sets, shared, a, draw(st.floats(0.0, 1.0))

    def member(kind, center, size, p) -> bool:
        gap = (p - center).norm() - size if kind == "ball" else ((p - center).abs() - size).max()
        return bool(gap <= 0) or is_close(gap, 0.0)

    def holds(case) -> bool:
        sets, shared, directions, t = case
        # points of the intersection: shrink towards the shared point until inside both
        points = []
        for z in directions:
            p = shared + z
            while not all(member(k, c, s, p) for k, c, s in sets):
                p = shared + (p - shared) * 0.5
            points.append(p)
        c = t * points[0] + (1 - t) * points[1]
        return all(member(k, center, s, c) for k, center, s in sets)

    return ForAll(cases(), holds, names=("sets", "shared point", "directions", "lambda"))
