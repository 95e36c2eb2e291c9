"""Preliminaries: norms, the chain rule, Bayes' theorem, expectations.

Reference functions (``from dltheory.preliminaries import ...``): :func:`vector_norm`,
:func:`chain_rule`, :func:`bayes_posterior`, :func:`expectation`, :func:`variance`. The claims
of section 2 of the notes are in :mod:`dltheory.preliminaries.claims`.
"""

from dltheory.preliminaries.reference import (
    bayes_posterior,
    chain_rule,
    expectation,
    variance,
    vector_norm,
)

__all__ = ["bayes_posterior", "chain_rule", "expectation", "variance", "vector_norm"]
