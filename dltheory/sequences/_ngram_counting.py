"""Argument checks, masks of padded sequences and n-gram counting for
:mod:`dltheory.sequences.reference` (the functions users call live there)."""

from __future__ import annotations

import torch

from dltheory.core.validation import (
    check_bool,
    check_int,
    check_same_device,
    has_values,
)


def _check_tokens(name: str, tokens: object) -> torch.Tensor:
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tokens).__name__}")
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise TypeError(f"{name} must be an integer tensor of token ids, got dtype {tokens.dtype}")
    return tokens


def _check_range(name: str, ids: torch.Tensor, m: int) -> None:
    if ids.numel() and has_values(ids):
        lo, hi = int(ids.min()), int(ids.max())
        if lo < 0 or hi >= m:
            raise ValueError(f"{name} contains token id {lo if lo < 0 else hi}, outside [0, {m})")


def _lengths_mask(
    lengths: object, batch: int, steps: int, device: torch.device
) -> torch.Tensor | None:
    """The ``(N, T)`` mask of positions ``t < lengths[n]`` (``None`` when no lengths)."""
    if lengths is None:
        return None
    if isinstance(lengths, list | tuple):
        lengths = torch.tensor(lengths, dtype=torch.int64)
    lengths = _check_tokens("lengths", lengths)
    if tuple(lengths.shape) != (batch,):
        raise ValueError(f"lengths must have shape ({batch},), got {tuple(lengths.shape)}")
    if lengths.numel() and has_values(lengths):
        lo, hi = int(lengths.min()), int(lengths.max())
        if lo < 1:
            raise ValueError(f"lengths contains {lo}: an empty sequence has no probability")
        if hi > steps:
            raise ValueError(f"lengths contains {hi}, longer than the sequences ({steps} steps)")
    positions = torch.arange(steps, device=device)
    return positions.unsqueeze(0) < lengths.to(device).unsqueeze(1)


def _token_list(tokens: object) -> list[torch.Tensor]:
    """``tokens`` as a list of 1-D integer tensors (one per sentence)."""
    if isinstance(tokens, torch.Tensor):
        sentences = [tokens]
    elif isinstance(tokens, list | tuple):
        sentences = list(tokens)
    else:
        raise TypeError(
            f"tokens must be a 1-D integer tensor or a list of them, got {type(tokens).__name__}"
        )
    for s in sentences:
        _check_tokens("tokens", s)
        if s.dim() != 1:
            raise ValueError(
                f"tokens must be 1-D sequences of token ids, got shape {tuple(s.shape)}"
            )
    return sentences


def _ngram_counts(sentences: list[torch.Tensor], order: int, m: int) -> torch.Tensor:
    """Dense count tensor ``(m,) * order`` of the n-grams inside each sentence."""
    index = []
    for s in sentences:
        s = s.to(torch.int64)
        if s.numel() >= order:
            flat = torch.zeros(s.numel() - order + 1, dtype=torch.int64, device=s.device)
            for k in range(order):
                flat = flat * m + s[k : s.numel() - order + 1 + k]
            index.append(flat)
    device = sentences[0].device if sentences else torch.device("cpu")
    if not index:
        return torch.zeros((m,) * order, dtype=torch.int64, device=device)
    flat = torch.cat(index)
    counts = torch.zeros(m**order, dtype=torch.int64, device=device)
    counts.index_add_(0, flat, torch.ones_like(flat))  # bincount, where shapes need no values
    return counts.reshape((m,) * order)


def _vocab_size(vocab_size: object, sentences: list[torch.Tensor]) -> int:
    if vocab_size is not None:
        m = check_int("vocab_size", vocab_size, minimum=1)
    else:
        nonempty = [s for s in sentences if s.numel()]
        if not nonempty:
            raise ValueError("tokens is empty, so vocab_size cannot be inferred; pass it")
        if not has_values(*nonempty):
            raise ValueError(
                "tokens is on the meta device, so vocab_size cannot be inferred; pass it"
            )
        m = max(int(s.max()) for s in nonempty) + 1
    for s in sentences:
        _check_range("tokens", s, m)
    return m


