r"""§ 2 Linear Algebra / Norms — the :math:`\ell_2`, :math:`\ell_1`, :math:`\ell_p` and
:math:`\ell_\infty` formulas.

Main declarations:

* ``preliminaries.l2-norm`` — :math:`\|\mathbf{x}\|_2 = \sqrt{\sum_i x_i^2}`;
* ``preliminaries.l1-norm`` — :math:`\|\mathbf{x}\|_1 = \sum_i |x_i|` (Manhattan distance
  :math:`\|\mathbf{x} - \mathbf{y}\|_1`);
* erratum ``preliminaries.lp-norm-without-absolute-values`` — the notes' :math:`\ell_p`
  formula :math:`(\sum_i x_i^p)^{1/p}` has no absolute values, so its :math:`p = 1` case is
  :math:`\sum_i x_i`, not :math:`\ell_1`;
* ``preliminaries.lp-norm`` — :math:`(\sum_i |x_i|^p)^{1/p}`, which is :math:`\ell_1` at
  :math:`p = 1` and :math:`\ell_2` at :math:`p = 2`;
* erratum ``preliminaries.lp-norm-every-p`` — the notes call every :math:`\ell_p` a norm; for
  :math:`0 < p < 1` the triangle inequality fails;
* ``preliminaries.linf-norm-limit`` (addition) — :math:`\lim_{p\to\infty} \|\mathbf{x}\|_p =
  \max_i |x_i| = \|\mathbf{x}\|_\infty`.
"""

from __future__ import annotations

import math
from functools import partial

import mpmath
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close
from dltheory.preliminaries.claims._support import (
    ANY_P,
    extreme_rows,
    i,
    mp_norm,
    mp_norms,
    n,
    p,
    triangle_holds,
    vector_pairs,
    vectors,
    wide_vectors,
    x,
)

SECTION = Section("preliminaries", "2 Linear Algebra / Norms")

#: the reductions the numeric legs cover: every dim, a tuple of dims, all of them
_DIMS = (None, 0, 1, -1, (0, 2), (0, 1, 2))


def _matches_torch(impl, ord_: float, device: str, dtype: torch.dtype, seed: int) -> None:
    """``vector_norm`` against ``torch.linalg.vector_norm`` (float64, on the rounded input)
    for every reduction and ``keepdim``, and against mpmath along the last dimension."""
    x0 = vectors((3, 4, 5), seed, dtype, device)
    for dim in _DIMS:
        for keepdim in (False, True):
            got = impl.vector_norm(x0, ord_, dim=dim, keepdim=keepdim)
            assert got.dtype == dtype and got.device == x0.device
            want = torch.linalg.vector_norm(x0.double(), ord_, dim=dim, keepdim=keepdim)
            assert_close(got, want, dtype=dtype, msg=f"p = {ord_}, dim {dim}, keepdim {keepdim}")
    assert_accurate(impl.vector_norm(x0, ord_, dim=-1), mp_norms(x0, ord_), msg=f"p = {ord_}")
    rows = extreme_rows(dtype).to(dtype).to(device)
    assert_accurate(impl.vector_norm(rows, ord_, dim=-1), mp_norms(rows, ord_), msg="extremes")


def _gradients(impl, ord_: float, device: str) -> None:
    """gradcheck and gradgradcheck in float64, and the gradient against torch's."""
    leaf = vectors((3, 4), 30, torch.float64, device).requires_grad_()
    assert torch.autograd.gradcheck(lambda z: impl.vector_norm(z, ord_, dim=-1), (leaf,))
    assert torch.autograd.gradgradcheck(lambda z: impl.vector_norm(z, ord_, dim=-1), (leaf,))
    (ours,) = torch.autograd.grad(impl.vector_norm(leaf, ord_, dim=-1).sum(), leaf)
    (theirs,) = torch.autograd.grad(torch.linalg.vector_norm(leaf, ord_, dim=-1).sum(), leaf)
    assert_close(ours, theirs, msg=f"gradient of the {ord_}-norm vs torch")


