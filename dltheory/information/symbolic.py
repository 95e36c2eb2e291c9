r"""SymPy derivations for the information-theory claims.

One function per claim, named after the claim's slug; the derivations live in three helper
modules by topic (:mod:`._symbolic_entropy`, :mod:`._symbolic_joint`,
:mod:`._symbolic_divergence`) and share the objects and lemmas of :mod:`._symbolic_common`:
alphabet sizes are symbolic (:math:`n`, :math:`m`) unless a derivation says it works at fixed
sizes, sums run over the support of the distribution (so :math:`0 \log 0 = 0` is built in), and
every nonnegativity result rests on one lemma, :math:`\log x \le x - 1` with equality only at
:math:`x = 1`, proved in :func:`._symbolic_common.log_lemma`.
"""

from __future__ import annotations

from dltheory.information._symbolic_divergence import (
    cross_entropy_decomposition,
    cross_entropy_definition,
    cross_entropy_minimizers_coincide,
    kl_asymmetric,
    kl_definition,
    kl_gaussian_closed_form,
    kl_infinite_outside_support,
    kl_infinite_pointwise_density,
    kl_nonnegative,
    kl_zero_iff_equal,
)
from dltheory.information._symbolic_entropy import (
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
from dltheory.information._symbolic_joint import (
    conditional_entropy_chain_rule,
    conditional_entropy_definition,
    joint_entropy_bounds,
    joint_entropy_identical_variables,
    joint_entropy_independent_variables,
    joint_entropy_lower_bound_continuous,
    mutual_information_entropy_form,
    mutual_information_expected_kl_given_x,
    mutual_information_expected_kl_given_y,
    mutual_information_invertible_continuous,
    mutual_information_invertible_function,
    mutual_information_kl_joint_product,
    mutual_information_marginal_expectation,
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
    "joint_entropy_identical_variables",
    "joint_entropy_independent_variables",
    "joint_entropy_lower_bound_continuous",
    "kl_asymmetric",
    "kl_definition",
    "kl_gaussian_closed_form",
    "kl_infinite_outside_support",
    "kl_infinite_pointwise_density",
    "kl_nonnegative",
    "kl_zero_iff_equal",
    "mutual_information_entropy_form",
    "mutual_information_expected_kl_given_x",
    "mutual_information_expected_kl_given_y",
    "mutual_information_invertible_continuous",
    "mutual_information_invertible_function",
    "mutual_information_kl_joint_product",
    "mutual_information_marginal_expectation",
    "mutual_information_nonnegative",
    "mutual_information_symmetric",
    "mutual_information_zero_iff_independent",
    "pmi_definition",
    "pmi_expectation_is_mi",
    "uniform_maximizes_differential_entropy",
]
