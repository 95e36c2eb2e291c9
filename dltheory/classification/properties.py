"""Hypothesis property legs of the classification claims (float64, CPU).

Each function returns a :class:`~dltheory.core.claim.ForAll` or
:class:`~dltheory.core.claim.Exists`: a strategy that draws inputs meeting the claim's
preconditions, and a predicate. Oracles are algebraic identities, SciPy, or torch built-ins.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.classification import reference as ref
from dltheory.core import strategies as dst
from dltheory.core.claim import Exists, ForAll
from dltheory.core.tolerances import is_close

_batches = dst.batch_shapes(max_dims=2)


def one_hot_encoding():
    def holds(case):
        labels, k = case
        code = ref.one_hot(labels, k)
        return (
            code.shape == (*labels.shape, k)
            and bool(((code == 0) | (code == 1)).all())
            and bool((code.sum(-1) == 1).all())
            and torch.equal(code.argmax(-1), labels)
        )

    return ForAll(dst.labels_and_classes(), holds)


def linear_outputs_not_normalized():
    # the bias of the last output is chosen so that the outputs sum to 1; Hypothesis then
    # searches the weights, input and other biases for outputs below 0 and above 1
    @st.composite
    def affine_cases(draw):
        d, q = draw(st.integers(1, 4)), draw(st.integers(2, 4))
        x = draw(dst.real_vectors(size=d))
        w = draw(dst.real_vectors(size=d, batch_shape=(q,)))
        b = draw(dst.real_vectors(size=q))
        b[-1] = 1 - (w @ x).sum() - b[:-1].sum()
        return x, w, b

    def sums_to_one_yet_not_a_distribution(case):
        o = F.linear(*case)
        return math.isclose(float(o.sum()), 1.0, abs_tol=1e-9) and o.min() < 0 and o.max() > 1

    return Exists(affine_cases(), sums_to_one_yet_not_a_distribution)


def softmax_definition():
    # log softmax(o)_i - o_i is the same for every i, and the entries sum to 1: these two
    # conditions determine exp(o_i) / sum_k exp(o_k) uniquely
    def holds(o):
        p = ref.softmax(o)
        offset = torch.log(p) - o
        return is_close(offset, offset[..., :1].expand_as(offset)) and is_close(
            p.sum(-1), torch.ones(o.shape[:-1], dtype=o.dtype)
        )

    return ForAll(dst.logits(batch_shape=_batches), holds)


def softmax_index_clash():
    # the notes' formula read literally: the sum over i of exp(o_i), with i also the free
    # index, is q * exp(o_i), so every component would be 1/q
    def literal_equals_softmax(o):
        q = o.shape[-1]
        literal = torch.exp(o) / (q * torch.exp(o))
        return is_close(literal, ref.softmax(o))

    return ForAll(dst.logits(magnitude=10.0), literal_equals_softmax)


def softmax_nonnegative():
    def holds(o):
        p = ref.softmax(o)
        return bool(torch.isfinite(p).all() and (p >= 0).all())

    return ForAll(dst.logits(magnitude=1e300, batch_shape=_batches), holds)


def softmax_sums_to_one():
    def holds(o):
        total = ref.softmax(o).sum(-1)
        return is_close(total, torch.ones_like(total))

    return ForAll(dst.logits(magnitude=1e300, batch_shape=_batches), holds)


def softmax_preserves_argmax():
    def holds(o):
        p = ref.softmax(o)
        larger = o.unsqueeze(-1) >= o.unsqueeze(-2)  # o_i >= o_j
        monotone = bool((~larger | (p.unsqueeze(-1) >= p.unsqueeze(-2))).all())
        top = o.argmax(-1, keepdim=True)
        return monotone and bool((p.gather(-1, top) == p.amax(-1, keepdim=True)).all())

    return ForAll(dst.logits(magnitude=1e3, batch_shape=_batches), holds)


def softmax_shift_invariant():
    def holds(case):
        o, shift = case
        return is_close(ref.softmax(o + shift), ref.softmax(o))

    shifts = st.floats(-1e3, 1e3, allow_nan=False)
    return ForAll(st.tuples(dst.logits(batch_shape=_batches), shifts), holds)


def log_likelihood_factorizes():
    @st.composite
    def cases(draw):
        n, q = draw(st.integers(1, 4)), draw(st.integers(1, 5))
        o = draw(dst.logits(num_classes=q, batch_shape=(n,), magnitude=10.0))
        labels, _ = draw(dst.labels_and_classes(num_classes=q, batch_shape=(n,)))
        return o, labels

    def holds(case):
        o, labels = case
        p = ref.softmax(o)
        likelihood = math.prod(float(p[i, c]) for i, c in enumerate(labels.tolist()))
        total = ref.cross_entropy(o, labels, reduction="sum")
        return is_close(total, torch.tensor(-math.log(likelihood), dtype=torch.float64))

    return ForAll(cases(), holds)


def cross_entropy_one_hot():
    @st.composite
    def cases(draw):
        o = draw(dst.logits(num_classes=st.integers(1, 6), magnitude=20.0))
        label = draw(st.integers(0, o.shape[-1] - 1))
        return o, label

    def holds(case):
        o, c = case
        target = ref.one_hot(torch.tensor(c), o.shape[-1], dtype=o.dtype)
        by_prob = ref.cross_entropy(o, target)
        by_index = ref.cross_entropy(o.unsqueeze(0), torch.tensor([c]))
        want = -torch.log(ref.softmax(o)[c])
        return is_close(by_prob, want) and is_close(by_index, want)

    return ForAll(cases(), holds)


def cross_entropy_expansion():
    @st.composite
    def cases(draw):
        o = draw(dst.logits(num_classes=st.integers(1, 6), magnitude=20.0))
        y = draw(dst.real_vectors(size=o.shape[-1], magnitude=3.0)).abs()
        return o, y

    def holds(case):
        o, y = case
        got = ref.cross_entropy(o, y, validate=False)
        want = y.sum() * ref.logsumexp(o) - (y * o).sum()
        return is_close(got, want)

    return ForAll(cases(), holds)


def cross_entropy_logsumexp_form():
    @st.composite
    def cases(draw):
        o = draw(dst.logits(num_classes=st.integers(1, 6), magnitude=50.0))
        y = draw(dst.probability_vectors(size=o.shape[-1]))
        return o, y

    def holds(case):
        o, y = case
        return is_close(ref.cross_entropy(o, y), ref.logsumexp(o) - (y * o).sum())

    return ForAll(cases(), holds)


def softmax_ce_gradient():
    @st.composite
    def cases(draw):
        q = draw(st.integers(1, 6))
        n = draw(st.integers(1, 4))
        o = draw(dst.logits(num_classes=q, batch_shape=(n,), magnitude=30.0))
        y = draw(dst.probability_vectors(size=q, batch_shape=(n,)))
        return o, y

    def holds(case):
        o, y = case
        leaf = o.clone().requires_grad_()
        (autograd,) = torch.autograd.grad(F.cross_entropy(leaf, y, reduction="sum"), leaf)
        closed_form = ref.cross_entropy_grad(o, y, reduction="sum")
        return is_close(closed_form, autograd)

    return ForAll(cases(), holds)
