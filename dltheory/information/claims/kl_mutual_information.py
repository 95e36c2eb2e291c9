r"""§ 13.6 KL Divergence Properties (2) — mutual information as a KL divergence, three ways.

Main declarations:

* ``information.mutual-information-kl-joint-product`` —
  :math:`I(X, Y) = D_{\mathrm{KL}}(P(X, Y) \| P(X) P(Y))`;
* ``information.mutual-information-expected-kl-given-y`` —
  :math:`I(X, Y) = \mathbb{E}_Y\{D_{\mathrm{KL}}(P(X \mid Y) \| P(X))\}`;
* ``information.mutual-information-expected-kl-given-x`` —
  :math:`I(X, Y) = \mathbb{E}_X\{D_{\mathrm{KL}}(P(Y \mid X) \| P(Y))\}`.

The reference computes :math:`I` and :math:`D_{\mathrm{KL}}` with the same log-ratio helper,
so comparing them with each other could not catch a wrong helper. Each side is compared with
mpmath's exact :math:`I(X, Y)` instead, relative to the table's scale
(:class:`._support.TableValues`); the tables, conditionals and products the KL side needs are
formed in float64 from the rounded table, then rounded to the dtype under test.
"""

from __future__ import annotations

import sympy as sp
import torch

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, is_accurate
from dltheory.information.claims._support import (
    H_X,
    H_XY,
    H_Y,
    LIM_I,
    LIM_J,
    MI,
    P,
    exact_measures,
    i,
    j,
    joint_tables,
    joints,
    mp_tables,
    p_x,
    p_y,
    reduce_sums,
)

SECTION = Section("information", "13.6 KL Divergence Properties")

_D = sp.Symbol("D")
_F64 = torch.float64

mutual_information_kl_joint_product = SECTION.claim(
    "mutual-information-kl-joint-product",
    title="Mutual information is the KL divergence of the joint from the product of marginals",
    statement=r"I(X, Y) = D_{\mathrm{KL}}(P(X, Y) \| P(X)P(Y))",
    kind=Kind.IDENTITY,
    code=("mutual_information", "kl_divergence"),
    uses=("information.kl-definition", "information.mutual-information-definition"),
)


@mutual_information_kl_joint_product.symbolic_leg(
    scope=r"general $n$, $m$: the KL sum over the pairs is the double sum defining $I$"
)
def _() -> Derivation:
    kl = sp.Sum(P[i, j] * sp.log(P[i, j] / (p_x[i] * p_y[j])), LIM_J, LIM_I)
    return Derivation(
        steps=[
            Step(
                r"$D_{\mathrm{KL}}(P_{XY} \| P_X P_Y)$, the outcomes being the pairs $(x, y)$",
                equation(_D, kl),
                cites=("information.kl-definition",),
            ),
            Step(
                r"is the double sum that defines $I(X, Y)$, which is also "
                r"$H(X) + H(Y) - H(X, Y)$",
                sp.Tuple(equation(kl, MI), equation(kl, H_X + H_Y - H_XY)),
                cites=("information.mutual-information-definition",),
            ),
        ],
        residuals=[reduce_sums(kl - MI), reduce_sums(kl - (H_X + H_Y - H_XY))],
        compared=[
            r"$D_{\mathrm{KL}}(P_{XY} \| P_X P_Y)$ minus the double sum defining $I$",
            r"$D_{\mathrm{KL}}(P_{XY} \| P_X P_Y)$ minus $H(X) + H(Y) - H(X, Y)$",
        ],
    )


def _product(joint: torch.Tensor) -> torch.Tensor:
    """p_X(x) p_Y(y) of the rounded table, formed in float64 (then rounded to its dtype)."""
    values = joint.double()
    product = values.sum(-1, keepdim=True) * values.sum(-2, keepdim=True)
    return product.to(joint.dtype)


def _flat(table: torch.Tensor) -> torch.Tensor:
    return table.reshape(*table.shape[:-2], -1)


@mutual_information_kl_joint_product.numeric_leg(
    oracle="I(X, Y) by mpmath for both sides (error in eps, relative to the table's scale)"
)
def _(impl, device, dtype) -> None:
    for joint in joints(dtype, device):
        exact, scale = exact_measures(joint, "mi", "scale")
        assert_accurate(impl.mutual_information(joint), exact, scale=scale, msg="I vs mpmath")
        kl = impl.kl_divergence(_flat(joint), _flat(_product(joint)), validate=False)
        assert_accurate(kl, exact, scale=scale, msg="KL(P_XY || P_X P_Y) vs mpmath's I")


@mutual_information_kl_joint_product.property_leg(
    r"`mutual_information(table)` and `kl_divergence(table, outer(p_X, p_Y))` over the "
    r"flattened pairs both equal mpmath's $I(X, Y)$ (tables whose product of marginals "
    r"underflows in float64 are excluded)"
)
def _(impl) -> ForAll:
    def holds(joint) -> bool:
        product = _product(joint)
        if bool(((joint > 0) & (product == 0)).any()):
            # excluded: two marginals below 1e-154 whose product underflows to 0 in float64,
            # so the product table is no longer the product distribution
            return True
        (table,) = mp_tables(joint)
        kl = impl.kl_divergence(joint.flatten(), product.flatten())
        return is_accurate(
            impl.mutual_information(joint), table.mi, scale=table.scale
        ) and is_accurate(kl, table.mi, scale=table.scale)

    return ForAll(joint_tables(), holds, names=("P",))


