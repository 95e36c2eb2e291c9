"""Linear classification: one-hot labels, softmax, log-likelihood, cross-entropy.

Reference functions (``from dltheory.classification import ...``): :func:`one_hot`,
:func:`softmax`, :func:`log_softmax`, :func:`logsumexp`, :func:`cross_entropy`,
:func:`cross_entropy_grad`. The claims of section 4 of the notes are in
:mod:`dltheory.classification.claims`.
"""

from dltheory.classification.reference import (
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    logsumexp,
    one_hot,
    softmax,
)

__all__ = ["cross_entropy", "cross_entropy_grad", "log_softmax", "logsumexp", "one_hot", "softmax"]
