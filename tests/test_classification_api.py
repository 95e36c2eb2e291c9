"""The classification reference functions beyond their generic contracts (those, with every
error input, are in tests/contracts/classification.py): agreement with torch.nn.functional and
SciPy, stability, accuracy, gradients, and the regressions found by fuzzing (issue 9)."""

from __future__ import annotations

import doctest

import mpmath
import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dltheory.classification import (
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    logsumexp,
    one_hot,
    reference,
    softmax,
)
from dltheory.core import strategies as dst
from dltheory.core.tolerances import FLOAT_DTYPES, assert_close
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)


def _logits(*shape, dtype=torch.float32, device="cpu", seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * 3).to(dtype).to(device)


def _targets(n, c, device="cpu", seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(c, (n,), generator=g).to(device)


# --- dtype and device (every function and sample: tests/test_contracts.py) -----------------


@ON_DEVICES
def test_one_hot_keeps_device_and_requested_dtype(device):
    labels = torch.tensor([[0, 2], [1, 1]], device=device)
    code = one_hot(labels, 3, dtype=torch.float16)
    assert code.dtype == torch.float16 and code.device == labels.device
    assert code.shape == (2, 2, 3)
    assert one_hot(labels).dtype == torch.int64  # like torch.nn.functional.one_hot


# --- agreement with torch / scipy on the full API surface --------------------------------


@given(
    x=dst.real_vectors(size=st.integers(1, 5), batch_shape=dst.batch_shapes(max_dims=3)),
    data=st.data(),
)
def test_softmax_family_matches_scipy_on_every_dim(x, data):
    dim = data.draw(st.integers(-x.dim(), x.dim() - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    xs = x.numpy()
    assert_close(softmax(x, dim), scipy.special.softmax(xs, axis=dim))
    assert_close(log_softmax(x, dim), scipy.special.log_softmax(xs, axis=dim))
    assert_close(
        logsumexp(x, dim, keepdim=keepdim), scipy.special.logsumexp(xs, axis=dim, keepdims=keepdim)
    )


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (3, 5, 2), (2, 5, 2, 3)], ids=str)
def test_cross_entropy_matches_torch_for_every_layout(shape, reduction):
    x = _logits(*shape, dtype=torch.float64)
    cdim = 0 if len(shape) == 1 else 1
    label_shape = shape[:cdim] + shape[cdim + 1 :]
    labels = torch.randint(shape[cdim], label_shape, generator=torch.Generator().manual_seed(2))
    probs = torch.softmax(_logits(*shape, dtype=torch.float64, seed=4), dim=cdim)
    for target in (labels, probs):
        assert_close(
            cross_entropy(x, target, reduction=reduction),
            F.cross_entropy(x, target, reduction=reduction),
        )
        leaf = x.clone().requires_grad_()
        (want,) = torch.autograd.grad(
            F.cross_entropy(leaf, target, reduction=reduction).sum(), leaf
        )
        assert_close(cross_entropy_grad(x, target, reduction=reduction), want)


@pytest.mark.claim("classification.one-hot-encoding")
def test_one_hot_matches_torch_including_inferred_classes():
    labels = torch.tensor([[3, 0], [1, 3]])
    assert torch.equal(one_hot(labels), F.one_hot(labels))
    assert torch.equal(one_hot(labels, 6), F.one_hot(labels, 6))
    assert one_hot(torch.zeros(0, dtype=torch.int64), 4).shape == (0, 4)


# --- numerical stability -----------------------------------------------------------------


@pytest.mark.claim(
    "classification.softmax-nonnegative", "classification.cross-entropy-logsumexp-form"
)
@pytest.mark.parametrize(("dtype", "big"), [(torch.float32, 1e4), (torch.float64, 1e300)])
def test_finite_at_extreme_logits(dtype, big):
    x = torch.tensor([[big, -big, 0.0], [-big, -big, -big], [big, big, big]], dtype=dtype)
    labels = torch.tensor([0, 1, 2])
    assert torch.isfinite(softmax(x)).all()
    assert torch.isfinite(log_softmax(x)).all()
    assert torch.isfinite(logsumexp(x)).all()
    loss = cross_entropy(x, labels, reduction="none")
    assert torch.isfinite(loss).all()
    assert_close(loss, torch.tensor([0.0, np.log(3.0), np.log(3.0)], dtype=torch.float64))
    leaf = x.clone().requires_grad_()
    cross_entropy(leaf, labels).backward()
    assert torch.isfinite(leaf.grad).all()
    assert torch.isfinite(cross_entropy_grad(x, labels)).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_confident_losses_keep_relative_accuracy(dtype):
    """Tiny losses (the target is the clear argmax) stay accurate to a few ulps, where the
    textbook lse(o) - o_c loses every digit: checked against mpmath at 50 digits."""
    mpmath.mp.dps = 50
    # the last row: a loss of 1.2e-9 from shifts that round in float32 (8 eps off unless the
    # small call recomputes it in float64)
    x = torch.tensor(
        [[0.0, -40.0, -50.0], [3.0, -9.0, 1.0], [1e4, 1e4 - 30, 0.0], [1.165, -19.37, -25.3]],
        dtype=dtype,
    )
    labels = torch.tensor([0, 0, 0, 0])
    got = cross_entropy(x, labels, reduction="none").double().tolist()
    top = (-log_softmax(x)[:, 0]).double().tolist()
    lse = logsumexp(x).double().tolist()
    eps = torch.finfo(dtype).eps
    for row, loss, minus_log_p, total in zip(x.double().tolist(), got, top, lse, strict=True):
        exact = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v) - row[0]) for v in row))
        assert abs(loss - exact) <= 4 * eps * exact, (row, loss, exact)
        assert abs(minus_log_p - exact) <= 4 * eps * exact, (row, minus_log_p, exact)
        exact_lse = exact + row[0]
        assert abs(total - exact_lse) <= 4 * eps * abs(exact_lse), (row, total, exact_lse)


