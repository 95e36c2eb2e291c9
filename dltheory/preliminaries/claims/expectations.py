r"""§ 2 Expectations — linearity of expectation and the variance of an affine map.

The notes' heading is empty; these are the standard results it announces (additions).

Main declarations:

* ``preliminaries.expectation-linearity`` — :math:`E[aX + bY + c] = aE[X] + bE[Y] + c` for any
  joint distribution (independence is not needed);
* ``preliminaries.variance-affine`` — :math:`\operatorname{Var}[aX + b] = a^2
  \operatorname{Var}[X]`.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
import torch
from hypothesis import strategies as st
from sympy.simplify.simplify import factor_sum

from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randint
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, is_accurate
from dltheory.preliminaries.claims._support import dyadic_simplex, i, j, n, x, y

SECTION = Section("preliminaries", "2 Expectations")

a_, b_, c_ = sp.symbols("a b c", real=True)


def _exact_linear(xs, ys, joint, a, b, c) -> tuple[float, float]:
    r""":math:`a\sum_i x_i P_i + b\sum_j y_j Q_j + c\sum_{ij} p_{ij}` with the marginals
    :math:`P_i = \sum_j p_{ij}`, :math:`Q_j = \sum_i p_{ij}`, exactly; and the scale
    :math:`\sum_{ij} p_{ij} |a x_i + b y_j + c|` against which cancellation is measured."""
    p = [[Fraction(v) for v in row] for row in joint]
    rows = [sum(r) for r in p]
    cols = [sum(col) for col in zip(*p, strict=True)]
    value = (
        a * sum(Fraction(u) * w for u, w in zip(xs, rows, strict=True))
        + b * sum(Fraction(v) * w for v, w in zip(ys, cols, strict=True))
        + c * sum(rows)
    )
    scale = sum(
        p[r][s] * abs(a * Fraction(xs[r]) + b * Fraction(ys[s]) + c)
        for r in range(len(xs))
        for s in range(len(ys))
    )
    return float(value), float(scale)


def _exact_variance(values, probs) -> Fraction:
    r""":math:`\sum_i \pi_i (x_i - \sum_k \pi_k x_k)^2` with :math:`\pi` the probabilities
    normalized exactly, in rational arithmetic."""
    p = [Fraction(v) for v in probs]
    total = sum(p)
    p = [w / total for w in p]
    xs = [Fraction(v) for v in values]
    mean = sum(w * u for w, u in zip(p, xs, strict=True))
    return sum((w * (u - mean) ** 2 for w, u in zip(p, xs, strict=True)), start=Fraction(0))


expectation_linearity = SECTION.claim(
    "expectation-linearity",
    title="Expectation is linear",
    statement=r"E[aX + bY + c] = a\,E[X] + b\,E[Y] + c",
    kind=Kind.THEOREM,
    code=("expectation",),
    note=r"Addition: the notes' heading 'Expectations' is empty. Holds for any joint "
    r"distribution of $X$ and $Y$, dependent or not; the proof only regroups a finite sum.",
)


@expectation_linearity.symbolic_leg(scope=r"general $m \times n$ joint distribution")
def _() -> Derivation:
    m = sp.Symbol("m", integer=True, positive=True)
    P = sp.IndexedBase("p", nonnegative=True)
    lhs = sp.Sum(P[i, j] * (a_ * x[i] + b_ * y[j] + c_), (i, 1, m), (j, 1, n))
    terms = [sp.Sum(term, (i, 1, m), (j, 1, n)) for term in sp.expand(lhs.function).args]
    by_x, by_y, const = (next(t for t in terms if t.function.has(symbol)) for symbol in (x, y, c_))
    # finite sums may be exchanged: sum over j first in the x term, then factor x_i out
    x_first = sp.Sum(factor_sum(sp.Sum(by_x.function, (j, 1, n))), (i, 1, m))
    y_first = sp.Sum(factor_sum(sp.Sum(by_y.function, (i, 1, m))), (j, 1, n))
    marginal_x = sp.Sum(x[i] * sp.Sum(P[i, j], (j, 1, n)), (i, 1, m))
    marginal_y = sp.Sum(y[j] * sp.Sum(P[i, j], (i, 1, m)), (j, 1, n))
    total = sp.Sum(P[i, j], (i, 1, m), (j, 1, n))
    return Derivation(
        steps=[
            Step(r"$E[aX + bY + c]$ over the joint table $p_{ij}$", equation(sp.Symbol("E"), lhs)),
            Step("Split the sum term by term", equation(lhs, sum(terms, start=sp.Integer(0)))),
            Step(
                r"Exchange the finite sums and factor: the marginals $\sum_j p_{ij}$ "
                r"(distribution of $X$) and $\sum_i p_{ij}$ (of $Y$) appear",
                equation(by_x.reorder((0, 1)) + by_y, a_ * marginal_x + b_ * marginal_y),
            ),
            Step(
                r"$\sum_{ij} p_{ij} = 1$ leaves $c$: $E[aX + bY + c] = aE[X] + bE[Y] + c$",
                equation(const, c_ * total),
            ),
        ],
        residuals=[
            sp.expand(lhs) - sum(terms, start=sp.Integer(0)),
            by_x.reorder((0, 1)) - sp.Sum(sp.Sum(by_x.function, (j, 1, n)), (i, 1, m)),
            x_first - a_ * marginal_x,
            y_first - b_ * marginal_y,
            by_y - sp.Sum(sp.Sum(by_y.function, (i, 1, m)), (j, 1, n)),
            const - c_ * total,
        ],
        compared=[
            "the expanded sum minus its three terms",
            "the x term with the order of summation exchanged, minus the nested sum",
            r"the x term minus $a \sum_i x_i P(X = x_i)$",
            r"the y term minus $b \sum_j y_j P(Y = y_j)$",
            "the y term minus its nested form",
            r"the constant term minus $c \sum_{ij} p_{ij}$",
        ],
    )


@expectation_linearity.numeric_leg(
    oracle="exact rational arithmetic with the marginals (error in eps against "
    r"$\sum p_{ij}|a x_i + b y_j + c|$, which measures cancellation)"
)
def _(impl, device, dtype) -> None:
    # integer values and coefficients: a x_i + b y_j + c is exact in every dtype
    xs, ys = randint(17, 5, seed=80) - 8, randint(17, 3, seed=81) - 8
    joint = dyadic_simplex(1, 15, seed=82).reshape(5, 3)  # exact in every dtype
    for a, b, c in ((2, -3, 5), (1, 1, 0), (-4, 0, 7)):
        z = (a * xs[:, None] + b * ys[None, :] + c).to(torch.float64)
        got = impl.expectation(
            z.reshape(-1).to(dtype).to(device), joint.reshape(-1).to(dtype).to(device)
        )
        assert got.dtype == dtype
        want, scale = _exact_linear(xs.tolist(), ys.tolist(), joint.tolist(), a, b, c)
        assert_accurate(got, want, scale=scale, msg=f"E[{a}X + {b}Y + {c}]")
    # rows of a batch, keepdim, and the outcomes along dim 0
    values = z.to(dtype).to(device)
    probs = dyadic_simplex(5, 3, seed=83).to(dtype).to(device)
    rows = impl.expectation(values, probs, dim=-1, keepdim=True)
    assert rows.shape == (5, 1)
    cols = impl.expectation(values.T.contiguous(), probs.T.contiguous(), dim=0)
    assert_accurate(cols, rows.squeeze(-1).double(), scale=(probs * values).abs().sum(-1).double())


@expectation_linearity.property_leg(
    r"for any joint table $p_{ij}$, integer values $x_i, y_j \in [-1000, 1000]$ and "
    r"$a, b, c \in [-8, 8]$: $E[aX + bY + c]$ equals $aE[X] + bE[Y] + c$ computed exactly "
    "from the marginals"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        joint = draw(dst.joint_distributions(rows=st.integers(1, 4), cols=st.integers(1, 4)))
        ints = st.integers(-1000, 1000)
        xs = draw(st.lists(ints, min_size=joint.shape[0], max_size=joint.shape[0]))
        ys = draw(st.lists(ints, min_size=joint.shape[1], max_size=joint.shape[1]))
        coefficients = draw(st.tuples(*[st.integers(-8, 8)] * 3))
        return joint, xs, ys, coefficients

    def holds(case) -> bool:
        joint, xs, ys, (a, b, c) = case
        z = a * torch.tensor(xs)[:, None] + b * torch.tensor(ys)[None, :] + c
        got = impl.expectation(z.reshape(-1).to(torch.float64), joint.reshape(-1))
        want, scale = _exact_linear(xs, ys, joint.tolist(), a, b, c)
        return is_accurate(got, want, scale=scale)

    return ForAll(cases(), holds, names=("p", "x", "y", "(a, b, c)"))


variance_affine = SECTION.claim(
    "variance-affine",
    title="Var[aX + b] = a² Var[X]",
    statement=r"\operatorname{Var}[aX + b] = a^2 \operatorname{Var}[X], \qquad "
    r"\operatorname{Var}[X] = E[(X - E[X])^2]",
    kind=Kind.THEOREM,
    code=("variance",),
    uses=("preliminaries.expectation-linearity",),
    note=r"Addition for the empty heading. A shift moves the mean with the values and cancels "
    r"in $X - E[X]$; a scale comes out squared. The reference uses the two-pass formula, which "
    r"keeps this accurate under a large shift $b$ where $E[X^2] - E[X]^2$ cancels.",
)


@variance_affine.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    P = sp.IndexedBase("p", nonnegative=True)
    mu = sp.Symbol(r"\mu", real=True)
    shifted_mean = a_ * mu + b_
    lhs = sp.Sum(P[i] * (a_ * x[i] + b_ - shifted_mean) ** 2, (i, 1, n))
    rhs = a_**2 * sp.Sum(P[i] * (x[i] - mu) ** 2, (i, 1, n))
    return Derivation(
        steps=[
            Step(
                r"$E[aX + b] = a\mu + b$ with $\mu = E[X]$",
                equation(sp.Symbol("E[aX+b]"), shifted_mean),
                cites=("preliminaries.expectation-linearity",),
            ),
            Step(
                r"$\operatorname{Var}[aX + b]$ by the definition",
                equation(sp.Symbol("Var[aX+b]"), lhs),
            ),
            Step(r"$b$ cancels and $a^2$ comes out of the sum", equation(lhs, rhs)),
        ],
        residuals=[lhs - rhs],
        compared=[r"$\operatorname{Var}[aX+b] - a^2\operatorname{Var}[X]$"],
    )


#: per dtype, a shift b for which b + a x (x, a small integers) is exact: 2^20 in float64
#: and float32 would cancel every digit of E[X^2] - E[X]^2 in float32
_SHIFTS = {
    torch.float64: 2.0**40,
    torch.float32: 2.0**20,
    torch.bfloat16: 128.0,
    torch.float16: 512.0,
}


@variance_affine.numeric_leg(
    oracle=r"$a^2$ times the exact rational variance of $X$ (error in eps), under shifts where "
    r"$E[X^2] - E[X]^2$ loses every digit"
)
def _(impl, device, dtype) -> None:
    xs = (randint(17, 4, 6, seed=90) - 8).to(torch.float64)
    probs = dyadic_simplex(4, 6, seed=91)  # exact in every dtype, summing to 1
    for a, b in ((1.0, 0.0), (-3.0, _SHIFTS[dtype]), (2.0, -_SHIFTS[dtype])):
        values = (a * xs + b).to(dtype).to(device)
        got = impl.variance(values, probs.to(dtype).to(device))
        assert got.dtype == dtype and got.device == values.device
        want = [
            float(a * a * _exact_variance(r, q))
            for r, q in zip(xs.tolist(), probs.tolist(), strict=True)
        ]
        assert_accurate(got, want, msg=f"Var[{a}X + {b}]")
        kept = impl.variance(
            values.T.contiguous(), probs.to(dtype).to(device).T.contiguous(), dim=0, keepdim=True
        )
        assert kept.shape == (1, 4)
        assert_accurate(kept.squeeze(0), want, msg="dim=0, keepdim")


@variance_affine.property_leg(
    r"$\operatorname{Var}[aX + b] = a^2\operatorname{Var}[X]$ (exact rational oracle) for "
    r"integer values in $[-1000, 1000]$ with two distinct ones, positive probabilities, "
    r"$a \in \pm[1, 8]$, $b \in [-10^6, 10^6]$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        size = draw(st.integers(2, 6))
        xs = draw(st.lists(st.integers(-1000, 1000), min_size=size, max_size=size))
        xs[1] = xs[0] + draw(st.integers(1, 100))  # at least two values: Var[X] > 0
        probs = draw(dst.probability_vectors(size=size, allow_zeros=False, min_positive=1e-3))
        a = draw(st.sampled_from((-1, 1))) * draw(st.integers(1, 8))
        return xs, probs, a, draw(st.integers(-(10**6), 10**6))

    def holds(case) -> bool:
        xs, probs, a, b = case
        values = torch.tensor([a * v + b for v in xs], dtype=torch.float64)
        want = float(a * a * _exact_variance(xs, probs.tolist()))
        return is_accurate(impl.variance(values, probs), want)

    return ForAll(cases(), holds, names=("x", "p", "a", "b"))
