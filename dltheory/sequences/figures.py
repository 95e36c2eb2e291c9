r"""Figures for the sequences chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption)``: ``draw(ax)`` draws on a matplotlib
``Axes`` and ``caption`` is Markdown (math in ``$...$``). Every value shown is computed with
the chapter's reference functions. Only the documentation build imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import torch

from dltheory.sequences.reference import laplace_bigram, laplace_unigram, perplexity

__all__ = ["FIGURES", "perplexity_interpolation", "smoothed_bigrams"]

#: a sentence of the notes' source text (H. G. Wells, The Time Machine, 1895)
SENTENCE = (
    "His grey eyes shone and twinkled, and his usually pale face was flushed and animated. "
    "The fire burned brightly, and the soft radiance of the incandescent lights in the lilies "
    "of silver caught the bubbles that flashed and passed in our glasses."
)


def _tokens() -> tuple[torch.Tensor, list[str]]:
    words = re.findall(r"[a-z]+", SENTENCE.lower())
    vocab = sorted(set(words))
    return torch.tensor([vocab.index(w) for w in words]), vocab


def perplexity_interpolation(ax: Any) -> None:
    """Perplexity of a model mixing the perfect predictions with the uniform distribution."""
    targets, vocab = _tokens()
    m = len(vocab)
    weights = torch.linspace(0, 1, 101, dtype=torch.float64)
    values = []
    for lam in weights.tolist():
        # probability of the correct token: lam * 1 + (1 - lam) / m
        p = torch.full((targets.numel(),), lam + (1 - lam) / m, dtype=torch.float64)
        values.append(float(perplexity(p.log())))
    ax.plot(weights.tolist(), values, label="$(1 - \\lambda)$ uniform $+ \\lambda$ perfect")
    worse = []
    shown = weights[weights <= 0.98]
    for lam in shown.tolist():
        # a model that moves mass away from the correct token: p = (1 - lam) / m
        p = torch.full((targets.numel(),), (1 - lam) / m, dtype=torch.float64)
        worse.append(float(perplexity(p.log())))
    ax.plot(shown.tolist(), worse, linestyle="-.", label="worse than uniform: $(1-\\lambda)/m$")
    ax.axhline(m, color="0.4", linestyle="--", linewidth=0.8)
    ax.text(0.02, m * 1.08, f"uniform: $m = {m}$", fontsize=9)
    ax.axhline(1, color="0.4", linestyle=":", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylim(0.8, 50 * m)
    ax.set_xlabel("$\\lambda$")
    ax.set_ylabel("perplexity")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("Perplexity from uniform ($m$) to perfect (1), and beyond $m$")


def smoothed_bigrams(ax: Any) -> None:
    """Smoothed bigram probabilities after 'and' as epsilon grows."""
    targets, vocab = _tokens()
    m = len(vocab)
    epsilons = torch.logspace(-3, 3, 80, dtype=torch.float64).tolist()
    context = vocab.index("and")
    shown = ["his", "the", "passed", "twinkled", "silver"]
    rows = [
        laplace_bigram(targets, vocab_size=m, eps1=1.0, eps2=e, dtype=torch.float64)[context]
        for e in epsilons
    ]
    backoff = laplace_unigram(targets, vocab_size=m, eps=1.0, dtype=torch.float64)
    for word in shown:
        k = vocab.index(word)
        line = ax.plot(epsilons, [float(r[k]) for r in rows], label=f"$\\hat P$({word} | and)")
        ax.axhline(float(backoff[k]), color=line[0].get_color(), linestyle=":", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("$\\epsilon_2$")
    ax.set_ylabel("probability")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(
        "Smoothed bigrams after \u201cand\u201d: counts at small $\\epsilon_2$, backoff at large"
    )


FIGURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "perplexity-interpolation": (
        perplexity_interpolation,
        r"Perplexity (log scale) on a 33-token sentence of *The Time Machine* of a model "
        r"that gives the correct token probability $\lambda + (1 - \lambda)/m$: the uniform "
        r"model at $\lambda = 0$ has perplexity $m$, the number of distinct words "
        r"(`sequences.perplexity-uniform-is-vocabulary-size`), and the perfect one at "
        r"$\lambda = 1$ has 1 (`sequences.perplexity-perfect-model`). A model that takes "
        r"probability away from the correct token, $(1 - \lambda)/m$, goes above $m$ and to "
        r"infinity (`sequences.perplexity-can-exceed-vocabulary-size`).",
    ),
    "smoothed-bigrams": (
        smoothed_bigrams,
        r"Laplace-smoothed bigram probabilities of five words after \"and\" in the same "
        r"sentence, as $\epsilon_2$ grows from $10^{-3}$ to $10^3$. At small $\epsilon_2$ they "
        r"are the bigram frequencies (\"and\" is followed by five different words, once each, "
        r"so those four lines start at $1/5$ and \"silver\" at 0); at large $\epsilon_2$ "
        r"each tends to its smoothed unigram probability "
        r"(dotted) (`sequences.laplace-smoothing-limits`).",
    ),
}
