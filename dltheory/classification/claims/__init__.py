r"""Classification (section 4 of the notes): the claims, one module per section of the notes.

* :mod:`.encoding` — ``one-hot-encoding``: a one-hot code has one component per class, exactly
  one of them 1;
* :mod:`.linear_model` — ``linear-model-matrix-form`` (the notes' three output equations are
  :math:`W\mathbf{x} + \mathbf{b}`), ``linear-outputs-not-normalized`` (affine outputs need not
  be a distribution) and the notation note ``outputs-named-sigma``;
* :mod:`.softmax` — ``softmax-definition`` with the notation note ``softmax-index-clash`` (the
  notes' formula reuses the free index as the summation index), and ``softmax-nonnegative``,
  ``softmax-sums-to-one``, ``softmax-preserves-argmax``, ``softmax-shift-invariant``;
* :mod:`.log_likelihood` — ``log-likelihood-factorizes``, ``cross-entropy-one-hot``: the
  negative log-likelihood of independent examples is a sum of cross-entropy losses;
* :mod:`.softmax_cross_entropy` — ``cross-entropy-expansion``, ``cross-entropy-logsumexp-form``
  (the notes' three-line derivation, with the condition :math:`\sum_j y_j = 1` its last step
  uses) and ``softmax-ce-gradient``:
  :math:`\partial_{o_j} l = \operatorname{softmax}(\mathbf{o})_j - y_j`.

Shared SymPy symbols, sample inputs and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="classification",
    title="Linear neural networks for classification",
    source="4 Linear Neural Networks for Classification",
    order=4,
    summary=__doc__ or "",
    sections=("encoding", "linear_model", "softmax", "log_likelihood", "softmax_cross_entropy"),
)
