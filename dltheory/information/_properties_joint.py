"""Property legs of the joint-entropy, conditional-entropy, mutual-information and PMI claims
(re-exported by :mod:`.properties`)."""

from __future__ import annotations

import math

import scipy.stats
import torch
import torch.distributions as D
from hypothesis import strategies as st

from dltheory.core.claim import ForAll
from dltheory.information import reference as ref
from dltheory.information._property_support import (
    TOL,
    close,
    distributions,
    joints,
    l1,
    le,
    marginals,
    mutual_information_math,
)

_F64 = torch.float64


def _scalar(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=_F64)


def joint_entropy_definition():
    def holds(joint):
        flat = joint.reshape(*joint.shape[:-2], -1).numpy()
        want = torch.as_tensor(scipy.stats.entropy(flat, axis=-1), dtype=_F64)
        return close(ref.joint_entropy(joint), want)

    return ForAll(joints(batch=True), holds)


def joint_entropy_identical_variables():
    def holds(p):
        h = ref.entropy(p)
        return close(ref.joint_entropy(torch.diag(p)), h) and close(
            h, _scalar(scipy.stats.entropy(p.numpy()))
        )

    return ForAll(distributions(), holds)


def joint_entropy_independent_variables():
    def holds(case):
        a, b = case
        return close(ref.joint_entropy(torch.outer(a, b)), ref.entropy(a) + ref.entropy(b))

    return ForAll(st.tuples(distributions(), distributions()), holds)


def joint_entropy_bounds():
    def holds(joint):
        p_x, p_y = marginals(joint)
        h_xy, h_x, h_y = ref.joint_entropy(joint), ref.entropy(p_x), ref.entropy(p_y)
        return le(torch.maximum(h_x, h_y), h_xy) and le(h_xy, h_x + h_y)

    return ForAll(joints(), holds)


def joint_entropy_lower_bound_continuous():
    # X ~ U[0, w1] and Y ~ U[0, w2] independent: the pair is uniform on a rectangle
    widths = st.sampled_from([1.0, 2.0, 0.5, 0.25, 4.0])

    def as_written(case):
        w1, w2 = case
        h_x = ref.uniform_differential_entropy(_scalar(0.0), _scalar(w1))
        pair = D.Independent(
            D.Uniform(torch.zeros(2, dtype=_F64), torch.tensor([w1, w2], dtype=_F64)), 1
        )
        return le(h_x, pair.entropy())

    return ForAll(st.tuples(widths, widths), as_written)


def conditional_entropy_definition():
    # the p_X-weighted average of the entropies of the conditional rows p(. | x)
    def average_of_rows(table):
        weights = table.sum(-1).tolist()
        rows = table.numpy()
        return math.fsum(
            w * scipy.stats.entropy(row) for w, row in zip(weights, rows, strict=True) if w > 0
        )

    def holds(joint):
        by_x = close(ref.conditional_entropy(joint, given="x"), _scalar(average_of_rows(joint)))
        by_y = close(ref.conditional_entropy(joint, given="y"), _scalar(average_of_rows(joint.T)))
        return by_x and by_y

    return ForAll(joints(), holds)


def conditional_entropy_chain_rule():
    def holds(joint):
        p_x, p_y = marginals(joint)
        h_xy = ref.joint_entropy(joint)
        return close(ref.conditional_entropy(joint, given="x"), h_xy - ref.entropy(p_x)) and close(
            ref.conditional_entropy(joint, given="y"), h_xy - ref.entropy(p_y)
        )

    return ForAll(joints(batch=True), holds)


def mutual_information_entropy_form():
    def holds(joint):
        form = (
            ref.joint_entropy(joint)
            - ref.conditional_entropy(joint, given="x")
            - ref.conditional_entropy(joint, given="y")
        )
        return close(ref.mutual_information(joint), form)

    return ForAll(joints(batch=True), holds)


def mutual_information_definition():
    def holds(joint):
        return close(ref.mutual_information(joint), _scalar(mutual_information_math(joint)))

    return ForAll(joints(), holds)


def mutual_information_marginal_expectation():
    # the notes' E_x E_y {p(x, y) log(p(x, y) / (p(x) p(y)))} with x ~ p_X and y ~ p_Y
    def as_written(joint):
        p_x, p_y = marginals(joint)
        pmi = ref.pointwise_mutual_information(joint)
        weights = torch.outer(p_x, p_y) * joint
        literal = torch.where(joint > 0, weights * pmi, torch.zeros_like(pmi)).sum()
        return close(literal, ref.mutual_information(joint))

    return ForAll(joints(), as_written)


