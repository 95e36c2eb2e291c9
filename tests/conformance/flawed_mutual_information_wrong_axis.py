"""Flawed: mutual information with the marginal of Y summed over the wrong axis.

``p_Y`` is computed as ``joint.sum(-1)`` (the same axis as ``p_X``) and laid out as a row,
so ``p_X(x) p_Y(y)`` is not the product of the marginals: wrong for any table whose rows
and columns differ (and a shape error for non-square tables). ``kl_divergence`` is the
reference one, so the claims relating I to KL divergences run too.
"""

import math

import torch

from dltheory.information import kl_divergence

__all__ = ["kl_divergence", "mutual_information"]


def mutual_information(joint, *, base=None, validate=True):
    p_x = joint.sum(dim=-1, keepdim=True)  # (..., n, 1)
    p_y = joint.sum(dim=-1).unsqueeze(-2)  # should be joint.sum(dim=-2, keepdim=True)
    ratio = torch.where(joint > 0, joint / (p_x * p_y), 1.0)
    mi = (joint * torch.log(ratio)).sum(dim=(-2, -1))
    return mi if base is None else mi / math.log(base)
