"""Sequence models and language models (section 9 of the notes): Markov chains, Laplace-smoothed
n-grams, perplexity and gradient clipping.

Reference functions (``from dltheory.sequences import ...``): :func:`markov_log_prob`,
:func:`laplace_unigram`, :func:`laplace_bigram`, :func:`laplace_trigram`, :func:`perplexity`,
:func:`clip_grad_norm`. The claims of section 9 of the notes are in
:mod:`dltheory.sequences.claims`.
"""

from dltheory.sequences.reference import (
    clip_grad_norm,
    laplace_bigram,
    laplace_trigram,
    laplace_unigram,
    markov_log_prob,
    perplexity,
)

__all__ = [
    "clip_grad_norm",
    "laplace_bigram",
    "laplace_trigram",
    "laplace_unigram",
    "markov_log_prob",
    "perplexity",
]
