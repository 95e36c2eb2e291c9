"""The information-theory reference functions beyond their generic contracts (those, with every
error input, are in tests/contracts/information.py): batching, bases, infinities, 0 log 0,
gradients at exact zeros, agreement with SciPy and torch.distributions, accuracy against mpmath
at extreme and subnormal values, and the regressions found by fuzzing (issue 9)."""

from __future__ import annotations

import doctest
import inspect
import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
import torch.distributions as D

from dltheory.core.tolerances import FLOAT_DTYPES, assert_accurate, assert_close
from dltheory.information import (
    conditional_entropy,
    cross_entropy,
    entropy,
    gaussian_differential_entropy,
    gaussian_kl_divergence,
    joint_entropy,
    kl_divergence,
    mutual_information,
    pointwise_mutual_information,
    reference,
    uniform_differential_entropy,
)
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)
F64 = torch.float64


def _simplex(*shape, seed=0, zeros=0.0):
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(shape, generator=g, dtype=F64)
    if zeros:
        w = torch.where(torch.rand(shape, generator=g, dtype=F64) < zeros, 0.0, w)
        w[..., 0] += 0.5
    return w / w.sum(-1, keepdim=True)


# --- dtypes (dtype, device, mutation, low precision: tests/test_contracts.py) -----------------


def test_mixed_dtypes_promote():
    p, q = _simplex(5, seed=7).float(), _simplex(5, seed=8)
    assert kl_divergence(p, q).dtype == F64
    assert cross_entropy(p.half(), q.bfloat16()).dtype == torch.float32


def test_parameters_as_numbers_use_the_default_dtype():
    assert uniform_differential_entropy(0, 2).dtype == torch.get_default_dtype()
    assert gaussian_kl_divergence(0.0, 1.0, torch.tensor(1.0, dtype=F64), 1.0).dtype == F64


# --- batching, dim, base ---------------------------------------------------------------------


def test_batched_results_equal_row_by_row_results():
    p, q = _simplex(2, 3, 6, seed=9, zeros=0.3), _simplex(2, 3, 6, seed=10, zeros=0.3)
    rows = [(p[a, b], q[a, b]) for a in range(2) for b in range(3)]
    assert_close(entropy(p).flatten(), torch.stack([entropy(r) for r, _ in rows]))
    assert_close(kl_divergence(p, q).flatten(), torch.stack([kl_divergence(r, s) for r, s in rows]))
    assert_close(cross_entropy(p, q).flatten(), torch.stack([cross_entropy(r, s) for r, s in rows]))
    joint = _simplex(5, 12, seed=11, zeros=0.3).reshape(5, 3, 4)
    for fn in (joint_entropy, conditional_entropy, mutual_information):
        assert_close(fn(joint), torch.stack([fn(t) for t in joint]))
    assert_close(pointwise_mutual_information(joint)[2], pointwise_mutual_information(joint[2]))


def test_dim_and_keepdim():
    p, q = _simplex(6, 4, seed=12).T.contiguous(), _simplex(6, 4, seed=13).T.contiguous()
    assert entropy(p, dim=0).shape == (6,)
    assert entropy(p, dim=0, keepdim=True).shape == (1, 6)
    assert_close(entropy(p, dim=0), entropy(p.T))
    assert_close(kl_divergence(p, q, dim=-2), kl_divergence(p.T, q.T))
    assert_close(cross_entropy(p, q, dim=0, keepdim=True), cross_entropy(p.T, q.T).unsqueeze(0))


@pytest.mark.parametrize("base", [None, 2, 10, 0.5, math.e, np.float64(3.0)])
def test_base_divides_the_nats_value_by_log_base(base):
    p, q = _simplex(3, 5, seed=14, zeros=0.3), _simplex(3, 5, seed=15)
    joint = _simplex(12, seed=16).reshape(3, 4)
    scale = 1.0 if base is None else math.log(base)
    assert_close(entropy(p, base=base), scipy.stats.entropy(p.numpy(), base=base, axis=-1))
    assert_close(kl_divergence(p, q, base=base), entropy_kl_scipy(p, q) / scale)
    assert_close(cross_entropy(p, q, base=base), cross_entropy(p, q) / scale)
    for fn in (
        joint_entropy,
        conditional_entropy,
        mutual_information,
        pointwise_mutual_information,
    ):
        assert_close(fn(joint, base=base), fn(joint) / scale)
    assert_close(
        gaussian_differential_entropy(2.0, base=base), gaussian_differential_entropy(2.0) / scale
    )


