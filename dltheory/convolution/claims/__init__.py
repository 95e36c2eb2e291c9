r"""Convolutional networks (section 7 of the notes): the claims, one module per section.

* :mod:`.images` — ``feature-order-equivariance`` (an MLP trained on permuted pixels is the
  same MLP with permuted first-layer columns) and the notation note ``feature-order-wording``;
* :mod:`.fully_connected` (§ 7.1) — ``fc-reindexing``, ``translation-equivariance`` with the
  notation note ``translation-invariance-name``, ``spatial-locality``;
* :mod:`.convolutions` (§ 7.2) — the notation note ``convolution-functions-unnamed``,
  ``convolution-continuous``, ``convolution-discrete``, ``convolution-commutative``, the
  erratum ``layer-is-convolution`` and its correction
  ``cross-correlation-is-flipped-convolution``;
* :mod:`.channels` (§ 7.2 Channels) — ``multichannel-layer`` and the notation note
  ``channels-heading-placement``;
* :mod:`.cross_correlation` (§ 7.2) — ``corr2d-definition``, ``corr2d-output-shape``;
* :mod:`.padding_stride` (§ 7.3) — the notation note ``padding-symbols-undefined``,
  ``padded-output-shape``, ``strided-output-shape`` (general integers, SymPy) and the
  addition ``dilated-output-shape``, each against ``F.conv2d`` on a grid;
* :mod:`.multichannel` (§ 7.4) — ``multi-input-channels``, ``multi-output-channels``,
  ``channel-mixing``;
* :mod:`.pooling` (§ 7.5) — ``pooling-definition``, ``pooling-no-parameters``,
  ``pooling-output-shape``, ``max-pool-permutation-invariant``,
  ``max-pool-not-shift-invariant``.

Shared samples, the shape grid and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="convolution",
    title="Convolutional neural networks",
    source="7 Convolutional Neural Networks",
    order=7,
    summary=__doc__ or "",
    sections=(
        "images",
        "fully_connected",
        "convolutions",
        "channels",
        "cross_correlation",
        "padding_stride",
        "multichannel",
        "pooling",
    ),
)
