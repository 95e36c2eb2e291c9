r"""§ 13.6 Properties of Mutual Information — symmetry, sign, independence, invertible maps.

Main declarations:

* ``information.mutual-information-symmetric`` — :math:`I(X, Y) = I(Y, X)`;
* ``information.mutual-information-nonnegative`` — :math:`I(X, Y) \ge 0`, Gibbs' inequality
  over the pairs;
* ``information.mutual-information-zero-iff-independent`` — :math:`I = 0` exactly for
  independent variables, both directions proved;
* ``information.mutual-information-invertible-function`` — :math:`I(X, f(X)) = H(X)` for
  discrete variables; the erratum ``information.mutual-information-invertible-continuous``:
  for densities an invertible map changes the differential entropy.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, simplex
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, tolerance
from dltheory.information.claims._support import (
    H_XY,
    LIM_I,
    LIM_J,
    MI,
    P,
    as_numpy,
    assert_le,
    close,
    distributions,
    exact_measures,
    i,
    j,
    joint_tables,
    joints,
    l1,
    le,
    marginals,
    marginals_np,
    mp_entropy,
    mp_tables,
    n,
    on,
    p,
    p_x,
    p_y,
    reduce_sums,
    scalar,
    total,
    vectors,
)

SECTION = Section("information", "13.6 Properties of Mutual Information")

_I = sp.Symbol("I(X, Y)")
_F64 = torch.float64
#: the product of the marginals as a distribution on the n m pairs
_PRODUCT = sp.Sum(p_x[i] * p_y[j], LIM_J, LIM_I)


def _slack(scale) -> torch.Tensor:
    """How far below 0 a float64 value accurate to 16 eps of ``scale`` may land."""
    return tolerance(_F64).ulps * torch.finfo(_F64).eps * torch.as_tensor(scale, dtype=_F64)


mutual_information_symmetric = SECTION.claim(
    "mutual-information-symmetric",
    title="Mutual information is symmetric",
    statement=r"I(X, Y) = I(Y, X)",
    kind=Kind.THEOREM,
    code=("mutual_information",),
)


@mutual_information_symmetric.symbolic_leg(scope=r"general $n$, $m$: reorder the finite double sum")
def _() -> Derivation:
    transposed = sp.Sum(P[i, j] * sp.log(P[i, j] / (p_y[j] * p_x[i])), LIM_I, LIM_J)
    return Derivation(
        steps=[
            Step(
                r"$I(Y, X)$: rows and columns swapped, the sums taken in the other order",
                equation(sp.Symbol("I(Y, X)"), transposed),
            ),
            Step(
                r"Finite sums can be reordered, and $p_X p_Y = p_Y p_X$", equation(transposed, MI)
            ),
        ],
        residuals=[reduce_sums(transposed - MI)],
        compared=[r"$I(Y, X)$ minus $I(X, Y)$"],
    )


@mutual_information_symmetric.numeric_leg(
    oracle="the transposed table's mutual information by mpmath (error in eps)"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        forward, backward = impl.mutual_information(joint), impl.mutual_information(joint.mT)
        assert_close(forward, backward.double(), dtype=dtype, msg="I(X, Y) = I(Y, X)")
        want, scale = exact_measures(joint.mT, "mi", "scale")
        assert_accurate(forward, want, scale=scale, msg="I(X, Y) vs mpmath's I(Y, X)")


@mutual_information_symmetric.property_leg(
    r"`mutual_information(table)` = `mutual_information(table.mT)`, and it equals mpmath's $I$ "
    r"of the transposed table"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        want, scale = exact_measures(joint.mT, "mi", "scale")
        forward = impl.mutual_information(joint)
        return close(forward, impl.mutual_information(joint.mT)) and is_accurate(
            forward, want, scale=scale
        )

    return ForAll(joint_tables(batch=True), holds, names=("P",))


mutual_information_nonnegative = SECTION.claim(
    "mutual-information-nonnegative",
    title="Mutual information is nonnegative",
    statement=r"I(X, Y) \ge 0",
    kind=Kind.THEOREM,
    code=("mutual_information",),
    uses=("information.gibbs-inequality",),
    note=r"Holds for discrete and continuous variables: $I(X, Y) = D_{\mathrm{KL}}(P_{XY} \| "
    r"P_X P_Y)$. In floating point the sum for (nearly) independent variables can land a few "
    r"ulps below 0; the checks allow exactly the accuracy the value is checked to (16 eps of "
    r"the table's scale), not the float tolerance.",
)


@mutual_information_nonnegative.symbolic_leg(
    scope=r"general $n$, $m$: Gibbs' inequality with the pairs as outcomes"
)
def _() -> Derivation:
    ce = -sp.Sum(P[i, j] * sp.log(p_x[i] * p_y[j]), LIM_J, LIM_I)
    total_ = reduce_sums(_PRODUCT)
    return Derivation(
        steps=[
            Step(r"$P_X P_Y$ is a distribution on the pairs", equation(_PRODUCT, total_)),
            Step(
                r"$I(X, Y) = \mathrm{CE}(P_{XY}, P_X P_Y) - H(X, Y)$, the outcomes being the pairs",
                equation(MI, ce - H_XY),
            ),
            Step(
                r"which is $\ge 0$ by Gibbs' inequality",
                sp.GreaterThan(_I, 0, evaluate=False),
                cites=("information.gibbs-inequality",),
            ),
        ],
        residuals=[total_ - 1, reduce_sums(MI - (ce - H_XY))],
        compared=[
            r"$\sum_{i,j} p_X(i) p_Y(j)$ minus 1",
            r"$I(X, Y)$ minus $\mathrm{CE}(P_{XY}, P_X P_Y) - H(X, Y)$",
        ],
    )


@mutual_information_nonnegative.numeric_leg(
    oracle="mpmath (error in eps); the bound for the rounded input"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        got = impl.mutual_information(joint)
        s_ = total(joint, axis=(-2, -1))  # see total(): the bound for the rounded input
        assert_le(-s_ * np.log(s_), got, dtype, "I >= 0")
        want, scale = exact_measures(joint, "mi", "scale")
        assert_accurate(got, want, scale=scale, msg="vs mpmath")


@mutual_information_nonnegative.property_leg(
    r"`mutual_information(table)` $\ge -s \log s - 16\varepsilon \times$ the table's scale (its "
    r"accuracy), $s$ the table's total (1 up to rounding), for batches of tables"
)
def _(impl) -> ForAll:
    # a table summing to s has I(T) = s I(T / s) - s log s >= -s log s; s - 1 is summed
    # exactly (math.fsum), so a difference of 1e-300 is not lost
    def floor(table: torch.Tensor) -> float:
        excess = math.fsum([*table.flatten().tolist(), -1.0])
        return -(1 + excess) * math.log1p(excess)

    def holds(joint) -> bool:
        (scale,) = exact_measures(joint, "scale")
        tables = joint.reshape(-1, *joint.shape[-2:])
        floors = torch.tensor([floor(t) for t in tables], dtype=_F64).reshape(scale.shape)
        return bool((impl.mutual_information(joint) >= floors - _slack(scale)).all())

    return ForAll(joint_tables(batch=True), holds, names=("P",))


mutual_information_zero_iff_independent = SECTION.claim(
    "mutual-information-zero-iff-independent",
    title="Mutual information is zero exactly for independent variables",
    statement=r"I(X, Y) = 0 \iff p_{X,Y} = p_X\,p_Y",
    kind=Kind.THEOREM,
    code=("mutual_information",),
    uses=("information.gibbs-equality-iff-equal",),
    note=r"The property adds a quantitative 'only if' (Pinsker): "
    r"$I \ge \tfrac12 \|P_{XY} - P_X P_Y\|_1^2$, positive for any dependence.",
)


@mutual_information_zero_iff_independent.symbolic_leg(scope=r"general $n$, $m$, both directions")
def _() -> Derivation:
    independent = sp.Sum(
        p_x[i] * p_y[j] * sp.log(p_x[i] * p_y[j] / (p_x[i] * p_y[j])), LIM_J, LIM_I
    )
    ce = -sp.Sum(P[i, j] * sp.log(p_x[i] * p_y[j]), LIM_J, LIM_I)
    return Derivation(
        steps=[
            Step(
                r"If $P_{ij} = p_X(i) p_Y(j)$, every log-ratio is $\log 1 = 0$",
                equation(_I, independent),
            ),
            Step(
                r"Conversely, $I = \mathrm{CE}(P_{XY}, P_X P_Y) - H(X, Y)$ over the pairs, and "
                r"$P_X P_Y$ is a distribution on them",
                sp.Tuple(equation(MI, ce - H_XY), equation(_PRODUCT, reduce_sums(_PRODUCT))),
            ),
            Step(
                r"so $I = 0$ only if $P_{XY} = P_X P_Y$ on every pair: $X$ and $Y$ are "
                r"independent",
                sp.Symbol("P = p_X p_Y"),
                cites=("information.gibbs-equality-iff-equal",),
            ),
        ],
        residuals=[
            reduce_sums(independent),
            reduce_sums(MI - (ce - H_XY)),
            reduce_sums(_PRODUCT) - 1,
        ],
        compared=[
            r"$I$ of the product table",
            r"$I(X, Y)$ minus $\mathrm{CE}(P_{XY}, P_X P_Y) - H(X, Y)$",
            r"$\sum_{i,j} p_X(i) p_Y(j)$ minus 1",
        ],
    )


@mutual_information_zero_iff_independent.numeric_leg(
    oracle="I = 0 for an independent table, to 16 eps of its scale (mpmath); Pinsker's bound "
    "(NumPy)"
)
def _(impl, device, dtype) -> None:
    a, b = simplex(4, 5, seed=43, zeros=0.3), simplex(4, 3, seed=44)
    product = on(a.unsqueeze(-1) * b.unsqueeze(-2), dtype, device)
    want, scale = exact_measures(product, "mi", "scale")
    got = impl.mutual_information(product)
    assert_accurate(got, want, scale=scale, msg="vs mpmath (the rounded table)")
    if dtype in (torch.float64, torch.float32):
        # rounding a_i b_j to float16/bfloat16 leaves a slightly dependent table
        assert_accurate(got, torch.zeros(4, dtype=_F64), scale=1.0, msg="independent: I = 0")
    for joint in joints(dtype, device):
        s_ = total(joint, axis=(-2, -1))  # see total(): the bound for the rounded input
        values = oracle_input(joint) / s_[..., None, None]
        rows, cols = marginals_np(values)
        pinsker = s_ * np.abs(values - rows * cols).sum(axis=(-2, -1)) ** 2 / 2
        got = as_numpy(impl.mutual_information(joint)) + s_ * np.log(s_)
        assert_le(pinsker, got, dtype, "I >= |P - P_X P_Y|_1^2 / 2: I > 0 for dependent X, Y")


@mutual_information_zero_iff_independent.property_leg(
    r"`mutual_information(outer(a, b))` $= 0$ to 16 eps (of the table's scale), and "
    r"`mutual_information(table)` $\ge \tfrac12 \|P - p_X p_Y\|_1^2$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        return draw(distributions()), draw(distributions()), draw(joint_tables())

    def holds(case) -> bool:
        a, b, joint = case
        product = torch.outer(a, b)
        (table,) = mp_tables(product)
        independent = is_accurate(impl.mutual_information(product), 0.0, scale=table.scale)
        p_x_, p_y_ = marginals(joint)
        gap = l1(joint.flatten(), torch.outer(p_x_, p_y_).flatten()) ** 2 / 2
        return independent and le(gap, impl.mutual_information(joint))

    return ForAll(cases(), holds, names=("a", "b", "P"))


mutual_information_invertible_function = SECTION.claim(
    "mutual-information-invertible-function",
    title="For discrete variables, an invertible function shares all the information",
    statement=r"X = f(Y),\ f \text{ invertible},\ X, Y \text{ discrete} \implies "
    r"I(X, Y) = H(X) = H(Y)",
    kind=Kind.THEOREM,
    code=("mutual_information", "conditional_entropy", "entropy"),
    uses=(
        "information.mutual-information-entropy-form",
        "information.joint-entropy-identical-variables",
    ),
)


def _permuted_tables(size: int):
    """I(X, Y) - H(X) for the table diag(p) with its columns permuted, every permutation."""
    ps = sp.symbols(f"p_1:{size + 1}", positive=True)
    for perm in itertools.permutations(range(size)):
        table = [[ps[r] if perm[c] == r else 0 for c in range(size)] for r in range(size)]
        rows = [sum(row) for row in table]
        cols = [sum(table[r][c] for r in range(size)) for c in range(size)]
        mi = sum(
            v * sp.log(v / (rows[r] * cols[c]))
            for r in range(size)
            for c in range(size)
            if (v := table[r][c]) != 0
        )
        yield sp.expand_log(mi + sum(v * sp.log(v) for v in ps), force=True)


@mutual_information_invertible_function.symbolic_leg(
    scope=r"general $n$ with the values of $Y$ labelled so that $f(y_i) = x_i$ (a bijection only "
    r"renames the columns of the table); every labelling checked for $n = 2, 3$"
)
def _() -> Derivation:
    table = sp.KroneckerDelta(i, j) * p[i]
    cond_x = -resolve_in_range(sp.Sum(table * sp.log(p[i] / p[j]), (j, 1, n)).doit(), i, 1, n)
    cond_y = -resolve_in_range(sp.Sum(table * sp.log(p[j] / p[i]), (i, 1, n)).doit(), j, 1, n)
    permuted = [residual for size in (2, 3) for residual in _permuted_tables(size)]
    return Derivation(
        steps=[
            Step(
                r"$X = f(Y)$, $f$ invertible: label the values of $Y$ so that $f(y_i) = x_i$; "
                r"the table is $\mathrm{diag}(p)$ and both marginals are $p$",
                equation(P[i, j], table),
            ),
            Step(
                r"$H(X \mid Y)$ and $H(Y \mid X)$: only $j = i$ survives, where "
                r"$p(x \mid y) = p_i/p_i = 1$",
                sp.Tuple(
                    equation(sp.Symbol("H(X | Y)"), sp.Sum(cond_y, (j, 1, n))),
                    equation(sp.Symbol("H(Y | X)"), sp.Sum(cond_x, (i, 1, n))),
                ),
            ),
            Step(
                r"$I = H(X, Y) - H(Y \mid X) - H(X \mid Y) = H(X, Y)$",
                equation(_I, sp.Symbol("H(X, Y)")),
                cites=("information.mutual-information-entropy-form",),
            ),
            Step(
                r"and the diagonal table has $H(X, Y) = H(X) = H(Y)$",
                equation(_I, sp.Symbol("H(X)")),
                cites=("information.joint-entropy-identical-variables",),
            ),
            Step(
                r"Any other labelling permutes the columns: for $n = 2, 3$ every permutation "
                r"gives $I - H(X) = 0$ directly",
                sp.Symbol(r"I(X, Y) - H(X) = 0"),
            ),
        ],
        residuals=[cond_x, cond_y, *permuted],
        compared=[
            r"$H(Y \mid X)$ of the diagonal table",
            r"$H(X \mid Y)$ of the diagonal table",
            *(r"$I - H(X)$ for one labelling ($n = 2, 3$)" for _ in permuted),
        ],
    )


@mutual_information_invertible_function.numeric_leg(
    oracle="mpmath entropy of p (error in eps, relative to 1 + H); H(X | f(X)) = 0 exactly"
)
def _(impl, device, dtype) -> None:
    for values in vectors(dtype, device):
        perm = torch.randperm(values.shape[-1], generator=torch.Generator().manual_seed(7))
        joint = torch.diag_embed(values)[..., perm]
        exact = torch.tensor(mp_entropy(values), dtype=_F64).reshape(values.shape[:-1])
        # I = sum p log(p / (p p)): the product p p is rounded, so I is accurate to eps of
        # 1 + H (see _support.TableValues), while H itself is relatively accurate
        assert_accurate(impl.mutual_information(joint), exact, scale=1 + exact, msg="I = H(X)")
        assert_accurate(impl.entropy(values), exact, msg="H(X)")
        zero = torch.zeros_like(exact)
        assert_accurate(impl.conditional_entropy(joint, given="y"), zero, scale=1.0, msg="H(X|Y)")
        assert_accurate(impl.conditional_entropy(joint, given="x"), zero, scale=1.0, msg="H(Y|X)")


@mutual_information_invertible_function.property_leg(
    r"for $\mathrm{diag}(p)$ with permuted columns: `mutual_information`, `entropy(p_X)` and "
    r"`entropy(p_Y)` equal mpmath's $H(p)$, and `conditional_entropy` $= 0$ (to 16 eps)"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        values = draw(distributions())
        return values, draw(st.permutations(range(values.numel())))

    def holds(case) -> bool:
        values, perm = case
        joint = torch.diag(values)[:, list(perm)]
        (h,) = mp_entropy(values)
        p_x_, p_y_ = marginals(joint)
        return (
            is_accurate(impl.mutual_information(joint), h, scale=1 + h)
            and is_accurate(impl.entropy(p_x_), h)
            and is_accurate(impl.entropy(p_y_), h)
            and is_accurate(impl.conditional_entropy(joint, given="y"), 0.0, scale=1.0)
        )

    return ForAll(cases(), holds, names=("p", "f"))


mutual_information_invertible_continuous = SECTION.claim(
    "mutual-information-invertible-continuous",
    title="For continuous variables, an invertible function changes the differential entropy",
    statement=r"X \text{ an invertible function of } Y \implies I(X, Y) = H(Y) = H(X)",
    kind=Kind.ERRATUM,
    corrects="information.mutual-information-invertible-function",
    code=("gaussian_differential_entropy",),
    note=r"The notes' entropies include differential ones, but for densities neither equality "
    r"holds: $h(aX) = h(X) + \log|a|$, so $Y = 2X$ has $h(Y) = h(X) + \log 2$; and "
    r"$I(X, X) = +\infty$ for a continuous $X$ (as a limit of correlated Gaussians), not "
    r"$h(X)$. The statement is true for discrete variables.",
    numeric=NotApplicable(
        "the statement as written has no reference implementation to compare (the "
        "counterexample uses the closed forms)"
    ),
)


@mutual_information_invertible_continuous.symbolic_leg(
    scope=r"$X \sim \mathcal{N}(0, \sigma^2)$, $Y = aX$; witness $a = 2$"
)
def _() -> Derivation:
    sigma, a = sp.symbols("sigma a", positive=True)
    rho = sp.Symbol("rho", positive=True)

    def h(scale):
        return sp.log(2 * sp.pi * sp.E * scale**2) / 2

    gap = sp.expand_log(h(a * sigma) - h(sigma), force=True)
    mi_correlated = -sp.log(1 - rho**2) / 2
    return Derivation(
        steps=[
            Step(
                r"$X \sim \mathcal{N}(0, \sigma^2)$, $Y = aX \sim \mathcal{N}(0, a^2\sigma^2)$ "
                r"with $a > 0$ (invertible)",
                equation(sp.Symbol("h(Y) - h(X)"), gap),
            ),
            Step(
                r"For correlated Gaussians $I = -\tfrac12\log(1 - \rho^2)$, unbounded as $Y$ "
                r"becomes a function of $X$ ($\rho \to 1$): $I(X, X) = \infty$, not $h(X)$",
                equation(
                    sp.Limit(mi_correlated, rho, 1, "-"), sp.limit(mi_correlated, rho, 1, "-")
                ),
            ),
        ],
        residuals=[gap],
        compared=[r"$h(Y) - h(X)$"],
        witness={a: 2},
        witness_symbols={
            "a": r"the positive factor in $Y = aX$, an invertible function of "
            r"$X \sim \mathcal{N}(0, \sigma^2)$"
        },
    )


@mutual_information_invertible_continuous.property_leg(
    r"for $X \sim \mathcal{N}(0, \sigma^2)$ and $Y = aX$ ($a \ne 0$, invertible), "
    r"$h(Y) = h(X)$, with $h(Y)$ from `torch.distributions.Normal(0, |a| sigma)`",
    latex=r"h(aX) = h(X)",
)
def _(impl) -> ForAll:
    def as_written(case) -> bool:
        sigma, a = case
        h_x = impl.gaussian_differential_entropy(scalar(sigma))
        h_y = D.Normal(scalar(0.0), scalar(abs(a) * sigma)).entropy()
        return close(h_y, h_x)

    scales = st.sampled_from([1.0, 0.5, 2.0])
    factors = st.sampled_from([1.0, -1.0, 2.0, 0.5, -3.0])
    return ForAll(st.tuples(scales, factors), as_written, names=("sigma", "a"))
