r"""§ 13.6 Conditional Entropy — the entropy left in Y once X is known.

Main declarations:

* ``information.conditional-entropy-definition`` —
  :math:`H(Y \mid X) = -\sum_x \sum_y p(x, y) \log p(y \mid x)`, the :math:`p_X`-weighted mean
  of the entropies of the conditional distributions;
* ``information.conditional-entropy-chain-rule`` — :math:`H(Y \mid X) = H(X, Y) - H(X)`.

Measures built from the log-ratios of a table are compared with mpmath relative to
:math:`1 + \text{the measure}`: the marginals any evaluation sums are rounded, and a relative
change of eps in them moves every log-ratio by about eps (see
:class:`._support.TableValues`).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.stats
import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    H_X,
    H_X_GIVEN_Y,
    H_XY,
    H_Y,
    H_Y_GIVEN_X,
    LIM_I,
    LIM_J,
    LN2,
    POSITIVE_TABLE,
    P,
    check_gradients,
    check_slopes_at_empty_cells,
    close,
    exact_measures,
    i,
    j,
    joint_tables,
    joints,
    large,
    marginals,
    mp_tables,
    on,
    p_x,
    reduce_sums,
    scalar,
)

SECTION = Section("information", "13.6 Conditional Entropy")

conditional_entropy_definition = SECTION.claim(
    "conditional-entropy-definition",
    title="Conditional entropy",
    statement=r"H(Y \mid X) = -\mathbb{E}_{(x,y) \sim P}[\log p(y \mid x)] = "
    r"-\sum_x \sum_y p(x, y) \log p(y \mid x),\quad p(y \mid x) = \frac{p_{X,Y}(x, y)}{p_X(x)}",
    kind=Kind.DEFINITION,
    code=("conditional_entropy",),
    note=r"Equivalently the $p_X$-weighted mean of the entropies of the conditional "
    r"distributions $p(\cdot \mid x)$, which is how the float oracle computes it.",
)


@conditional_entropy_definition.symbolic_leg(
    scope=r"general $n$, $m$: equals $\sum_x p_X(x) H(Y \mid X = x)$"
)
def _() -> Derivation:
    row = P[i, j] / p_x[i]
    averaged = sp.Sum(p_x[i] * -sp.Sum(row * sp.log(row), LIM_J), LIM_I)
    return Derivation(
        steps=[
            Step(
                r"$-\mathbb{E}[\log p(y \mid x)]$ with $p(y \mid x) = P_{ij} / p_X(i)$",
                equation(sp.Symbol("H(Y | X)"), H_Y_GIVEN_X),
            ),
            Step(
                r"$=$ the $p_X$-weighted mean of the entropies of the rows $p(\cdot \mid x)$",
                equation(H_Y_GIVEN_X, averaged),
            ),
        ],
        residuals=[reduce_sums(H_Y_GIVEN_X - averaged)],
        compared=[r"$H(Y \mid X)$ minus the $p_X$-weighted mean of the row entropies"],
    )


def _row_average(table: np.ndarray) -> float:
    """sum_x p_X(x) H(p(. | x)) with scipy.stats.entropy of each row (rows with p_X = 0 skipped)."""
    weights = table.sum(-1).tolist()
    return math.fsum(
        w * scipy.stats.entropy(row) for w, row in zip(weights, table, strict=True) if w > 0
    )


def _nearly_deterministic(e: float) -> torch.Tensor:
    r"""Rows :math:`p_X(x)\,(1 - e_x, e_x)` with :math:`p_X = (0.3, 0.7)` and :math:`e = (e,
    100e)`: :math:`p(y \mid x) = p/p_X` rounds, and near 1 its logarithm keeps no relative
    accuracy unless formed from the exact difference :math:`p - p_X`."""
    return torch.tensor(
        [[0.3 * (1 - e), 0.3 * e], [0.7 * (1 - 100 * e), 0.7 * 100 * e]], dtype=torch.float64
    )


def _check_nearly_deterministic_rows(impl, dtype: torch.dtype, device: str) -> None:
    r""":math:`H(Y \mid X)` of nearly deterministic rows (about :math:`e \log(1/e)`, far below
    1), to 16 eps of the value itself, on a single table and in a large batch."""
    for e in (1e-10, 1e-6) if dtype == torch.float64 else (1e-5,):
        table = on(_nearly_deterministic(e), dtype, device)
        for given, name in (("x", "h_y_given_x"), ("y", "h_x_given_y")):
            oriented = table if given == "x" else table.mT
            for joint in (oriented, large(oriented.unsqueeze(0))):
                (exact,) = exact_measures(joint, name)
                got = impl.conditional_entropy(joint, given=given)
                assert_accurate(got, exact, msg=f"H(. | {given}) of nearly deterministic rows")


@conditional_entropy_definition.numeric_leg(
    oracle="mpmath (error in eps, relative to 1 + H; nats and bits); the p_X-weighted "
    "scipy.stats.entropy of the conditional rows; gradcheck and gradgradcheck (float64); the "
    "gradient at empty cells against mpmath's one-sided difference quotients (float64, float32); "
    "nearly deterministic rows to 16 eps of H itself (float64, float32)"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        shape = joint.shape[:-2]
        values = oracle_input(joint).reshape(-1, *joint.shape[-2:])
        for given, name in (("x", "h_y_given_x"), ("y", "h_x_given_y")):
            got = impl.conditional_entropy(joint, given=given)
            assert got.dtype == dtype and got.shape == shape
            (exact,) = exact_measures(joint, name)
            assert_accurate(got, exact, scale=1 + exact, msg=f"H(. | {given}) vs mpmath")
            bits = impl.conditional_entropy(joint, given=given, base=2)
            assert_accurate(bits, exact / LN2, scale=(1 + exact) / LN2, msg="in bits")
            flipped = values if given == "x" else np.swapaxes(values, -1, -2)
            average = np.array([_row_average(table) for table in flipped]).reshape(shape)
            assert_close(got, average, msg=f"H(. | {given}) vs weighted row entropies (scipy)")
    if dtype == torch.float64:
        for given in ("x", "y"):
            fn = functools.partial(impl.conditional_entropy, given=given, validate=False)
            check_gradients(fn, POSITIVE_TABLE)
    if dtype in (torch.float64, torch.float32):
        _check_nearly_deterministic_rows(impl, dtype, device)
        for given, name in (("x", "h_y_given_x"), ("y", "h_x_given_y")):
            fn = functools.partial(impl.conditional_entropy, given=given)
            check_slopes_at_empty_cells(fn, name, dtype, device)


@conditional_entropy_definition.property_leg(
    r"`conditional_entropy(table, given)` equals mpmath's $-\sum p \log p(y \mid x)$ "
    r"(`given='x'`) or $-\sum p \log p(x \mid y)$ (`given='y'`), to 16 eps of $1 +$ the value, "
    r"and the weighted row entropies by `scipy.stats`"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        (table,) = mp_tables(joint)
        by_x = impl.conditional_entropy(joint, given="x")
        by_y = impl.conditional_entropy(joint, given="y")
        exact = is_accurate(by_x, table.h_y_given_x, scale=1 + table.h_y_given_x) and is_accurate(
            by_y, table.h_x_given_y, scale=1 + table.h_x_given_y
        )
        values = joint.numpy()
        rows = close(by_x, scalar(_row_average(values))) and close(
            by_y, scalar(_row_average(values.T))
        )
        return exact and rows

    return ForAll(joint_tables(), holds, names=("P",))


conditional_entropy_chain_rule = SECTION.claim(
    "conditional-entropy-chain-rule",
    title="Chain rule: conditional entropy is joint minus marginal entropy",
    statement=r"H(Y \mid X) = H(X, Y) - H(X)",
    kind=Kind.IDENTITY,
    code=("conditional_entropy", "joint_entropy", "entropy"),
    note=r"The reference computes $H(Y \mid X)$ from its definition, not as this difference; "
    r"the property compares each side with mpmath's value of the other.",
)


@conditional_entropy_chain_rule.symbolic_leg(
    scope=r"general $n$, $m$ (both $H(Y \mid X)$ and $H(X \mid Y)$)"
)
def _() -> Derivation:
    reduced = reduce_sums(H_Y_GIVEN_X)
    return Derivation(
        steps=[
            Step("Definition", equation(sp.Symbol("H(Y | X)"), H_Y_GIVEN_X)),
            Step(
                r"$\log(P/p_X) = \log P - \log p_X$; "
                r"$\sum_j P_{ij} \log p_X(i) = p_X(i) \log p_X(i)$",
                equation(H_Y_GIVEN_X, reduced),
            ),
            Step("That is", equation(sp.Symbol("H(Y | X)"), H_XY - H_X)),
        ],
        residuals=[
            reduce_sums(H_Y_GIVEN_X - (H_XY - H_X)),
            reduce_sums(H_X_GIVEN_Y - (H_XY - H_Y)),
        ],
        compared=[
            r"$H(Y \mid X)$ minus $H(X, Y) - H(X)$",
            r"$H(X \mid Y)$ minus $H(X, Y) - H(Y)$",
        ],
    )


@conditional_entropy_chain_rule.numeric_leg(
    oracle="H(X, Y) - H(X) and H(X, Y) - H(Y) by mpmath (error in eps, relative to 1 + H(X, Y))"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        h_xy, h_x, h_y = exact_measures(joint, "h_xy", "h_x", "h_y")
        for given, h_marginal in (("x", h_x), ("y", h_y)):
            want = h_xy - h_marginal
            got = impl.conditional_entropy(joint, given=given)
            assert_accurate(got, want, scale=1 + h_xy, msg=f"H(. | {given}) = H(X, Y) - H({given})")


@conditional_entropy_chain_rule.property_leg(
    r"`conditional_entropy(table, given='x')` equals mpmath's $H(X, Y) - H(X)$, and "
    r"`joint_entropy(table) - entropy(p_X)` equals mpmath's $H(Y \mid X)$ (likewise given "
    r"$y$), for batches of tables"
)
def _(impl) -> ForAll:
    # p_X = table.sum(-1) is rounded before entropy sees it: comparisons relative to
    # 1 + H(X, Y) (see the module header)
    def holds(joint) -> bool:
        h_xy, h_x, h_y, h_y_x, h_x_y = exact_measures(
            joint, "h_xy", "h_x", "h_y", "h_y_given_x", "h_x_given_y"
        )
        p_x_, p_y_ = marginals(joint)
        ok = True
        for given, exact_marginal, exact_conditional, marginal in (
            ("x", h_x, h_y_x, p_x_),
            ("y", h_y, h_x_y, p_y_),
        ):
            left = impl.conditional_entropy(joint, given=given)
            ok = ok and is_accurate(left, h_xy - exact_marginal, scale=1 + h_xy)
            right = impl.joint_entropy(joint) - impl.entropy(marginal)
            ok = ok and is_accurate(right, exact_conditional, scale=1 + h_xy)
        return ok

    return ForAll(joint_tables(batch=True), holds, names=("P",))
