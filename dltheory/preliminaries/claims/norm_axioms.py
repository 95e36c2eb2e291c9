r"""§ 2 Linear Algebra / Norms — the three norm axioms, as the notes state them, for
:math:`\ell_p`.

For each axiom the claim says for which :math:`p` it holds: homogeneity and definiteness for
every :math:`p > 0` and :math:`p = \infty`, the triangle inequality exactly for
:math:`p \ge 1` (:math:`0 < p < 1` gives only a quasi-norm: ``preliminaries.lp-norm-every-p``).

Main declarations:

* ``preliminaries.norm-homogeneity`` — :math:`\|\alpha\mathbf{x}\|_p = |\alpha|\,\|\mathbf{x}\|_p`;
* erratum ``preliminaries.norm-triangle-equality`` — the notes write the triangle inequality
  as an equality, :math:`\|\mathbf{x}+\mathbf{y}\| = \|\mathbf{x}\| + \|\mathbf{y}\|`;
* ``preliminaries.norm-triangle-inequality`` — :math:`\|\mathbf{x}+\mathbf{y}\|_p \le
  \|\mathbf{x}\|_p + \|\mathbf{y}\|_p` for :math:`p \ge 1`;
* ``preliminaries.norm-definiteness`` — :math:`\|\mathbf{x}\|_p \ge 0`, with equality iff
  :math:`\mathbf{x} = 0`.
"""

from __future__ import annotations

import math
from functools import partial

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, is_accurate, is_close
from dltheory.preliminaries.claims._support import (
    ANY_P,
    NORM_P,
    P_VALUES,
    extreme_rows,
    i,
    mp_norm,
    mp_norms,
    n,
    p,
    triangle_holds,
    vector_pairs,
    vectors,
    x,
    y,
)

SECTION = Section("preliminaries", "2 Linear Algebra / Norms")


norm_homogeneity = SECTION.claim(
    "norm-homogeneity",
    title="Norms scale with the absolute value of the scalar",
    statement=r"\|\alpha\mathbf{x}\|_p = |\alpha|\,\|\mathbf{x}\|_p \quad "
    r"(\alpha \in \mathbb{R},\ p \in (0, \infty])",
    kind=Kind.THEOREM,
    code=("vector_norm",),
    note=r"The notes' first axiom. It holds for every $p > 0$, quasi-norms included, and for "
    r"$p = \infty$.",
)


@norm_homogeneity.symbolic_leg(scope=r"general $n$, every real $p > 0$ ($p = \infty$: numeric)")
def _() -> Derivation:
    alpha, xi = sp.Symbol(r"\alpha", real=True), sp.Symbol("x_i", real=True)
    c = sp.Symbol(r"|\alpha|", nonnegative=True)
    u = sp.IndexedBase("u", nonnegative=True)  # u_i = |x_i|
    total = sp.Symbol("S", nonnegative=True)
    summed = sp.Sum(c**p * u[i] ** p, (i, 1, n))
    pulled = c**p * sp.Sum(u[i] ** p, (i, 1, n))
    return Derivation(
        steps=[
            Step(r"$|\alpha x_i| = |\alpha|\,|x_i|$", equation(sp.Abs(alpha * xi), c * sp.Abs(xi))),
            Step(
                r"With $u_i = |x_i| \ge 0$ and $p > 0$: $(|\alpha| u_i)^p = |\alpha|^p u_i^p$",
                equation((c * u[i]) ** p, c**p * u[i] ** p),
            ),
            Step(r"Take $|\alpha|^p$ out of the sum", equation(summed, pulled)),
            Step(
                r"$(|\alpha|^p S)^{1/p} = |\alpha| S^{1/p}$ for $S = \sum_i u_i^p \ge 0$",
                equation((c**p * total) ** (1 / p), c * total ** (1 / p)),
            ),
        ],
        residuals=[
            sp.Abs(alpha * xi) - sp.Abs(alpha) * sp.Abs(xi),
            (c * u[i]) ** p - c**p * u[i] ** p,
            summed - pulled,
            (c**p * total) ** (1 / p) - c * total ** (1 / p),
        ],
        compared=[
            r"$|\alpha x_i| - |\alpha||x_i|$",
            r"$(|\alpha| u_i)^p - |\alpha|^p u_i^p$",
            "the sum before and after taking out the constant",
            r"$(|\alpha|^p S)^{1/p} - |\alpha| S^{1/p}$",
        ],
    )


#: scalars that multiply exactly in every dtype (powers of two, signs, zero)
_SCALARS = (-2.0, 0.5, 8.0, -0.125, 0.0)


