r"""Figures for the attention chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption, alt)``: ``draw(ax)`` draws on a matplotlib
``Axes``; ``caption`` is Markdown (math in ``$...$``), ``alt`` the picture in words. Every curve
is computed with the chapter's reference functions. Only the documentation build imports this
module; it needs matplotlib only through the ``Axes`` it is handed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from dltheory.attention.reference import (
    Kernel,
    masked_softmax,
    nadaraya_watson,
    nadaraya_watson_weights,
)

__all__ = ["FIGURES", "attention_heatmap", "kernels", "nadaraya_watson_regression"]

_KERNELS: tuple[tuple[Kernel, str, str], ...] = (
    ("gaussian", "Gaussian $e^{-u^2/2}$", "-"),
    ("boxcar", "boxcar $[u \\leq 1]$", "--"),
    ("epanechnikov", "Epanechnikov $(1 - u^2)_+$", "-."),
    ("triangular", "notes' 'Epanechikov' $(1 - |u|)_+$", ":"),
)


def kernels(ax: Any) -> None:
    """The four kernel profiles against the signed distance, each scaled to 1 at 0."""
    u = torch.linspace(-2.5, 2.5, 501, dtype=torch.float64)
    keys = torch.cat([torch.zeros(1, dtype=torch.float64), u]).unsqueeze(-1)
    query = torch.zeros(1, 1, dtype=torch.float64)
    for kernel, label, style in _KERNELS:
        # normalized weights are K(u_j) / sum_l K(u_l); dividing by the weight of the key at
        # distance 0 (K(0) = 1) gives the profile K(u_j) itself
        weights = nadaraya_watson_weights(query, keys, kernel=kernel)[0]
        ax.plot(u.tolist(), (weights[1:] / weights[0]).tolist(), style, label=label)
    ax.set_xlabel(r"$u = \pm\|\mathbf{q} - \mathbf{k}\| / h$")
    ax.set_ylabel("kernel value (scaled to 1 at 0)")
    ax.set_ylim(-0.05, 1.5)
    ax.legend(fontsize=8, loc="upper center", ncols=2)
    ax.set_title("Kernels of Nadaraya–Watson attention pooling")


def _training_data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.sort(torch.rand(40, generator=g, dtype=torch.float64) * 5).values
    y = 2 * torch.sin(x) + x**0.8 + 0.5 * torch.randn(40, generator=g, dtype=torch.float64)
    return x, y


def nadaraya_watson_regression(ax: Any) -> None:
    """Nadaraya–Watson regression of noisy data with each kernel (width 0.5)."""
    x, y = _training_data()
    grid = torch.linspace(0, 5, 400, dtype=torch.float64)
    ax.plot(
        grid.tolist(), (2 * torch.sin(grid) + grid**0.8).tolist(), color="0.6", lw=3, label="truth"
    )
    ax.plot(x.tolist(), y.tolist(), "o", color="0.3", ms=3, label="training data")
    for kernel, label, style in _KERNELS[:3]:
        fit = nadaraya_watson(grid.unsqueeze(-1), x.unsqueeze(-1), y, kernel=kernel, bandwidth=0.5)
        ax.plot(grid.tolist(), fit.tolist(), style, label=label.split(" $")[0])
    ax.set_xlabel("$x$ (query)")
    ax.set_ylabel("$f(x)$")
    ax.legend(fontsize=9, loc="lower left", ncols=2)
    ax.set_title("Nadaraya–Watson regression, width $h = 0.5$")


def attention_heatmap(ax: Any) -> None:
    """Masked scaled dot-product attention weights for 6 queries over 10 keys, one valid length
    per query."""
    g = torch.Generator().manual_seed(3)
    q = torch.randn(6, 8, generator=g, dtype=torch.float64)
    k = torch.randn(10, 8, generator=g, dtype=torch.float64)
    lens = torch.tensor([10, 8, 6, 6, 3, 1])
    weights = masked_softmax(q @ k.T / math.sqrt(8), lens)
    image = ax.imshow(weights.tolist(), cmap="viridis", vmin=0, vmax=float(weights.max()))
    for row, length in enumerate(lens.tolist()):
        if length < 10:
            ax.add_patch(_hatch(ax, length - 0.5, row - 0.5, 10 - length, 1.0))
    ax.set_xlabel("key position $j$")
    ax.set_ylabel("query $i$")
    ax.set_xticks(range(10))
    ax.set_yticks(range(6), [f"{i} (l = {n})" for i, n in enumerate(lens.tolist())])
    ax.figure.colorbar(image, ax=ax, label=r"$\alpha_{ij}$")
    ax.set_title(r"Masked softmax of $\mathbf{q}_i^\top\mathbf{k}_j / \sqrt{8}$")


def _hatch(ax: Any, x: float, y: float, width: float, height: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), width, height, fill=False, hatch="//", edgecolor="white", lw=0)


FIGURES: dict[str, tuple[Callable[[Any], None], str, str]] = {
    "kernels": (
        kernels,
        r"The kernels of the notes as functions of the scaled distance $u$: the Gaussian never "
        r"vanishes; the boxcar, Epanechnikov and triangular kernels are 0 beyond one width, "
        r"which leaves the estimator undefined where no key is that close "
        r"(`attention.nw-defined-iff-key-within-bandwidth`). The formula the notes print as "
        r"'Epanechikov' is the triangular kernel, a straight tent, not the parabola "
        r"$\tfrac34(1 - u^2)$ (`attention.epanechnikov-formula-is-triangular`).",
        "Four curves over u from -2.5 to 2.5, each equal to 1 at u = 0: a bell-shaped Gaussian "
        "that decays but stays positive; a flat boxcar at 1 between -1 and 1 and 0 outside; a "
        "parabolic Epanechnikov arch reaching 0 at plus and minus 1; and a straight-sided tent, "
        "the triangular kernel, also reaching 0 at plus and minus 1 and lying below the "
        "parabola everywhere in between.",
    ),
    "nadaraya-watson-regression": (
        nadaraya_watson_regression,
        r"Nadaraya–Watson regression of 40 noisy samples of $2\sin x + x^{0.8}$ with width "
        r"$h = 0.5$. Each estimate is a weighted average of the training labels, so it stays "
        r"within their range; the compact kernels follow the data more locally than the "
        r"Gaussian (`attention.nadaraya-watson-estimator`).",
        "A grey truth curve rising and falling between x = 0 and 5, forty dark noisy points "
        "scattered around it, and three estimate curves (Gaussian, boxcar, Epanechnikov) that "
        "track the points: the boxcar estimate is a jagged step-like line, the Epanechnikov "
        "one smoother, the Gaussian one smoothest.",
    ),
    "attention-heatmap": (
        attention_heatmap,
        r"Scaled dot-product attention weights of 6 queries over 10 keys, with the valid "
        r"length $l$ of each query marked: the hatched positions $j \geq l$ get weight exactly 0 "
        r"and each row's valid weights sum to 1 (`attention.masked-softmax`).",
        "A 6 by 10 grid of coloured cells. Row 0 uses all 10 key positions; in the rows below, "
        "the positions from each row's valid length onwards are hatched and dark (weight 0): "
        "from position 8 in row 1, 6 in rows 2 and 3, 3 in row 4 and 1 in row 5, where the "
        "single valid cell is the brightest, with weight 1.",
    ),
}