def entropy_kl_scipy(p, q):
    return torch.from_numpy(scipy.special.rel_entr(p.numpy(), q.numpy()).sum(-1))


def test_bits_of_a_fair_coin_and_a_one_hot():
    assert entropy(torch.tensor([0.5, 0.5], dtype=F64), base=2) == 1.0
    assert entropy(torch.tensor([0.0, 1.0, 0.0], dtype=F64)) == 0.0  # 0 log 0 = 0, exactly


# --- infinities and zeros --------------------------------------------------------------------


@pytest.mark.claim("information.kl-infinite-outside-support")
@DTYPES
def test_kl_and_cross_entropy_are_inf_where_q_vanishes_under_p(dtype):
    p = torch.tensor([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], dtype=dtype)
    q = torch.tensor([[1.0, 0.0, 0.0], [0.5, 0.0, 0.5], [1.0, 0.0, 0.0]], dtype=dtype)
    for got in (kl_divergence(p, q), cross_entropy(p, q)):
        assert torch.isposinf(got[:2]).all() and torch.isfinite(got[2])
    assert kl_divergence(p[2], q[2]) == 0 and cross_entropy(p[2], q[2]) == 0


def test_zeros_of_p_never_count():
    p = torch.tensor([0.5, 0.5, 0.0, 0.0], dtype=F64)
    q = torch.tensor([0.25, 0.25, 0.5, 0.0], dtype=F64)  # q = 0 where p = 0 too
    assert_close(kl_divergence(p, q), math.log(2))
    assert_close(cross_entropy(p, q), math.log(4))


def test_pmi_is_minus_inf_where_a_pair_never_occurs_and_never_nan():
    joint = torch.tensor([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0]], dtype=F64)  # last column: p_Y = 0
    pmi = pointwise_mutual_information(joint)
    assert not torch.isnan(pmi).any()
    assert torch.isneginf(pmi[joint == 0]).all()
    assert_close(pmi[joint > 0], torch.full((2,), math.log(2), dtype=F64))


def test_mutual_information_survives_tiny_marginals():
    # p_X(x) p_Y(y) = 1e-400 underflows in float64; the ratio p / (p_X p_Y) does not
    joint = torch.tensor([[1.0, 0.0], [0.0, 1e-200]], dtype=F64)
    joint = joint / joint.sum()
    mi, h = mutual_information(joint), entropy(joint.sum(-1))  # diagonal: I(X, Y) = H(X)
    assert torch.isfinite(mi) and abs(float(mi / h) - 1) < 1e-12, (mi, h)
    assert_close(pointwise_mutual_information(joint)[1, 1], -math.log(1e-200))


def test_large_alphabets_stay_accurate():
    k = 100_000
    uniform = torch.full((k,), 1 / k, dtype=F64)
    assert_close(entropy(uniform), math.log(k))
    assert_close(entropy(uniform.float()), torch.tensor(math.log(k)), dtype=torch.float32)


# --- gradients -------------------------------------------------------------------------------


def test_gradients_at_exact_zeros_are_never_nan():
    p = torch.tensor([0.0, 0.5, 0.5], dtype=F64, requires_grad=True)
    q = torch.tensor([0.0, 0.25, 0.75], dtype=F64, requires_grad=True)
    (gp,) = torch.autograd.grad(entropy(p), p)
    # the one-sided derivative of -t log t at 0 is +inf; torch.special.entr agrees
    leaf = p.detach().clone().requires_grad_()
    (want,) = torch.autograd.grad(torch.special.entr(leaf).sum(), leaf)
    assert torch.equal(gp, want)
    for fn in (cross_entropy, kl_divergence):
        gp, gq = torch.autograd.grad(fn(p, q), (p, q))
        assert not torch.isnan(gp).any() and not torch.isnan(gq).any(), fn.__name__
        assert gq[0] == 0, f"{fn.__name__}: d/dq_i is -p_i/q_i = 0 where p_i = 0 (also q_i = 0)"
        assert_close(gq[1:], -p[1:].detach() / q[1:].detach())
    joint = torch.tensor([[0.5, 0.0], [0.0, 0.5]], dtype=F64, requires_grad=True)
    for fn in (joint_entropy, conditional_entropy, mutual_information):
        (g,) = torch.autograd.grad(fn(joint), joint)
        assert not torch.isnan(g).any(), fn.__name__
    (g,) = torch.autograd.grad(pointwise_mutual_information(joint).clamp(min=-10).sum(), joint)
    assert not torch.isnan(g).any()


