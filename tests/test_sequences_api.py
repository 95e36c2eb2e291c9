"""Contracts of the sequence reference functions: dtypes, devices, no mutation, errors, NaN
policy, padded batches, gradients, and agreement with torch / nltk."""

from __future__ import annotations

import doctest
import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from dltheory.core.tolerances import FLOAT_DTYPES, assert_close
from dltheory.sequences import (
    clip_grad_norm,
    laplace_bigram,
    laplace_trigram,
    laplace_unigram,
    markov_log_prob,
    perplexity,
    reference,
)
from tests.conftest import DEVICES

DTYPES = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
ON_DEVICES = pytest.mark.parametrize("device", DEVICES)
PI = torch.tensor([0.5, 0.5])
A = torch.tensor([[0.9, 0.1], [0.5, 0.5]])


def _randn(*shape, dtype=torch.float32, device="cpu", seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype).to(device)


@ON_DEVICES
@DTYPES
def test_results_keep_dtype_and_device_and_inputs_are_untouched(dtype, device):
    lp = -_randn(2, 5, dtype=dtype, device=device).abs()
    logits = _randn(2, 5, 7, dtype=dtype, device=device)
    targets = torch.randint(7, (2, 5), generator=torch.Generator().manual_seed(1)).to(device)
    grads = [
        _randn(3, 2, dtype=dtype, device=device, scale=10),
        _randn(4, dtype=dtype, device=device),
    ]
    counts = torch.tensor([[2.0, 0.0], [1.0, 3.0]], dtype=dtype, device=device)
    tensors = [lp, logits, targets, *grads, counts]
    before = [t.clone() for t in tensors]
    outputs = [
        perplexity(lp),
        perplexity(logits=logits, targets=targets, lengths=torch.tensor([5, 3])),
        markov_log_prob(targets % 2, PI.to(dtype).to(device), A.to(dtype).to(device)),
        laplace_bigram(counts=counts, unigram_counts=counts.sum(0)),
        *clip_grad_norm(grads, 1.0)[0],
        clip_grad_norm(grads, 1.0)[1],
    ]
    for out in outputs:
        assert out.dtype == dtype and out.device == lp.device and torch.isfinite(out).all()
    for t, b in zip(tensors, before, strict=True):
        assert torch.equal(t, b)


def test_clip_grad_norm_does_not_clip_in_place_unlike_torch():
    g = torch.tensor([3.0, 4.0])
    clipped, norm = clip_grad_norm(g, 1.0)
    assert torch.equal(g, torch.tensor([3.0, 4.0])) and norm == 5
    p = torch.nn.Parameter(torch.zeros(2))
    p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_([p], 1.0)
    assert not torch.equal(p.grad, g)  # the built-in modified it
    assert_close(clipped, p.grad, dtype=torch.float32)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
