"""Small calls of the information measures (``dltheory.information._small_calls``).

A call on the CPU that builds no graph and holds few entries is computed in Python floats or
NumPy instead of tensor operations. These tests pin down that it behaves as the tensor path
does: same values (up to rounding), shapes, dtypes, errors and NaN policy, and that it is
really taken (the benchmark rows of small calls measure it). The claims check both paths
against their oracles (``information/claims/_support.py``, ``large``).
"""

from __future__ import annotations

import pytest
import torch

from dltheory.core.samples import simplex
from dltheory.core.tolerances import FLOAT_DTYPES, assert_close, tolerance
from dltheory.information import (
    _small_calls,
    conditional_entropy,
    cross_entropy,
    entropy,
    joint_entropy,
    kl_divergence,
    mutual_information,
    pointwise_mutual_information,
)

F64 = torch.float64
P = simplex(3, 7, seed=1, zeros=0.3)
Q = simplex(3, 7, seed=2)
TABLE = simplex(2, 12, seed=3, zeros=0.3).reshape(2, 3, 4)

VECTOR_MEASURES = {
    "entropy": lambda p, q, **kw: entropy(p, **kw),
    "cross_entropy": cross_entropy,
    "kl_divergence": kl_divergence,
}
TABLE_MEASURES = {
    "joint_entropy": joint_entropy,
    "conditional_entropy_x": conditional_entropy,
    "conditional_entropy_y": lambda t, **kw: conditional_entropy(t, given="y", **kw),
    "mutual_information": mutual_information,
    "pointwise_mutual_information": pointwise_mutual_information,
}


def _tiled(x: torch.Tensor, copies: int = 200) -> torch.Tensor:
    """``x`` repeated along dim 0: large enough for the tensor path."""
    return x.repeat(copies, *([1] * (x.dim() - 1)))