def _rows_with_inexact_shifts(rows: int, classes: int, seed: int):
    """float64 confident rows whose other logits lie 12 to 600 below the target's, at shifts
    o_k - o_c that are not floats: e^{fl(o_k - o_c)} is then off by up to half an ulp of the
    shift (256 eps at 600), which only the shifts' rounding error (TwoSum) repairs."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(classes, (rows,), generator=g)
    top = torch.rand(rows, 1, generator=g, dtype=torch.float64)
    base = torch.tensor([12.0, 40.0, 300.0, 600.0], dtype=torch.float64)[torch.arange(rows) % 4]
    x = top - base.unsqueeze(1) - torch.rand(rows, classes, generator=g, dtype=torch.float64)
    x[torch.arange(rows), labels] = top.squeeze(1)
    return x, labels


def _exact_confident_losses(x, labels):
    with mpmath.workdps(60):
        out = []
        for row, c in zip(x.tolist(), labels.tolist(), strict=True):
            top = mpmath.mpf(row[c])
            out.append(mpmath.log1p(mpmath.fsum(mpmath.exp(v - top) for v in row if v != row[c])))
        return out


@pytest.mark.parametrize("layout", ["one row", "large batch", "few confident rows", "blocks"])
def test_float64_confident_rows_are_accurate_despite_inexact_shifts(layout):
    """The tiny losses and largest log-probabilities of float64 confident rows are within 2 eps
    of mpmath even where o_k - o_c rounds (fl(o_k - o_c) alone: 253 eps off here), on
    each path: a small call, a batch of confident rows, a batch where they are one in eight,
    and a batch large enough for the corrections to go in blocks of rows (the rows repeated)."""
    x, labels = _rows_with_inexact_shifts(256, 8, seed=3)  # 2,048 entries: a large call
    exact = _exact_confident_losses(x, labels)
    if layout == "blocks":  # 163,840 entries, above shift_corrections' block of 131,072
        x, labels, exact = x.repeat(80, 1), labels.repeat(80), exact * 80
    picked = list(range({"one row": 4, "few confident rows": 64}.get(layout, len(x))))
    if layout == "few confident rows":  # the other rows: p_c near 1/8, far below 1/4
        x, labels = x[:64], labels[:64]
        g = torch.Generator().manual_seed(4)
        plain = 0.3 * torch.randn(7 * 64, 8, generator=g, dtype=torch.float64)
        x = torch.cat([x, plain])
        labels = torch.cat([labels, torch.randint(8, (7 * 64,), generator=g)])
    calls = (
        [(x[i : i + 1], labels[i : i + 1], [i]) for i in picked]
        if layout == "one row"
        else [(x, labels, picked)]
    )
    eps = torch.finfo(torch.float64).eps
    for logits, targets, where in calls:
        losses = cross_entropy(logits, targets, reduction="none")
        top = log_softmax(logits).gather(1, targets.unsqueeze(1)).squeeze(1)
        for j, i in enumerate(where):
            want = exact[i]
            assert abs(losses[j].item() - want) <= 2 * eps * want, (layout, i, "loss")
            assert abs(-top[j].item() - want) <= 2 * eps * want, (layout, i, "log_softmax")


def test_masked_logits_and_zero_probabilities_give_no_nan():
    x = torch.tensor([[0.0, float("-inf"), 1.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0.25, 0.0, 0.75]], dtype=torch.float64)
    loss = cross_entropy(x, y)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(x.grad).all()
    assert x.grad[0, 1] == 0 and softmax(x.detach())[0, 1] == 0
    assert logsumexp(torch.full((3,), float("-inf"))) == float("-inf")


def test_low_precision_is_computed_in_float32_and_rounded_once():
    # 1000 classes in float16: a naive float16 sum would lose the small terms
    x = _logits(8, 1000, dtype=torch.float16)
    labels = _targets(8, 1000)
    want = F.cross_entropy(x.double(), labels)
    assert_close(cross_entropy(x, labels), want)  # float16 tolerance: one rounding
    assert_close(logsumexp(x), scipy.special.logsumexp(x.double().numpy(), axis=-1))


# --- autograd --------------------------------------------------------------------------------


@pytest.mark.claim("classification.softmax-ce-gradient")
def test_gradients_and_second_derivatives():
    x = _logits(3, 4, dtype=torch.float64).requires_grad_()
    labels = _targets(3, 4)
    probs = torch.softmax(_logits(3, 4, dtype=torch.float64, seed=7), -1)
    for f in (
        lambda z: softmax(z, 0),
        lambda z: log_softmax(z),
        lambda z: logsumexp(z, 0),
        lambda z: cross_entropy(z, labels),
        lambda z: cross_entropy(z, probs, reduction="none"),
    ):
        assert torch.autograd.gradcheck(f, (x,))
        assert torch.autograd.gradgradcheck(f, (x,))


def test_gradient_with_respect_to_probability_targets():
    x = _logits(3, 4, dtype=torch.float64).requires_grad_()
    y = torch.softmax(_logits(3, 4, dtype=torch.float64, seed=8), -1).requires_grad_()
    for reduction in ("none", "mean", "sum"):

        def loss(z, t, reduction=reduction):
            return cross_entropy(z, t, reduction=reduction, validate=False)

        assert torch.autograd.gradcheck(loss, (x, y))
        assert torch.autograd.gradgradcheck(loss, (x, y))
        ours = torch.autograd.grad(loss(x, y).sum(), (x, y))
        theirs = torch.autograd.grad(F.cross_entropy(x, y, reduction=reduction).sum(), (x, y))
        for a, b in zip(ours, theirs, strict=True):
            assert_close(a, b)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_backward_matches_float64_autograd(dtype):
    x = _logits(6, 7, dtype=dtype)
    labels = _targets(6, 7)
    leaf = x.clone().requires_grad_()
    cross_entropy(leaf, labels).backward()
    ref_leaf = x.double().requires_grad_()
    F.cross_entropy(ref_leaf, labels).backward()
    assert leaf.grad.dtype == dtype
    assert_close(leaf.grad, ref_leaf.grad)


# --- bad input (each error input is declared in tests/contracts/classification.py) ---------


def test_probability_targets_tolerate_rounding_by_dtype():
    probs = torch.softmax(_logits(4, 1000, dtype=torch.float64), -1)
    for dtype in FLOAT_DTYPES:
        cross_entropy(_logits(4, 1000, dtype=dtype), probs.to(dtype))  # rounded: still valid


def test_closed_form_gradient_is_exact_for_unnormalized_weights():
    x = _logits(3, 4, dtype=torch.float64)
    y = torch.rand(3, 4, generator=torch.Generator().manual_seed(9), dtype=torch.float64) * 2
    leaf = x.clone().requires_grad_()
    (want,) = torch.autograd.grad(F.cross_entropy(leaf, y, reduction="sum"), leaf)
    assert_close(cross_entropy_grad(x, y, reduction="sum", validate=False), want)


def test_validate_false_skips_value_checks():
    x = torch.zeros(1, 3)
    unnormalized = torch.tensor([[1.0, 1.0, 1.0]])
    assert_close(cross_entropy(x, unnormalized, validate=False), torch.tensor(3 * np.log(3.0)))
    with pytest.raises(ValueError, match="target must sum to 1"):
        cross_entropy(x, unnormalized)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_mismatch_is_rejected():
    with pytest.raises(ValueError, match="target is on cpu but input is on cuda"):
        cross_entropy(torch.zeros(2, 3, device="cuda"), torch.tensor([0, 1]))


# --- docstring examples ------------------------------------------------------------------


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]  # module globals
    assert len(tests) >= 6
    for test in tests:
        runner.run(test)
    assert runner.failures == 0


# --- regressions found by fuzzing (issue 9) --------------------------------------------------


def test_gradient_with_respect_to_a_zero_target_is_minus_log_softmax():
    """The loss is linear in the target: d l / d y_j = -log softmax(o)_j also where y_j = 0."""
    x = torch.zeros(1, 3, requires_grad=True)
    y = torch.tensor([[1.0, 0.0, 0.0]], requires_grad=True)
    (got,) = torch.autograd.grad(cross_entropy(x, y), y)
    (want,) = torch.autograd.grad(F.cross_entropy(x, y), y)
    assert_close(got, want)
    x64 = _logits(3, 4, dtype=torch.float64).requires_grad_()
    y64 = torch.tensor([[0.25, 0.0, 0.75, 0.0], [0.0, 1.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    y64 = y64.double().requires_grad_()

    def loss(z, t):
        return cross_entropy(z, t, reduction="none", validate=False)

    assert torch.autograd.gradcheck(loss, (x64, y64))


@pytest.mark.parametrize(("dtype", "big"), [(torch.float64, 1e300), (torch.float32, 1e4)])
def test_logsumexp_gradient_is_the_softmax_at_large_logits(dtype, big):
    """exp(o - lse) with lse rounded loses log s next to a large o; the shifted softmax does
    not: [1e300, 1e300] has gradient [0.5, 0.5], not [1, 1]."""
    x = (big + torch.tensor([[0.0, 0.0], [0.0, -1.0], [2.0, 1.0]], dtype=torch.float64)).to(dtype)
    leaf = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(logsumexp(leaf).sum(), leaf)
    exact = torch.softmax(x.double() - x.double().amax(-1, keepdim=True), -1)
    assert_close(grad, exact)


def test_infinite_logits_follow_torch():
    """+inf (or NaN) anywhere in a slice makes it NaN, as torch.softmax does (it gave
    [nan, 0, 0]); logsumexp is +inf there."""
    x = torch.tensor([[float("inf"), 0.0, 1.0], [float("-inf"), 0.0, 1.0]])
    for ours, theirs in ((softmax, torch.softmax), (log_softmax, torch.log_softmax)):
        got, want = ours(x), theirs(x, -1)
        assert torch.isnan(got[0]).all() and torch.equal(torch.isnan(got), torch.isnan(want))
        assert_close(got[1], want[1])
    assert torch.isposinf(logsumexp(x)[0])


def test_meta_tensors_are_not_value_checked():
    labels = torch.tensor([0, 2], device="meta")
    code = one_hot(labels, 3)
    assert code.device.type == "meta" and code.shape == (2, 3) and code.dtype == torch.int64
    x = torch.zeros(2, 3, device="meta")
    for target in (labels, torch.full((2, 3), 1 / 3, device="meta")):
        assert cross_entropy(x, target).device.type == "meta"
        assert cross_entropy_grad(x, target).shape == (2, 3)


def test_one_hot_rejects_a_bool_number_of_classes():
    with pytest.raises(TypeError, match="num_classes must be an int, got bool"):
        one_hot(torch.tensor([0, 1]), True)
