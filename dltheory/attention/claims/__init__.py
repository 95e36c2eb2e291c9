r"""Attention (section 11 of the notes): the claims, one module per section of the notes.

* :mod:`.queries_keys_values` — attention pooling and the notes' four kinds of weights
  (convex cone, convex hull, lookup, average), softmax weights as a convex combination;
* :mod:`.kernels` and :mod:`.nadaraya_watson` — "Attention Pooling by Similarity": the Gaussian,
  boxcar and (mis-named) Epanechnikov kernels against scikit-learn, the Nadaraya–Watson
  estimator, where it is defined, and its noise-free error :math:`\le Lh`;
* :mod:`.scoring_functions` — the Gaussian score expanded, the query term cancelling under the
  softmax, keys of one norm, and the variance :math:`d` of a dot product;
* :mod:`.masked_softmax` — the masked softmax, the truncated sum and the :math:`-10^6` fill;
* :mod:`.batch_matmul` — batch matrix multiplication;
* :mod:`.scaled_dot_product` — :math:`\operatorname{softmax}(\mathbf{Q}\mathbf{K}^\top/\sqrt d)
  \mathbf{V}` against the torch built-in, outputs in the hull of the valid values;
* :mod:`.additive_attention` — the additive score, its MLP form, and (an addition) the Bahdanau
  context.

Shared sample inputs, strategies and exact oracles are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="attention",
    title="Attention mechanisms",
    source="11 Attention Mechanisms and Transformers",
    order=11,
    summary=__doc__ or "",
    sections=(
        "queries_keys_values",
        "kernels",
        "nadaraya_watson",
        "scoring_functions",
        "masked_softmax",
        "batch_matmul",
        "scaled_dot_product",
        "additive_attention",
    ),
)
