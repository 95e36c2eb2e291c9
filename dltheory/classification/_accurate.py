r"""The accurate kernels behind :mod:`dltheory.classification.reference`.

The fused ``torch`` kernels do the bulk of the work; what they get wrong is recomputed: the
entries whose value is close to 0 (a confident prediction), where ``log`` of a rounded sum
near 1 keeps no relative accuracy, by ``log1p`` of the sum of the other terms (Blanchard,
Higham & Higham, *Accurately computing the log-sum-exp and softmax functions*, 2021).
Inputs arrive in the dtype the arithmetic is done in (float32 for half dtypes).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from dltheory.core.validation import has_values

__all__ = [
    "accurate_log_softmax",
    "accurate_logsumexp",
    "index_losses",
    "index_losses_and_probs",
    "softmax_losses",
]

_LOG_HALF = -math.log(2.0)
_SMALL_CALL = 1024  # elements up to which the cost of a call is its number of operations
_TOP = 0.5 + 2.0**-20  # a softmax entry above this is its row's unique largest, above 1/2


def _extreme(values: torch.Tensor, pick=max) -> float:
    """The largest (``pick=max``) or smallest (``min``) entry of a small tensor as a Python
    float: for up to two dimensions one copy to Python, cheaper than a reduction and a host
    read. A NaN may or may not be returned (Python's ``max`` and ``min`` compare it false);
    the callers treat NaN rows apart."""
    ndim = values.dim()
    if ndim == 2:
        return pick(map(pick, values.tolist()))
    if ndim == 1:
        return pick(values.tolist())
    if ndim == 0:
        return values.item()
    return (values.amax() if pick is max else values.amin()).item()


def _rows(mask: torch.Tensor, dim: int) -> tuple[torch.Tensor, ...]:
    """Indices of the slices along ``dim`` where ``mask`` (size 1 on ``dim``) holds, for a
    tensor whose dimension ``dim`` was moved last (so ``x.movedim(dim, -1)[rows]`` is 2-D)."""
    return mask.movedim(dim, -1).squeeze(-1).nonzero(as_tuple=True)


def _put(x: torch.Tensor, where: tuple[torch.Tensor, ...], values: torch.Tensor) -> torch.Tensor:
    """``x`` with ``values`` written at ``where``: in place unless autograd tracks ``x``."""
    if x.requires_grad or values.requires_grad:
        return x.index_put(where, values)
    return x.index_put_(where, values)


_BLOCK = 1 << 17  # entries per block of the shift corrections: cache-sized temporaries


def _rounding_of_shifts(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    r"""``lo`` with :math:`\mathrm{fl}(o_k - m) + \text{lo}_k = o_k - m` exactly (Knuth's
    TwoSum; NaN where an operand is not finite): two temporaries, the rest in place."""
    lo = x - shift
    back = lo - x  # the shift as it entered the rounded difference, negated
    lo.sub_(back)
    torch.sub(x, lo, out=lo)
    return lo.sub_(back.add_(shift))


def _weighted_rounding(x: torch.Tensor, shift: torch.Tensor, w: torch.Tensor, dim: int):
    """:func:`shift_corrections` of one block."""
    return _rounding_of_shifts(x, shift).mul_(w).nan_to_num_(0.0, 0.0, 0.0).sum(dim)


def shift_corrections(
    x: torch.Tensor, shift: torch.Tensor, weights: torch.Tensor, dim: int
) -> torch.Tensor:
    r""":math:`\sum_k w_k \text{lo}_k` along ``dim``, with :math:`\text{lo}_k` the rounding
    error of the shift: :math:`\mathrm{fl}(o_k - m) + \text{lo}_k = o_k - m` exactly (Knuth's
    TwoSum, six operations and no condition on the magnitudes); a term whose logit, shift or
    weight is not finite adds 0, the sum it spoils being left to the caller's policy.
    ``shift`` has size 1 along ``dim``; ``weights`` is shaped as ``x``. No graph.

    :math:`e^{\mathrm{fl}(o_k - m)}` carries the relative error :math:`\text{lo}_k`, up to
    half an ulp of the shift (four eps at a shift of 12, 256 at 600); a sum of such
    terms whose weight lies on a few of them keeps it, where
    :math:`\sum_k e_k + \sum_k e_k \text{lo}_k` does not. The work goes in blocks of rows
    whose temporaries stay in cache (a float64 temporary of the size of a 4096 x 1000 batch
    is a fresh mapping of memory at every call, slower than the arithmetic)."""
    with torch.no_grad():
        if x.dim() < 2 or dim == 0 or x.numel() <= _BLOCK:
            return _weighted_rounding(x, shift, weights, dim)
        rows = max(1, _BLOCK // x[0].numel())
        parts = [
            _weighted_rounding(x[i : i + rows], shift[i : i + rows], weights[i : i + rows], dim)
            for i in range(0, x.shape[0], rows)
        ]
        return torch.cat(parts)


def sum_of_others(
    others: torch.Tensor, x: torch.Tensor, dim: int, shift: torch.Tensor | None = None
) -> torch.Tensor:
    r""":math:`\sum_k e_k` along ``dim`` of the shifted exponentials ``others``
    (:math:`e^{o_k - m}` or the softmax's :math:`p_k`, the chosen entry set to 0) of the
    logits ``x`` shifted by ``shift`` (default: their maximum), in float64 corrected for the
    rounding of each shift: :math:`\sum_k e_k (1 + \text{lo}_k)` (:func:`shift_corrections`).
    float64 is where no wider type is at hand: float32 small calls are computed in float64,
    where the shift of two float32 values is exact wherever its term is not negligible, and
    float32 batches keep the fused kernel's shifts."""
    total = others.sum(dim)
    if x.dtype != torch.float64:
        return total
    if shift is None:
        shift = x.amax(dim, keepdim=True)
    return total + shift_corrections(x, shift, others, dim)


def _top_and_rest(
    p: torch.Tensor, logits: torch.Tensor
) -> tuple[torch.Tensor | None, torch.Tensor, torch.Tensor]:
    r"""For softmax rows ``p`` (2-D) whose largest entry :math:`p_c` may be above
    :math:`\frac12`: ``(found, cols, rest)``, with ``found`` the rows where it is (``None``
    for all of them), ``cols`` their :math:`c` and ``rest``
    :math:`\sum_{k \ne c} p_k / p_c = \sum_{k \ne c} e^{o_k - o_c}`, the sum whose ``log1p``
    is :math:`-\log p_c` (Blanchard, Higham & Higham, *Accurately computing the log-sum-exp
    and softmax functions*, 2021). Dividing by :math:`p_c` cancels the rounding of the
    softmax's common factor :math:`1/\sum_k e^{o_k - m}` (:math:`p_c` is that factor itself),
    so each term keeps the accuracy of its exponential. The rows' entries above
    :math:`\frac12 + 2^{-20}` are taken (at most one a row, whatever the softmax's rounding);
    a row whose largest entry lies within that margin of :math:`\frac12` is left out, its
    :math:`\log p_c \approx \log\frac12` being accurate already. ``logits`` are the rows
    ``p`` is the softmax of (:func:`sum_of_others`). ``p`` is overwritten unless autograd
    tracks it."""
    top = F.threshold(p, _TOP, 0.0)  # p_c where p_c > 1/2 + 2^-20, 0 elsewhere
    pc = top.amax(-1)
    size = p.shape[-1]
    with torch.no_grad():
        # (p_c c) / p_c rounds to c; confirmed below (a matrix product may round coarsely),
        # the columns found by argmax otherwise
        cols = torch.mv(top, torch.arange(size, dtype=p.dtype, device=p.device))
        cols = cols.div_(pc).round_().nan_to_num_(0.0).clamp_(0, size - 1).long().unsqueeze(-1)
        if not bool((top.gather(-1, cols).squeeze(-1) == pc).all()):
            cols = top.argmax(-1, keepdim=True)
        positive = pc > 0
        found = None if bool(positive.all()) else positive.nonzero().squeeze(-1)
    others = p.scatter(-1, cols, 0.0) if p.requires_grad else p.scatter_(-1, cols, 0.0)
    rest, cols = sum_of_others(others, logits, -1), cols.squeeze(-1)
    if found is not None:  # left-out rows divide by 0: no inf in a gradient to multiply by 0
        rest, pc, cols = rest[found], pc[found], cols[found]
    return found, cols, rest / pc


def accurate_log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    r"""``torch.log_softmax`` with its largest entry recomputed where that entry is above
    :math:`\log\frac12`.

    There :math:`\log\operatorname{softmax}(\mathbf{o})_c = -\log s` with
    :math:`s = \sum_k e^{o_k - m} < 2`, and ``log`` of the rounded :math:`s` keeps an absolute
    error of about one ulp of 1, which is no relative accuracy at all when :math:`\log s`
    is tiny (a confident prediction). Those entries become
    :math:`-\operatorname{log1p}(\sum_{k \ne c} e^{o_k - o_c})`; every other entry is at most
    :math:`\log\frac12` and already accurate to a few ulps. Rows far from confident cost one
    extra pass (the row maxima); the confident ones are copied and their softmax taken with
    the fused kernel (three times cheaper than ``torch.exp``), from which
    :func:`_top_and_rest` finds the largest entry and the sum of the others.
    """
    size = x.numel()
    if x.dim() == 1 and size > _SMALL_CALL:  # one slice: a batch dimension for indexing
        return accurate_log_softmax(x.unsqueeze(0), 1).squeeze(0)
    y = torch.log_softmax(x, dim)
    if size == 0 or not has_values(x):
        return y
    if size <= _SMALL_CALL:  # a small call: one check, then fixed everywhere at once
        if not _extreme(y) > _LOG_HALF:  # no confident row (NaN rows stay NaN)
            return y
        if x.dtype == torch.float32:  # float64 rounds correctly to float32 unless log s < 2e-9
            y64 = torch.log_softmax(x, dim, dtype=torch.float64)
            if _extreme(y64) < -1e-8:
                return y64.float()
            return _fixed_small_call(x.double(), y64, dim).float()  # the fix, in float64
        return _fixed_small_call(x, y, dim)
    moved = x.movedim(dim, -1)
    # amax: far cheaper than max with indices
    near = (y.amax(dim, keepdim=True) > _LOG_HALF).movedim(dim, -1).reshape(-1)
    where = near.nonzero().squeeze(-1)  # the confident rows, as rows of moved.flatten(0, -2)
    if where.numel() == 0:
        return y
    if moved.is_contiguous():  # index_select: far cheaper than indexing with a tensor
        flat = moved.view(-1, moved.shape[-1])
        sel = flat if where.numel() == near.numel() else flat.index_select(0, where)
    else:  # the confident rows alone, not a copy of the whole tensor first
        sel = moved[torch.unravel_index(where, moved.shape[:-1])]
    found, cols, rest = _top_and_rest(torch.softmax(sel, -1), sel)
    if found is not None:
        where = where[found]
    rows = (where,) if moved.dim() == 2 else torch.unravel_index(where, moved.shape[:-1])
    return _put(y.movedim(dim, -1), (*rows, cols), -torch.log1p(rest)).movedim(-1, dim)


def _fixed_small_call(x: torch.Tensor, y: torch.Tensor, dim: int) -> torch.Tensor:
    r"""``y = torch.log_softmax(x, dim)`` of a small call with the largest entry of every row
    above :math:`\log\frac12` recomputed as :math:`-\operatorname{log1p}` of the sum of the
    others (:func:`sum_of_others`), all rows at once."""
    near = y.amax(dim, keepdim=True) > _LOG_HALF
    m = x.amax(dim, keepdim=True)
    top = x == m  # in a row with p_max > 1/2 the maximum is unique and others' e < 1
    rest = sum_of_others(torch.exp(x - m).masked_fill(top, 0.0), x, dim, m).unsqueeze(dim)
    return torch.where(top & near, -torch.log1p(rest), y)


def accurate_logsumexp(x: torch.Tensor, dim: int) -> torch.Tensor:
    r"""``torch.logsumexp`` (keepdim) with the results below 1 in magnitude recomputed as
    :math:`m + \operatorname{log1p}(\sum_{k} e^{o_k - m} - 1)`.

    The built-in's :math:`m + \log s` carries an absolute error of about one ulp of 1 from
    :math:`\log s`, which is a large relative error only when the result itself is small;
    there the sum of the terms other than the maximal one (each :math:`e^{o_k - m} < 1`, so
    their fractional parts) keeps :math:`\log s` accurate to a few ulps.
    """
    if x.dim() == 1:
        return accurate_logsumexp(x.unsqueeze(0), 1).squeeze(0)
    out = torch.logsumexp(x, dim, keepdim=True)
    if not has_values(x):
        return out
    small = out.abs() < 1
    if not bool(small.any()):
        return out
    rows = _rows(small, dim)
    sel = x.movedim(dim, -1)[rows]
    m = sel.amax(-1, keepdim=True)
    e = torch.exp(sel - m)
    s = e.sum(-1)
    log_s = torch.where(s < 2, torch.log1p(torch.frac(e).sum(-1)), torch.log(s))
    return _put(
        out.movedim(dim, -1), (*rows, torch.zeros_like(rows[0])), m.squeeze(-1) + log_s
    ).movedim(-1, dim)


_LOG_TWO = math.log(2.0)


def _relative_losses(x: torch.Tensor, index: torch.Tensor, cdim: int) -> torch.Tensor:
    r""":math:`\operatorname{log1p}(\sum_{k \ne c} e^{o_k - o_c})` for every sample: one pass
    of exponentials relative to the target's logit, accurate to a few ulps whether the loss is
    large or tiny. Samples whose sum overflows (the target's logit far below another, or
    infinite or NaN logits) are taken from ``torch.nn.functional.cross_entropy``, whose
    maximum shift cannot overflow and whose absolute error is small against such a loss."""
    c = index.unsqueeze(cdim)
    chosen = x.gather(cdim, c)
    others = torch.sub(x, chosen).exp_().scatter_(cdim, c, 0.0)
    loss = torch.log1p(sum_of_others(others, x, cdim, chosen))
    if not has_values(x) or loss.numel() == 0:
        return loss
    # an infinite or NaN target logit leaves nothing to shift by (and a single class no sum)
    overflow = torch.isinf(loss) | ~torch.isfinite(chosen.squeeze(cdim))
    if bool(overflow.any()):
        loss = torch.where(overflow, F.cross_entropy(x, index, reduction="none"), loss)
    return loss


def softmax_losses(
    x: torch.Tensor, index: torch.Tensor, cdim: int
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``(losses, probs)``: per-sample :math:`-\log\operatorname{softmax}(\mathbf{o})_c`
    for class indices (``index`` int64) from one pass of the fused ``torch.softmax``, and that
    softmax (what the backward pass needs besides the loss; the targets' entries may have
    been set to 0).

    A sample whose :math:`p_c` is at most :math:`\frac14` (loss at least :math:`\log 4`)
    gets :math:`-\log p_c`: :math:`p_c` is accurate to a few ulps, so its log is to a few
    ulps of the loss. The others get :math:`\operatorname{log1p}(q / p_c) =
    \operatorname{log1p}(\sum_{k \ne c} e^{o_k - o_c})` with :math:`q = \sum_{k \ne c}
    p_k`, accurate however small the loss: the ratio cancels the softmax's rounded common
    factor :math:`1/\sum_k e^{o_k - m}`, and ``log1p`` keeps the relative accuracy of a small
    sum (Blanchard, Higham & Higham, 2021); the sums are taken over those rows only when
    they are few. Samples whose :math:`p_c` is below the smallest normal number (0 when
    :math:`o_c` is far below the maximum; NaN for NaN or infinite logits) are taken from
    ``torch.nn.functional.cross_entropy``, whose absolute error is small against such a
    loss and whose NaN and inf policy is the one to follow."""
    c = index.unsqueeze(cdim)
    probs = torch.softmax(x, cdim)
    pc = probs.gather(cdim, c).squeeze(cdim)
    losses = torch.log(pc).neg_()
    # p_c > 1/4 keeps the target's own shift o_c - m above -log 4, rounded by at most
    # 2^-53, and where o_c < m the loss is at least log 2: left as it is, under 0.4 eps
    near = pc > 0.25
    rows = near.nonzero().squeeze(-1) if x.dim() == 2 else None
    if rows is None or 4 * rows.numel() > near.numel():  # the sums of every row
        others = probs.scatter_(cdim, c, 0.0)
        rest = sum_of_others(others, x, cdim)
        losses = torch.where(near, torch.log1p(rest.div_(pc)), losses)
    elif rows.numel():  # those of the few rows where p_c > 1/4
        others = probs.index_select(0, rows).scatter_(1, c[rows], 0.0)
        q = sum_of_others(others, x.index_select(0, rows), 1)
        losses.index_put_((rows,), torch.log1p(q.div_(pc[rows])))
    bad = ~(pc >= torch.finfo(x.dtype).tiny)
    if losses.numel() and bool(bad.any()):
        where = bad.nonzero(as_tuple=True)
        worst = F.cross_entropy(x.movedim(cdim, -1)[where], index[where], reduction="none")
        losses.index_put_(where, worst)
    return losses, probs


def index_losses_and_probs(
    x: torch.Tensor, index: torch.Tensor, cdim: int, *, summed: bool = False
) -> tuple[torch.Tensor, torch.Tensor | None]:
    r"""Per-sample :math:`-\log\operatorname{softmax}(\mathbf{o})_c` for class indices
    (``index`` int64), without a graph, and for a large call the softmax they were computed
    from (the targets' entries possibly set to 0: :func:`softmax_losses`), ``None`` for a
    small one, whose softmax is cheaper to recompute than to keep.

    ``torch.nn.functional.cross_entropy`` computes :math:`\log s - (o_c - m)`, fused and
    accurate to a few ulps except where the loss is below :math:`\log 2`: then :math:`o_c`
    is the maximum and the loss is :math:`\log s` alone, whose rounding error is about one
    ulp of 1. A small call takes the built-in and recomputes those samples as
    :math:`\operatorname{log1p}(\sum_{k \ne c} e^{o_k - o_c})`; a large one computes every
    sample from the fused softmax (:func:`softmax_losses`), one pass that costs about what
    the built-in does, confident or not. With ``summed`` (a single sample whose loss the
    caller reduces) a small call may return it 0-d.
    """
    if 0 < x.numel() <= _SMALL_CALL and has_values(x):  # a small call: one check
        loss = F.cross_entropy(x, index, reduction="sum" if summed else "none")
        if not _extreme(loss, min) < _LOG_TWO:  # no confident sample (NaN losses stay NaN)
            return loss, None
        if summed:
            loss = F.cross_entropy(x, index, reduction="none")
        if x.dtype == torch.float32:  # float64 rounds correctly to float32 unless a loss < 2e-9
            loss64 = F.cross_entropy(x.double(), index, reduction="none")
            if _extreme(loss64, min) > 1e-8:
                return loss64.float(), None
            return _relative_losses(x.double(), index, cdim).float(), None  # in float64
        return _relative_losses(x, index, cdim), None
    if x.dim() == 1:  # one sample: a batch dimension for indexing
        losses, probs = index_losses_and_probs(x.unsqueeze(0), index.unsqueeze(0), 1)
        return losses.squeeze(0), None if probs is None else probs.squeeze(0)
    if not has_values(x) or x.shape[0] == 0:
        return _relative_losses(x, index, cdim), None
    return softmax_losses(x, index, cdim)


def index_losses(
    x: torch.Tensor, index: torch.Tensor, cdim: int, *, summed: bool = False
) -> torch.Tensor:
    """The losses of :func:`index_losses_and_probs` alone."""
    return index_losses_and_probs(x, index, cdim, summed=summed)[0]
