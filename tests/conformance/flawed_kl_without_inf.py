"""Flawed: KL divergence "stabilized" with an epsilon, so it is never +inf.

``sum p log((p + eps) / (q + eps))`` is finite where ``q = 0 < p``, where the divergence is
+inf (an outcome the model calls impossible happens): a large but finite number hides it.
The distributions' cross-entropy is the reference one, mapped by its qualified name (the bare
name ``cross_entropy`` is also classification's), so the claims that compare the two run too.
"""

import math

import torch

from dltheory.information import cross_entropy

__all__ = ["kl_divergence"]

EPS = 1e-10


def kl_divergence(p, q, dim=-1, *, keepdim=False, base=None, validate=True):
    kl = (p * torch.log((p + EPS) / (q + EPS))).sum(dim=dim, keepdim=keepdim)
    return kl if base is None else kl / math.log(base)


DLTHEORY_FUNCTIONS = {"information.cross_entropy": cross_entropy}
