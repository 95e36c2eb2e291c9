"""Flawed: entropy as ``-sum p log p`` with ``0 log 0`` left to floating point.

``0 * log 0 = 0 * -inf = NaN``: any distribution with an impossible outcome (one-hot labels,
sparse histograms) gets entropy NaN instead of the convention ``0 log 0 = 0``.
"""

import math

import torch

__all__ = ["entropy"]


def entropy(p, dim=-1, *, keepdim=False, base=None, validate=True):
    h = -(p * torch.log(p)).sum(dim=dim, keepdim=keepdim)
    return h if base is None else h / math.log(base)
