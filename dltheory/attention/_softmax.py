r"""The masked softmax and softmax-weighted pooling behind :mod:`dltheory.attention.reference`.

Valid lengths (one per sequence or one per query) select the key positions of each row of
scores; rows are normalized after shifting by their maximum; large score tensors are processed
in blocks of rows of about :data:`BLOCK` elements, so that the passes over each block run in
cache. Private: the public functions validate their arguments and call these.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from dltheory.core.validation import check_bool, has_values, opmath_dtype

__all__ = ["BLOCK", "MaskedSoftmax", "attend", "valid_lengths"]


def valid_lengths(
    valid_lens: object, scores_shape: torch.Size, device: torch.device, validate: bool
) -> torch.Tensor | None:
    r"""The valid length of every row of scores of shape ``(..., n, m)`` (or ``(m,)``), as an
    integer tensor broadcastable to ``scores_shape[:-1]`` (``(..., 1)`` for one length per
    sequence); ``None`` when ``valid_lens`` is ``None``. Key position ``j`` of a row is valid
    when ``j < length``."""
    check_bool("validate", validate)
    if valid_lens is None:
        return None
    if not isinstance(valid_lens, torch.Tensor):
        raise TypeError(
            f"valid_lens must be a torch.Tensor or None, got {type(valid_lens).__name__}"
        )
    if valid_lens.is_floating_point() or valid_lens.is_complex() or valid_lens.dtype == torch.bool:
        raise TypeError(f"valid_lens must be an integer tensor, got dtype {valid_lens.dtype}")
    if valid_lens.device != device:
        raise ValueError(f"valid_lens is on {valid_lens.device} but the scores are on {device}")
    m = scores_shape[-1]
    per_query, per_sequence = scores_shape[:-1], scores_shape[:-2]
    if valid_lens.shape == per_query:
        lens = valid_lens
    elif len(scores_shape) >= 2 and valid_lens.shape == per_sequence:
        lens = valid_lens.unsqueeze(-1)
    else:
        raise ValueError(
            f"valid_lens has shape {tuple(valid_lens.shape)}, but scores of shape "
            f"{tuple(scores_shape)} need {tuple(per_sequence)} (one length per sequence) or "
            f"{tuple(per_query)} (one per query)"
        )
    if validate and valid_lens.numel() and has_values(valid_lens):
        lo, hi = (int(v) for v in torch.stack(torch.aminmax(valid_lens)).tolist())
        if lo < 0:
            raise ValueError(f"valid_lens contains {lo}; lengths must be >= 0")
        if hi > m:
            raise ValueError(f"valid_lens contains {hi}, longer than the {m} key positions")
    return lens


def mask_invalid(z: torch.Tensor, lens: torch.Tensor | None) -> torch.Tensor:
    """``z`` with the key positions at or beyond each row's length set to ``-inf`` (a new
    tensor; ``z`` itself when there are no lengths)."""
    if lens is None:
        return z
    keep = torch.arange(z.shape[-1], device=z.device) < lens.unsqueeze(-1)
    return torch.where(keep, z, torch.full((), -math.inf, dtype=z.dtype, device=z.device))


#: elements processed at once: larger score tensors are split into blocks of rows, so that the
#: passes over each block (mask, maximum, exponential, sum, division) run in cache
BLOCK = 2**18

#: :math:`\log_2 e`, for :math:`e^d = 2^{d \log_2 e}` (see :func:`pool_softmax`)
LOG2E = 1.0 / math.log(2.0)


# --- softmax over the valid positions ----------------------------------------------------------


def normalized_exp(z: torch.Tensor, empty: float) -> torch.Tensor:
    r""":math:`e^{z_j - M} / \sum_k e^{z_k - M}` along the last dimension, in place in a fresh
    buffer; rows whose maximum :math:`M` is ``-inf`` (nothing to normalize) get ``empty``, rows
    whose maximum is ``+inf`` or NaN are NaN.

    ``z`` must be a tensor the caller owns (it is overwritten).
    """
    m = z.amax(dim=-1, keepdim=True)
    finite = torch.isfinite(m)
    nothing = m == -math.inf
    shift = torch.where(finite, m, torch.zeros((), dtype=m.dtype, device=m.device))
    e = z.sub_(shift).exp_()
    total = e.sum(dim=-1, keepdim=True)
    # divide empty rows by 1 (they hold zeros) and rows with +inf or NaN by NaN (all NaN)
    one = torch.ones((), dtype=total.dtype, device=total.device)
    e.div_(torch.where(finite, total, torch.where(nothing, one, math.nan)))
    if empty != 0:  # rows with nothing left hold exact zeros already
        e.masked_fill_(nothing, empty)
    return e


def softmax_rows(x: torch.Tensor, lens: torch.Tensor | None, empty: float) -> torch.Tensor:
    """The masked softmax of ``x`` (any dtype) in its opmath dtype, rounded once to
    ``x.dtype``; large inputs block by block of rows, each block masked and normalized in
    place in its slice of the output (when no cast is needed)."""
    t = opmath_dtype(x.dtype)
    copy = t == x.dtype and lens is None  # else the mask or the cast makes a fresh tensor
    m = x.shape[-1]
    if x.numel() <= BLOCK or x.dim() == 1:
        z = mask_invalid(x.to(t), lens)
        return normalized_exp(z.clone() if copy else z, empty).to(x.dtype)
    # (sequences, n, m) blocks, so that one length per sequence keeps its mask (sequences,
    # 1, m) small; a sequence longer than a block is split into blocks of rows
    n = x.shape[-2]
    seqs, out = x.reshape(-1, n, m), torch.empty(x.shape, dtype=x.dtype, device=x.device)
    flat_out = out.view(-1, n, m)
    keep = None
    if lens is not None:
        keep = torch.arange(m, device=x.device) < lens.reshape(-1, lens.shape[-1], 1)
    rows = max(1, BLOCK // m)
    if n <= rows:
        step = rows // n
        parts = [(slice(s, s + step), slice(None)) for s in range(0, seqs.shape[0], step)]
    else:
        parts = [(slice(s, s + 1), slice(r, r + rows))
                 for s in range(seqs.shape[0]) for r in range(0, n, rows)]  # fmt: skip
    minus_inf = torch.full((), -math.inf, dtype=t, device=x.device)
    for seq, row in parts:
        block = seqs[seq, row].to(t)  # a view without a cast, else a fresh tensor
        target = flat_out[seq, row] if t == x.dtype else block  # normalized in place there
        if keep is not None:
            mask = keep[seq] if keep.shape[1] == 1 else keep[seq, row]
            torch.where(mask, block, minus_inf, out=target)
        elif target is not block:
            target.copy_(block)
        e = normalized_exp(target, empty)
        if t != x.dtype:
            flat_out[seq, row] = e
    return out


class MaskedSoftmax(torch.autograd.Function):
    """Softmax over each row's valid positions (all of them if ``lens`` is None)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, lens: torch.Tensor | None, empty: float):
        y = softmax_rows(x, lens, empty)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        # d y_i / d x_j = y_i ([i = j] - y_j) on the valid positions, 0 elsewhere (y = 0 there)
        (y,) = ctx.saved_tensors
        t = opmath_dtype(y.dtype)
        y_, g_ = y.to(t), grad.to(t)
        out = y_ * (g_ - (g_ * y_).sum(dim=-1, keepdim=True))
        return out.to(y.dtype), None, None