def test_gradients_match_finite_differences_and_second_derivatives():
    p = _simplex(5, seed=17).requires_grad_()
    q = _simplex(5, seed=18).requires_grad_()
    joint = _simplex(6, seed=19).reshape(2, 3).requires_grad_()
    assert torch.autograd.gradcheck(lambda a: entropy(a, validate=False), (p,))
    assert torch.autograd.gradgradcheck(lambda a: entropy(a, validate=False), (p,))
    for fn in (kl_divergence, cross_entropy):
        assert torch.autograd.gradcheck(lambda a, b, f=fn: f(a, b, validate=False), (p, q))
        assert torch.autograd.gradgradcheck(lambda a, b, f=fn: f(a, b, validate=False), (p, q))
    for fn in (
        joint_entropy,
        conditional_entropy,
        mutual_information,
        pointwise_mutual_information,
    ):
        assert torch.autograd.gradcheck(lambda t, f=fn: f(t, validate=False), (joint,))
        assert torch.autograd.gradgradcheck(lambda t, f=fn: f(t, validate=False), (joint,))
    params = [torch.tensor([0.3, -1.0], dtype=F64, requires_grad=True) for _ in range(2)]
    scales = [torch.tensor([0.5, 2.0], dtype=F64, requires_grad=True) for _ in range(2)]
    args = (params[0], scales[0], params[1], scales[1])
    assert torch.autograd.gradcheck(gaussian_kl_divergence, args)
    assert torch.autograd.gradcheck(gaussian_differential_entropy, (scales[0],))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
def test_low_precision_backward_keeps_the_dtype(dtype):
    p = _simplex(4, seed=20).to(dtype).requires_grad_()
    q = _simplex(4, seed=21).to(dtype).requires_grad_()
    gp, gq = torch.autograd.grad(kl_divergence(p, q), (p, q))
    assert gp.dtype == dtype and gq.dtype == dtype
    leaf_p, leaf_q = p.detach().double().requires_grad_(), q.detach().double().requires_grad_()
    want = torch.autograd.grad(kl_divergence(leaf_p, leaf_q, validate=False), (leaf_p, leaf_q))
    assert_close(gp, want[0], dtype=dtype)
    assert_close(gq, want[1], dtype=dtype)


# --- agreement with SciPy and torch.distributions --------------------------------------------


def test_agreement_with_scipy_and_torch_distributions():
    p, q = _simplex(4, 6, seed=22), _simplex(4, 6, seed=23)
    assert_close(entropy(p), scipy.stats.entropy(p.numpy(), axis=-1))
    assert_close(entropy(p), D.Categorical(probs=p).entropy())
    assert_close(kl_divergence(p, q), scipy.stats.entropy(p.numpy(), q.numpy(), axis=-1))
    assert_close(
        kl_divergence(p, q), D.kl_divergence(D.Categorical(probs=p), D.Categorical(probs=q))
    )
    assert_close(cross_entropy(p, q), -scipy.special.xlogy(p.numpy(), q.numpy()).sum(-1))
    loc, scale = torch.tensor([0.0, 2.0], dtype=F64), torch.tensor([0.3, 4.0], dtype=F64)
    assert_close(gaussian_differential_entropy(scale), D.Normal(loc, scale).entropy())
    assert_close(
        uniform_differential_entropy(loc, loc + scale), D.Uniform(loc, loc + scale).entropy()
    )
    normal_p, normal_q = D.Normal(loc, scale), D.Normal(loc.flip(0), scale.flip(0))
    got = gaussian_kl_divergence(loc, scale, loc.flip(0), scale.flip(0))
    assert_close(got, D.kl_divergence(normal_p, normal_q))
    diagonal = D.kl_divergence(D.Independent(normal_p, 1), D.Independent(normal_q, 1))
    assert_close(gaussian_kl_divergence(loc, scale, loc.flip(0), scale.flip(0), dim=0), diagonal)
    assert_close(gaussian_differential_entropy(scale, dim=-1), D.Independent(normal_p, 1).entropy())


