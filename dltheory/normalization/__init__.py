"""Batch normalization, layer normalization and residual blocks (section 8 of the notes).

Reference functions (``from dltheory.normalization import ...``): :func:`batch_norm`,
:func:`layer_norm`, :func:`residual_block`. The claims of section 8 of the notes are in
:mod:`dltheory.normalization.claims`.
"""

from dltheory.normalization.reference import (
    BatchNormOutput,
    batch_norm,
    layer_norm,
    residual_block,
)

__all__ = ["BatchNormOutput", "batch_norm", "layer_norm", "residual_block"]