def attend(
    scores: Callable[[slice], torch.Tensor],
    lens: torch.Tensor | None,
    values: torch.Tensor,
    shape: torch.Size,
    width: int = 1,
) -> torch.Tensor:
    """Softmax-weighted pooling for scores of ``shape`` ``(..., n, m)`` given block by block of
    queries (``scores(rows)``, about :data:`BLOCK` entries times ``width`` at a time), the
    valid lengths sliced alike."""
    n, m = shape[-2], shape[-1]
    per_row = max(1, m * width * math.prod(shape[:-2]))
    rows = max(16, BLOCK // per_row)
    if rows >= n:
        return pool_softmax(scores(slice(None)), lens, values)
    blocks = []
    for start in range(0, n, rows):
        part = slice(start, start + rows)
        block_lens = lens if lens is None or lens.shape[-1] == 1 else lens[..., part]
        blocks.append(pool_softmax(scores(part), block_lens, values))
    return torch.cat(blocks, dim=-2)


def pool_softmax(
    scores: torch.Tensor, lens: torch.Tensor | None, values: torch.Tensor
) -> torch.Tensor:
    r""":math:`\operatorname{masked\_softmax}(\text{scores})\,\mathbf{V}`, normalized after
    pooling: :math:`(e^{\mathbf{a} - M} \mathbf{V}) / \sum_j e^{a_j - M}`, which divides the
    :math:`n \times v` output instead of the :math:`n \times m` weights. Plain differentiable
    operations (the shift :math:`M` is a constant: its gradient cancels), with the NaN/inf
    policy of :func:`masked_softmax`."""
    scores = mask_invalid(scores, lens)
    m = scores.detach().amax(dim=-1, keepdim=True)
    finite = torch.isfinite(m)
    # one n x m temporary, exponentiated in place (exp2's backward reads its own output).
    # exp(d) as 2^(d log2 e): rounding d log2 e adds a relative error of about eps |d| to a
    # weight e^d, i.e. at most eps/e to the pooled output, and torch.exp2 is two to three times
    # as fast as torch.exp on the CPU. (masked_softmax, whose output is the weights, uses exp.)
    e = torch.sub(scores, torch.where(finite, m, 0)).mul_(LOG2E).exp2_()
    total = e.sum(dim=-1, keepdim=True)
    one = torch.ones((), dtype=total.dtype, device=total.device)
    # empty rows: 0/1 = 0; rows with +inf or NaN: NaN
    denominator = torch.where(finite, total, torch.where(m == -math.inf, one, math.nan))
    return torch.matmul(e, values) / denominator