def test_continuous_closed_forms_broadcast():
    low = torch.zeros(3, 1, dtype=F64)
    high = torch.tensor([1.0, 2.0], dtype=F64)
    assert uniform_differential_entropy(low, high).shape == (3, 2)
    assert gaussian_kl_divergence(torch.zeros(4, 1, dtype=F64), 1.0, 0.0, high).shape == (4, 2)


# --- bad input (each error input is declared in tests/contracts/information.py) -----------


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_rounding_to_the_dtype_is_tolerated_by_validation(dtype):
    p = _simplex(50, 37, seed=24).to(dtype)
    assert torch.isfinite(entropy(p)).all()
    assert torch.isfinite(kl_divergence(p, p)).all()


def test_validate_false_skips_value_checks_and_computes_the_formula():
    w = torch.tensor([0.5, 1.0], dtype=F64)  # sums to 1.5
    assert_close(entropy(w, validate=False), -(0.5 * math.log(0.5)))
    assert_close(
        kl_divergence(w, w / 1.5, validate=False), math.fsum(v * math.log(1.5) for v in (0.5, 1.0))
    )
    assert torch.isnan(gaussian_differential_entropy(torch.tensor(-1.0), validate=False))
    with pytest.raises(TypeError):
        entropy(torch.tensor([1, 0]), validate=False)  # types are always checked


def test_docstring_examples_run():
    attempted = 0
    for module in {inspect.getmodule(getattr(reference, name)) for name in reference.__all__}:
        result = doctest.testmod(
            module, extraglobs={"torch": torch}, optionflags=doctest.NORMALIZE_WHITESPACE
        )
        assert result.failed == 0, module
        attempted += result.attempted
    assert attempted >= 10


# --- regressions found by fuzzing (issue 9) --------------------------------------------------

F32 = torch.float32


def _mp_gaussian_kl(mu_p, s_p, mu_q, s_q):
    """The divergence at 50 digits, for float64 inputs (read exactly)."""
    mpmath.mp.dps = 50
    mu_p, s_p, mu_q, s_q = (mpmath.mpf(float(v)) for v in (mu_p, s_p, mu_q, s_q))
    value = mpmath.log(s_q / s_p) + (s_p**2 + (mu_p - mu_q) ** 2) / (2 * s_q**2) - 0.5
    return float(value)


@pytest.mark.parametrize(
    ("params", "dtype"),
    [
        ((3e38, 1.0, -3e38, 3e38), F32),  # mu_p - mu_q overflows; the answer is 90.10
        ((0.0, 1e-20, 0.0, 1e20), F32),  # sigma_p / sigma_q underflows to 0
        ((0.0, 1e-35, 0.0, 1e10), F32),  # ... to the smallest subnormal: 102.78, not 103.12
        ((0.0, 1e-40, 0.0, 1e-39), F32),  # subnormal scales
        ((1e-300, 1e-310, 0.0, 3e-310), F64),
        ((0.0, 1.0 + 2**-30, 0.0, 1.0), F64),  # nearly equal: the value is about 2**-60
        ((1.0, 1e-3, 1.0, 1e-3 * (1 - 1e-6)), F32),
    ],
    ids=str,
)
def test_gaussian_kl_is_accurate_where_intermediates_overflow(params, dtype):
    args = [torch.tensor(v, dtype=dtype) for v in params]
    exact = _mp_gaussian_kl(*(a.double() for a in args))
    assert_accurate(gaussian_kl_divergence(*args), exact)


def test_gaussian_kl_is_inf_only_where_it_overflows():
    huge = [torch.tensor(v, dtype=F32) for v in (0.0, 1e20, 0.0, 1e-20)]  # 0.5 r^2 = 5e79
    assert torch.isposinf(gaussian_kl_divergence(*huge))  # was NaN (inf - inf)


def test_gaussian_kl_gradients_at_subnormal_scales():
    """sigma_p = sigma_q = 1e-310: d/d sigma_p = (r^2 - 1)/sigma_p = 0, not inf - inf."""
    args = [torch.tensor(v, dtype=F64, requires_grad=True) for v in (0.0, 1e-310, 0.0, 1e-310)]
    grads = torch.autograd.grad(gaussian_kl_divergence(*args), args)
    assert all(g == 0 for g in grads), grads