def mutual_information_symmetric():
    def holds(joint):
        return close(ref.mutual_information(joint), ref.mutual_information(joint.mT))

    return ForAll(joints(batch=True), holds)


def mutual_information_nonnegative():
    # >= 0 up to rounding: for independent tables the float64 sum is a few ulps from 0
    def holds(joint):
        return bool((ref.mutual_information(joint) >= -TOL.atol).all())

    return ForAll(joints(batch=True), holds)


def mutual_information_zero_iff_independent():
    # "if": the product of two marginals has I = 0; "only if", quantitatively:
    # I = KL(P_XY || P_X P_Y) >= |P_XY - P_X P_Y|_1^2 / 2 (Pinsker), > 0 for any dependence
    @st.composite
    def cases(draw):
        return draw(distributions()), draw(distributions()), draw(joints())

    def holds(case):
        a, b, joint = case
        p_x, p_y = marginals(joint)
        product = torch.outer(p_x, p_y)
        independent = close(ref.mutual_information(torch.outer(a, b)), _scalar(0.0))
        gap = l1(joint.flatten(), product.flatten()) ** 2 / 2
        return independent and le(gap, ref.mutual_information(joint))

    return ForAll(cases(), holds)


def mutual_information_invertible_function():
    # Y = f(X) with f a bijection: the joint table is diag(p) with its columns permuted
    @st.composite
    def cases(draw):
        p = draw(distributions())
        return p, draw(st.permutations(range(p.numel())))

    def holds(case):
        p, perm = case
        joint = torch.diag(p)[:, list(perm)]
        h = _scalar(scipy.stats.entropy(p.numpy()))
        mi = ref.mutual_information(joint)
        p_x, p_y = marginals(joint)
        return (
            close(mi, ref.entropy(p_x))
            and close(mi, ref.entropy(p_y))
            and close(mi, h)
            and close(ref.conditional_entropy(joint, given="y"), _scalar(0.0))
        )

    return ForAll(cases(), holds)


def mutual_information_invertible_continuous():
    # X ~ N(0, sigma^2) and the invertible Y = a X ~ N(0, a^2 sigma^2): is h(Y) = h(X)?
    def as_written(case):
        sigma, a = case
        h_x = ref.gaussian_differential_entropy(_scalar(sigma))
        h_y = D.Normal(_scalar(0.0), _scalar(abs(a) * sigma)).entropy()
        return close(h_y, h_x)

    scales = st.sampled_from([1.0, 0.5, 2.0])
    factors = st.sampled_from([1.0, -1.0, 2.0, 0.5, -3.0])
    return ForAll(st.tuples(scales, factors), as_written)


def pmi_definition():
    def holds(joint):
        rows, cols = joint.sum(1).tolist(), joint.sum(0).tolist()
        want = [
            [
                math.log(v) - math.log(rows[a]) - math.log(cols[b]) if v > 0 else -math.inf
                for b, v in enumerate(row)
            ]
            for a, row in enumerate(joint.tolist())
        ]
        return close(ref.pointwise_mutual_information(joint), torch.tensor(want, dtype=_F64))

    return ForAll(joints(), holds)


def pmi_expectation_is_mi():
    def holds(joint):
        pmi = ref.pointwise_mutual_information(joint)
        expectation = torch.where(joint > 0, joint * pmi, torch.zeros_like(pmi)).sum((-2, -1))
        return close(expectation, ref.mutual_information(joint))

    return ForAll(joints(batch=True), holds)


def mutual_information_kl_joint_product():
    def holds(joint):
        p_x, p_y = marginals(joint)
        product = torch.outer(p_x, p_y)
        if bool(((joint > 0) & (product == 0)).any()):
            # excluded: two marginals below 1e-154 whose product underflows to 0 in float64,
            # so the product table is no longer the product distribution
            return True
        kl = ref.kl_divergence(joint.flatten(), product.flatten())
        return close(ref.mutual_information(joint), kl)

    return ForAll(joints(), holds)


def _expected_kl(joint: torch.Tensor) -> torch.Tensor:
    """E_X[KL(P(Y | x) || P_Y)] with the reference kl_divergence on the conditional rows."""
    p_x, p_y = marginals(joint)
    terms = [
        w * ref.kl_divergence(row / w, p_y) for w, row in zip(p_x, joint, strict=True) if w > 0
    ]
    return torch.stack(terms).sum()


def mutual_information_expected_kl_given_y():
    def holds(joint):
        return close(ref.mutual_information(joint), _expected_kl(joint.T))

    return ForAll(joints(), holds)


def mutual_information_expected_kl_given_x():
    def holds(joint):
        return close(ref.mutual_information(joint), _expected_kl(joint))

    return ForAll(joints(), holds)
