r"""Sequence models and language models (section 9 of the notes): the claims, one module per
section of the notes.

* :mod:`.working_with_sequences` — the chain rule of probability, the erratum "Markov
  factorization without its condition" and the corrected statement (``markov_log_prob``);
* :mod:`.language_models` — Laplace smoothing (the unigram estimate; the errata on the bigram
  and trigram denominators and the corrected estimates; the :math:`\epsilon \to 0` and
  :math:`\epsilon \to \infty` limits, against nltk's Lidstone models on a real text) and
  perplexity (the notation note on its first formula, its definition, the notes' three cases,
  the bounds :math:`\mathrm{PPL} \ge 1` and the comparison with the vocabulary size);
* :mod:`.recurrent_neural_networks` — gradient clipping (the notes' heading is empty;
  additions): norm at most :math:`\theta`, the direction kept, the identity below the
  threshold, against ``torch.nn.utils.clip_grad_norm_``.

Shared text, exact oracles, joint distributions and strategies are in :mod:`._support`.
"""

from dltheory.core.claim import Chapter

CHAPTER = Chapter(
    name="sequences",
    title="Sequences, language models and perplexity",
    source="9 Recurrent Neural Networks",
    order=9,
    summary=__doc__ or "",
    sections=(
        "working_with_sequences",
        "laplace_smoothing",
        "perplexity",
        "perplexity_bounds",
        "recurrent_neural_networks",
    ),
)
