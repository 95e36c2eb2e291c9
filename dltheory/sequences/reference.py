r"""Reference implementations for sequence models and language models (section 9 of the notes).

Written from the formulas, so that the matching built-ins (``torch.nn.functional.cross_entropy``
for perplexity, ``torch.nn.utils.clip_grad_norm_``) and nltk's language models can serve as
independent oracles.

* :func:`markov_log_prob` — :math:`\log P(x_1, \dots, x_T)` under a first-order Markov chain;
* :func:`laplace_unigram`, :func:`laplace_bigram`, :func:`laplace_trigram` — Laplace-smoothed
  n-gram estimates from token sequences or count tensors (dense tables: meant for vocabularies
  of up to a few thousand tokens for bigrams and a few hundred for trigrams);
* :func:`perplexity` — :math:`\exp` of the mean negative log-likelihood per token, over padded
  batches of sequences of unequal lengths;
* :func:`clip_grad_norm` — gradient clipping by the global norm, returning new tensors.

Every function keeps the caller's dtype and device, never mutates its inputs, and is
differentiable with respect to its floating-point tensor arguments. float16 and bfloat16
inputs are computed in float32 and rounded once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import torch

from dltheory.classification.reference import cross_entropy
from dltheory.core.validation import (
    check_bool,
    check_floating,
    check_probabilities,
    check_real,
    check_same_device,
    describe,
    has_values,
    opmath_dtype,
)
from dltheory.sequences._ngram_counting import (
    _check_range,
    _check_tokens,
    _counts_and_unigram,
    _lengths_mask,
    _result_dtype,
    _smoothed,
)
from dltheory.sequences._perplexity_overflow import OverflowedPerplexity

__all__ = [
    "clip_grad_norm",
    "laplace_bigram",
    "laplace_trigram",
    "laplace_unigram",
    "markov_log_prob",
    "perplexity",
]


# --- Markov chains -----------------------------------------------------------------------------


def markov_log_prob(
    tokens: torch.Tensor,
    initial: torch.Tensor,
    transition: torch.Tensor,
    *,
    lengths: torch.Tensor | Sequence[int] | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Log-probability of token sequences under a first-order Markov chain.

    .. math:: \log P(x_1, \dots, x_T) = \log \pi_{x_1}
        + \sum_{t=2}^{T} \log A^{(t)}_{x_{t-1}, x_t}

    with initial distribution :math:`\boldsymbol\pi` and transition matrices
    :math:`A^{(t)}_{ij} = P(x_t = j \mid x_{t-1} = i)` (rows sum to 1): one matrix for every
    step (a homogeneous chain) or one per step.

    NaN and inf: a transition or start of probability 0 gives :math:`-\infty`; padded
    positions (``t >= lengths[n]``) get exactly zero weight whatever their tokens.

    Args:
        tokens: integer tensor ``(T,)`` or ``(N, T)`` of token ids in ``[0, m)``.
        initial: ``(m,)`` probabilities :math:`\boldsymbol\pi`.
        transition: ``(m, m)`` row-stochastic matrix :math:`A`, or ``(T - 1, m, m)``, one
            per step.
        lengths: ``(N,)`` lengths in ``[1, T]`` of the sequences of a padded batch.
        validate: check probabilities and token ranges (a device sync).

    Returns:
        :math:`\log P` per sequence, shape ``()`` or ``(N,)``, in the probabilities' dtype.

    Raises:
        TypeError: ``tokens`` or ``lengths`` is not an integer tensor; ``initial`` or
            ``transition`` is not floating point; ``validate`` is not a bool.
        ValueError: ``tokens`` is not 1-D or 2-D or has no step; shapes that do not fit;
            probabilities outside ``[0, 1]`` or rows not summing to 1; a token id out of
            range; ``lengths`` with 1-D tokens, of the wrong shape, below 1 or above ``T``.

    Example:
        >>> A = torch.tensor([[0.9, 0.1], [0.5, 0.5]])
        >>> markov_log_prob(torch.tensor([0, 0, 1]), torch.tensor([1.0, 0.0]), A).exp()
        tensor(0.0900)
    """
    tokens = _check_tokens("tokens", tokens)
    validate = check_bool("validate", validate)
    check_floating("initial", initial)
    check_floating("transition", transition)
    if tokens.dim() not in (1, 2) or tokens.shape[-1] == 0:
        raise ValueError(
            f"tokens must have shape (T,) or (N, T) with T >= 1, got {tuple(tokens.shape)}"
        )
    m = initial.shape[0]
    if initial.dim() != 1 or m == 0:
        raise ValueError(f"initial must have shape (m,) with m >= 1, got {tuple(initial.shape)}")
    steps_needed = max(tokens.shape[-1] - 1, 1)
    if tuple(transition.shape) not in ((m, m), (steps_needed, m, m)):
        raise ValueError(
            f"transition must have shape ({m}, {m}) or ({steps_needed}, {m}, {m}), got "
            f"{tuple(transition.shape)}"
        )
    check_same_device("initial", initial, "tokens", tokens)
    check_same_device("transition", transition, "tokens", tokens)
    single = tokens.dim() == 1
    if single and lengths is not None:
        raise ValueError("lengths needs a batch of tokens of shape (N, T)")
    # int64 indices: a uint8 (or bool) index tensor would be read as a mask
    batch = (tokens.reshape(1, -1) if single else tokens).long()
    mask = _lengths_mask(lengths, batch.shape[0], batch.shape[1], tokens.device)
    if mask is not None:
        batch = torch.where(mask, batch, torch.zeros((), dtype=batch.dtype, device=batch.device))
    if validate:
        check_probabilities("initial", initial)
        check_probabilities("transition", transition, dim=-1)
        _check_range("tokens", batch, m)
    t = opmath_dtype(torch.promote_types(initial.dtype, transition.dtype))
    first = initial.to(t)[batch[:, 0]].log()
    table = transition.to(t)
    if table.dim() == 2:
        steps = table[batch[:, :-1], batch[:, 1:]]
    else:
        step_index = torch.arange(batch.shape[1] - 1, device=batch.device)
        steps = table[step_index, batch[:, :-1], batch[:, 1:]]
    if mask is not None:  # padding: probability 1 before the log, so no gradient (not 0 * inf)
        steps = torch.where(mask[:, 1:], steps, torch.ones((), dtype=t, device=steps.device))
    steps = steps.log()
    out = (first + steps.sum(dim=1)).to(torch.promote_types(initial.dtype, transition.dtype))
    return out.squeeze(0) if single else out


