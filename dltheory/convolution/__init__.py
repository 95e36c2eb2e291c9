"""Convolutional networks: cross-correlation, convolution, convolutional layers, output shapes,
pooling.

Reference functions (``from dltheory.convolution import ...``): :func:`corr2d`,
:func:`convolve2d`, :func:`conv2d`, :func:`conv_output_shape`, :func:`pool2d`. The claims of
section 7 of the notes are in :mod:`dltheory.convolution.claims`.
"""

from dltheory.convolution.reference import (
    conv2d,
    conv_output_shape,
    convolve2d,
    corr2d,
    pool2d,
)

__all__ = ["conv2d", "conv_output_shape", "convolve2d", "corr2d", "pool2d"]
