"""Multilayer perceptrons: activations, affine layers, backpropagation, dropout, initialization.

Reference functions (``from dltheory.mlp import ...``): :func:`relu`, :func:`sigmoid`,
:func:`tanh`, :func:`linear`, :func:`mlp_forward`, :func:`mlp_backward`, :func:`dropout`,
:func:`xavier_uniform`. The claims of section 5 of the notes are in
:mod:`dltheory.mlp.claims`.
"""

from dltheory.mlp.reference import (
    MLPGradients,
    dropout,
    linear,
    mlp_backward,
    mlp_forward,
    relu,
    sigmoid,
    tanh,
    xavier_uniform,
)

__all__ = [
    "MLPGradients",
    "dropout",
    "linear",
    "mlp_backward",
    "mlp_forward",
    "relu",
    "sigmoid",
    "tanh",
    "xavier_uniform",
]
