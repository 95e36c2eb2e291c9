r"""Figures for the normalization chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption)``: ``draw(ax)`` draws on a matplotlib
``Axes`` and ``caption`` is Markdown (math in ``$...$``). Every value shown is computed with
the chapter's reference functions. Only the documentation build imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from dltheory.normalization.reference import batch_norm, layer_norm

__all__ = ["FIGURES", "minibatch_standardization", "variance_below_one"]


def _minibatch() -> torch.Tensor:
    g = torch.Generator().manual_seed(8)
    x = torch.randn(40, 2, generator=g, dtype=torch.float64)
    return x * torch.tensor([0.6, 2.5], dtype=torch.float64) + torch.tensor([4.0, -3.0])


def minibatch_standardization(ax: Any) -> None:
    """A two-feature minibatch before and after batch normalization (and layer norm's view)."""
    x = _minibatch()
    z = batch_norm(x).output
    ax.scatter(x[:, 0].tolist(), x[:, 1].tolist(), s=14, label="minibatch $\\mathbf{x}$")
    ax.scatter(
        z[:, 0].tolist(),
        z[:, 1].tolist(),
        s=14,
        marker="^",
        label="$\\mathrm{BN}(\\mathbf{x})$, $\\gamma = 1$, $\\beta = 0$",
    )
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.axvline(0, color="0.6", linewidth=0.8)
    for k in range(0, 40, 8):
        ax.annotate(
            "",
            xy=(float(z[k, 0]), float(z[k, 1])),
            xytext=(float(x[k, 0]), float(x[k, 1])),
            arrowprops={"arrowstyle": "->", "color": "0.5", "linewidth": 0.7},
        )
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Batch normalization: each feature centred and scaled over the minibatch")


def variance_below_one(ax: Any) -> None:
    """Variance of the standardized batch, v/(v + eps), against the batch variance v."""
    g = torch.Generator().manual_seed(9)
    base = torch.randn(64, 1, generator=g, dtype=torch.float64)
    base = (base - base.mean()) / base.std(correction=0)  # variance exactly 1
    spreads = torch.logspace(-4, 1, 60, dtype=torch.float64)
    for eps in (1e-5, 1e-3):
        measured = [float(batch_norm(base * s, eps=eps).output.var(correction=0)) for s in spreads]
        ax.plot((spreads**2).tolist(), measured, label=f"$\\epsilon = {eps:g}$")
    ln = [float(layer_norm((base * s).T, 64, eps=1e-5).var(correction=0)) for s in spreads]
    ax.plot(
        (spreads**2).tolist(),
        ln,
        linestyle=":",
        color="0.3",
        label="layer norm, $\\epsilon = 10^{-5}$ (same formula)",
    )
    ax.axhline(1, color="0.5", linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("variance $v$ of the minibatch")
    ax.set_ylabel("variance of the standardized minibatch")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Not unit variance: $v/(v + \\epsilon)$")


FIGURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "minibatch-standardization": (
        minibatch_standardization,
        r"A minibatch of 40 examples with two features (circles; means $4$ and $-3$, standard "
        r"deviations $0.6$ and $2.5$) and its batch normalization (triangles; arrows follow "
        r"five examples). Each feature is shifted and scaled separately, over the minibatch, "
        r"so both clouds end up centred at the origin with spread about 1 along each axis "
        r"(`normalization.batch-norm-definition`).",
    ),
    "variance-below-one": (
        variance_below_one,
        r"Variance of the standardized minibatch as the minibatch's own variance $v$ grows "
        r"from $10^{-8}$ to $100$, for two values of $\epsilon$. It is $v/(v + \epsilon)$: close "
        r"to 1 only when $v \gg \epsilon$, and near 0 when $v \ll \epsilon$. The notes' \"unit "
        r"variance\" (dashed) holds only in the limit "
        r"(`normalization.standardized-minibatch-unit-variance`).",
    ),
}
