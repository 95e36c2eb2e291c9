"""Numeric legs of the classification claims: reference vs an independent oracle.

Each function takes ``(device, dtype)``, builds its inputs in float64 from a fixed seed,
rounds them to ``dtype`` on ``device``, and compares the reference result (in ``dtype``)
with an oracle evaluated in float64 on the same rounded values (SciPy, mpmath, or a torch
built-in; never the reference itself). Tolerances come from :mod:`dltheory.core.tolerances`.
"""

from __future__ import annotations

import mpmath
import numpy as np
import scipy.special
import torch
import torch.nn.functional as F

from dltheory.classification import reference as ref
from dltheory.core.samples import oracle_input, randint, randn, simplex
from dltheory.core.tolerances import assert_close

_SHAPES = [(7,), (5, 11), (3, 4, 6)]


def _logits(shape, seed, dtype, device, scale=4.0):
    return randn(*shape, seed=seed, scale=scale).to(dtype).to(device)


def one_hot_encoding(device, dtype):
    labels = randint(9, 4, 5, seed=1).to(device)
    got = ref.one_hot(labels, 9, dtype=dtype)
    want = F.one_hot(labels, 9).to(dtype)
    assert got.dtype == dtype and got.device == labels.device
    assert torch.equal(got, want), "one_hot differs from torch.nn.functional.one_hot"
    inferred = ref.one_hot(labels)
    assert torch.equal(inferred, F.one_hot(labels)), "num_classes=-1 must infer max + 1"


def linear_model_matrix_form(device, dtype):
    x = randn(6, 4, seed=2).to(dtype).to(device)
    w = randn(3, 4, seed=3).to(dtype).to(device)
    b = randn(3, seed=4).to(dtype).to(device)
    xs, ws, bs = oracle_input(x), oracle_input(w), oracle_input(b)
    # the notes' equations o_i = x_1 w_i1 + ... + x_4 w_i4 + b_i, one scalar term at a time
    written = np.array(
        [
            [sum(xs[r, col] * ws[i, col] for col in range(4)) + bs[i] for i in range(3)]
            for r in range(6)
        ]
    )
    assert_close(F.linear(x, w, b), written, dtype=dtype)


def softmax_definition(device, dtype):
    for seed, shape in enumerate(_SHAPES):
        x = _logits(shape, seed, dtype, device)
        for dim in range(-len(shape), len(shape)):
            got = ref.softmax(x, dim=dim)
            assert got.dtype == dtype and got.device == x.device
            want = scipy.special.softmax(oracle_input(x), axis=dim)
            assert_close(
                got, want, msg=f"softmax vs scipy.special.softmax, shape {shape} dim {dim}"
            )
            assert_close(got, torch.softmax(x.double(), dim=dim), dtype=dtype)


def _probability_targets(shape, seed):
    """Targets for logits of ``shape`` (classes on dimension 1), with exact zeros."""
    moved = (shape[0], *shape[2:], shape[1])
    return simplex(*moved, seed=seed, zeros=0.3).movedim(-1, 1)


def _mp_softmax(row):
    with mpmath.workdps(50):
        exps = [mpmath.exp(mpmath.mpf(v)) for v in row]
        total = mpmath.fsum(exps)
        return [float(e / total) for e in exps]


def softmax_nonnegative(device, dtype):
    # extreme logits: the largest magnitude the dtype holds comfortably
    big = {torch.float64: 1e300, torch.float32: 1e4, torch.bfloat16: 1e4, torch.float16: 6e4}[dtype]
    rows = torch.tensor(
        [[big, -big, 0.0], [-big, -big, -big], [big, big, 1.0], [0.0, 1.0, 2.0], [-big, 0.0, 3.0]],
        dtype=torch.float64,
    )
    x = rows.to(dtype).to(device)
    got = ref.softmax(x)
    assert torch.isfinite(got).all() and (got >= 0).all(), f"softmax not finite/nonnegative: {got}"
    want = [_mp_softmax(r) for r in oracle_input(x).tolist()]
    assert_close(got, want, msg="softmax vs mpmath (50 digits) at extreme logits")


