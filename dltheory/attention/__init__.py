"""Attention: attention pooling, Nadaraya–Watson kernel regression, masked softmax, scaled
dot-product and additive attention.

Reference functions (``from dltheory.attention import ...``): :func:`attention_pool`,
:func:`nadaraya_watson`, :func:`nadaraya_watson_weights`, :func:`masked_softmax`,
:func:`scaled_dot_product_attention`, :func:`additive_attention`. The claims of section 11 of
the notes are in :mod:`dltheory.attention.claims`.
"""

from dltheory.attention.reference import (
    KERNELS,
    additive_attention,
    attention_pool,
    masked_softmax,
    nadaraya_watson,
    nadaraya_watson_weights,
    scaled_dot_product_attention,
)

__all__ = [
    "KERNELS",
    "additive_attention",
    "attention_pool",
    "masked_softmax",
    "nadaraya_watson",
    "nadaraya_watson_weights",
    "scaled_dot_product_attention",
]