@pytest.mark.parametrize("name", VECTOR_MEASURES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_vector_measures_agree_with_the_tensor_path(name, dtype):
    fn = VECTOR_MEASURES[name]
    p, q = P.to(dtype), Q.to(dtype)
    small = fn(p, q)
    assert small.dtype == dtype and small.shape == (3,)
    large = fn(_tiled(p), _tiled(q))
    assert_close(_tiled(small), large, dtype=dtype)
    # dim, keepdim and a 1-D input (a 0-d result), as the tensor path shapes them
    assert_close(fn(p.T, q.T, dim=0, keepdim=True), small.unsqueeze(0), dtype=dtype)
    assert fn(p[0], q[0]).shape == ()


@pytest.mark.parametrize("name", TABLE_MEASURES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_table_measures_agree_with_the_tensor_path(name, dtype):
    fn = TABLE_MEASURES[name]
    table = TABLE.to(dtype)
    small = fn(table)
    assert small.dtype == dtype
    large = fn(_tiled(table))
    assert_close(_tiled(small), large, dtype=dtype)
    one = fn(table[0])  # a single table: its PMI table, or a 0-d measure
    assert one.shape == (table.shape[1:] if "pointwise" in name else ())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_small_calls_round_once_from_float64(dtype):
    p, q = P.to(dtype), Q.to(dtype)
    # the same rounded inputs in float64 (they sum to 1 only up to the low dtype's rounding)
    exact = kl_divergence(p.double(), q.double(), validate=False)
    assert torch.equal(kl_divergence(p, q), exact.to(dtype))
    table = TABLE.to(dtype)
    exact = mutual_information(table.double(), validate=False)
    assert torch.equal(mutual_information(table), exact.to(dtype))


def test_small_calls_take_no_tensor_path(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a small call reached the tensor path")

    for name in ("kl_sum", "xlogy", "mutual_information_sum", "pointwise_log_ratio"):
        monkeypatch.setattr(f"dltheory.information.reference.{name}", forbidden)
    kl_divergence(P, Q)
    cross_entropy(P, Q)
    entropy(P)
    joint_entropy(TABLE)
    conditional_entropy(TABLE)
    mutual_information(TABLE)
    pointwise_mutual_information(TABLE)


def test_a_graph_takes_the_autograd_path():
    p = P.clone().requires_grad_()
    q = Q.clone().requires_grad_()
    out = kl_divergence(p, q)
    assert out.grad_fn is not None
    out.sum().backward()
    assert p.grad is not None and q.grad is not None
    table = TABLE.clone().requires_grad_()
    assert mutual_information(table).grad_fn is not None
    with torch.no_grad():  # no graph is built: the small path, on an input that requires grad
        assert_close(kl_divergence(p, q), out.detach())


@pytest.mark.parametrize(
    ("bad", "message"),
    [(float("nan"), "contains NaN"), (-0.1, "negative entry"), (0.3, "must sum to 1")],
)
def test_small_calls_raise_what_the_tensor_path_raises(bad, message):
    p = P.clone()
    p[1, 2] = bad
    for fn in (lambda: kl_divergence(p, Q), lambda: entropy(p)):
        with pytest.raises(ValueError, match=message):
            fn()
    with pytest.raises(ValueError, match=r"q (must sum|contains|has)"):
        kl_divergence(Q, p)
    table = TABLE.clone()
    table[1, 2, 3] = bad
    for fn in TABLE_MEASURES.values():
        with pytest.raises(ValueError, match=r"joint (contains NaN|has a negative|must sum)"):
            fn(table)


@pytest.mark.parametrize("dtype", [torch.float32, F64], ids=str)
@pytest.mark.parametrize("batched", [False, True], ids=["one table", "batch"])
def test_small_table_sums_are_held_to_the_dtype_tolerance(dtype, batched):
    # one table takes its own branch of the check (a plain sum); a sum off by a few times
    # the tolerance is rejected, one within a quarter of it accepted, as on the tensor path
    table = TABLE.to(dtype) if batched else TABLE[0].to(dtype)
    tol = tolerance(dtype).rtol
    for fn in TABLE_MEASURES.values():
        fn(table * (1 + tol / 4))
        with pytest.raises(ValueError, match="joint must sum"):
            fn(table * (1 + 4 * tol))
        with pytest.raises(ValueError, match="joint must sum"):
            fn(table * (1 - 4 * tol))


def test_validate_false_outside_the_domain_takes_the_tensor_path():
    p = P.clone()
    p[0, 0] = float("nan")
    assert torch.isnan(kl_divergence(p, Q, validate=False)[0])
    assert not torch.isnan(kl_divergence(p, Q, validate=False)[1:]).any()
    table = TABLE.clone()
    table[0, 0, 0] = float("nan")
    assert torch.isnan(mutual_information(table, validate=False)[0])


def test_the_small_path_keeps_kl_accurate_near_equality():
    # q = p (1 + 1e-9 noise): KL about 1e-17; the series keeps the digits, as on the tensor path
    p = simplex(1, 6, seed=7)
    q = p * (1 + 1e-9 * simplex(1, 6, seed=8) * 6)
    q = q / q.sum()
    small, large = kl_divergence(p, q), kl_divergence(_tiled(p), _tiled(q))
    assert 0 < small.item() < 1e-15
    torch.testing.assert_close(_tiled(small), large, rtol=1e-14, atol=0.0)


def test_limits_are_what_the_module_states():
    assert _small_calls._applies((P,), 64)
    assert not _small_calls._applies((_tiled(P, 4),), 64)
    assert not _small_calls._applies((P.to("meta"),), 64)


def test_tensors_without_storage_take_the_tensor_path():
    # inside torch.func.vmap a tensor has no storage to copy to Python; the functions that
    # worked under vmap before small calls had their own path still do
    p, q = P.clone(), Q.clone()
    per_row = torch.func.vmap(lambda a: entropy(a, validate=False))(p)
    assert_close(per_row, entropy(p))
    per_row = torch.func.vmap(lambda a, b: cross_entropy(a, b, validate=False))(p, q)
    assert_close(per_row, cross_entropy(p, q))
    tables = torch.func.vmap(lambda t: joint_entropy(t, validate=False))(TABLE)
    assert_close(tables, joint_entropy(TABLE))