def softmax_sums_to_one(device, dtype):
    for seed, shape in enumerate(_SHAPES):
        x = _logits(shape, 10 + seed, dtype, device, scale=20.0)
        total = ref.softmax(x).double().sum(dim=-1)
        assert_close(total, torch.ones_like(total), dtype=dtype, msg=f"shape {shape}")


def softmax_preserves_argmax(device, dtype):
    # distinct logits: a random permutation of 0, 0.5, 1, ... (exact in every dtype), so the
    # probabilities differ by at least a factor exp(0.5) and rounding cannot create ties
    g = torch.Generator().manual_seed(5)
    x = torch.stack([torch.randperm(12, generator=g) for _ in range(8)]).to(torch.float64) * 0.5
    x = x.to(dtype).to(device)
    got = ref.softmax(x)
    assert torch.equal(got.argmax(-1), x.argmax(-1))
    assert torch.equal(got.argsort(-1), x.argsort(-1)), "softmax must preserve the order"


# shifts C for which o + C is exact when o is a multiple of 1/8 in [-4, 4): |o + C| * 8 must
# fit the significand (8 bits for bfloat16, 11 for float16, 24 for float32)
_EXACT_SHIFTS = {
    torch.bfloat16: (16.0, -16.0),
    torch.float16: (16.0, -128.0, 128.0),
    torch.float32: (64.0, -512.0, 8192.0),
    torch.float64: (64.0, -512.0, 8192.0),
}


def softmax_shift_invariant(device, dtype):
    x = (randint(64, 6, 9, seed=6) / 8 - 4).to(torch.float64)
    for shift in _EXACT_SHIFTS[dtype]:
        a = ref.softmax((x + shift).to(dtype).to(device))
        b = ref.softmax(x.to(dtype).to(device))
        assert_close(a, b, dtype=dtype, msg=f"softmax(o + {shift}) vs softmax(o)")
    if dtype in (torch.float32, torch.float64):
        # a shift far beyond exp's range: only the max-shifted formula survives it
        huge = (x + (1e4 if dtype == torch.float32 else 1e300)).to(dtype).to(device)
        want = scipy.special.softmax(oracle_input(huge), axis=-1)
        assert_close(ref.softmax(huge), want, msg="softmax of hugely shifted logits vs scipy")


def log_likelihood_factorizes(device, dtype):
    o = _logits((16, 10), 7, dtype, device)
    labels = randint(10, 16, seed=8).to(device)
    nll = ref.cross_entropy(o, labels, reduction="sum")
    dist = torch.distributions.Categorical(logits=o.double())
    assert_close(nll, -dist.log_prob(labels).sum(), dtype=dtype)


def cross_entropy_one_hot(device, dtype):
    o = _logits((9, 6), 9, dtype, device)
    labels = randint(6, 9, seed=10).to(device)
    want = -scipy.special.log_softmax(oracle_input(o), axis=-1)[np.arange(9), labels.cpu().numpy()]
    by_index = ref.cross_entropy(o, labels, reduction="none")
    by_prob = ref.cross_entropy(o, ref.one_hot(labels, 6, dtype=dtype), reduction="none")
    assert_close(by_index, want, msg="class-index targets vs -log softmax_c (scipy)")
    assert_close(by_prob, want, msg="one-hot probability targets vs -log softmax_c (scipy)")


def cross_entropy_expansion(device, dtype):
    for seed, shape in enumerate(_SHAPES):
        x = _logits(shape, 20 + seed, dtype, device)
        for dim in range(-len(shape), len(shape)):
            want = scipy.special.log_softmax(oracle_input(x), axis=dim)
            assert_close(ref.log_softmax(x, dim=dim), want, msg=f"log_softmax, {shape} dim {dim}")
    # general nonnegative weights y (not summing to 1): -sum y log softmax = (sum y) lse - sum y o
    o = _logits((8, 5), 30, dtype, device)
    y = randn(8, 5, seed=31).abs().to(dtype).to(device)
    os, ys = oracle_input(o), oracle_input(y)
    want = ys.sum(-1) * scipy.special.logsumexp(os, axis=-1) - (ys * os).sum(-1)
    assert_close(ref.cross_entropy(o, y, reduction="none", validate=False), want)


