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

__all__ = ["accurate_log_softmax", "accurate_logsumexp", "index_losses"]

_LOG_HALF = -math.log(2.0)
_SMALL_CALL = 1024  # elements up to which the cost of a call is its number of operations


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


def _log1p_rest(rows: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    r""":math:`\operatorname{log1p}\bigl(\sum_{k \ne c} e^{o_k - o_c}\bigr)` for each row of
    ``rows`` (a 2-D copy, overwritten) at its column ``c`` (shape ``(R, 1)``):
    :math:`-\log\operatorname{softmax}(\mathbf{o})_c`, accurate to a few ulps when :math:`o_c`
    is the maximum, however close to 0 the result is (Blanchard, Higham & Higham,
    *Accurately computing the log-sum-exp and softmax functions*, 2021)."""
    if rows.requires_grad:
        others = torch.exp(rows - rows.gather(-1, c)).scatter(-1, c, 0.0)
    else:  # ``rows`` is the caller's scratch copy: reuse it
        others = rows.sub_(rows.gather(-1, c)).exp_().scatter_(-1, c, 0.0)
    return torch.log1p(others.sum(-1))


def accurate_log_softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    r"""``torch.log_softmax`` with its largest entry recomputed where that entry is above
    :math:`\log\frac12`.

    There :math:`\log\operatorname{softmax}(\mathbf{o})_c = -\log s` with
    :math:`s = \sum_k e^{o_k - m} < 2`, and ``log`` of the rounded :math:`s` keeps an absolute
    error of about one ulp of 1, which is no relative accuracy at all when :math:`\log s`
    is tiny (a confident prediction). Those entries become
    :math:`-\operatorname{log1p}(\sum_{k \ne c} e^{o_k - o_c})`; every other entry is at most
    :math:`\log\frac12` and already accurate to a few ulps. Rows far from confident cost one
    extra pass (the row maxima).
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
        near = y.amax(dim, keepdim=True) > _LOG_HALF
        m = x.amax(dim, keepdim=True)
        top = x == m  # in a row with p_max > 1/2 the maximum is unique and others' e < 1
        rest = torch.exp(x - m).masked_fill(top, 0.0).sum(dim, keepdim=True)
        return torch.where(top & near, -torch.log1p(rest), y)
    near = y.amax(dim, keepdim=True) > _LOG_HALF  # amax: far cheaper than max with indices
    if not bool(near.any()):
        return y
    rows = _rows(near, dim)
    sel = x.movedim(dim, -1)[rows]
    cols = sel.argmax(-1, keepdim=True)
    fixed = -_log1p_rest(sel, cols)
    return _put(y.movedim(dim, -1), (*rows, cols.squeeze(-1)), fixed).movedim(-1, dim)


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
_PROBE = 64  # samples whose losses decide how a large batch is computed


def _relative_losses(x: torch.Tensor, index: torch.Tensor, cdim: int) -> torch.Tensor:
    r""":math:`\operatorname{log1p}(\sum_{k \ne c} e^{o_k - o_c})` for every sample: one pass
    of exponentials relative to the target's logit, accurate to a few ulps whether the loss is
    large or tiny. Samples whose sum overflows (the target's logit far below another, or
    infinite or NaN logits) are taken from ``torch.nn.functional.cross_entropy``, whose
    maximum shift cannot overflow and whose absolute error is small against such a loss."""
    c = index.unsqueeze(cdim)
    chosen = x.gather(cdim, c)
    others = torch.sub(x, chosen).exp_().scatter_(cdim, c, 0.0)
    loss = torch.log1p(others.sum(cdim))
    if not has_values(x) or loss.numel() == 0:
        return loss
    # an infinite or NaN target logit leaves nothing to shift by (and a single class no sum)
    overflow = torch.isinf(loss) | ~torch.isfinite(chosen.squeeze(cdim))
    if bool(overflow.any()):
        loss = torch.where(overflow, F.cross_entropy(x, index, reduction="none"), loss)
    return loss


def index_losses(
    x: torch.Tensor, index: torch.Tensor, cdim: int, *, summed: bool = False
) -> torch.Tensor:
    r"""Per-sample :math:`-\log\operatorname{softmax}(\mathbf{o})_c` for class indices
    (``index`` int64), without a graph.

    ``torch.nn.functional.cross_entropy`` computes :math:`\log s - (o_c - m)`, fused and
    accurate to a few ulps except where the loss is below :math:`\log 2`: then :math:`o_c`
    is the maximum and the loss is :math:`\log s` alone, whose rounding error is about one
    ulp of 1. Those samples are recomputed as :math:`\operatorname{log1p}(\sum_{k \ne c}
    e^{o_k - o_c})`. When most samples of a batch are that confident (judged on its first
    64), the whole batch is computed that way instead of twice. With ``summed`` (a single
    sample whose loss the caller reduces) a small call may return it 0-d.
    """
    if 0 < x.numel() <= _SMALL_CALL and has_values(x):  # a small call: one check
        loss = F.cross_entropy(x, index, reduction="sum" if summed else "none")
        if not _extreme(loss, min) < _LOG_TWO:  # no confident sample (NaN losses stay NaN)
            return loss
        if summed:
            loss = F.cross_entropy(x, index, reduction="none")
        if x.dtype == torch.float32:  # float64 rounds correctly to float32 unless a loss < 2e-9
            loss64 = F.cross_entropy(x.double(), index, reduction="none")
            if _extreme(loss64, min) > 1e-8:
                return loss64.float()
        return _relative_losses(x, index, cdim)
    if x.dim() == 1:
        return index_losses(x.unsqueeze(0), index.unsqueeze(0), 1).squeeze(0)
    if not has_values(x) or x.shape[0] == 0:
        return _relative_losses(x, index, cdim)
    if x.shape[0] > _PROBE:
        probe = F.cross_entropy(x[:_PROBE], index[:_PROBE], reduction="none")
        if 2 * int((probe < _LOG_TWO).sum()) > probe.numel():
            return _relative_losses(x, index, cdim)
    loss = F.cross_entropy(x, index, reduction="none")
    near = loss < _LOG_TWO
    if not bool(near.any()):
        return loss
    if 2 * int(near.sum()) > near.numel():
        return _relative_losses(x, index, cdim)
    rows = near.nonzero(as_tuple=True)
    return _put(loss, rows, _log1p_rest(x.movedim(cdim, -1)[rows], index[rows].unsqueeze(-1)))