def _accurate_on_wide_vectors(impl, ord_: float) -> ForAll:
    def holds(x0) -> bool:
        return is_accurate(impl.vector_norm(x0, ord_), mp_norm(x0.tolist(), ord_))

    return ForAll(wide_vectors(), holds, names=("x",))


l2_norm = SECTION.claim(
    "l2-norm",
    title="The Euclidean norm",
    statement=r"\|\mathbf{x}\|_2 = \sqrt{\sum_{i=1}^n x_i^2}",
    kind=Kind.DEFINITION,
    code=("vector_norm",),
    note=r"The length of the hypotenuse for $n = 2$. Evaluated with the entries scaled by the "
    r"largest when $\sum_i x_i^2$ would overflow or underflow, so every representable norm is "
    r"returned (entries of $10^{\pm 200}$ in float64).",
    symbolic=NotApplicable(
        "a definition; preliminaries.lp-norm shows the lp formula reduces to it"
    ),
)


@l2_norm.numeric_leg(
    oracle="torch.linalg.vector_norm (every dim and keepdim); mpmath at 50 digits (error in eps) "
    "with huge, tiny and subnormal entries; gradcheck, gradgradcheck and torch's gradient"
)
def _(impl, device, dtype) -> None:
    _matches_torch(impl, 2.0, device, dtype, seed=4)
    if dtype == torch.float64:
        _gradients(impl, 2.0, device)
        for value in (1e200, 1e-200):  # where sum of squares over/underflows
            row = torch.full((4,), value, dtype=dtype, device=device)
            assert_accurate(impl.vector_norm(row), 2 * value, msg=f"entries of {value}")


@l2_norm.property_leg(
    r"$\|\mathbf{x}\|_2$ is within the float64 budget of the mpmath value for entries from "
    r"$\pm 10^{-300}$ to $\pm 10^{300}$ and exact zeros"
)
def _(impl) -> ForAll:
    return _accurate_on_wide_vectors(impl, 2.0)


l1_norm = SECTION.claim(
    "l1-norm",
    title="The Manhattan norm",
    statement=r"\|\mathbf{x}\|_1 = \sum_{i=1}^n |x_i|, \qquad "
    r"d_1(\mathbf{x}, \mathbf{y}) = \|\mathbf{x} - \mathbf{y}\|_1",
    kind=Kind.DEFINITION,
    code=("vector_norm",),
    symbolic=NotApplicable(
        "a definition; preliminaries.lp-norm shows the lp formula reduces to it"
    ),
)


@l1_norm.numeric_leg(
    oracle="torch.linalg.vector_norm (every dim and keepdim); mpmath (error in eps); the "
    "Manhattan distance as the sum of coordinate differences, exactly"
)
def _(impl, device, dtype) -> None:
    _matches_torch(impl, 1.0, device, dtype, seed=5)
    # points on an integer grid: every difference and sum is exact in every dtype
    g = torch.Generator().manual_seed(6)
    a, b = (torch.randint(-8, 9, (5, 3), generator=g).to(dtype).to(device) for _ in range(2))
    got = impl.vector_norm(a - b, 1, dim=-1)
    blocks = sum(abs(u - v) for u, v in zip(oracle_input(a).T, oracle_input(b).T, strict=True))
    assert_accurate(got, blocks, msg="Manhattan distance vs city blocks")


@l1_norm.property_leg(
    r"$\|\mathbf{x}\|_1$ is within the float64 budget of the mpmath sum of $|x_i|$ for entries "
    r"from $\pm 10^{-300}$ to $\pm 10^{300}$"
)
def _(impl) -> ForAll:
    return _accurate_on_wide_vectors(impl, 1.0)


