r"""Batch normalization, layer normalization and residual networks (section 8 of the notes):
the claims, one module per section of the notes.

* :mod:`.batch_normalization` — the definition (with the notation note that
  :math:`\hat\sigma_\mathcal{B}` is not the sample standard deviation), the erratum
  "zero mean and unit variance" and its correction (variance :math:`v/(v + \epsilon)`), the
  scale and shift that restore the input;
* :mod:`.batch_statistics` — the noise of the batch statistics, batches of one and two, and
  (addition) the running statistics of evaluation mode;
* :mod:`.layer_normalization` — the notation note that the notes' "Layer Normalization"
  heading holds batch normalization for fully connected layers, that content
  (:math:`\mathbf{h} = \phi(\mathrm{BN}(W\mathbf{x} + \mathbf{b}))`, the bias it makes
  redundant), and (addition) layer normalization: its definition, per-example computation and
  exactly which affine changes of the input it removes;
* :mod:`.convolutional_layers` — (the notes' heading is empty) batch normalization per
  channel over :math:`N, H, W`, and the notation note on the shape of
  :math:`\boldsymbol\gamma, \boldsymbol\beta`;
* :mod:`.residual_networks` — (the notes' heading is empty; additions) the residual block, the
  identity it represents when its last batch norm is zeroed, its Jacobian
  :math:`I + \partial f/\partial\mathbf{x}`, the :math:`1 \times 1` shortcut's shape rule, and
  ResNeXt's grouped convolutions.

Shared SymPy symbols, exact oracles, samples and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="normalization",
    title="Batch normalization, layer normalization and residual networks",
    source="8 Modern Convolutional Neural Networks",
    order=8,
    summary=__doc__ or "",
    sections=(
        "batch_normalization",
        "batch_statistics",
        "layer_normalization",
        "convolutional_layers",
        "residual_networks",
    ),
)
