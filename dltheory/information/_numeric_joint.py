"""Numeric legs of the joint-entropy, conditional-entropy, mutual-information and PMI claims
(re-exported by :mod:`.numeric`)."""

from __future__ import annotations

import numpy as np
import scipy.special
import scipy.stats
import torch

from dltheory.core.samples import oracle_input, simplex
from dltheory.core.tolerances import assert_close
from dltheory.information import reference as ref
from dltheory.information._numeric_support import (
    as_numpy,
    assert_le,
    entropy_oracle,
    joints,
    marginals,
    mi_oracle,
    mp_mutual_information,
    on,
    total,
    vectors,
)

_F64 = torch.float64


def _entropies(joint: np.ndarray):
    """H(X, Y), H(X), H(Y) of a (possibly batched) table, with scipy.special.entr."""
    p_x, p_y = marginals(joint)
    return (
        entropy_oracle(joint, axis=(-2, -1)),
        entropy_oracle(p_x, axis=(-2, -1)),
        entropy_oracle(p_y, axis=(-2, -1)),
    )


def joint_entropy_definition(device, dtype):
    for joint in joints(dtype, device):
        got = ref.joint_entropy(joint)
        assert got.dtype == dtype and got.device == joint.device and got.shape == joint.shape[:-2]
        values = oracle_input(joint)
        assert_close(got, _entropies(values)[0], msg="vs scipy.special.entr")
        assert_close(
            ref.joint_entropy(joint, base=2), _entropies(values)[0] / np.log(2), msg="bits"
        )
        if dtype in (torch.float64, torch.float32):  # scipy.stats.entropy renormalizes
            flat = values.reshape(*values.shape[:-2], -1)
            assert_close(got, scipy.stats.entropy(flat, axis=-1), msg="vs scipy.stats.entropy")


def joint_entropy_identical_variables(device, dtype):
    for p in vectors(dtype, device):
        diagonal = torch.diag_embed(p)
        want = entropy_oracle(oracle_input(p))
        assert_close(ref.joint_entropy(diagonal), want, msg="H(X, X) vs H(X) (scipy)")
        assert_close(ref.joint_entropy(diagonal), ref.entropy(p).double(), dtype=dtype)


def joint_entropy_independent_variables(device, dtype):
    a, b = simplex(4, 5, seed=41, zeros=0.3), simplex(4, 3, seed=42)
    joint = on(a.unsqueeze(-1) * b.unsqueeze(-2), dtype, device)
    assert_close(ref.joint_entropy(joint), _entropies(oracle_input(joint))[0], msg="vs scipy")
    if dtype in (torch.float64, torch.float32):
        # the identity itself: rounding a_i b_j to float16/bfloat16 perturbs the table by more
        # than that dtype's tolerance of H(a) + H(b), so it is checked where rounding is finer
        want = entropy_oracle(a.numpy()) + entropy_oracle(b.numpy())
        assert_close(ref.joint_entropy(joint), want, msg="H(X, Y) = H(X) + H(Y)")


def joint_entropy_bounds(device, dtype):
    for joint in joints(dtype, device):
        p_x, p_y = joint.sum(-1), joint.sum(-2)
        h_xy, h_x, h_y = (
            ref.joint_entropy(joint),
            ref.entropy(p_x, validate=False),
            ref.entropy(p_y, validate=False),
        )
        want = _entropies(oracle_input(joint))
        for got, oracle in zip((h_xy, h_x, h_y), want, strict=True):
            assert_close(got, oracle)
        assert_le(torch.maximum(h_x, h_y), h_xy, dtype, "max(H(X), H(Y)) <= H(X, Y)")
        s = total(joint, axis=(-2, -1))  # see total(): the bound for the rounded input
        assert_le(
            h_xy,
            as_numpy(h_x) + as_numpy(h_y) + s * np.log(s),
            dtype,
            "H(X, Y) <= H(X) + H(Y)",
        )


def conditional_entropy_definition(device, dtype):
    for joint in joints(dtype, device):
        values = oracle_input(joint)
        for given, table in (("x", values), ("y", np.swapaxes(values, -1, -2))):
            weights = table.sum(-1)
            rows = np.divide(
                table, weights[..., None], out=np.zeros_like(table), where=weights[..., None] > 0
            )
            want = (
                weights * scipy.stats.entropy(rows.clip(min=0) + (weights[..., None] == 0), axis=-1)
            ).sum(-1)
            got = ref.conditional_entropy(joint, given=given)
            assert got.dtype == dtype
            assert_close(got, want, msg=f"H(. | {given}) vs p-weighted row entropies (scipy.stats)")


def conditional_entropy_chain_rule(device, dtype):
    for joint in joints(dtype, device):
        h_xy, h_x, h_y = _entropies(oracle_input(joint))
        assert_close(
            ref.conditional_entropy(joint, given="x"), h_xy - h_x, msg="H(Y|X) = H(X,Y) - H(X)"
        )
        assert_close(
            ref.conditional_entropy(joint, given="y"), h_xy - h_y, msg="H(X|Y) = H(X,Y) - H(Y)"
        )


def mutual_information_entropy_form(device, dtype):
    for joint in joints(dtype, device):
        h_xy, h_x, h_y = _entropies(oracle_input(joint))
        want = h_xy - (h_xy - h_x) - (h_xy - h_y)
        assert_close(ref.mutual_information(joint), want, msg="I = H(X,Y) - H(Y|X) - H(X|Y)")


