r"""Multilayer perceptrons (section 5 of the notes): the claims, one module per section.

* :mod:`.limitations` — ``linear-model-monotone`` (a linear model moves with input :math:`j`
  by :math:`t\,w_j`), the notation note ``monotone-zero-weight``, the erratum
  ``log-outcome-diminishing-returns`` (a log of the outcome gives growing, not diminishing,
  returns) and its correction ``log-feature-diminishing-returns``;
* :mod:`.hidden_layers` — the notation note ``perceptron-spelling``; additions
  ``affine-composition-is-affine`` and ``nonlinearity-needed``;
* :mod:`.relu`, :mod:`.sigmoid`, :mod:`.tanh` — the three activations: definitions against
  mpmath across each dtype's range, ranges, symmetries, ``tanh-sigmoid-relation`` and the
  derivatives (``relu-derivative``: the convention at 0, as torch's autograd has it);
* :mod:`.propagation` — ``forward-propagation``; additions ``backprop-equations`` (general
  sizes, any activation), ``backprop-squared-loss``, ``backprop-cross-entropy``;
* :mod:`.vanishing` — additions ``sigmoid-derivative-bound`` (:math:`\sigma' \le 1/4`) and
  ``jacobian-product-bound`` (the gradient through :math:`L` sigmoid layers shrinks like
  :math:`4^{-L}\prod_l\lVert W_l\rVert_2`);
* :mod:`.initialization` — the notation note ``issues-raised-above``; additions
  ``xavier-variance-conditions``, ``xavier-uniform-bound``; ``default-linear-init`` (what
  ``torch.nn.Linear`` draws);
* :mod:`.generalization` — the erratum ``fit-any-training-data`` and its correction
  ``relu-mlp-interpolates``;
* :mod:`.dropout` — additions ``dropout-definition``, ``dropout-expectation``,
  ``dropout-variance``.

Shared samples, oracles and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="mlp",
    title="Multilayer perceptrons",
    source="5 Multilayer Perceptrons",
    order=5,
    summary=__doc__ or "",
    sections=(
        "limitations",
        "hidden_layers",
        "relu",
        "sigmoid",
        "tanh",
        "propagation",
        "vanishing",
        "initialization",
        "generalization",
        "dropout",
    ),
)