def test_clip_grad_norm_matches_torch_for_every_norm(norm_type):
    grads = [_randn(5, 4, dtype=torch.float64, scale=100), _randn(7, dtype=torch.float64, seed=2)]
    clipped, total = clip_grad_norm(grads, 2.0, norm_type)
    params = [torch.nn.Parameter(g.clone()) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = g.clone()
    want = torch.nn.utils.clip_grad_norm_(params, 2.0, norm_type)
    assert_close(total, want)
    for c, p in zip(clipped, params, strict=True):
        assert_close(c, p.grad)


def test_clip_grad_norm_extremes_and_nan_policy():
    big = torch.tensor([3e38, 3e38])  # the norm exceeds float32, the clipped gradient does not
    clipped, total = clip_grad_norm([big], 1.0)
    assert total == float("inf") and torch.allclose(clipped[0], torch.full((2,), 0.5**0.5))
    clipped, total = clip_grad_norm([torch.tensor([1e-30, 1e-30])], 1.0)
    assert_close(total, torch.tensor(2**0.5 * 1e-30), dtype=torch.float32)
    clipped, total = clip_grad_norm([torch.tensor([1.0, float("nan")])], 1.0)
    assert torch.isnan(total) and torch.isnan(clipped[0]).all()
    clipped, total = clip_grad_norm([torch.tensor([1.0, float("inf")])], 1.0)
    assert total == float("inf") and clipped[0][0] == 0 and torch.isnan(clipped[0][1])
    with pytest.raises(ValueError, match="non-finite total"):
        clip_grad_norm([torch.tensor([1.0, float("inf")])], 1.0, error_if_nonfinite=True)
    assert clip_grad_norm([], 1.0) == ([], torch.zeros(()))


def test_perplexity_matches_exp_cross_entropy_with_padding():
    logits = _randn(3, 6, 9, dtype=torch.float64)
    targets = torch.randint(9, (3, 6), generator=torch.Generator().manual_seed(3))
    lengths = torch.tensor([6, 1, 4])
    padded = torch.where(torch.arange(6) < lengths.unsqueeze(1), targets, torch.tensor(-100))
    want = torch.exp(F.cross_entropy(logits.transpose(1, 2), padded, ignore_index=-100))
    assert_close(perplexity(logits=logits, targets=padded, lengths=lengths), want)
    assert_close(
        perplexity(logits=logits[0], targets=targets[0]),
        torch.exp(F.cross_entropy(logits[0], targets[0])),
    )


def test_perplexity_edge_values():
    assert perplexity(torch.zeros(4)) == 1
    assert perplexity(torch.tensor([0.0, -math.inf])) == math.inf
    assert perplexity(torch.tensor([[0.0, -math.inf]]), lengths=[1]) == 1  # padding ignored
    assert torch.isnan(perplexity(torch.tensor([0.0, math.nan]), validate=False))
    assert perplexity(torch.full((3,), -1000.0, dtype=torch.float32)) == math.inf  # e^1000


def test_laplace_agrees_with_nltk_lidstone():
    from nltk.lm import Lidstone
    from nltk.util import ngrams

    words = ["the", "cat", "sat", "on", "the", "mat", "the", "end"]
    vocab = sorted(set(words))
    ids = torch.tensor([vocab.index(w) for w in words])
    m = len(vocab) + 1  # nltk's vocabulary counts its unknown-word label
    for eps in (0.1, 1.0, 7.0):
        lm = Lidstone(eps / m, 1)
        lm.fit([[(w,) for w in words]], words)
        ours = laplace_unigram(ids, vocab_size=m, eps=eps, dtype=torch.float64)
        assert_close(ours[: len(vocab)], [lm.score(w) for w in vocab])
        lm2 = Lidstone(eps / m, 2)
        lm2.fit([list(ngrams(words, 2))], words)
        counts = torch.zeros(m, m)
        for a, b in itertools.pairwise(ids):
            counts[a, b] += 1
        ours2 = laplace_bigram(
            counts=counts, unigram_counts=torch.zeros(m), eps2=eps, dtype=torch.float64
        )
        for ctx in vocab:
            want = [lm2.score(w, [ctx]) for w in vocab]
            assert_close(ours2[vocab.index(ctx), : len(vocab)], want)


def test_laplace_from_tokens_equals_from_counts_and_sentences_do_not_mix():
    sents = [torch.tensor([0, 1, 2]), torch.tensor([2, 0])]
    counts = torch.zeros(3, 3)
    for s in sents:
        for a, b in itertools.pairwise(s):
            counts[a, b] += 1
    unigram = torch.bincount(torch.cat(sents), minlength=3).float()
    assert_close(laplace_bigram(sents), laplace_bigram(counts=counts, unigram_counts=unigram))
    assert laplace_trigram(sents).shape == (3, 3, 3)
    assert_close(
        laplace_unigram(torch.tensor([], dtype=torch.int64), vocab_size=4), torch.full((4,), 0.25)
    )


def test_gradients_and_second_derivatives():
    lp = -_randn(2, 4, dtype=torch.float64).abs().requires_grad_()
    assert torch.autograd.gradcheck(lambda a: perplexity(a, lengths=[4, 2]), (lp,))
    assert torch.autograd.gradgradcheck(lambda a: perplexity(a, reduction="none"), (lp,))
    z = _randn(2, 3, 5, dtype=torch.float64).requires_grad_()
    t = torch.tensor([[0, 4, 2], [1, 1, 3]])
    assert torch.autograd.gradcheck(lambda a: perplexity(logits=a, targets=t), (z,))
    pi = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    tr = torch.tensor([[0.6, 0.4], [0.2, 0.8]], dtype=torch.float64, requires_grad=True)
    seqs = torch.tensor([[0, 1, 1], [1, 0, 1]])
    f = lambda a, b: markov_log_prob(seqs, a, b, validate=False)  # noqa: E731
    assert torch.autograd.gradcheck(f, (pi, tr)) and torch.autograd.gradgradcheck(f, (pi, tr))
    c = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a: laplace_unigram(counts=a, eps=0.3), (c,))


