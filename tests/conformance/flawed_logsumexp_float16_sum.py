"""Flawed: log-sum-exp that accumulates in the input's dtype (no upcast to float32).

The max shift is there, but the sum of exponentials is accumulated term by term in the
input's dtype, as a hand-written kernel might do. In float16 the running sum stops growing
once a term falls below half an ulp of it: 4096 equal logits sum to 2048, not 4096.
``cross_entropy`` is the reference one, so the claim that needs both runs.
"""

import torch

from dltheory.classification import cross_entropy

__all__ = ["cross_entropy", "logsumexp"]


def logsumexp(input, dim=-1, keepdim=False):
    m = input.amax(dim=dim, keepdim=True)
    terms = torch.exp(input - m).movedim(dim, 0)
    total = torch.zeros_like(terms[0])
    for term in terms:
        total = total + term  # rounded to the input's dtype at every step
    out = m + torch.log(total).unsqueeze(dim)
    return out if keepdim else out.squeeze(dim)
