r"""The two elementwise terms every discrete information measure is built from.

* :func:`xlogy` — :math:`x \log y` with :math:`0 \log y = 0` (entropy, cross-entropy);
* :func:`rel_entr` — :math:`p \log \bigl(p / \prod_k q_k\bigr)` with :math:`0 \log(0/\cdot) = 0`
  and :math:`+\infty` where :math:`p > 0 = \prod_k q_k` (KL divergence, conditional entropy,
  mutual information).

Both are ``torch.autograd.Function`` objects with hand-written backward passes, so that the
gradient at exact zeros follows the one-sided derivative of the term and is never NaN:

* :math:`\partial_y (x \log y) = x / y` is exactly ``0`` where :math:`x = 0` (also at
  :math:`y = 0`), and :math:`\partial_x (x \log y) = \log y` is :math:`-\infty` at :math:`y = 0`;
* :math:`\partial_p\, p\log(p/q) = \log(p/q) + 1`, which is :math:`-\infty` at
  :math:`p = 0 < q` and :math:`+\infty` at :math:`p \ge 0 = q`;
  :math:`\partial_{q_k} = -p/q_k`, exactly ``0`` where :math:`p = 0`.

The backward passes use differentiable operations on the saved inputs, so second derivatives
work where the terms are smooth. Inputs are expected in the dtype the arithmetic is done in
(the callers upcast float16/bfloat16 to float32 first); shapes must already match.
"""

from __future__ import annotations

import math

import torch

__all__ = ["log_ratio", "rel_entr", "xlogy"]

_LN2 = math.log(2)


def log_ratio(p: torch.Tensor, *qs: torch.Tensor) -> torch.Tensor:
    r""":math:`\log(p / \prod_k q_k)`, accurate near ratio 1 and free of over- and underflow.

    Each :math:`q_k` is split as :math:`m_k 2^{e_k}` with :math:`m_k \in [\tfrac12, 1)`
    (``torch.frexp``), so :math:`\log(p/q) = \log(p/m) - e \log 2`: the quotient
    :math:`p/m \in [p, 2p)` can neither overflow (:math:`q` subnormal) nor underflow. When the
    ratio lies in :math:`(\tfrac12, \tfrac32)` the value is
    :math:`\operatorname{log1p}((p - \prod q) / \prod q)` instead: :math:`p - q` is exact
    there, so a ratio near 1 keeps its relative accuracy (the regime of a KL divergence close
    to 0). Exact zeros give the right infinities (:math:`p = 0 < q`: :math:`-\infty`;
    :math:`p > 0 = q`: :math:`+\infty`).
    """
    if not qs:
        raise TypeError("log_ratio needs at least one denominator")
    first, *rest = qs
    quotient, scale = torch.frexp(first)
    quotient, product = p / quotient, first
    for q in rest:
        mantissa, exponent = torch.frexp(q)
        quotient = quotient / mantissa
        scale = scale + exponent
        product = product * q
    far = torch.log(quotient) - scale.to(p.dtype) * _LN2
    relative = (p - product) / product  # inf or NaN where the product is 0: then far is used
    return torch.where(relative.abs() < 0.5, torch.log1p(relative), far)


class _XLogY(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x, y)
        value = x * torch.log(y)
        return torch.where(x == 0, torch.zeros_like(value), value)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, y = ctx.saved_tensors
        zero = torch.zeros((), dtype=x.dtype, device=x.device)
        grad_x = grad * torch.log(y)
        grad_y = grad * torch.where(x == 0, zero, x / y)
        return grad_x, grad_y


class _RelEntr(torch.autograd.Function):
    @staticmethod
    def forward(ctx, p: torch.Tensor, *qs: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(p, *qs)
        value = p * log_ratio(p, *qs)
        return torch.where(p == 0, torch.zeros_like(value), value)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        p, *qs = ctx.saved_tensors
        zero = torch.zeros((), dtype=p.dtype, device=p.device)
        inf = torch.full((), torch.inf, dtype=p.dtype, device=p.device)
        support = qs[0] > 0
        for q in qs[1:]:
            support = support & (q > 0)
        at_zero = torch.where(support, -inf, inf)  # p = 0: -inf inside supp q, +inf outside
        # log p - sum log q: differentiable (for second derivatives), never overflows, and
        # within eps |log p| of the forward's log_ratio, which frexp makes non-differentiable
        log_p_over_q = torch.log(p)
        for q in qs:
            log_p_over_q = log_p_over_q - torch.log(q)
        grad_p = grad * torch.where(p > 0, log_p_over_q + 1, at_zero)
        grad_qs = [grad * torch.where(p == 0, zero, -p / q) for q in qs]
        return (grad_p, *grad_qs)


def xlogy(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r""":math:`x \log y`, with :math:`0 \log y = 0` for every :math:`y` (including 0)."""
    return _XLogY.apply(x, y)


def rel_entr(p: torch.Tensor, *qs: torch.Tensor) -> torch.Tensor:
    r""":math:`p \log(p / \prod_k q_k)`: 0 where :math:`p = 0`, :math:`+\infty` where
    :math:`p > 0` and some :math:`q_k = 0`."""
    return _RelEntr.apply(p, *qs)