lp_norm_without_absolute_values = SECTION.claim(
    "lp-norm-without-absolute-values",
    title="The notes' ℓp formula has no absolute values",
    statement=r"\|\mathbf{x}\|_p = \Bigl(\sum_{i=1}^n x_i^p\Bigr)^{1/p}, \text{ with } "
    r"\ell_1 \text{ and } \ell_2 \text{ as special cases}",
    kind=Kind.ERRATUM,
    code=("vector_norm",),
    corrects="preliminaries.lp-norm",
    note=r"At $p = 1$ the formula gives $\sum_i x_i$, which is negative for "
    r"$\mathbf{x} = (-1)$; for odd $p$ it can be negative and for non-integer $p$ it is not "
    r"even real. Only $p = 2$ survives, because $x_i^2 = |x_i|^2$. Read $|x_i|^p$.",
    numeric=NotApplicable("the statement is false; the property leg exhibits a counterexample"),
)


@lp_norm_without_absolute_values.symbolic_leg(scope=r"disproved at $p = 1$, $n = 1$")
def _() -> Derivation:
    x1 = sp.Symbol("x_1", real=True)
    return Derivation(
        steps=[
            Step(
                r"The formula at $p = 1$, $n = 1$, against $\|x\|_1 = |x_1|$",
                equation(x1, sp.Abs(x1)),
            ),
            Step(r"At $x_1 = -1$: $-1 \ne 1$", equation(sp.Integer(-1), sp.Integer(1))),
        ],
        residuals=[x1 - sp.Abs(x1)],
        witness={x1: -1},
        witness_symbols={
            "x_1": r"the only entry of $\mathbf{x} \in \mathbb{R}^1$: the notes' formula at "
            r"$p = 1$ gives $x_1$, the norm $|x_1|$"
        },
        compared=[r"$(\sum_i x_i^1)^{1/1} - \|\mathbf{x}\|_1$"],
    )


@lp_norm_without_absolute_values.property_leg(
    r"as written at $p = 1$: $\|\mathbf{x}\|_1 = \sum_i x_i$ for every $\mathbf{x}$"
)
def _(impl) -> ForAll:
    def holds(x0) -> bool:
        return is_close(impl.vector_norm(x0, 1), x0.sum())

    entries = st.floats(-1e3, 1e3, allow_nan=False)
    vectors_ = st.lists(entries, min_size=1, max_size=5).map(
        lambda v: torch.tensor(v, dtype=torch.float64)
    )
    return ForAll(vectors_, holds, names=("x",))


lp_norm = SECTION.claim(
    "lp-norm",
    title="The ℓp norm, and its cases p = 1 and p = 2",
    statement=r"\|\mathbf{x}\|_p = \Bigl(\sum_{i=1}^n |x_i|^p\Bigr)^{1/p}; \quad "
    r"p = 1: \|\mathbf{x}\|_1, \quad p = 2: \|\mathbf{x}\|_2",
    kind=Kind.DEFINITION,
    code=("vector_norm",),
    uses=("preliminaries.l1-norm", "preliminaries.l2-norm"),
    note=r"A norm for $p \ge 1$, a quasi-norm for $0 < p < 1$ "
    r"(preliminaries.norm-triangle-inequality, preliminaries.lp-norm-every-p).",
)


@lp_norm.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    general = sp.Sum(sp.Abs(x[i]) ** p, (i, 1, n)) ** (1 / p)
    at_one, at_two = general.subs(p, 1), general.subs(p, 2)
    l1 = sp.Sum(sp.Abs(x[i]), (i, 1, n))
    l2 = sp.sqrt(sp.Sum(x[i] ** 2, (i, 1, n)))
    return Derivation(
        steps=[
            Step(r"The $\ell_p$ formula", equation(sp.Symbol(r"\|x\|_p"), general)),
            Step(r"$p = 1$", equation(at_one, l1), cites=("preliminaries.l1-norm",)),
            Step(
                r"$p = 2$: $|x_i|^2 = x_i^2$ for real $x_i$",
                equation(at_two, l2),
                cites=("preliminaries.l2-norm",),
            ),
        ],
        residuals=[at_one - l1, at_two - l2],
        compared=[
            r"the formula at $p = 1$ minus $\ell_1$",
            r"the formula at $p = 2$ minus $\ell_2$",
        ],
    )


