r"""Information theory (section 13.6 of the notes): the claims, in the order the notes make them.

Main claims:

* ``entropy-expected-surprisal``, ``entropy-discrete-form``, ``differential-entropy-definition``
  — entropy as the mean of :math:`-\log p(x)`, its discrete form with :math:`0 \log 0 = 0`, and
  the differential entropies of the uniform and the Gaussian;
* ``entropy-nonnegative-discrete``, ``differential-entropy-can-be-negative`` —
  :math:`H \ge 0` for discrete variables; :math:`h(U[0, \tfrac12]) = -\log 2`;
* ``gibbs-inequality``, ``gibbs-equality-iff-equal`` — :math:`H(P) \le \mathrm{CE}(P, Q)`, with
  equality only at :math:`Q = P`;
* ``entropy-bounds-code-length`` — entropy in bits bounds the expected length of a prefix code;
* ``entropy-at-most-log-k``, ``entropy-max-iff-uniform``,
  ``uniform-maximizes-differential-entropy`` — the uniform distribution maximizes entropy;
* ``joint-entropy-definition``, ``joint-entropy-identical-variables``,
  ``joint-entropy-independent-variables``, ``joint-entropy-bounds`` / erratum
  ``joint-entropy-lower-bound-continuous`` — the bounds on :math:`H(X, Y)`, whose lower half
  fails for differential entropy;
* ``conditional-entropy-definition``, ``conditional-entropy-chain-rule`` —
  :math:`H(Y \mid X) = H(X, Y) - H(X)`;
* ``mutual-information-entropy-form``, ``mutual-information-definition`` / erratum
  ``mutual-information-marginal-expectation`` — the notes' two formulas for :math:`I(X, Y)`:
  the first is right, the second weights each pair twice when read as written;
* ``mutual-information-symmetric``, ``mutual-information-nonnegative``,
  ``mutual-information-zero-iff-independent``, ``mutual-information-invertible-function`` /
  erratum ``mutual-information-invertible-continuous`` — the properties of :math:`I`; the last
  one holds for discrete variables only;
* ``pmi-definition``, ``pmi-expectation-is-mi`` — pointwise mutual information and its mean;
* ``kl-definition``, ``kl-gaussian-closed-form``, ``kl-asymmetric``, ``kl-nonnegative`` (with a
  complete proof; the notes' proof omits :math:`\mathbb{E}_P[q/p] \le 1`), ``kl-zero-iff-equal``,
  ``kl-infinite-outside-support`` / erratum ``kl-infinite-pointwise-density`` — the KL
  divergence and its properties; a single point with :math:`q = 0 < p` is not enough for
  densities;
* ``mutual-information-kl-joint-product``, ``mutual-information-expected-kl-given-y``,
  ``mutual-information-expected-kl-given-x`` — the three KL expressions for :math:`I(X, Y)`;
* ``cross-entropy-definition``, ``cross-entropy-decomposition``,
  ``cross-entropy-minimizers-coincide`` — :math:`\mathrm{CE} = H + D_{\mathrm{KL}}`, and
  maximizing :math:`\mathbb{E}_P[\log q]`, minimizing CE and minimizing KL share the minimizer
  :math:`Q = P`.
"""

from __future__ import annotations

from dltheory.core.claim import Chapter
from dltheory.information._claims_divergence import CE_CLAIMS, KL_CLAIMS, MI_KL_CLAIMS
from dltheory.information._claims_entropy import ENTROPY_CLAIMS
from dltheory.information._claims_joint import JOINT_CLAIMS

_ID = "information"

CLAIMS = (*ENTROPY_CLAIMS, *JOINT_CLAIMS, *KL_CLAIMS, *MI_KL_CLAIMS, *CE_CLAIMS)

CHAPTER = Chapter(
    name=_ID,
    title="Information theory",
    source="13.6 Information Theory",
    order=13.6,
    summary=__doc__ or "",
    claims=CLAIMS,
)
