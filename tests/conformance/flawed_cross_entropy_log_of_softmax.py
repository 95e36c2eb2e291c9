"""Flawed: cross-entropy as the log of the softmax.

``-sum_j y_j log(softmax(o)_j)``: the softmax is stable, but a probability that underflows
to 0 gives ``log 0 = -inf`` (an infinite loss where the true one is finite, ``0 * -inf =
NaN`` for a zero target), and the log of a probability near 1 loses the small loss's
accuracy. ``one_hot`` is the reference one, so the claims that also need it run too.
"""

import torch

from dltheory.classification import one_hot

__all__ = ["cross_entropy", "one_hot"]


def cross_entropy(input, target, *, reduction="mean", validate=True):
    dim = 0 if input.dim() == 1 else 1
    if not target.is_floating_point():
        target = one_hot(target, input.shape[dim], dtype=input.dtype).movedim(-1, dim)
    loss = -(target * torch.log(torch.softmax(input, dim=dim))).sum(dim=dim)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
