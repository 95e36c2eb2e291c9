"""Information theory: entropy, joint and conditional entropy, mutual information, KL divergence
and cross-entropy of discrete distributions, and the Gaussian and uniform closed forms.

Reference functions (``from dltheory.information import ...``): :func:`entropy`,
:func:`joint_entropy`, :func:`conditional_entropy`, :func:`mutual_information`,
:func:`pointwise_mutual_information`, :func:`kl_divergence`, :func:`cross_entropy`,
:func:`uniform_differential_entropy`, :func:`gaussian_differential_entropy`,
:func:`gaussian_kl_divergence`. The claims of section 13.6 of the notes are in
:mod:`dltheory.information.claims`.
"""

from dltheory.information.reference import (
    conditional_entropy,
    cross_entropy,
    entropy,
    gaussian_differential_entropy,
    gaussian_kl_divergence,
    joint_entropy,
    kl_divergence,
    mutual_information,
    pointwise_mutual_information,
    uniform_differential_entropy,
)

__all__ = [
    "conditional_entropy",
    "cross_entropy",
    "entropy",
    "gaussian_differential_entropy",
    "gaussian_kl_divergence",
    "joint_entropy",
    "kl_divergence",
    "mutual_information",
    "pointwise_mutual_information",
    "uniform_differential_entropy",
]
