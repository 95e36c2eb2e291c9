r"""Information theory (section 13.6 of the notes): the claims, one module per section.

* :mod:`.entropy` — Surprise and Entropy: ``entropy-expected-surprisal``,
  ``entropy-discrete-form`` (with the notation note ``entropy-pmf-notation``),
  ``differential-entropy-definition``;
* :mod:`.entropy_properties` — Properties of Entropy (1): the lemma ``log-le-x-minus-one``,
  ``entropy-nonnegative-discrete``, ``differential-entropy-can-be-negative``,
  ``gibbs-inequality`` (proved in full once; the chapter's other nonnegativity claims cite it),
  ``gibbs-equality-iff-equal``;
* :mod:`.entropy_bounds` — Properties of Entropy (2): ``entropy-bounds-code-length``,
  ``entropy-at-most-log-k``,
  ``entropy-max-iff-uniform``, ``uniform-maximizes-differential-entropy`` (with the notation
  note ``continuous-distribution-called-variable``);
* :mod:`.joint_entropy` — ``joint-entropy-definition``, ``joint-entropy-identical-variables`` /
  erratum ``joint-entropy-identical-continuous``, ``joint-entropy-independent-variables``,
  ``joint-entropy-bounds`` / erratum ``joint-entropy-lower-bound-continuous``;
* :mod:`.conditional_entropy` — ``conditional-entropy-definition``,
  ``conditional-entropy-chain-rule``;
* :mod:`.mutual_information` — ``mutual-information-entropy-form``,
  ``mutual-information-definition`` / erratum ``mutual-information-marginal-expectation``;
* :mod:`.mutual_information_properties` — ``mutual-information-symmetric``,
  ``mutual-information-nonnegative``, ``mutual-information-zero-iff-independent``,
  ``mutual-information-invertible-function`` / erratum
  ``mutual-information-invertible-continuous``;
* :mod:`.pointwise_mutual_information` — ``pmi-definition``, ``pmi-expectation-is-mi``;
* :mod:`.kl_divergence` — ``kl-definition``, ``kl-gaussian-closed-form``;
* :mod:`.kl_divergence_properties` — ``kl-asymmetric``, ``kl-nonnegative``,
  ``kl-zero-iff-equal``, ``kl-infinite-outside-support`` (finite alphabets; the countable
  counterexample to "only if") / erratum ``kl-infinite-pointwise-density``;
* :mod:`.kl_mutual_information` — ``mutual-information-kl-joint-product``,
  ``mutual-information-expected-kl-given-y``, ``mutual-information-expected-kl-given-x``;
* :mod:`.cross_entropy` — Cross-Entropy and its Properties: ``cross-entropy-definition``,
  ``cross-entropy-decomposition``, ``cross-entropy-minimizers-coincide`` (with the notation note
  ``cross-entropy-predictive-probability``).

Shared SymPy objects, sample inputs, exact (mpmath) oracles and strategies are in
:mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="information",
    title="Information theory",
    source="13.6 Information Theory",
    order=13.6,
    summary=__doc__ or "",
    sections=(
        "entropy",
        "entropy_properties",
        "entropy_bounds",
        "joint_entropy",
        "conditional_entropy",
        "mutual_information",
        "mutual_information_properties",
        "pointwise_mutual_information",
        "kl_divergence",
        "kl_divergence_properties",
        "kl_mutual_information",
        "cross_entropy",
    ),
)