T2 = torch.tensor([[0, 1], [1, 1]])
BAD_INPUTS = [
    (lambda: perplexity(torch.zeros(0)), ValueError, r"an empty sequence \(T = 0\)"),
    (lambda: perplexity(torch.zeros(2, 0)), ValueError, r"an empty sequence"),
    (
        lambda: perplexity(torch.zeros(2, 3), lengths=[3, 4]),
        ValueError,
        r"lengths contains 4, longer than the sequences \(3 steps\)",
    ),
    (
        lambda: perplexity(torch.zeros(2, 3), lengths=[0, 3]),
        ValueError,
        r"lengths contains 0: an empty sequence",
    ),
    (lambda: perplexity(torch.zeros(2, 3), lengths=[3]), ValueError, r"lengths must have shape"),
    (lambda: perplexity(torch.zeros(3), lengths=[3]), ValueError, r"lengths needs a batch"),
    (
        lambda: perplexity(torch.tensor([0.5, -1.0])),
        ValueError,
        r"log_probs has a positive entry: a log-probability must be <= 0",
    ),
    (lambda: perplexity(torch.tensor([0, 1])), TypeError, r"log_probs must be a floating-point"),
    (lambda: perplexity(), ValueError, r"pass log_probs, or both logits and targets"),
    (lambda: perplexity(torch.zeros(3), logits=torch.zeros(3, 2)), ValueError, r"not both"),
    (
        lambda: perplexity(
            logits=torch.zeros(2, 3, 4), targets=torch.zeros(2, 2, dtype=torch.int64)
        ),
        ValueError,
        r"need targets of shape \(2, 3\)",
    ),
    (
        lambda: perplexity(logits=torch.zeros(3, 4), targets=torch.tensor([0, 4, 1])),
        ValueError,
        r"targets contains token id 4, outside \[0, 4\)",
    ),
    (
        lambda: perplexity(logits=torch.zeros(3, 4), targets=torch.zeros(3)),
        TypeError,
        r"targets must be an integer tensor",
    ),
    (lambda: perplexity(torch.zeros(3), reduction="sum"), ValueError, r"reduction must be"),
    (
        lambda: markov_log_prob(T2, torch.tensor([0.5, 0.6]), A),
        ValueError,
        r"initial must sum to 1",
    ),
    (
        lambda: markov_log_prob(T2, PI, torch.tensor([[1.5, -0.5], [0.5, 0.5]])),
        ValueError,
        r"transition has a negative entry",
    ),
    (
        lambda: markov_log_prob(T2, PI, torch.ones(3, 3) / 3),
        ValueError,
        r"transition must have shape \(2, 2\)",
    ),
    (
        lambda: markov_log_prob(torch.tensor([0, 2]), PI, A),
        ValueError,
        r"tokens contains token id 2, outside \[0, 2\)",
    ),
    (
        lambda: markov_log_prob(torch.zeros(2, 0, dtype=torch.int64), PI, A),
        ValueError,
        r"tokens must have shape \(T,\) or \(N, T\) with T >= 1",
    ),
    (lambda: markov_log_prob(T2, PI, A, lengths=[3, 1]), ValueError, r"lengths contains 3"),
    (lambda: laplace_unigram(torch.tensor([0, 1]), eps=0.0), ValueError, r"eps must be"),
    (lambda: laplace_unigram(torch.tensor([0, 1]), eps=-1.0), ValueError, r"eps must be"),
    (
        lambda: laplace_unigram(torch.tensor([0, 3]), vocab_size=3),
        ValueError,
        r"tokens contains token id 3",
    ),
    (lambda: laplace_unigram(torch.tensor([0.0, 1.0])), TypeError, r"tokens must be an integer"),
    (lambda: laplace_unigram(), ValueError, r"pass exactly one of tokens or counts"),
    (
        lambda: laplace_unigram(torch.tensor([], dtype=torch.int64)),
        ValueError,
        r"tokens is empty, so vocab_size cannot be inferred",
    ),
    (
        lambda: laplace_unigram(counts=torch.tensor([1.0, -1.0])),
        ValueError,
        r"counts has a negative entry",
    ),
    (lambda: laplace_bigram(counts=torch.ones(2, 2)), ValueError, r"unigram_counts is required"),
    (
        lambda: laplace_bigram(counts=torch.ones(2, 3), unigram_counts=torch.ones(2)),
        ValueError,
        r"counts must have shape \(m,\) \* 2",
    ),
    (
        lambda: laplace_bigram(counts=torch.ones(2, 2), unigram_counts=torch.ones(3)),
        ValueError,
        r"unigram_counts has 3 tokens per side but vocab_size is 2",
    ),
    (lambda: laplace_trigram(torch.tensor([0, 1]), eps3=0), ValueError, r"eps3 must be"),
    (lambda: clip_grad_norm([torch.ones(2)], 0.0), ValueError, r"max_norm must be a finite"),
    (lambda: clip_grad_norm([torch.ones(2)], -1.0), ValueError, r"max_norm must be"),
    (lambda: clip_grad_norm([torch.ones(2)], 1.0, 0.5), ValueError, r"norm_type must be"),
    (
        lambda: clip_grad_norm([torch.ones(2, dtype=torch.int64)], 1.0),
        TypeError,
        r"grads must hold floating-point tensors",
    ),
    (lambda: clip_grad_norm("grads", 1.0), TypeError, r"grads must be a tensor or a sequence"),
]


@pytest.mark.parametrize(("call", "exc", "message"), BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(reference) if t.examples]
    assert len(tests) >= 6
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
