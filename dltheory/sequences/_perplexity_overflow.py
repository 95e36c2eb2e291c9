"""The backward pass of :func:`dltheory.sequences.reference.perplexity` where the
perplexity itself overflowed (its value is ``inf`` but its gradient need not be)."""

from __future__ import annotations

import math

import torch

__all__ = ["OverflowedPerplexity"]


class OverflowedPerplexity(torch.autograd.Function):
    r"""``exp(L)`` for perplexities from logits whose value overflowed, with the gradient
    :math:`\partial e^{L} / \partial x_{tj} = w_t\, e^{L} (p_{tj} - [j = x_t])` computed in log
    space: :math:`w_t e^{L + \log p_{tj}}` off the target, :math:`-w_t e^{L + \log(1 - p_{tj})}`
    at it (:math:`w_t` the token's weight in the mean :math:`L`), so an entry is finite
    wherever its exact value is (not :math:`\infty \cdot 0`)."""

    @staticmethod
    def forward(ctx, flat, targets, weight, group, log_value, value):
        ctx.save_for_backward(flat, targets, weight, group, log_value)
        return value.clone()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        flat, targets, weight, group, log_value = ctx.saved_tensors
        log_p = torch.log_softmax(flat, dim=1)
        target = torch.zeros_like(log_p, dtype=torch.bool)
        target.scatter_(1, targets.long().unsqueeze(1), True)
        # log(1 - p_target) = logsumexp of the other entries' log-probabilities
        log_rest = torch.logsumexp(log_p.masked_fill(target, -math.inf), dim=1, keepdim=True)
        lv = log_value.reshape(-1)[group].unsqueeze(1)
        d = torch.where(target, -torch.exp(lv + log_rest), torch.exp(lv + log_p))
        scale = (grad.reshape(-1)[group] * weight).unsqueeze(1)
        zero = torch.zeros((), dtype=d.dtype, device=d.device)
        return torch.where(scale != 0, scale * d, zero), None, None, None, None, None