def _check_counts(
    name: str, counts: object, order: int, m: int | None, validate: bool
) -> torch.Tensor:
    if not isinstance(counts, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(counts).__name__}")
    if counts.dtype == torch.bool or counts.is_complex():
        raise TypeError(f"{name} must hold counts (integer or floating), got dtype {counts.dtype}")
    side = counts.shape[0] if counts.dim() else 0
    if counts.dim() != order or side == 0 or any(s != side for s in counts.shape):
        raise ValueError(
            f"{name} must have shape (m,) * {order} with m >= 1, got {tuple(counts.shape)}"
        )
    if m is not None and side != m:
        raise ValueError(f"{name} has {side} tokens per side but vocab_size is {m}")
    if validate and counts.numel() and has_values(counts):
        if counts.is_floating_point() and not bool(torch.isfinite(counts).all()):
            what = "NaN" if bool(torch.isnan(counts).any()) else "an infinite entry"
            raise ValueError(f"{name} contains {what}; counts must be finite")
        if bool((counts < 0).any()):
            raise ValueError(f"{name} has a negative entry; counts must be >= 0")
    return counts


def _result_dtype(dtype: object, *tensors: torch.Tensor | None) -> torch.dtype:
    if dtype is not None:
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
        return dtype
    floating = [t.dtype for t in tensors if t is not None and t.is_floating_point()]
    out = floating[0] if floating else torch.get_default_dtype()
    for d in floating[1:]:
        out = torch.promote_types(out, d)
    return out


def _smoothed(
    counts: torch.Tensor, backoff: torch.Tensor | float, eps: float, t: torch.dtype
) -> torch.Tensor:
    r""":math:`(c + \epsilon\,b) / (\sum_{\text{last}} c + \epsilon)` along the last dimension.

    A row whose sum overflows is scaled by a power of two :math:`s` (numerator and
    denominator alike, so exactly the same fraction) that brings its sum below 1.
    """
    c = counts.to(t)
    total = c.sum(dim=-1, keepdim=True)
    if has_values(total) and not bool(torch.isfinite(total).all()):
        amax = c.detach().amax(dim=-1, keepdim=True)
        _, exponent = torch.frexp(amax)
        shift = exponent + (c.shape[-1] - 1).bit_length()  # s * sum < 1
        shift = torch.where(torch.isinf(total) & torch.isfinite(amax), shift, 0)
        s = torch.ldexp(torch.ones_like(amax), -shift)
        c = c * s
        return (c + eps * s * backoff) / (c.sum(dim=-1, keepdim=True) + eps * s)
    return (c + eps * backoff) / (total + eps)


def _counts_and_unigram(
    order: int,
    tokens: object,
    counts: object,
    unigram_counts: object,
    vocab_size: object,
    validate: object,
) -> tuple[torch.Tensor, torch.Tensor]:
    validate = check_bool("validate", validate)
    if (tokens is None) == (counts is None):
        raise ValueError("pass exactly one of tokens or counts")
    if tokens is not None:
        if unigram_counts is not None:
            raise ValueError("unigram_counts goes with counts; from tokens it is counted")
        sentences = _token_list(tokens)
        m = _vocab_size(vocab_size, sentences)
        ngrams = _ngram_counts(sentences, order, m)
        return ngrams, _ngram_counts(sentences, 1, m) if order > 1 else ngrams
    side = None if vocab_size is None else check_int("vocab_size", vocab_size, minimum=1)
    ngrams = _check_counts("counts", counts, order, side, validate)
    if order == 1:
        return ngrams, ngrams
    if unigram_counts is None:
        raise ValueError(
            "unigram_counts is required with counts: the smoothed unigram it gives is the "
            "backoff distribution"
        )
    unigram = _check_counts("unigram_counts", unigram_counts, 1, ngrams.shape[0], validate)
    check_same_device("unigram_counts", unigram, "counts", ngrams)
    return ngrams, unigram
