r"""The masked softmax and softmax-weighted pooling behind :mod:`dltheory.attention.reference`.

Valid lengths (one per sequence or one per query) select the key positions of each row of
scores. The softmax is ``torch.softmax`` (one fused pass: maximum, exponential, sum and
division) of the scores with the positions at or beyond each row's length set to ``-inf``, so
that their weights are exactly :math:`e^{-\infty} = 0` (large tensors get a bias of 0 and
``-inf`` added instead of a boolean fill: see :func:`masked_scores`). The fused kernel gives
NaN to a row with nothing to normalize (every entry ``-inf``); such rows are found from the
output (the first entry of every row, read once) and set to the documented value, and the
backward pass reads the repaired output, so their gradient is 0. Scores of attention are
formed, normalized and pooled in blocks of queries of about :data:`BLOCK` elements, so that
the passes over each block run in cache. Private: the public functions validate their
arguments and call these.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from dltheory.core.validation import check_bool, has_values, opmath_dtype

__all__ = [
    "BLOCK",
    "MaskedSoftmax",
    "attend",
    "length_bias",
    "masked_scores",
    "masked_softmax",
    "softmax",
    "valid_lengths",
]

#: lengths read to the host as one Python list for the range check (one small copy instead of
#: two reductions and a host read); larger tensors are reduced on their device first
SMALL_LENGTHS = 1024

#: score tensors up to this many entries are masked through the boolean mask, larger ones by
#: adding a bias of 0 and -inf (see :func:`masked_scores`)
SMALL_SCORES = 2**14

#: rows whose first weights are read as one Python list to find the NaN rows (a small call);
#: above this, ``isnan(...).any()`` on the device
SMALL_ROWS = 64


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
    count = valid_lens.numel()
    if validate and count and has_values(valid_lens):
        if count <= SMALL_LENGTHS:  # one copy to Python
            flat = valid_lens.tolist() if valid_lens.dim() == 1 else valid_lens.reshape(-1).tolist()
            lo, hi = min(flat), max(flat)
        else:
            lo, hi = (int(v) for v in torch.stack(torch.aminmax(valid_lens)).tolist())
        if lo < 0:
            raise ValueError(f"valid_lens contains {lo}; lengths must be >= 0")
        if hi > m:
            raise ValueError(f"valid_lens contains {hi}, longer than the {m} key positions")
    return lens


def masked_scores(
    z: torch.Tensor, lens: torch.Tensor | None, owned: bool = False
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``(scores, bias)``: ``z`` with the key positions at or beyond each row's length set to
    ``-inf`` (a new tensor, or ``z`` itself when there are no lengths or when ``owned``, a
    temporary of the caller's changed in place).

    Small score tensors are filled through the boolean mask (``bias`` is ``None``). Larger ones
    get the :func:`length_bias` added, one vectorized pass where ``masked_fill`` reads a mask
    entry by entry; the bias is returned, since a masked position holding NaN or ``+inf`` is
    NaN after the addition and :func:`softmax` must then fill them from it."""
    if lens is None:
        return z, None
    m = z.shape[-1]
    # in place only where the mask does not broadcast z to more batch dimensions (the values'
    # batch dimensions may outnumber those of the queries and keys)
    owned = owned and torch.broadcast_shapes(z.shape, (*lens.shape, m)) == z.shape
    if z.numel() <= SMALL_SCORES:
        drop = torch.arange(m, device=z.device) >= lens.unsqueeze(-1)
        return (z.masked_fill_(drop, -math.inf) if owned else z.masked_fill(drop, -math.inf)), None
    bias = length_bias(lens, m, z.dtype)
    return (z.add_(bias) if owned else z + bias), bias


def length_bias(lens: torch.Tensor, m: int, dtype: torch.dtype) -> torch.Tensor:
    """``0`` at the valid key positions and ``-inf`` at the others, ``lens.shape + (m,)``,
    lengths outside ``[0, m]`` acting as clamped. Built from the mask when there are at most
    ``m + 1`` lengths, else gathered from the table of the ``m + 1`` possible rows (a copy per
    row)."""
    j = torch.arange(m, device=lens.device)
    if lens.numel() <= m + 1:
        drop = j >= lens.unsqueeze(-1)
        return torch.zeros(drop.shape, dtype=dtype, device=lens.device).masked_fill_(
            drop, -math.inf
        )
    rows = torch.arange(m + 1, device=lens.device).unsqueeze(-1)
    table = torch.zeros((m + 1, m), dtype=dtype, device=lens.device)
    return table.masked_fill_(j >= rows, -math.inf)[lens.clamp(0, m).long()]


