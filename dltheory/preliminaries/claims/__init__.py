r"""Preliminaries (section 2 of the notes): the claims, one module per section of the notes.

* :mod:`.autodiff` — ``autograd-matches-symbolic`` (addition: the notes' heading is empty):
  reverse-mode automatic differentiation returns the symbolic gradient;
* :mod:`.norm_axioms` — the three norm axioms as the notes state them:
  ``norm-homogeneity`` (every :math:`p > 0` and :math:`\infty`), the erratum
  ``norm-triangle-equality`` (the notes write ``=`` for :math:`\le`) beside
  ``norm-triangle-inequality`` (:math:`p \ge 1`), and ``norm-definiteness``;
* :mod:`.lp_norms` — ``l2-norm``, ``l1-norm``, the erratum ``lp-norm-without-absolute-values``
  beside ``lp-norm`` (which specializes to both), the erratum ``lp-norm-every-p`` (the notes
  call every :math:`\ell_p` a norm; it is one only for :math:`p \ge 1`) and the addition
  ``linf-norm-limit`` (:math:`\|\mathbf{x}\|_p \to \max_i |x_i|`);
* :mod:`.chain_rule` — ``chain-rule`` with the notation notes ``chain-rule-index-reuse`` and
  ``chain-rule-heading``;
* :mod:`.bayes` — ``bayes-theorem`` (with :math:`P(B) \ne 0`) and the notation note
  ``bayes-heading-spelling``;
* :mod:`.expectations` — additions for the empty heading: ``expectation-linearity`` and
  ``variance-affine``.

Shared SymPy symbols, mpmath oracles, sample inputs and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="preliminaries",
    title="Preliminaries",
    source="2 Preliminaries",
    order=2,
    summary=__doc__ or "",
    sections=("autodiff", "norm_axioms", "lp_norms", "chain_rule", "bayes", "expectations"),
)