def mutual_information_definition(device, dtype):
    for joint in joints(dtype, device):
        got = ref.mutual_information(joint)
        assert got.dtype == dtype and got.device == joint.device
        assert_close(got, mi_oracle(oracle_input(joint)), msg="vs scipy.special.rel_entr")
        if joint.dim() == 2:
            assert_close(got, mp_mutual_information(joint), msg="vs mpmath (50 digits)")
    # tiny marginals: p_X(x) p_Y(y) underflows in float64 although the ratio is finite
    tiny = torch.tensor([[1.0, 0.0], [0.0, 1e-200]], dtype=_F64)
    tiny = tiny / tiny.sum()
    if dtype == torch.float64:
        assert_close(ref.mutual_information(on(tiny, dtype, device)), mp_mutual_information(tiny))


def mutual_information_symmetric(device, dtype):
    for joint in joints(dtype, device):
        forward, backward = ref.mutual_information(joint), ref.mutual_information(joint.mT)
        assert_close(forward, backward.double(), dtype=dtype, msg="I(X, Y) = I(Y, X)")
        assert_close(backward, mi_oracle(np.swapaxes(oracle_input(joint), -1, -2)))


def mutual_information_nonnegative(device, dtype):
    for joint in joints(dtype, device):
        got = ref.mutual_information(joint)
        s = total(joint, axis=(-2, -1))  # see total(): the bound for the rounded input
        assert_le(-s * np.log(s), got, dtype, "I >= 0")
        assert_close(got, mi_oracle(oracle_input(joint)))


def mutual_information_zero_iff_independent(device, dtype):
    a, b = simplex(4, 5, seed=43, zeros=0.3), simplex(4, 3, seed=44)
    product = on(a.unsqueeze(-1) * b.unsqueeze(-2), dtype, device)
    got = ref.mutual_information(product)
    assert_close(got, mi_oracle(oracle_input(product)), msg="vs scipy on the rounded table")
    if dtype in (torch.float64, torch.float32):
        # rounding a_i b_j to float16/bfloat16 leaves a slightly dependent table
        assert_close(got, torch.zeros(4, dtype=_F64), msg="independent: I = 0")
    for joint in joints(dtype, device):
        s = total(joint, axis=(-2, -1))  # see total(): the bound for the rounded input
        values = oracle_input(joint) / s[..., None, None]
        p_x, p_y = marginals(values)
        pinsker = s * np.abs(values - p_x * p_y).sum(axis=(-2, -1)) ** 2 / 2
        got = as_numpy(ref.mutual_information(joint)) + s * np.log(s)
        assert_le(
            pinsker, got, dtype, "I >= |P - P_X P_Y|_1^2 / 2 (Pinsker): I > 0 for dependent X, Y"
        )


def mutual_information_invertible_function(device, dtype):
    for p in vectors(dtype, device):
        perm = torch.randperm(p.shape[-1], generator=torch.Generator().manual_seed(p.shape[-1]))
        joint = torch.diag_embed(p)[..., perm]
        want = entropy_oracle(oracle_input(p))
        assert_close(ref.mutual_information(joint), want, msg="I(X, f(X)) = H(X)")
        assert_close(
            ref.conditional_entropy(joint, given="y"), np.zeros_like(want), msg="H(X | f(X)) = 0"
        )
        assert_close(
            ref.conditional_entropy(joint, given="x"), np.zeros_like(want), msg="H(f(X) | X) = 0"
        )


def _pmi_oracle(values: np.ndarray) -> np.ndarray:
    p_x, p_y = marginals(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(values) - np.log(p_x) - np.log(p_y)
    return np.where(values > 0, log, -np.inf)


def pmi_definition(device, dtype):
    for joint in joints(dtype, device):
        got = ref.pointwise_mutual_information(joint)
        assert got.dtype == dtype and got.shape == joint.shape
        assert_close(
            got, _pmi_oracle(oracle_input(joint)), msg="vs log p - log p_X - log p_Y (NumPy)"
        )
        assert_close(
            ref.pointwise_mutual_information(joint, base=2),
            _pmi_oracle(oracle_input(joint)) / np.log(2),
        )


def pmi_expectation_is_mi(device, dtype):
    for joint in joints(dtype, device):
        values = oracle_input(joint)
        pmi = _pmi_oracle(values)
        expectation = np.where(values > 0, values * np.where(values > 0, pmi, 0), 0).sum(
            axis=(-2, -1)
        )
        assert_close(ref.mutual_information(joint), expectation, msg="I = E[pmi] (NumPy)")
        assert_close(ref.pointwise_mutual_information(joint), pmi)


def mutual_information_kl_joint_product(device, dtype):
    for joint in joints(dtype, device):
        values = oracle_input(joint)
        p_x, p_y = marginals(values)
        want = scipy.special.rel_entr(values, p_x * p_y).sum(axis=(-2, -1))
        assert_close(ref.mutual_information(joint), want, msg="I = KL(P_XY || P_X P_Y)")


def _expected_kl(values: np.ndarray, given: str) -> np.ndarray:
    """E over ``given`` of KL(P(other | given) || P(other)), with scipy.special.rel_entr."""
    p_x, p_y = marginals(values)
    weights, other = (p_x, p_y) if given == "x" else (p_y, p_x)
    conditional = np.divide(values, weights, out=np.zeros_like(values), where=weights > 0)
    return (weights * scipy.special.rel_entr(conditional, other)).sum(axis=(-2, -1))


def mutual_information_expected_kl_given_y(device, dtype):
    for joint in joints(dtype, device):
        want = _expected_kl(oracle_input(joint), given="y")
        assert_close(ref.mutual_information(joint), want, msg="I = E_Y[KL(P(X|y) || P_X)]")


def mutual_information_expected_kl_given_x(device, dtype):
    for joint in joints(dtype, device):
        want = _expected_kl(oracle_input(joint), given="x")
        assert_close(ref.mutual_information(joint), want, msg="I = E_X[KL(P(Y|x) || P_Y)]")