#: elements processed at once: the scores of attention are formed, normalized and pooled in
#: blocks of queries of about this many entries, so that the passes over each block run in cache
BLOCK = 2**18


# --- softmax over the valid positions ----------------------------------------------------------


def _nan_rows(y: torch.Tensor) -> bool:
    """Whether some row of ``y`` (normalized along the last dimension) is NaN. The fused softmax
    makes a row NaN all along or nowhere, so the first entry of each row tells."""
    first = y.select(-1, 0)
    if first.numel() <= SMALL_ROWS:  # one copy to Python, no reduction
        if y.dim() == 1:
            value = first.item()
            return value != value
        values = first.tolist() if y.dim() == 2 else first.reshape(-1).tolist()
        return any(v != v for v in values)
    return bool(torch.isnan(first).any())


def softmax(z: torch.Tensor, empty: float, bias: torch.Tensor | None = None) -> torch.Tensor:
    r"""``torch.softmax`` of ``z`` (scores masked by :func:`masked_scores`) along the last
    dimension in ``z``'s opmath dtype, rounded once to ``z.dtype``, with the rows of only
    ``-inf`` (nothing to normalize) set to ``empty``; rows with a valid ``+inf`` or NaN stay
    NaN. A fresh tensor.

    Where the fused result has NaN rows (rare: a row with nothing to normalize, a valid
    ``+inf`` or NaN, or, with a ``bias``, a masked position that held NaN or ``+inf``), the
    rows whose maximum is ``-inf`` are set to ``empty``; if others remain and there is a
    ``bias``, the softmax is taken again with the masked positions set to ``-inf``."""
    t = opmath_dtype(z.dtype)
    y = _fused(z, t)
    if (empty == empty or bias is not None) and y.numel() and has_values(y) and _nan_rows(y):
        nothing = z.amax(dim=-1, keepdim=True) == -math.inf  # NaN rows compare False
        if bias is not None and bool((torch.isnan(y.narrow(-1, 0, 1)) & ~nothing).any()):
            z = z.masked_fill(bias < 0, -math.inf)  # NaN or +inf padding plus -inf is NaN
            y = _fused(z, t)
            nothing = z.amax(dim=-1, keepdim=True) == -math.inf
        if empty == empty:
            y.masked_fill_(nothing, empty)
    return y


def _fused(z: torch.Tensor, t: torch.dtype) -> torch.Tensor:
    return torch.softmax(z, -1) if t == z.dtype else torch.softmax(z, -1, dtype=t).to(z.dtype)


class MaskedSoftmax(torch.autograd.Function):
    """:func:`softmax` of masked scores (``-inf``, or the ``bias`` added, at the masked
    positions): the fused kernel's result, whose backward pass reads the output with the empty
    rows set to ``empty`` (0 for the weights of masked positions and of empty rows)."""

    @staticmethod
    def forward(ctx, z: torch.Tensor, empty: float, bias: torch.Tensor | None):
        y = softmax(z, empty, bias)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        # d y_i / d z_j = y_i ([i = j] - y_j): 0 wherever y = 0 (masked positions, empty rows)
        (y,) = ctx.saved_tensors
        t = opmath_dtype(y.dtype)
        y_, g_ = y.to(t), grad.to(t)
        out = y_ * (g_ - (g_ * y_).sum(dim=-1, keepdim=True))
        return out.to(y.dtype), None, None


def masked_softmax(z: torch.Tensor, empty: float, bias: torch.Tensor | None = None) -> torch.Tensor:
    """:class:`MaskedSoftmax` of masked scores, through autograd only where a gradient is
    wanted (a microsecond counts in small calls)."""
    if torch.is_grad_enabled() and z.requires_grad:
        return MaskedSoftmax.apply(z, empty, bias)
    return softmax(z, empty, bias)


# --- attention pooling -------------------------------------------------------------------------


def attend(
    scores: Callable[[slice], torch.Tensor],
    lens: torch.Tensor | None,
    values: torch.Tensor,
    shape: torch.Size,
    width: int = 1,
) -> torch.Tensor:
    """Softmax-weighted pooling for scores of ``shape`` ``(..., n, m)`` given block by block of
    queries (``scores(rows)``, a fresh tensor of about :data:`BLOCK` entries times ``width``
    at a time), the valid lengths sliced alike."""
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
    r""":math:`\operatorname{masked\_softmax}(\text{scores})\,\mathbf{V}` for a fresh tensor of
    scores (masked in place): the fused softmax, then one matrix product, with the NaN/inf
    policy of :func:`masked_softmax` (a row with nothing to normalize pools to zero)."""
    z, bias = masked_scores(scores, lens, owned=True)
    return torch.matmul(masked_softmax(z, 0.0, bias), values)