def cross_entropy_logsumexp_form(device, dtype):
    big = {torch.float64: 1e300, torch.float32: 1e4, torch.bfloat16: 1e4, torch.float16: 6e4}[dtype]
    extreme = torch.tensor(
        [[big, -big, 0.0], [-big, -big, -big], [1.0, 2.0, 3.0]], dtype=torch.float64
    )
    for x in (_logits((6, 7), 40, dtype, device, scale=10.0), extreme.to(dtype).to(device)):
        for keepdim in (False, True):
            want = scipy.special.logsumexp(oracle_input(x), axis=-1, keepdims=keepdim)
            assert_close(ref.logsumexp(x, keepdim=keepdim), want, msg="logsumexp vs scipy")
    # probability targets, every reduction, (N, C) and (N, C, d) layouts
    for seed, shape in enumerate([(6, 5), (3, 4, 2)]):
        o = _logits(shape, 41 + seed, dtype, device)
        y = _probability_targets(shape, 43 + seed).to(dtype).to(device)
        os, ys = oracle_input(o), oracle_input(y)
        per = scipy.special.logsumexp(os, axis=1) - (ys * os).sum(1)
        for reduction, want in (("none", per), ("sum", per.sum()), ("mean", per.mean())):
            got = ref.cross_entropy(o, y, reduction=reduction)
            assert_close(got, want, msg=f"probability targets, {shape}, {reduction}")
            assert_close(
                got, F.cross_entropy(o.double(), y.double(), reduction=reduction), dtype=dtype
            )
        labels = randint(shape[1], shape[0], *shape[2:], seed=45 + seed).to(device)
        for reduction in ("none", "sum", "mean"):
            got = ref.cross_entropy(o, labels, reduction=reduction)
            want = F.cross_entropy(o.double(), labels, reduction=reduction)
            assert_close(got, want, dtype=dtype, msg=f"class indices, {shape}, {reduction}")
    # the stable form stays finite where the true value is: logits of the extreme magnitude
    o = extreme[:1].to(dtype).to(device)
    loss = ref.cross_entropy(o, torch.tensor([2], device=device))
    assert torch.isfinite(loss), f"cross_entropy overflowed at |o| = {big}: {loss}"
    assert_close(
        loss, torch.tensor(big, dtype=torch.float64), dtype=dtype, msg="loss at extreme logits"
    )


def softmax_ce_gradient(device, dtype):
    o = _logits((6, 5), 50, dtype, device)
    labels = randint(5, 6, seed=51).to(device)
    probs = simplex(6, 5, seed=52, zeros=0.3).to(dtype).to(device)
    for target in (labels, probs):
        oracle_target = target if target.dtype == torch.int64 else target.double()
        for reduction in ("sum", "mean", "none"):
            leaf = o.double().requires_grad_()
            oracle_loss = F.cross_entropy(leaf, oracle_target, reduction=reduction)
            (want,) = torch.autograd.grad(oracle_loss.sum(), leaf)
            got = ref.cross_entropy_grad(o, target, reduction=reduction)
            assert_close(got, want, dtype=dtype, msg=f"cross_entropy_grad, {reduction}")
            # the backward of the reference cross_entropy, in the dtype under test
            mine = o.clone().requires_grad_()
            (back,) = torch.autograd.grad(
                ref.cross_entropy(mine, target, reduction=reduction).sum(), mine
            )
            assert back.dtype == dtype
            assert_close(back, want, dtype=dtype, msg=f"cross_entropy backward, {reduction}")
    if dtype == torch.float64:
        leaf = o.detach().clone().requires_grad_()
        for target in (labels, probs):
            assert torch.autograd.gradcheck(lambda z, t=target: ref.cross_entropy(z, t), (leaf,))
            assert torch.autograd.gradgradcheck(
                lambda z, t=target: ref.cross_entropy(z, t), (leaf,)
            )
        assert torch.autograd.gradcheck(lambda z: ref.softmax(z), (leaf,))
        assert torch.autograd.gradgradcheck(lambda z: ref.log_softmax(z), (leaf,))
        assert torch.autograd.gradcheck(lambda z: ref.logsumexp(z), (leaf,))