def _expected_kl(impl, joint: torch.Tensor, given: str) -> torch.Tensor:
    r""":math:`\sum_z p_Z(z)\, D_{\mathrm{KL}}(P(\cdot \mid z) \| P_{\text{other}})` with the
    implementation's KL, for ``given`` z = x (rows) or y (columns); conditionals and weights are
    formed in float64 from the rounded table, then rounded to its dtype."""
    values = joint.double() if given == "x" else joint.double().mT
    weights = values.sum(-1, keepdim=True)
    other = values.sum(-2, keepdim=True).expand_as(values)
    conditional = torch.where(weights > 0, values / weights, 1.0 / values.shape[-1])
    kl = impl.kl_divergence(conditional.to(joint.dtype), other.to(joint.dtype), validate=False)
    weights = weights.squeeze(-1)
    terms = torch.where(weights > 0, weights * kl.double(), torch.zeros_like(weights))
    return terms.sum(-1)


def _expected_kl_leg(impl, device, dtype, given: str) -> None:
    for joint in joints(dtype, device):
        exact, scale = exact_measures(joint, "mi", "scale")
        assert_accurate(impl.mutual_information(joint), exact, scale=scale, msg="I vs mpmath")
        mean = _expected_kl(impl, joint, given)
        assert_accurate(mean, exact, dtype=dtype, scale=scale, msg=f"E_{given}[KL] vs mpmath's I")


def _expected_kl_property(impl, given: str) -> ForAll:
    def holds(joint) -> bool:
        (table,) = mp_tables(joint)
        mean = _expected_kl(impl, joint, given)
        return is_accurate(
            impl.mutual_information(joint), table.mi, scale=table.scale
        ) and is_accurate(mean, table.mi, scale=table.scale)

    return ForAll(joint_tables(), holds, names=("P",))


def _expected_kl_derivation(given: str) -> Derivation:
    """E_Z[KL(P(. | z) || P_other)] is the double sum defining I."""
    weight, outer, inner, other = (
        (p_x[i], LIM_I, LIM_J, p_y[j]) if given == "x" else (p_y[j], LIM_J, LIM_I, p_x[i])
    )
    conditional = P[i, j] / weight
    form = sp.Sum(weight * sp.Sum(conditional * sp.log(conditional / other), inner), outer)
    z, rest = ("X", "Y") if given == "x" else ("Y", "X")
    return Derivation(
        steps=[
            Step(
                rf"$\mathbb{{E}}_{z}[D_{{KL}}(P({rest} \mid {z.lower()}) \| P_{rest})]$, "
                rf"$p({rest.lower()} \mid {z.lower()}) = P_{{ij}} / {sp.latex(weight)}$",
                equation(_D, form),
                cites=("information.kl-definition",),
            ),
            Step(
                rf"The weight ${sp.latex(weight)}$ cancels the denominator: the double sum "
                r"that defines $I(X, Y)$",
                equation(form, MI),
                cites=("information.mutual-information-definition",),
            ),
        ],
        residuals=[reduce_sums(form - MI)],
        compared=[rf"$\mathbb{{E}}_{z}[D_{{KL}}]$ minus the double sum defining $I$"],
    )


mutual_information_expected_kl_given_y = SECTION.claim(
    "mutual-information-expected-kl-given-y",
    title="Mutual information is the expected KL of P(X | y) from P(X)",
    statement=r"I(X, Y) = \mathbb{E}_Y\{D_{\mathrm{KL}}(P(X \mid Y) \| P(X))\}",
    kind=Kind.IDENTITY,
    code=("mutual_information", "kl_divergence"),
    uses=("information.kl-definition", "information.mutual-information-definition"),
)


@mutual_information_expected_kl_given_y.symbolic_leg(scope=r"general $n$, $m$")
def _() -> Derivation:
    return _expected_kl_derivation("y")


@mutual_information_expected_kl_given_y.numeric_leg(
    oracle="I(X, Y) by mpmath for both sides (error in eps, relative to the table's scale)"
)
def _(impl, device, dtype) -> None:
    _expected_kl_leg(impl, device, dtype, "y")


@mutual_information_expected_kl_given_y.property_leg(
    r"`mutual_information(table)` and $\sum_y p_Y(y)$ `kl_divergence`$(p(\cdot \mid y), p_X)$ "
    r"both equal mpmath's $I(X, Y)$"
)
def _(impl) -> ForAll:
    return _expected_kl_property(impl, "y")


mutual_information_expected_kl_given_x = SECTION.claim(
    "mutual-information-expected-kl-given-x",
    title="Mutual information is the expected KL of P(Y | x) from P(Y)",
    statement=r"I(X, Y) = \mathbb{E}_X\{D_{\mathrm{KL}}(P(Y \mid X) \| P(Y))\}",
    kind=Kind.IDENTITY,
    code=("mutual_information", "kl_divergence"),
    uses=("information.kl-definition", "information.mutual-information-definition"),
)


@mutual_information_expected_kl_given_x.symbolic_leg(scope=r"general $n$, $m$")
def _() -> Derivation:
    return _expected_kl_derivation("x")


@mutual_information_expected_kl_given_x.numeric_leg(
    oracle="I(X, Y) by mpmath for both sides (error in eps, relative to the table's scale)"
)
def _(impl, device, dtype) -> None:
    _expected_kl_leg(impl, device, dtype, "x")


@mutual_information_expected_kl_given_x.property_leg(
    r"`mutual_information(table)` and $\sum_x p_X(x)$ `kl_divergence`$(p(\cdot \mid x), p_Y)$ "
    r"both equal mpmath's $I(X, Y)$"
)
def _(impl) -> ForAll:
    return _expected_kl_property(impl, "x")