@norm_homogeneity.numeric_leg(
    oracle=r"$|\alpha|$ times the mpmath norm (50 digits) of the unscaled vector (error in eps)"
)
def _(impl, device, dtype) -> None:
    x0 = vectors((6, 5), 1, dtype, device)
    for ord_ in P_VALUES:
        exact = mp_norms(x0, ord_)
        for alpha in _SCALARS:
            got = impl.vector_norm(alpha * x0, ord_, dim=-1)
            assert got.dtype == dtype and got.device == x0.device
            assert_accurate(got, abs(alpha) * exact, msg=f"||{alpha} x||_{ord_}")
    if dtype == torch.float64:  # scalars far outside the range where squares stay finite
        for alpha in (2.0**600, -(2.0**-600)):
            for ord_ in (1.0, 2.0, 3.0, math.inf):
                got = impl.vector_norm(alpha * x0, ord_, dim=-1)
                assert_accurate(got, abs(alpha) * mp_norms(x0, ord_), msg=f"alpha = {alpha}")


@norm_homogeneity.property_leg(
    r"$\|\alpha\mathbf{x}\|_p = |\alpha|\,\|\mathbf{x}\|_p$ for $p \in [1/4, 20]$ or "
    r"$\infty$, entries up to $10^{3}$ and $\alpha = \pm 2^k$, $|k| \le 900$ (so "
    r"$\alpha\mathbf{x}$ is exact and spans the float64 range)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        ord_ = draw(ANY_P)
        size = draw(st.integers(1, 5))
        entries = st.one_of(st.just(0.0), st.floats(1e-10, 1e3), st.floats(-1e3, -1e-10))
        x0 = torch.tensor(
            draw(st.lists(entries, min_size=size, max_size=size)), dtype=torch.float64
        )
        alpha = draw(st.sampled_from((-1.0, 1.0))) * 2.0 ** draw(st.integers(-900, 900))
        return ord_, x0, alpha

    def holds(case) -> bool:
        ord_, x0, alpha = case
        return is_close(impl.vector_norm(alpha * x0, ord_), abs(alpha) * impl.vector_norm(x0, ord_))

    return ForAll(cases(), holds, names=("p", "x", "alpha"))


norm_triangle_equality = SECTION.claim(
    "norm-triangle-equality",
    title="The triangle inequality written as an equality",
    statement=r"\|\mathbf{x} + \mathbf{y}\| = \|\mathbf{x}\| + \|\mathbf{y}\|",
    kind=Kind.ERRATUM,
    code=("vector_norm",),
    corrects="preliminaries.norm-triangle-inequality",
    note=r"The notes introduce 'the triangle inequality' and then write an equality. Equality "
    r"holds only when $\mathbf{y}$ is a nonnegative multiple of $\mathbf{x}$ (for "
    r"$\ell_2$); $\mathbf{y} = -\mathbf{x} \ne 0$ gives $0 \ne 2\|\mathbf{x}\|$. Read $\le$.",
    numeric=NotApplicable("the statement is false; the property leg exhibits a counterexample"),
)


@norm_triangle_equality.symbolic_leg(scope=r"disproved for $\ell_2$ on $\mathbb{R}^2$")
def _() -> Derivation:
    x1, x2, y1, y2 = sp.symbols("x_1 x_2 y_1 y_2", real=True)
    lhs = sp.sqrt((x1 + y1) ** 2 + (x2 + y2) ** 2)
    rhs = sp.sqrt(x1**2 + x2**2) + sp.sqrt(y1**2 + y2**2)
    return Derivation(
        steps=[
            Step(r"The statement for $\ell_2$ on $\mathbb{R}^2$", equation(lhs, rhs)),
            Step(
                r"At $\mathbf{x} = (1, 0)$, $\mathbf{y} = (-1, 0)$: $0$ on the left, $2$ on the "
                "right",
                equation(lhs.subs({x1: 1, x2: 0, y1: -1, y2: 0}), rhs.subs({x1: 1, x2: 0, y2: 0})),
            ),
        ],
        residuals=[lhs - rhs],
        witness={x1: 1, x2: 0, y1: -1, y2: 0},
        witness_symbols={
            "x_1": r"the first coordinate of $\mathbf{x} = (x_1, x_2)$, the norm being "
            r"$\ell_2$ on $\mathbb{R}^2$",
            "x_2": r"the second coordinate of $\mathbf{x} = (x_1, x_2)$",
            "y_1": r"the first coordinate of $\mathbf{y} = (y_1, y_2)$",
            "y_2": r"the second coordinate of $\mathbf{y} = (y_1, y_2)$",
        },
        compared=[r"$\|\mathbf{x}+\mathbf{y}\|_2 - \|\mathbf{x}\|_2 - \|\mathbf{y}\|_2$"],
    )


@norm_triangle_equality.property_leg(
    r"as written: $\|\mathbf{x}+\mathbf{y}\|_2 = \|\mathbf{x}\|_2 + \|\mathbf{y}\|_2$ for all "
    r"$\mathbf{x}, \mathbf{y}$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        _, a, b = case
        return is_close(impl.vector_norm(a + b), impl.vector_norm(a) + impl.vector_norm(b))

    return ForAll(vector_pairs(st.just(2.0), 1e3), holds, names=("p", "x", "y"))


norm_triangle_inequality = SECTION.claim(
    "norm-triangle-inequality",
    title="Triangle inequality (Minkowski) for p ≥ 1",
    statement=r"\|\mathbf{x} + \mathbf{y}\|_p \le \|\mathbf{x}\|_p + \|\mathbf{y}\|_p "
    r"\quad (p \in [1, \infty])",
    kind=Kind.THEOREM,
    code=("vector_norm",),
    note=r"Fails for every $0 < p < 1$ (preliminaries.lp-norm-every-p). Equality for $p = 2$ "
    r"exactly when one vector is a nonnegative multiple of the other.",
)


@norm_triangle_inequality.symbolic_leg(
    scope=r"$p = 1$ and $p = 2$, general $n$ (other $p \ge 1$: Minkowski, property leg)",
    general=False,
)
def _() -> Derivation:
    a = sp.Symbol("a", nonnegative=True)  # |x_i| written as a >= 0 times a sign
    t = sp.Symbol("t", real=True)
    A, C = sp.symbols("A C", nonnegative=True)
    B = sp.Symbol("B", real=True)
    Bp, D, Cp = (
        sp.Symbol("B", positive=True),
        sp.Symbol("D", nonnegative=True),
        sp.Symbol("C", positive=True),
    )
    sum_x2, sum_xy = sp.Sum(x[i] ** 2, (i, 1, n)), sp.Sum(x[i] * y[i], (i, 1, n))
    sum_y2 = sp.Sum(y[i] ** 2, (i, 1, n))
    quadratic = sp.Sum((x[i] - t * y[i]) ** 2, (i, 1, n))
    expanded = sp.expand(sp.Sum(sp.expand((x[i] - t * y[i]) ** 2), (i, 1, n)))
    plus = sp.expand(sp.Sum(sp.expand((x[i] + y[i]) ** 2), (i, 1, n)))
    l1_split = sp.Sum(sp.Abs(x[i]) + sp.Abs(y[i]), (i, 1, n))
    root = sp.sqrt(Bp**2 + D)
    return Derivation(
        steps=[
            Step(
                r"$p = 1$: $|s a| \ge \pm s a$ for either sign $s$, so "
                r"$|x_i| + |y_i| \ge \pm(x_i + y_i)$, i.e. $\ge |x_i + y_i|$; sum over $i$",
                equation(
                    l1_split, sp.Sum(sp.Abs(x[i]), (i, 1, n)) + sp.Sum(sp.Abs(y[i]), (i, 1, n))
                ),
            ),
            Step(r"$p = 2$: a sum of squares is $\ge 0$ for every real $t$", quadratic >= 0),
            Step(
                r"It is the quadratic $A - 2tB + t^2 C$ in $t$ ($A = \|\mathbf{x}\|^2$, "
                r"$B = \mathbf{x}^\top\mathbf{y}$, $C = \|\mathbf{y}\|^2$)",
                equation(quadratic, expanded),
            ),
            Step(
                r"At $t = B/C$ ($C > 0$; $C = 0$ is $\mathbf{y} = 0$): "
                r"$C(A - B^2/C) = AC - B^2 \ge 0$ (Cauchy–Schwarz)",
                equation(sp.expand(C * (A - 2 * (B / C) * B + (B / C) ** 2 * C)), A * C - B**2),
            ),
            Step(
                r"$\|\mathbf{x}+\mathbf{y}\|_2^2 = A + 2B + C$",
                equation(plus, sum_x2 + 2 * sum_xy + sum_y2),
            ),
            Step(
                r"$(\sqrt{A} + \sqrt{C})^2 - (A + 2B + C) = 2(\sqrt{AC} - B)$",
                equation(
                    (sp.sqrt(A) + sp.sqrt(C)) ** 2 - (A + 2 * B + C), 2 * (sp.sqrt(A * C) - B)
                ),
            ),
            Step(
                r"$\sqrt{AC} - B \ge 0$: for $B \le 0$ at once; for $B > 0$ write "
                r"$AC = B^2 + D$, $D \ge 0$, and rationalize",
                equation(root - Bp, D / (root + Bp)),
            ),
        ],
        residuals=[
            (sp.Abs(a) - a).is_nonnegative,
            (sp.Abs(-a) + a).is_nonnegative,
            (sp.Abs(a) + a).is_nonnegative,
            (sp.Abs(-a) - a).is_nonnegative,
            sp.expand(l1_split) - sp.Sum(sp.Abs(x[i]), (i, 1, n)) - sp.Sum(sp.Abs(y[i]), (i, 1, n)),
            quadratic.is_nonnegative,
            expanded - (sum_x2 - 2 * t * sum_xy + t**2 * sum_y2),
            sp.expand(Cp * (A - 2 * (B / Cp) * B + (B / Cp) ** 2 * Cp)) - (A * Cp - B**2),
            plus - (sum_x2 + 2 * sum_xy + sum_y2),
            (sp.sqrt(A) + sp.sqrt(C)) ** 2 - (A + 2 * B + C) - 2 * (sp.sqrt(A) * sp.sqrt(C) - B),
            root - Bp - D / (root + Bp),
            (D / (root + Bp)).is_nonnegative,
            (sp.sqrt(Bp**2 + D) + Bp).is_nonnegative,  # B = -Bp <= 0: sqrt(AC) - B >= 0
        ],
        compared=[
            r"$|s a| - s a \ge 0$ for $s = 1$, $a \ge 0$",
            r"$|s a| - s a \ge 0$ for $s = -1$",
            r"$|s a| + s a \ge 0$ for $s = 1$",
            r"$|s a| + s a \ge 0$ for $s = -1$",
            r"the split of $\sum_i (|x_i| + |y_i|)$",
            r"$\sum_i (x_i - t y_i)^2 \ge 0$",
            "the sum of squares minus the quadratic",
            r"$C \cdot$ the quadratic at $t = B/C$, minus $AC - B^2$",
            r"$\|\mathbf{x}+\mathbf{y}\|^2 - (A + 2B + C)$",
            r"$(\sqrt A + \sqrt C)^2 - (A + 2B + C) - 2(\sqrt{AC} - B)$",
            r"$\sqrt{B^2 + D} - B - D/(\sqrt{B^2 + D} + B)$",
            r"$D/(\sqrt{B^2+D} + B) \ge 0$ for $B > 0$",
            r"$\sqrt{B^2 + D} + |B| \ge 0$ for $B \le 0$",
        ],
    )


@norm_triangle_inequality.numeric_leg(
    oracle="the inequality between the computed sides, and each side against mpmath (error in "
    "eps); parallel vectors, where equality holds, included"
)
def _(impl, device, dtype) -> None:
    a, b = vectors((8, 5), 2, dtype, device), vectors((8, 5), 3, dtype, device)
    for ord_ in (ord_ for ord_ in P_VALUES if ord_ >= 1):
        for first, second in ((a, b), (a, 2 * a), (a, -a)):
            total = first + second  # rounded in dtype: the oracle sees the same values
            lhs = impl.vector_norm(total, ord_, dim=-1)
            rhs = impl.vector_norm(first, ord_, dim=-1).double()
            rhs = rhs + impl.vector_norm(second, ord_, dim=-1).double()
            assert_accurate(lhs, mp_norms(total, ord_), msg=f"||x + y||_{ord_}")
            over = lhs.double() > rhs
            assert not over.any() or is_close(lhs[over], rhs[over], dtype=dtype), (
                f"triangle inequality violated for p = {ord_}: {lhs} > {rhs}"
            )


@norm_triangle_inequality.property_leg(
    r"$\|\mathbf{x}+\mathbf{y}\|_p \le \|\mathbf{x}\|_p + \|\mathbf{y}\|_p$ (up to "
    r"float64 rounding) for $p \in [1, 20]$ or $\infty$"
)
def _(impl) -> ForAll:
    return ForAll(vector_pairs(NORM_P, 1e3), partial(triangle_holds, impl), names=("p", "x", "y"))


norm_definiteness = SECTION.claim(
    "norm-definiteness",
    title="A norm is nonnegative and vanishes only at zero",
    statement=r"\|\mathbf{x}\|_p \ge 0, \qquad \|\mathbf{x}\|_p > 0 \iff \mathbf{x} \ne 0 "
    r"\quad (p \in (0, \infty])",
    kind=Kind.THEOREM,
    code=("vector_norm",),
    note=r"The notes' third axiom. In floating point it needs care: the square of the "
    r"smallest subnormal is 0, so a naive $\sqrt{\sum x_i^2}$ calls a nonzero vector zero.",
)


@norm_definiteness.symbolic_leg(scope=r"general $n$, every real $p > 0$")
def _() -> Derivation:
    u = sp.IndexedBase("u", nonnegative=True)  # u_i = |x_i|
    v = sp.Symbol("v", positive=True)  # |x_k| for an entry x_k != 0
    rest = sp.Sum(u[i] ** p, (i, 1, n))
    at_zero = sp.Sum(sp.Integer(0) ** p, (i, 1, n))
    return Derivation(
        steps=[
            Step(
                r"A sum of $u_i^p \ge 0$, and its $1/p$-th power, are $\ge 0$", rest ** (1 / p) >= 0
            ),
            Step(
                r"If $x_k \ne 0$, then $v = |x_k| > 0$ and the norm is "
                r"$(v^p + \sum_{i \ne k} u_i^p)^{1/p} > 0$",
                (v**p + rest) ** (1 / p) > 0,
            ),
            Step(r"At $\mathbf{x} = 0$: $(\sum_i 0^p)^{1/p} = 0$", equation(at_zero ** (1 / p), 0)),
        ],
        residuals=[
            (rest ** (1 / p)).is_nonnegative,
            ((v**p + rest) ** (1 / p)).is_positive,
            at_zero.doit() ** (1 / p),
        ],
        compared=[
            r"$(\sum_i u_i^p)^{1/p} \ge 0$",
            r"$(v^p + \sum_{i \ne k} u_i^p)^{1/p} > 0$ for $v > 0$",
            r"$\|\mathbf{0}\|_p$",
        ],
    )


@norm_definiteness.numeric_leg(
    oracle="the mpmath norm (error in eps) of zero vectors, of a vector whose only nonzero "
    "entry is the dtype's smallest subnormal, and of huge and tiny entries"
)
def _(impl, device, dtype) -> None:
    rows = extreme_rows(dtype)
    x0 = rows.to(dtype).to(device)
    for ord_ in P_VALUES:
        got = impl.vector_norm(x0, ord_, dim=-1)
        assert bool((got >= 0).all()), f"negative norm for p = {ord_}: {got}"
        nonzero = (x0 != 0).any(-1)
        assert torch.equal(got > 0, nonzero), (
            f"p = {ord_}: positive at {got > 0}, x != 0 at {nonzero}"
        )
        assert_accurate(got, mp_norms(x0, ord_), msg=f"p = {ord_}, extreme rows")
        zero = impl.vector_norm(torch.zeros(3, 4, dtype=dtype, device=device), ord_, dim=(0, 1))
        assert zero.item() == 0, f"||0||_{ord_} = {zero.item()}"


@norm_definiteness.property_leg(
    r"$\|\mathbf{x}\|_p \ge 0$, and $> 0$ exactly when some entry is nonzero, for vectors "
    r"scaled by $10^{E}$, $E \in [-323, 300]$ (subnormals, squares that underflow or "
    r"overflow), with exact zeros, $p \in [1/4, 20]$ or $\infty$"
)
def _(impl) -> ForAll:
    # one scale 10^E per vector, times mantissas in [-10, 10] or exact zeros, E drawn from
    # bands: subnormal vectors, squares that underflow, ordinary ones, squares that overflow
    mantissas = st.one_of(st.just(0.0), st.floats(-10.0, 10.0))

    @st.composite
    def cases(draw):
        size = draw(st.integers(1, 5))
        bands = (
            st.integers(-323, -308),
            st.integers(-200, -155),
            st.integers(-5, 5),
            st.integers(155, 300),
        )
        scale = 10.0 ** draw(st.one_of(*bands))
        values = [m * scale for m in draw(st.lists(mantissas, min_size=size, max_size=size))]
        return draw(ANY_P), torch.tensor(values, dtype=torch.float64)

    def holds(case) -> bool:
        ord_, x0 = case
        value = impl.vector_norm(x0, ord_)
        return (
            bool(value >= 0)
            and bool(value > 0) == bool((x0 != 0).any())
            and is_accurate(value, mp_norm(x0.tolist(), ord_))
        )

    return ForAll(cases(), holds, names=("p", "x"))