# --- Laplace smoothing -----------------------------------------------------------------------


def laplace_unigram(
    tokens: torch.Tensor | Sequence[torch.Tensor] | None = None,
    *,
    counts: torch.Tensor | None = None,
    vocab_size: int | None = None,
    eps: float = 1.0,
    dtype: torch.dtype | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Laplace-smoothed unigram probabilities.

    .. math:: \hat P(x) = \frac{n(x) + \epsilon_1 / m}{n + \epsilon_1}

    with :math:`n(x)` the count of token :math:`x`, :math:`n` the number of tokens and
    :math:`m` the vocabulary size: a probability vector for every :math:`\epsilon_1 > 0`,
    tending to the relative frequencies as :math:`\epsilon_1 \to 0` and to the uniform
    :math:`1/m` as :math:`\epsilon_1 \to \infty`.

    NaN and inf: NaN or infinite counts are a ``ValueError`` (with ``validate=False`` they
    propagate: a NaN makes its row NaN). Finite counts always give finite probabilities,
    also where their sum exceeds the dtype's range (the row is rescaled by a power of two).

    Args:
        tokens: a 1-D integer tensor of token ids, or a list of them (sentences).
        counts: instead of ``tokens``, the counts :math:`n(x)`, shape ``(m,)`` (integer or
            floating; floating counts are differentiable).
        vocab_size: :math:`m`; inferred from ``counts``, or as the largest token id + 1.
        eps: :math:`\epsilon_1 > 0`.
        dtype: dtype of the result (default: the counts' floating dtype, else torch's
            default dtype).
        validate: check that counts are finite and nonnegative (a device sync); token ids
            are always checked.

    Returns:
        ``(m,)`` probabilities, on the device of the tokens or counts.

    Raises:
        TypeError: tokens not integer tensors; counts not numeric; ``eps`` not a number;
            ``validate`` not a bool.
        ValueError: both or neither of ``tokens``/``counts``; a token id outside
            ``[0, m)``; negative or non-finite counts; ``eps <= 0``; an empty text without
            ``vocab_size``.

    Example:
        >>> laplace_unigram(torch.tensor([0, 0, 1]), vocab_size=3, eps=3.0)
        tensor([0.5000, 0.3333, 0.1667])
    """
    eps = check_real("eps", eps, low=0.0, low_open=True)
    ngrams, _ = _counts_and_unigram(1, tokens, counts, None, vocab_size, validate)
    out = _result_dtype(dtype, ngrams)
    t = opmath_dtype(out)
    return _smoothed(ngrams, 1.0 / ngrams.shape[0], eps, t).to(out)


def laplace_bigram(
    tokens: torch.Tensor | Sequence[torch.Tensor] | None = None,
    *,
    counts: torch.Tensor | None = None,
    unigram_counts: torch.Tensor | None = None,
    vocab_size: int | None = None,
    eps1: float = 1.0,
    eps2: float = 1.0,
    dtype: torch.dtype | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Laplace-smoothed bigram probabilities :math:`\hat P(x' \mid x)`.

    .. math:: \hat P(x' \mid x) = \frac{n(x, x') + \epsilon_2 \hat P(x')}{n(x, \cdot)
        + \epsilon_2}, \qquad n(x, \cdot) = \sum_{x'} n(x, x')

    with :math:`\hat P(x')` the smoothed unigram (:func:`laplace_unigram`, :math:`\epsilon_1`).
    The denominator counts the bigrams that *start* with :math:`x`; it equals the count
    :math:`n(x)` the notes write except for the last token of each sentence, which starts
    none. With it, every row is a probability vector for every count table and every
    :math:`\epsilon_2 > 0`; an unseen context gets the backoff :math:`\hat P(x')`.

    NaN and inf: as for :func:`laplace_unigram` (a NaN unigram count makes every row NaN).

    Args:
        tokens: a 1-D integer tensor of token ids, or a list of them (bigrams do not cross
            sentences).
        counts: instead of ``tokens``, the bigram counts :math:`n(x, x')`, shape ``(m, m)``.
        unigram_counts: with ``counts``, the counts :math:`n(x)`, shape ``(m,)`` (required).
        vocab_size: :math:`m` (inferred if omitted).
        eps1: :math:`\epsilon_1 > 0` of the unigram backoff.
        eps2: :math:`\epsilon_2 > 0`.
        dtype: dtype of the result (as for :func:`laplace_unigram`).
        validate: as for :func:`laplace_unigram`.

    Returns:
        ``(m, m)``: row :math:`x` holds :math:`\hat P(\cdot \mid x)`.

    Raises:
        TypeError, ValueError: as for :func:`laplace_unigram`; ``unigram_counts`` missing
            with ``counts`` or given with ``tokens``, or of the wrong shape.

    Example:
        >>> laplace_bigram(torch.tensor([0, 1, 0]), eps1=1.0, eps2=1.0)
        tensor([[0.3125, 0.6875],
                [0.8125, 0.1875]])
    """
    eps1 = check_real("eps1", eps1, low=0.0, low_open=True)
    eps2 = check_real("eps2", eps2, low=0.0, low_open=True)
    ngrams, unigram = _counts_and_unigram(2, tokens, counts, unigram_counts, vocab_size, validate)
    out = _result_dtype(dtype, ngrams, unigram)
    t = opmath_dtype(out)
    backoff = _smoothed(unigram, 1.0 / unigram.shape[0], eps1, t)
    return _smoothed(ngrams, backoff, eps2, t).to(out)


def laplace_trigram(
    tokens: torch.Tensor | Sequence[torch.Tensor] | None = None,
    *,
    counts: torch.Tensor | None = None,
    unigram_counts: torch.Tensor | None = None,
    vocab_size: int | None = None,
    eps1: float = 1.0,
    eps3: float = 1.0,
    dtype: torch.dtype | None = None,
    validate: bool = True,
) -> torch.Tensor:
    r"""Laplace-smoothed trigram probabilities :math:`\hat P(x'' \mid x, x')`.

    .. math:: \hat P(x'' \mid x, x') = \frac{n(x, x', x'') + \epsilon_3 \hat P(x'')}
        {n(x, x', \cdot) + \epsilon_3}, \qquad n(x, x', \cdot) = \sum_{x''} n(x, x', x'')

    backing off to the smoothed unigram :math:`\hat P(x'')` as the notes do. The denominator
    counts the trigrams that start with :math:`(x, x')`; the notes' :math:`n(x, x')` counts
    the bigram also where it ends a sentence and starts no trigram.

    NaN and inf: as for :func:`laplace_bigram`.

    Args:
        tokens, vocab_size, eps1, dtype, validate: as for :func:`laplace_bigram`.
        counts: instead of ``tokens``, the trigram counts, shape ``(m, m, m)``.
        unigram_counts: with ``counts``, the counts :math:`n(x)`, shape ``(m,)`` (required).
        eps3: :math:`\epsilon_3 > 0`.

    Returns:
        ``(m, m, m)``: entry ``[x, x', x'']`` is :math:`\hat P(x'' \mid x, x')`.

    Raises:
        TypeError, ValueError: as for :func:`laplace_bigram`.

    Example:
        >>> laplace_trigram(torch.tensor([0, 1, 0]), eps1=2.0, eps3=1.0)[0, 1]
        tensor([0.8000, 0.2000])
    """
    eps1 = check_real("eps1", eps1, low=0.0, low_open=True)
    eps3 = check_real("eps3", eps3, low=0.0, low_open=True)
    ngrams, unigram = _counts_and_unigram(3, tokens, counts, unigram_counts, vocab_size, validate)
    out = _result_dtype(dtype, ngrams, unigram)
    t = opmath_dtype(out)
    backoff = _smoothed(unigram, 1.0 / unigram.shape[0], eps1, t)
    return _smoothed(ngrams, backoff, eps3, t).to(out)


# --- perplexity ------------------------------------------------------------------------------


def perplexity(
    log_probs: torch.Tensor | None = None,
    *,
    logits: torch.Tensor | None = None,
    targets: torch.Tensor | None = None,
    lengths: torch.Tensor | Sequence[int] | None = None,
    reduction: Literal["mean", "none"] = "mean",
    validate: bool = True,
) -> torch.Tensor:
    r"""Perplexity: the exponential of the mean negative log-likelihood per token.

    .. math:: \mathrm{PPL} = \exp\Bigl(-\frac{1}{n}\sum_{t=1}^{n}
        \log P(x_t \mid x_{t-1}, \dots, x_1)\Bigr)

    From the log-probabilities the model gave the observed tokens (``log_probs``), or from
    ``logits`` over the vocabulary and the ``targets`` (then
    :math:`-\log P = \text{cross-entropy}`). With ``reduction="mean"`` the mean runs over
    every token of the batch (the corpus perplexity: padded positions excluded, long
    sequences weigh more); with ``"none"`` each sequence gets its own perplexity.

    It is 1 exactly when every target has probability 1, :math:`+\infty` when some target has
    probability 0, and :math:`m` for the uniform distribution over :math:`m` tokens.

    NaN and inf: a target of probability 0 (``log_probs`` :math:`-\infty`) gives
    :math:`+\infty`; NaN log-probabilities give NaN; padded positions get exactly zero weight
    whatever they hold. A mean log-likelihood below :math:`-\log(\text{max float})` overflows
    to :math:`+\infty`, the correctly rounded value; the gradient with respect to the logits
    is then computed in log space, so it is never :math:`\infty \cdot 0 =` NaN where a
    softmax entry underflows.

    Args:
        log_probs: :math:`\log P(x_t \mid x_{<t})`, shape ``(T,)`` or ``(N, T)``, all
            :math:`\le 0`.
        logits: instead, ``(T, V)`` or ``(N, T, V)`` unnormalized scores ...
        targets: ... and the observed token ids, ``(T,)`` or ``(N, T)``.
        lengths: ``(N,)`` valid lengths in ``[1, T]`` of a padded batch.
        reduction: ``"mean"`` (one number for the batch) or ``"none"`` (per sequence).
        validate: check that log-probabilities are :math:`\le 0` and targets in range.

    Returns:
        A 0-d tensor (``"mean"``, or one sequence) or ``(N,)``, in the input's dtype.

    Raises:
        TypeError: inputs of the wrong kind (floating log-probabilities and logits, integer
            targets and lengths); ``validate`` is not a bool.
        ValueError: both or neither of ``log_probs`` and ``logits``/``targets``; an empty
            sequence (``T = 0``); shapes that do not fit; a positive log-probability
            (a probability above 1); a target out of range; ``lengths`` of the wrong shape,
            below 1 or longer than the sequences; an unknown ``reduction``.

    Example:
        >>> perplexity(torch.log(torch.tensor([0.5, 0.25])))
        tensor(2.8284)
    """
    if not isinstance(reduction, str) or reduction not in ("mean", "none"):
        raise ValueError(f"reduction must be 'mean' or 'none', got {reduction!r}")
    validate = check_bool("validate", validate)
    if log_probs is not None:
        if logits is not None or targets is not None:
            raise ValueError("pass either log_probs or logits and targets, not both")
        check_floating("log_probs", log_probs)
        if log_probs.dim() > 2:
            raise ValueError(
                f"log_probs must have shape (T,) or (N, T), got {tuple(log_probs.shape)}"
            )
        source = log_probs
        steps_shape = log_probs.shape
    else:
        if logits is None or targets is None:
            raise ValueError("pass log_probs, or both logits and targets")
        check_floating("logits", logits)
        targets = _check_tokens("targets", targets)
        if logits.dim() not in (2, 3) or tuple(targets.shape) != tuple(logits.shape[:-1]):
            raise ValueError(
                f"logits of shape {tuple(logits.shape)} need targets of shape "
                f"{tuple(logits.shape[:-1])} ((T, V) or (N, T, V) logits), got "
                f"{tuple(targets.shape)}"
            )
        if logits.shape[-1] == 0:
            raise ValueError("logits has an empty vocabulary dimension")
        check_same_device("targets", targets, "logits", logits)
        source = logits
        steps_shape = targets.shape
    name = "log_probs" if log_probs is not None else "targets"
    if steps_shape[-1] == 0:
        raise ValueError(f"{name} holds an empty sequence (T = 0), which has no perplexity")
    single = len(steps_shape) == 1
    if single and lengths is not None:
        raise ValueError("lengths needs a batch of sequences (N, T)")
    batch, steps = (1, steps_shape[0]) if single else (steps_shape[0], steps_shape[1])
    if batch == 0:
        raise ValueError(f"{name} holds an empty batch (N = 0), which has no perplexity")
    mask = _lengths_mask(lengths, batch, steps, source.device)
    t = opmath_dtype(source.dtype)
    zero = torch.zeros((), dtype=t, device=source.device)

    if log_probs is not None:
        lp = log_probs.to(t).reshape(batch, steps)
        if validate and has_values(lp):
            valid = lp if mask is None else torch.where(mask, lp, zero)
            if bool((valid > 0).any()):
                raise ValueError(
                    "log_probs has a positive entry: a log-probability must be <= 0 "
                    "(a probability in [0, 1])"
                )
        nll = -lp
    else:
        assert logits is not None and targets is not None
        tg = targets.reshape(batch, steps)
        if mask is not None:
            tg = torch.where(mask, tg, torch.zeros((), dtype=tg.dtype, device=tg.device))
        vocab = logits.shape[-1]
        flat = logits.to(t).reshape(batch * steps, vocab)
        if validate:
            _check_range("targets", tg, vocab)
        if mask is not None and has_values(flat):
            # only the valid positions: padding holds anything (NaN too) and gets no gradient
            keep, ids = mask.reshape(-1), tg.reshape(-1)
            valid = cross_entropy(flat[keep], ids[keep], reduction="none", validate=False)
            nll = flat.new_zeros(batch * steps).masked_scatter(keep, valid)
        else:  # (the meta device has no values to select by: its padding stays, masked below)
            nll = cross_entropy(flat, tg.reshape(-1), reduction="none", validate=False)
        nll = nll.reshape(batch, steps)
    if mask is not None:
        nll = torch.where(mask, nll, zero)
        counts = mask.sum(dim=1).to(t)
    else:
        counts = torch.full((batch,), float(steps), dtype=t, device=source.device)
    mean_nll = nll.sum() / counts.sum() if reduction == "mean" else nll.sum(dim=1) / counts
    out = torch.exp(mean_nll)
    if log_probs is None and out.requires_grad and has_values(out) and bool(out.isinf().any()):
        # exp overflowed: its gradient inf times a softmax entry that underflowed to 0 would be
        # NaN; the exact one, exp(L + log p), is computed in log space instead
        weight = (torch.ones_like(nll) if mask is None else mask.to(t)) / (
            counts.sum() if reduction == "mean" else counts.unsqueeze(1)
        )
        if mask is not None:
            flat = torch.where(mask.reshape(-1, 1), flat, zero)
        rows = torch.arange(batch, device=out.device).repeat_interleave(steps)
        group = torch.zeros_like(rows) if reduction == "mean" else rows
        out = OverflowedPerplexity.apply(
            flat, tg.reshape(-1), weight.reshape(-1), group, mean_nll.detach(), out.detach()
        )
    if reduction == "none" and single:
        out = out.squeeze(0)
    return out.to(source.dtype)


# --- gradient clipping -----------------------------------------------------------------------


def _norm_type(norm_type: object) -> float:
    if isinstance(norm_type, bool) or not isinstance(norm_type, int | float):
        raise TypeError(f"norm_type must be a real number, got {type(norm_type).__name__}")
    try:
        value = float(norm_type)
    except OverflowError:
        raise ValueError(
            f"norm_type {describe(norm_type)} is too large for a float; pass math.inf for the "
            "largest magnitude"
        ) from None
    if value == math.inf:
        return value
    return check_real("norm_type", value, low=1.0)


def clip_grad_norm(
    grads: torch.Tensor | Sequence[torch.Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    *,
    error_if_nonfinite: bool = False,
) -> tuple[Any, torch.Tensor]:
    r"""Clip gradients by their global norm, returning new tensors.

    .. math:: \mathbf{g} \leftarrow \min\Bigl(1, \frac{\theta}{\|\mathbf{g}\|}\Bigr)\,\mathbf{g},
        \qquad \|\mathbf{g}\| = \Bigl(\sum_i \|\mathbf{g}_i\|_p^p\Bigr)^{1/p}

    over all the tensors together, so the clipped gradient keeps its direction, has norm
    :math:`\min(\|\mathbf{g}\|, \theta) \le \theta`, and is the gradient itself when
    :math:`\|\mathbf{g}\| \le \theta`. Unlike ``torch.nn.utils.clip_grad_norm_`` it does not
    modify the gradients in place and uses :math:`\theta/\|\mathbf{g}\|` exactly (torch adds
    :math:`10^{-6}` to the norm). The norm is rescaled by a power of two when its
    :math:`p`-th powers would overflow or underflow, so it is accurate for every finite
    gradient (and the clipped gradient finite even where the norm exceeds the dtype's range).

    NaN and inf: a NaN entry makes the norm and every clipped entry NaN; an infinite entry
    makes the norm :math:`+\infty` and the coefficient 0 (finite entries become 0, infinite
    ones NaN), as in ``torch.nn.utils.clip_grad_norm_``; ``error_if_nonfinite=True`` raises
    instead.

    Args:
        grads: a floating tensor or a sequence of them (any shapes, dtypes, one device).
        max_norm: :math:`\theta > 0`.
        norm_type: :math:`p \ge 1`, or ``math.inf`` for the largest magnitude.
        error_if_nonfinite: raise when the total norm is NaN or infinite.

    Returns:
        ``(clipped, total_norm)``: ``clipped`` is a tensor if ``grads`` was one, else a list,
        each in its gradient's dtype; ``total_norm`` is :math:`\|\mathbf{g}\|` (before
        clipping), a 0-d tensor in the gradients' promoted dtype.

    Raises:
        TypeError: ``grads`` is not a tensor or a sequence of floating tensors; ``max_norm``
            or ``norm_type`` is not a number; ``error_if_nonfinite`` is not a bool.
        ValueError: ``max_norm <= 0`` or not finite; ``norm_type < 1`` or an int too large
            for a float; gradients on several devices; a non-finite norm with
            ``error_if_nonfinite``.

    Example:
        >>> clipped, norm = clip_grad_norm([torch.tensor([3.0, 4.0])], max_norm=1.0)
        >>> clipped[0], norm
        (tensor([0.6000, 0.8000]), tensor(5.))
    """
    single = isinstance(grads, torch.Tensor)
    tensors: list[torch.Tensor]
    if isinstance(grads, torch.Tensor):
        tensors = [grads]
    elif isinstance(grads, list | tuple):
        tensors = list(grads)
    else:
        raise TypeError(
            f"grads must be a tensor or a sequence of tensors, got {type(grads).__name__}"
        )
    for g in tensors:
        if not isinstance(g, torch.Tensor) or not g.is_floating_point():
            what = g.dtype if isinstance(g, torch.Tensor) else type(g).__name__
            raise TypeError(f"grads must hold floating-point tensors, got {what}")
    theta = check_real("max_norm", max_norm, low=0.0, low_open=True)
    p = _norm_type(norm_type)
    error_if_nonfinite = check_bool("error_if_nonfinite", error_if_nonfinite)
    if len({g.device for g in tensors}) > 1:
        raise ValueError("grads must all be on one device")
    if not tensors:
        return ([] if not single else grads), torch.zeros(())
    out_dtype = tensors[0].dtype
    for g in tensors[1:]:
        out_dtype = torch.promote_types(out_dtype, g.dtype)
    t = opmath_dtype(out_dtype)
    work = [g.to(t) for g in tensors]

    def total(ts: list[torch.Tensor]) -> torch.Tensor:
        norms = torch._foreach_norm(ts, p)
        return torch.linalg.vector_norm(torch.stack(list(norms)), p)

    scale = None  # the power of two the gradients were rescaled by, if any
    norm = total(work)
    if p != math.inf and has_values(norm):
        value = float(norm.detach())
        info = torch.finfo(t)
        low = (info.tiny / info.eps) ** (1.0 / p)  # below this, p-th powers lose digits
        if not (low <= value <= info.max) and not math.isnan(value):
            amax = max(float(g.detach().abs().max()) if g.numel() else 0.0 for g in work)
            if math.isfinite(amax) and amax > 0:
                # a power of two (exact), capped where the dtype could not hold it
                scale = math.ldexp(1.0, min(-math.frexp(amax)[1], math.frexp(info.max)[1] - 8))
                work = [g * scale for g in work]
                norm = total(work)
    if error_if_nonfinite and has_values(norm) and not bool(torch.isfinite(norm)):
        raise ValueError(f"grads has a non-finite total {p}-norm ({float(norm.detach())})")
    if scale is not None:
        # rescaled: ||g|| <= theta iff ||g s|| <= theta s; theta/||g|| g = theta/||g s|| (g s)
        keep = norm <= theta * scale
        shrink = theta / norm
        clipped = [
            torch.where(keep, g.to(t), w * shrink).to(g.dtype)
            for g, w in zip(tensors, work, strict=True)
        ]
        return (clipped[0] if single else clipped), (norm / scale).to(out_dtype)
    # min(1, theta/||g||); at ||g|| = 0 it is 1 with a zero gradient (theta/0 would give the
    # norm's gradient 0 * inf = NaN)
    zero = norm == 0
    safe = torch.where(zero, torch.ones_like(norm), norm)
    coefficient = torch.where(zero, torch.ones_like(norm), torch.clamp(theta / safe, max=1.0))
    if all(g.dtype == t and not g.requires_grad for g in tensors):  # foreach: no autograd
        clipped = list(torch._foreach_mul(work, coefficient))
    else:
        clipped = [(w * coefficient).to(g.dtype) for g, w in zip(tensors, work, strict=True)]
    return (clipped[0] if single else clipped), norm.to(out_dtype)
