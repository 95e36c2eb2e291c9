r"""§ 13.6 Pointwise Mutual Information — the log-ratio whose mean is :math:`I(X, Y)`.

Main declarations:

* ``information.pmi-definition`` — :math:`\operatorname{pmi}(x, y) = \log \frac{p(x, y)}
  {p_X(x) p_Y(y)} = \log \frac{p(y \mid x)}{p_Y(y)} = \log \frac{p(x \mid y)}{p_X(x)}`;
* ``information.pmi-expectation-is-mi`` — :math:`\mathbb{E}_{(x, y) \sim P}[\operatorname{pmi}]
  = I(X, Y)`, each side checked against an exact oracle of the other.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.information.claims._support import (
    H_X,
    H_XY,
    H_Y,
    LIM_I,
    LIM_J,
    MI,
    PMI,
    POSITIVE_TABLE,
    P,
    check_gradients,
    exact_measures,
    i,
    j,
    joint_tables,
    joints,
    large,
    marginals_np,
    mp_tables,
    on,
    p_x,
    p_y,
    reduce_sums,
)

SECTION = Section("information", "13.6 Pointwise Mutual Information")

pmi_definition = SECTION.claim(
    "pmi-definition",
    title="Pointwise mutual information",
    statement=r"\operatorname{pmi}(x, y) = \log \frac{p_{X,Y}(x, y)}{p_X(x)\,p_Y(y)}"
    r" = \log\frac{p(y \mid x)}{p_Y(y)} = \log\frac{p(x \mid y)}{p_X(x)}",
    kind=Kind.DEFINITION,
    code=("pointwise_mutual_information",),
    note=r"Pairs with $p(x, y) = 0$ never occur together; their PMI is $-\infty$ (never NaN, "
    r"also where a marginal is 0). The marginals any evaluation sums are rounded, and a "
    r"relative change of eps in them moves the log-ratio by about eps: PMI is compared with "
    r"mpmath to 16 eps of $\max(1, |\operatorname{pmi}|)$.",
)


@pmi_definition.symbolic_leg(scope=r"general: the three forms agree pointwise")
def _() -> Derivation:
    given_x = sp.log((P[i, j] / p_x[i]) / p_y[j])
    given_y = sp.log((P[i, j] / p_y[j]) / p_x[i])
    return Derivation(
        steps=[
            Step("Definition", equation(sp.Symbol("pmi(x, y)"), PMI)),
            Step(
                r"$= \log(p(y \mid x)/p_Y(y)) = \log(p(x \mid y)/p_X(x))$",
                sp.Tuple(equation(PMI, given_x), equation(PMI, given_y)),
            ),
        ],
        residuals=[
            sp.expand_log(PMI - given_x, force=True),
            sp.expand_log(PMI - given_y, force=True),
        ],
        compared=[
            r"$\operatorname{pmi}$ minus $\log(p(y \mid x)/p_Y(y))$",
            r"$\operatorname{pmi}$ minus $\log(p(x \mid y)/p_X(x))$",
        ],
    )


def _pmi_numpy(values: np.ndarray) -> np.ndarray:
    rows, cols = marginals_np(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(values) - np.log(rows) - np.log(cols)
    return np.where(values > 0, log, -np.inf)


def _mp_pmi(joint: torch.Tensor) -> torch.Tensor:
    tables = mp_tables(joint)
    return torch.tensor([t.pmi for t in tables], dtype=torch.float64).reshape(joint.shape)


#: a cell far smaller than 1 whose PMI is moderate (log 7/3): p = 4e-28/7, p_X = 3/7 + p,
#: p_Y = p. The log-ratio of tiny operands must keep its accuracy (found by Hypothesis)
_TINY_CELL = torch.tensor(
    [[0.0, 0.5714285714285714], [0.0, 0.0], [5.714285714285714e-29, 0.42857142857142855]],
    dtype=torch.float64,
)


@pmi_definition.numeric_leg(
    oracle="mpmath (error in eps of max(1, |pmi|); of |pmi| itself near 0 where the "
    "marginals are exact sums, float64 and float32); log p - log p_X - log p_Y with NumPy "
    "(-inf where p = 0); gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    for joint in [*joints(dtype, device), on(_TINY_CELL, dtype, device)]:
        got = impl.pointwise_mutual_information(joint)
        assert got.dtype == dtype and got.shape == joint.shape
        assert_accurate(got, _mp_pmi(joint), scale=1.0, msg="vs mpmath")
        want = _pmi_numpy(oracle_input(joint))
        assert_close(got, want, msg="vs log p - log p_X - log p_Y (NumPy)")
        bits = impl.pointwise_mutual_information(joint, base=2)
        assert_close(bits, want / np.log(2), msg="bits")
    if dtype in (torch.float64, torch.float32):
        _check_nearly_independent_dyadic(impl, dtype, device)
    if dtype == torch.float64:
        fn = functools.partial(impl.pointwise_mutual_information, validate=False)
        check_gradients(fn, POSITIVE_TABLE)
        _check_gradient_at_a_subnormal_cell(impl)


def _check_nearly_independent_dyadic(impl, dtype: torch.dtype, device: str) -> None:
    r"""PMI near 0 to 16 eps of itself, where the marginals are exact sums: the table
    :math:`p_X p_Y \pm \delta` with :math:`p_X = (3/8, 5/8)`, :math:`p_Y = (1/2, 1/2)` and
    :math:`\delta = 2^{-30}` (:math:`2^{-14}` in float32) has marginals exactly
    :math:`p_X, p_Y`, so :math:`\operatorname{pmi} = \operatorname{log1p}(\pm\delta /
    (p_X p_Y))` is known to every digit; :math:`p / (p_X p_Y)` rounded keeps none of them."""
    delta = 2.0**-30 if dtype == torch.float64 else 2.0**-14
    table = torch.tensor(
        [[0.1875 + delta, 0.1875 - delta], [0.3125 - delta, 0.3125 + delta]], dtype=torch.float64
    )
    for joint in (on(table, dtype, device), large(on(table, dtype, device).unsqueeze(0))):
        exact = _mp_pmi(joint)
        got = impl.pointwise_mutual_information(joint)
        assert_accurate(got, exact, msg="pmi of a nearly independent table with exact marginals")


def _mp_pmi_gradient(table: list[list[float]]) -> list[list[float]]:
    r""":math:`\partial_{p_{kl}} \sum_{ij: p_{ij} > 0} \operatorname{pmi}_{ij}` at 60 digits:
    :math:`[p_{kl} > 0]/p_{kl} - R_k/p_X(k) - C_l/p_Y(l)`, with :math:`R_k`, :math:`C_l` the
    numbers of cells with :math:`p > 0` in row :math:`k` and column :math:`l`."""
    with mpmath.workdps(60):
        p = [[mpmath.mpf(v) for v in row] for row in table]
        rows = [mpmath.fsum(r) for r in p]
        cols = [mpmath.fsum(c) for c in zip(*p, strict=True)]
        r_count = [sum(v > 0 for v in r) for r in p]
        c_count = [sum(v > 0 for v in c) for c in zip(*p, strict=True)]
        return [
            [
                float((1 / v if v > 0 else 0) - r_count[k] / rows[k] - c_count[col] / cols[col])
                for col, v in enumerate(row)
            ]
            for k, row in enumerate(p)
        ]


def _check_gradient_at_a_subnormal_cell(impl) -> None:
    """A subnormal cell alone in its row: 1/p and R/p_X both overflow, and cancel exactly; the
    gradient (-2/(1/2 + p) there) is finite, not NaN or inf. At p = 4e-320, 1/p overflows
    unless the table is first scaled by at least 2^37."""
    tiny = 4e-320
    leaf = torch.tensor([[tiny, 0.0], [0.5, 0.5 - tiny]], dtype=torch.float64, requires_grad=True)
    pmi = impl.pointwise_mutual_information(leaf, validate=False)
    (got,) = torch.autograd.grad(pmi, leaf, torch.isfinite(pmi).to(pmi.dtype))
    want = _mp_pmi_gradient(leaf.detach().tolist())
    assert_close(got, want, msg="gradient at a subnormal cell (1/p and R/p_X overflow)")


@pmi_definition.property_leg(
    r"`pointwise_mutual_information(table)` equals mpmath's $\log p - \log p_X - \log p_Y$ to "
    r"16 eps of $\max(1, |\operatorname{pmi}|)$ where $p > 0$, and is $-\infty$ where $p = 0$"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        return is_accurate(impl.pointwise_mutual_information(joint), _mp_pmi(joint), scale=1.0)

    return ForAll(joint_tables(), holds, names=("P",))


pmi_expectation_is_mi = SECTION.claim(
    "pmi-expectation-is-mi",
    title="Mutual information is the expected PMI",
    statement=r"\mathbb{E}_{(x,y) \sim P_{X,Y}}[\operatorname{pmi}(x, y)] = I(X, Y)",
    kind=Kind.IDENTITY,
    code=("pointwise_mutual_information", "mutual_information"),
    uses=("information.mutual-information-definition",),
    note=r"Individual PMI values can be negative; their mean under the joint distribution "
    r"cannot. The reference computes both sides from one log-ratio helper, so each side is "
    r"compared with mpmath's value of the other (a wrong log-ratio cannot cancel out).",
)


@pmi_expectation_is_mi.symbolic_leg(
    scope=r"general $n$, $m$: $\mathbb{E}[\operatorname{pmi}] = I = H(X) + H(Y) - H(X, Y)$"
)
def _() -> Derivation:
    expectation = sp.Sum(P[i, j] * PMI, LIM_J, LIM_I)
    return Derivation(
        steps=[
            Step(
                r"$\mathbb{E}_{(x,y) \sim P}[\operatorname{pmi}(x, y)]$ is the double sum that "
                r"defines $I(X, Y)$",
                equation(sp.Symbol("E[pmi]"), MI),
                cites=("information.mutual-information-definition",),
            ),
            Step(r"$= H(X) + H(Y) - H(X, Y)$", equation(expectation, H_X + H_Y - H_XY)),
        ],
        residuals=[reduce_sums(expectation - MI), reduce_sums(expectation - (H_X + H_Y - H_XY))],
        compared=[
            r"$\mathbb{E}[\operatorname{pmi}]$ minus the double sum defining $I$",
            r"$\mathbb{E}[\operatorname{pmi}]$ minus $H(X) + H(Y) - H(X, Y)$",
        ],
    )


def _mean_pmi(joint: torch.Tensor, pmi: torch.Tensor) -> torch.Tensor:
    """sum over the pairs that occur of p(x, y) pmi(x, y), in float64."""
    weights = joint.double()
    terms = torch.where(weights > 0, weights * pmi.double(), torch.zeros_like(weights))
    return terms.sum((-2, -1))


@pmi_expectation_is_mi.numeric_leg(
    oracle="I(X, Y) by mpmath (error in eps, relative to the table's scale), for each side"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        exact, scale = exact_measures(joint, "mi", "scale")
        mean = _mean_pmi(joint, impl.pointwise_mutual_information(joint))
        assert_accurate(mean, exact, dtype=dtype, scale=scale, msg="E[pmi] vs mpmath's I")
        got = impl.mutual_information(joint)
        assert_accurate(got, exact, scale=scale, msg="I vs mpmath's E[pmi]")


@pmi_expectation_is_mi.property_leg(
    r"the $p$-weighted sum of `pointwise_mutual_information` over the support and "
    r"`mutual_information` both equal mpmath's $I(X, Y)$ (to 16 eps of the table's scale), for "
    r"batches of tables"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        exact, scale = exact_measures(joint, "mi", "scale")
        mean = _mean_pmi(joint, impl.pointwise_mutual_information(joint))
        return is_accurate(mean, exact, scale=scale) and is_accurate(
            impl.mutual_information(joint), exact, scale=scale
        )

    return ForAll(joint_tables(batch=True), holds, names=("P",))
