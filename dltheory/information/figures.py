r"""Figures for the information-theory chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption)``: ``draw(ax)`` draws on a matplotlib
``Axes`` and ``caption`` is Markdown (math in ``$...$``). Every curve is computed with the
chapter's reference functions, so the pictures show what the checked code computes.

Only the documentation build imports this module; it needs matplotlib only through the
``Axes`` it is handed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from dltheory.information.reference import entropy, kl_divergence

__all__ = ["FIGURES", "binary_entropy", "kl_asymmetry"]

#: the fixed second distribution of the KL figure, Q = Bernoulli(Q_ONE)
Q_ONE = 0.3


def _bernoulli(p: torch.Tensor) -> torch.Tensor:
    """Rows ``(p, 1 - p)`` for a 1-D tensor of probabilities."""
    return torch.stack([p, 1 - p], dim=-1)


def binary_entropy(ax: Any) -> None:
    """:math:`H(p, 1 - p)` in bits for :math:`p \\in [0, 1]`, with its maximum at 1/2."""
    p = torch.linspace(0.0, 1.0, 401, dtype=torch.float64)
    bits = entropy(_bernoulli(p), base=2)
    nats = entropy(_bernoulli(p))
    ax.plot(p.tolist(), bits.tolist(), label=r"$H_2(p) = -p\log_2 p - (1-p)\log_2(1-p)$ (bits)")
    ax.plot(p.tolist(), nats.tolist(), linestyle="--", label=r"the same in nats ($\ln$)")
    ax.axhline(1.0, color="0.5", linewidth=0.8, linestyle=":")
    ax.axvline(0.5, color="0.5", linewidth=0.8, linestyle=":")
    ax.annotate(
        r"maximum $\log_2 2 = 1$ bit at $p = 1/2$",
        xy=(0.5, 1.0),
        xytext=(0.56, 0.72),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )
    ax.annotate(
        r"$0 \log 0 = 0$",
        xy=(0.0, 0.0),
        xytext=(0.06, 0.1),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )
    ax.set_xlabel(r"$p = P(X = 1)$")
    ax.set_ylabel("entropy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.1)
    ax.legend(fontsize=8, loc="lower center")
    ax.set_title("Entropy of a coin with bias $p$")


def kl_asymmetry(ax: Any) -> None:
    """:math:`D(P\\|Q)` and :math:`D(Q\\|P)` for :math:`P = \\mathrm{Bern}(p)`, fixed :math:`Q`."""
    p = torch.linspace(0.0, 1.0, 801, dtype=torch.float64)
    family = _bernoulli(p)
    fixed = _bernoulli(torch.full_like(p, Q_ONE))
    forward = kl_divergence(family, fixed)  # finite everywhere: Q has full support
    backward = kl_divergence(fixed, family)  # +inf at p = 0 and p = 1
    finite = torch.isfinite(backward)
    ax.plot(p.tolist(), forward.tolist(), label=r"$D_{\mathrm{KL}}(P \,\|\, Q)$")
    ax.plot(
        p[finite].tolist(),
        backward[finite].tolist(),
        linestyle="--",
        label=r"$D_{\mathrm{KL}}(Q \,\|\, P)$ ($+\infty$ at $p = 0, 1$)",
    )
    ax.axvline(Q_ONE, color="0.5", linewidth=0.8, linestyle=":")
    ax.annotate(
        rf"both vanish only at $P = Q$ ($p = {Q_ONE:g}$)",
        xy=(Q_ONE, 0.0),
        xytext=(Q_ONE + 0.08, 1.6),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )
    top = 2.0 * max(float(forward.max()), -math.log(Q_ONE))
    ax.set_ylim(0, min(top, 3.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel(r"$p$, with $P = (p, 1 - p)$")
    ax.set_ylabel("nats")
    ax.legend(fontsize=8, loc="upper center")
    ax.set_title(rf"KL divergence is not symmetric: $Q = ({Q_ONE:g}, {1 - Q_ONE:g})$")


FIGURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "binary-entropy": (
        binary_entropy,
        r"The binary entropy function $H(p, 1-p)$, in bits (solid) and nats (dashed). It is "
        r"$0$ for a certain outcome ($p = 0$ or $1$, by $0 \log 0 = 0$), never negative for a "
        r"discrete variable, and largest, $\log 2$, for the uniform $p = 1/2$ "
        r"(`information.entropy-max-iff-uniform`).",
    ),
    "kl-asymmetry": (
        kl_asymmetry,
        r"$D_{\mathrm{KL}}(P\|Q)$ and $D_{\mathrm{KL}}(Q\|P)$ for $P = (p, 1-p)$ and the fixed "
        r"$Q = (0.3, 0.7)$. The curves differ (`information.kl-asymmetric`), both are "
        r"$\ge 0$ and vanish only at $P = Q$ (`information.kl-zero-iff-equal`). "
        r"$D_{\mathrm{KL}}(Q\|P)$ is $+\infty$ at $p = 0$ and $p = 1$, where $P$ gives "
        r"probability $0$ to an outcome that $Q$ gives positive probability "
        r"(`information.kl-infinite-outside-support`); $D_{\mathrm{KL}}(P\|Q)$ stays finite "
        r"because $Q$ has full support.",
    ),
}
