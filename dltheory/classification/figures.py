r"""Figures for the classification chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption)``: ``draw(ax)`` draws on a matplotlib
``Axes`` and ``caption`` is Markdown (math in ``$...$``). The site build (``docs/gen_pages.py``)
renders each figure to SVG and shows it on the chapter page. Every curve is computed with the
chapter's reference functions, so the pictures show what the checked code computes.

Only the documentation build imports this module; it needs matplotlib (the ``docs`` extra)
only through the ``Axes`` it is handed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from dltheory.classification.reference import cross_entropy, cross_entropy_grad, softmax

__all__ = ["FIGURES", "cross_entropy_gradient", "softmax_temperature", "softmax_temperature_sweep"]

#: the fixed logits of the temperature figures
LOGITS = (2.0, 1.0, 0.2, -1.0)
#: the temperatures of the bar chart
TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 5.0)


def softmax_temperature(ax: Any) -> None:
    """Bars of ``softmax(o / T)`` for each class, one group per class, one bar per ``T``."""
    o = torch.tensor(LOGITS, dtype=torch.float64)
    q = o.numel()
    width = 0.8 / len(TEMPERATURES)
    for n, temperature in enumerate(TEMPERATURES):
        p = softmax(o / temperature).tolist()
        xs = [c + (n - (len(TEMPERATURES) - 1) / 2) * width for c in range(q)]
        ax.bar(xs, p, width=width, label=f"$T = {temperature:g}$")
    ax.axhline(1 / q, color="0.3", linestyle="--", linewidth=1)
    ax.text(q - 0.55, 1 / q + 0.02, "uniform $1/q$", ha="right", va="bottom", fontsize=9)
    ax.set_xticks(range(q), [f"class {c + 1}\n$o_{c + 1} = {v:g}$" for c, v in enumerate(LOGITS)])
    ax.set_ylabel(r"$\mathrm{softmax}(\mathbf{o}/T)_i$")
    ax.set_ylim(0, 1)
    ax.legend(title="temperature", fontsize=8, title_fontsize=8, ncols=1, loc="upper right")
    ax.set_title(r"Softmax with temperature: $\mathbf{o} = (2, 1, 0.2, -1)$")


def softmax_temperature_sweep(ax: Any) -> None:
    """Each class's probability as the temperature sweeps from 0.05 to 20 (log scale)."""
    o = torch.tensor(LOGITS, dtype=torch.float64)
    temperatures = torch.logspace(-1.3, 1.3, 200, dtype=torch.float64)
    p = softmax(o.unsqueeze(0) / temperatures.unsqueeze(1), dim=1)
    for c, value in enumerate(LOGITS):
        ax.plot(temperatures.tolist(), p[:, c].tolist(), label=f"$o_{c + 1} = {value:g}$")
    ax.axhline(1 / o.numel(), color="0.3", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("temperature $T$")
    ax.set_ylabel(r"$\mathrm{softmax}(\mathbf{o}/T)_i$")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="center right")
    ax.set_title(r"$T \to 0$: one-hot at the argmax;  $T \to \infty$: uniform")


def cross_entropy_gradient(ax: Any) -> None:
    """The loss and its gradient as the logit of the true class varies, others fixed."""
    others = (1.0, -0.5)  # logits of the two wrong classes
    o_true = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    logits = torch.stack(
        [o_true, torch.full_like(o_true, others[0]), torch.full_like(o_true, others[1])], dim=1
    )
    target = torch.zeros(o_true.numel(), dtype=torch.int64)  # class 1 is the true class
    loss = cross_entropy(logits, target, reduction="none")
    grad = cross_entropy_grad(logits, target, reduction="none")
    x = o_true.tolist()
    ax.plot(x, loss.tolist(), label=r"loss $l = -\log \mathrm{softmax}(\mathbf{o})_1$")
    ax.plot(
        x,
        grad[:, 0].tolist(),
        label=r"$\partial l / \partial o_1 = \mathrm{softmax}(\mathbf{o})_1 - 1$",
    )
    ax.plot(
        x,
        grad[:, 1].tolist(),
        linestyle="-.",
        label=r"$\partial l / \partial o_2 = \mathrm{softmax}(\mathbf{o})_2$ (wrong class)",
    )
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.axhline(-1, color="0.5", linewidth=0.8, linestyle=":")
    ax.set_xlabel(r"logit of the true class $o_1$  (fixed: $o_2 = 1$, $o_3 = -0.5$)")
    ax.set_ylim(-1.3, 6.5)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("Cross-entropy and its gradient against the true class's logit")


FIGURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "softmax-temperature": (
        softmax_temperature,
        r"Softmax with temperature, $\operatorname{softmax}(\mathbf{o}/T)$, for the fixed "
        r"logits $\mathbf{o} = (2, 1, 0.2, -1)$. A small $T$ sharpens the distribution towards "
        r"the largest logit, a large $T$ flattens it towards the uniform $1/q$ (dashed). At "
        r"every temperature the order of the classes is that of the logits "
        r"(`classification.softmax-preserves-argmax`).",
    ),
    "softmax-temperature-sweep": (
        softmax_temperature_sweep,
        r"The same logits as the temperature sweeps from $0.05$ to $20$: "
        r"$\operatorname{softmax}(\mathbf{o}/T)$ tends to the one-hot code of "
        r"$\arg\max_i o_i$ as $T \to 0$ and to $1/q$ for every class as $T \to \infty$.",
    ),
    "cross-entropy-gradient": (
        cross_entropy_gradient,
        r"Cross-entropy $l = \log\sum_k \exp(o_k) - o_1$ for the true class $1$, and its "
        r"gradient, as the true class's logit $o_1$ varies. The gradient "
        r"$\operatorname{softmax}(\mathbf{o})_1 - 1$ lies in $(-1, 0)$: it tends to $-1$ "
        r"while the loss grows linearly for a badly wrong logit, and to $0$ as the "
        r"prediction becomes confident and right (`classification.softmax-ce-gradient`).",
    ),
}
