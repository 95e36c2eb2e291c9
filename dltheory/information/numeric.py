"""Numeric legs of the information-theory claims: reference vs an independent oracle.

Each function takes ``(device, dtype)``, builds its inputs in float64 from fixed seeds (or
fixed extreme rows: one-hot, nearly deterministic, entries down to 1e-300, q = 0 < p), rounds
them to ``dtype`` on ``device``, and compares the reference result with an oracle evaluated in
float64 on the same rounded values: ``scipy.special`` (``entr``, ``rel_entr``, ``xlogy``),
``scipy.stats.entropy``, ``torch.distributions``, mpmath at 50 digits (sums) or by quadrature
(integrals), never the reference itself. Tolerances come from :mod:`dltheory.core.tolerances`.
The legs live in three helper modules by topic.
"""

from __future__ import annotations

from dltheory.information._numeric_divergence import (
    cross_entropy_decomposition,
    cross_entropy_definition,
    cross_entropy_minimizers_coincide,
    kl_asymmetric,
    kl_definition,
    kl_gaussian_closed_form,
    kl_infinite_outside_support,
    kl_nonnegative,
    kl_zero_iff_equal,
)
from dltheory.information._numeric_entropy import (
    differential_entropy_can_be_negative,
    differential_entropy_definition,
    entropy_at_most_log_k,
    entropy_bounds_code_length,
    entropy_discrete_form,
    entropy_expected_surprisal,
    entropy_max_iff_uniform,
    entropy_nonnegative_discrete,
    gibbs_equality_iff_equal,
    gibbs_inequality,
    uniform_maximizes_differential_entropy,
)
from dltheory.information._numeric_joint import (
    conditional_entropy_chain_rule,
    conditional_entropy_definition,
    joint_entropy_bounds,
    joint_entropy_definition,
    joint_entropy_identical_variables,
    joint_entropy_independent_variables,
    mutual_information_definition,
    mutual_information_entropy_form,
    mutual_information_expected_kl_given_x,
    mutual_information_expected_kl_given_y,
    mutual_information_invertible_function,
    mutual_information_kl_joint_product,
    mutual_information_nonnegative,
    mutual_information_symmetric,
    mutual_information_zero_iff_independent,
    pmi_definition,
    pmi_expectation_is_mi,
)

__all__ = [
    "conditional_entropy_chain_rule",
    "conditional_entropy_definition",
    "cross_entropy_decomposition",
    "cross_entropy_definition",
    "cross_entropy_minimizers_coincide",
    "differential_entropy_can_be_negative",
    "differential_entropy_definition",
    "entropy_at_most_log_k",
    "entropy_bounds_code_length",
    "entropy_discrete_form",
    "entropy_expected_surprisal",
    "entropy_max_iff_uniform",
    "entropy_nonnegative_discrete",
    "gibbs_equality_iff_equal",
    "gibbs_inequality",
    "joint_entropy_bounds",
    "joint_entropy_definition",
    "joint_entropy_identical_variables",
    "joint_entropy_independent_variables",
    "kl_asymmetric",
    "kl_definition",
    "kl_gaussian_closed_form",
    "kl_infinite_outside_support",
    "kl_nonnegative",
    "kl_zero_iff_equal",
    "mutual_information_definition",
    "mutual_information_entropy_form",
    "mutual_information_expected_kl_given_x",
    "mutual_information_expected_kl_given_y",
    "mutual_information_invertible_function",
    "mutual_information_kl_joint_product",
    "mutual_information_nonnegative",
    "mutual_information_symmetric",
    "mutual_information_zero_iff_independent",
    "pmi_definition",
    "pmi_expectation_is_mi",
    "uniform_maximizes_differential_entropy",
]