def test_uniform_entropy_of_an_interval_wider_than_the_range():
    got = uniform_differential_entropy(torch.tensor(-3e38), torch.tensor(3e38))
    assert_accurate(got, math.log(6e38), dtype=F32)  # was +inf: 6e38 overflows float32


@pytest.mark.parametrize(
    ("table", "dtype"),
    [
        ([[1e-20, 1e-20], [1e-20, 1.0]], F32),  # 5th digit wrong: large logs cancelled
        ([[0.5, 3e-45], [7e-45, 0.5]], F32),  # subnormal cells
        ([[0.5, 1e-321], [1e-322, 0.5]], F64),
    ],
    ids=str,
)
def test_pmi_is_accurate_at_tiny_and_subnormal_cells(table, dtype):
    joint = torch.tensor(table, dtype=dtype)
    mpmath.mp.dps = 50
    cells = [[mpmath.mpf(float(v)) for v in row] for row in joint.double().tolist()]
    p_x = [mpmath.fsum(row) for row in cells]
    p_y = [mpmath.fsum(col) for col in zip(*cells, strict=True)]
    exact = [[float(mpmath.log(v / (p_x[i] * p_y[j]))) for j, v in enumerate(row)]
             for i, row in enumerate(cells)]  # fmt: skip
    got = pointwise_mutual_information(joint, validate=False)
    # the (1, 1) cell of the first table is -2e-20 exactly, and 0 from float32 marginals
    # (1 + 1e-20 rounds to 1): compare it at the scale of the marginals' rounding
    assert_accurate(got, exact, scale=torch.tensor([[0.0, 0.0], [0.0, 1.0]]))


def test_pmi_gradients_at_subnormal_cells_are_never_nan():
    for table in ([[0.5, 1e-320], [1e-320, 0.5]], [[1e-200, 1e-300], [0.0, 1.0]]):
        joint = torch.tensor(table, dtype=F64, requires_grad=True)
        pmi = pointwise_mutual_information(joint, validate=False)
        (grad,) = torch.autograd.grad(pmi[joint > 0].sum(), joint)
        assert not torch.isnan(grad).any(), (table, grad)
    # where nothing overflows, the gradient is the exact one: 1/p - R/p_x - C/p_y
    joint = torch.tensor([[0.5, 1e-300], [1e-300, 0.5]], dtype=F64, requires_grad=True)
    (grad,) = torch.autograd.grad(pointwise_mutual_information(joint)[0, 0], joint)
    assert_close(grad[0, 0], 1 / 0.5 - 1 / (0.5 + 1e-300) - 1 / (0.5 + 1e-300))


def test_a_huge_int_base_is_exact():
    p = _simplex(3, 5, seed=25)
    assert_close(entropy(p, base=10**400), entropy(p) / (400 * math.log(10)))


def test_meta_tensors_give_meta_results_without_value_checks():
    p = torch.full((2, 3), 1 / 3, device="meta")
    for out in (entropy(p), kl_divergence(p, p), mutual_information(p),
                gaussian_kl_divergence(p, p, p, p)):  # fmt: skip
        assert out.device.type == "meta"


def test_gradient_at_empty_cells_follows_the_table():
    """Mass put into an empty cell raises its marginals too, so the one-sided derivative of
    I(X, Y) there is -log p_X(x) - 1 when only its column is empty (not +inf, as with the
    marginals held fixed), and that of H(Y | X) is 0 in an empty row."""
    table = torch.tensor([[0.3, 0.0, 0.0], [0.2, 0.5, 0.0], [0.0, 0.0, 0.0]], dtype=torch.float64)
    leaf = table.clone().requires_grad_()
    (grad,) = torch.autograd.grad(mutual_information(leaf), leaf)
    assert grad[0, 1] == -math.inf and grad[2, 2] == math.inf
    assert math.isclose(grad[0, 2], -math.log(0.3) - 1, rel_tol=1e-15)
    assert math.isclose(grad[1, 2], -math.log(0.7) - 1, rel_tol=1e-15)
    assert math.isclose(grad[2, 0], -math.log(0.5) - 1, rel_tol=1e-15)
    leaf = table.clone().requires_grad_()
    (grad,) = torch.autograd.grad(conditional_entropy(leaf, given="x"), leaf)
    assert torch.equal(grad[2], torch.zeros(3, dtype=torch.float64))
    assert torch.equal(grad[0, 1:], torch.full((2,), math.inf, dtype=torch.float64))
