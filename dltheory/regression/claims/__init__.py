r"""Linear regression (section 3 of the notes): the claims, one module per section of the notes.

* :mod:`.linear_model` — ``linear-model-batched`` (:math:`X\mathbf{w} + b` stacks the
  per-example predictions) with the notation notes ``prediction-vector-lhs`` and
  ``figure-dimensionality-n``;
* :mod:`.loss` — ``squared-loss``, ``squared-loss-gradient``, ``average-loss`` and the notation
  note ``average-loss-superscript``;
* :mod:`.sgd` — ``minibatch-sgd-update`` (against ``torch.optim.SGD``), ``sgd-weight-update``,
  the erratum ``sgd-bias-update-as-written`` (the notes' bias update starts from
  :math:`\mathbf{w}`) beside ``sgd-bias-update``, and the notation note
  ``minibatch-index-set``;
* :mod:`.gaussian` — ``gaussian-density-normalized``, ``gaussian-noise-likelihood``;
* :mod:`.likelihood` — ``likelihood-factorizes`` (notation note ``nll-missing-p``),
  ``gaussian-nll-formula``;
* :mod:`.mle` — ``squared-error-is-mle`` (general :math:`n`, :math:`d`: least squares is
  maximum likelihood for every :math:`\sigma`) and ``noise-variance-mle``;
* :mod:`.generalization` — ``generalization-error-monte-carlo`` (closed-form risk against a
  Monte Carlo estimate with an exact false-alarm bound) and the notation notes
  ``empirical-risk-index``, ``risk-expectation-subscript``;
* :mod:`.model_complexity` — additions for the empty "Polynomial Curve Fitting":
  ``polynomial-features``, ``polynomial-training-error-nonincreasing``;
* :mod:`.cross_validation` — ``k-fold-partition`` (against ``sklearn.model_selection.KFold``),
  ``k-fold-train-validate``, ``k-fold-average-error``;
* :mod:`.weight_decay` — ``weight-decay-is-l2-sgd`` (against
  ``torch.optim.SGD(weight_decay=λ)``), the erratum ``weight-decay-update-as-written`` (the
  notes drop the factor :math:`1 - \eta\lambda`) beside ``weight-decay-update``.

Shared SymPy symbols, sample data, exact oracles and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="regression",
    title="Linear neural networks for regression",
    source="3 Linear Neural Networks for Regression",
    order=3,
    summary=__doc__ or "",
    sections=(
        "linear_model",
        "loss",
        "sgd",
        "gaussian",
        "likelihood",
        "mle",
        "generalization",
        "model_complexity",
        "cross_validation",
        "weight_decay",
    ),
)