@lp_norm.numeric_leg(
    oracle="torch.linalg.vector_norm (every dim and keepdim) and mpmath (error in eps) for "
    r"p = 0.5, 1.5, 3, 7, 50; gradcheck, gradgradcheck and torch's gradient"
)
def _(impl, device, dtype) -> None:
    for seed, ord_ in enumerate((0.5, 1.5, 3.0, 7.0, 50.0)):
        _matches_torch(impl, ord_, device, dtype, seed=40 + seed)
    if dtype == torch.float64:
        for ord_ in (1.5, 3.0):
            _gradients(impl, ord_, device)


@lp_norm.property_leg(
    r"$\|\mathbf{x}\|_p$ is within the float64 budget of the mpmath value for "
    r"$p \in [1/4, 20]$ or $\infty$ and entries from $\pm 10^{-300}$ to $\pm 10^{300}$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        ord_, x0 = case
        return is_accurate(impl.vector_norm(x0, ord_), mp_norm(x0.tolist(), ord_))

    return ForAll(st.tuples(ANY_P, wide_vectors()), holds, names=("p", "x"))


lp_norm_every_p = SECTION.claim(
    "lp-norm-every-p",
    title="The ℓp family is a family of norms only for p ≥ 1",
    statement=r"\text{for every } p > 0:\ \|\mathbf{x} + \mathbf{y}\|_p \le "
    r"\|\mathbf{x}\|_p + \|\mathbf{y}\|_p",
    kind=Kind.ERRATUM,
    code=("vector_norm",),
    corrects="preliminaries.norm-triangle-inequality",
    note=r"The notes call the $\ell_p$ 'the more general norms' without a condition on $p$. For "
    r"$0 < p < 1$ the unit vectors give $\|\mathbf{e}_1 + \mathbf{e}_2\|_p = 2^{1/p} > 2$: the "
    r"triangle inequality fails (the unit ball is not convex). The condition is $p \ge 1$.",
    numeric=NotApplicable("the statement is false; the property leg exhibits a counterexample"),
)


@lp_norm_every_p.symbolic_leg(scope=r"disproved at $p = 1/2$ with the unit vectors")
def _() -> Derivation:
    sides = (sp.Integer(2) ** (1 / p), sp.Integer(2))
    return Derivation(
        steps=[
            Step(
                r"$\mathbf{x} = \mathbf{e}_1$, $\mathbf{y} = \mathbf{e}_2$: "
                r"$\|\mathbf{x}+\mathbf{y}\|_p = 2^{1/p}$, "
                r"$\|\mathbf{x}\|_p + \|\mathbf{y}\|_p = 2$",
                sp.Le(*sides),
            ),
            Step(
                r"At $p = 1/2$: $4 \le 2$ is false (and $2^{1/p} > 2$ for every $p < 1$)",
                sp.Le(*(side.subs(p, sp.Rational(1, 2)) for side in sides), evaluate=False),
            ),
        ],
        residuals=[sp.Le(*sides)],
        witness={p: sp.Rational(1, 2)},
        witness_symbols={
            "p": r"the exponent of $\|\cdot\|_p$, applied to the unit vectors "
            r"$\mathbf{x} = \mathbf{e}_1$, $\mathbf{y} = \mathbf{e}_2$ of $\mathbb{R}^2$"
        },
        compared=[r"$2^{1/p} \le 2$"],
    )


@lp_norm_every_p.property_leg(
    r"as written: $\|\mathbf{x}+\mathbf{y}\|_p \le \|\mathbf{x}\|_p + \|\mathbf{y}\|_p$ "
    r"(up to rounding) for every $p \in [1/4, 4]$"
)
def _(impl) -> ForAll:
    cases = vector_pairs(st.floats(0.25, 4.0), 10.0)
    return ForAll(cases, partial(triangle_holds, impl), names=("p", "x", "y"))


linf_norm_limit = SECTION.claim(
    "linf-norm-limit",
    title="The ℓ∞ norm is the limit of ℓp as p → ∞",
    statement=r"\lim_{p\to\infty} \|\mathbf{x}\|_p = \max_i |x_i| =: \|\mathbf{x}\|_\infty, "
    r"\qquad \|\mathbf{x}\|_\infty \le \|\mathbf{x}\|_p \le n^{1/p}\|\mathbf{x}\|_\infty",
    kind=Kind.THEOREM,
    code=("vector_norm",),
    note=r"Addition: the notes stop at $\ell_p$. With $M = \max_i |x_i|$, "
    r"$M^p \le \sum_i |x_i|^p \le n M^p$; take $p$-th roots and let $p \to \infty$.",
)


@linf_norm_limit.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    M = sp.Symbol("M", positive=True)
    upper = sp.Sum(M**p, (i, 1, n))
    return Derivation(
        steps=[
            Step(
                r"Each $|x_i|^p \le M^p$ and one term equals $M^p$, so "
                r"$M^p \le \sum_i |x_i|^p \le \sum_i M^p$",
                equation(upper, upper.doit()),
            ),
            Step(
                r"Take $p$-th roots: $M \le \|\mathbf{x}\|_p \le (n M^p)^{1/p} = n^{1/p} M$",
                equation((n * M**p) ** (1 / p), n ** (1 / p) * M),
            ),
            Step(r"$n^{1/p} \to 1$, so both bounds tend to $M$", sp.Limit(n ** (1 / p), p, sp.oo)),
        ],
        residuals=[
            upper.doit() - n * M**p,
            (n * M**p) ** (1 / p) - n ** (1 / p) * M,
            sp.limit(n ** (1 / p), p, sp.oo) - 1,
        ],
        compared=[r"$\sum_i M^p - n M^p$", r"$(n M^p)^{1/p} - n^{1/p} M$", r"$\lim n^{1/p} - 1$"],
    )


@linf_norm_limit.numeric_leg(
    oracle=r"torch.amax of |x| (exactly) and torch.linalg.vector_norm(ord=inf); mpmath for "
    r"p = 64, 1000 (where |x_i|^p overflows); the sandwich bounds"
)
def _(impl, device, dtype) -> None:
    x0 = vectors((6, 9), 7, dtype, device)
    for dim in (0, -1, (0, 1)):
        got = impl.vector_norm(x0, math.inf, dim=dim)
        assert torch.equal(got, x0.abs().amax(dim=dim)), f"inf-norm is not max|x_i| (dim {dim})"
        assert_close(got, torch.linalg.vector_norm(x0.double(), math.inf, dim=dim), dtype=dtype)
    top = x0.abs().amax(-1).double()
    for ord_ in (64.0, 1000.0):
        got = impl.vector_norm(x0, ord_, dim=-1)
        assert_accurate(got, mp_norms(x0, ord_), msg=f"p = {ord_}")
        bound = top * float(mpmath.power(x0.shape[-1], 1 / mpmath.mpf(ord_)))
        assert is_close(torch.clamp(got.double(), top, bound), got, dtype=dtype), "sandwich"
    infinite = torch.tensor([[1.0, -math.inf, 2.0], [math.inf, 0.0, 0.0]], dtype=dtype)
    assert bool((impl.vector_norm(infinite.to(device), math.inf, dim=-1) == math.inf).all())


@linf_norm_limit.property_leg(
    r"$M \le \|\mathbf{x}\|_p \le n^{1/p} M$ (up to rounding) for $p \in [1, 10^4]$, and "
    r"$\|\mathbf{x}\|_\infty = M$ exactly, for entries from $\pm 10^{-300}$ to $\pm 10^{300}$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        ord_, x0 = case
        top = x0.abs().max()
        value = impl.vector_norm(x0, ord_)
        bound = top * x0.numel() ** (1 / ord_)
        inside = is_close(torch.clamp(value, top, bound), value)
        return inside and bool(impl.vector_norm(x0, math.inf) == top)

    return ForAll(st.tuples(st.floats(1.0, 1e4), wide_vectors()), holds, names=("p", "x"))
