r"""Figures for the preliminaries chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption, alt)``: ``draw(ax)`` draws on a matplotlib
``Axes``, ``caption`` is Markdown (math in ``$...$``) and ``alt`` the image's alt text. Every
curve is computed with :func:`dltheory.preliminaries.vector_norm`, so the pictures show what
the checked code computes. Only the documentation build imports this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from dltheory.preliminaries.reference import vector_norm

__all__ = ["FIGURES", "lp_norm_limit", "unit_balls"]

#: the p of the unit-ball figure: a quasi-norm, the three classic norms, and one between
BALL_P = (0.5, 1.0, 2.0, 4.0, math.inf)


def _label(p: float) -> str:
    return r"$p = \infty$" if math.isinf(p) else f"$p = {p:g}$"


def unit_balls(ax: Any) -> None:
    r"""The unit spheres :math:`\{\mathbf{x} \in \mathbb{R}^2 : \|\mathbf{x}\|_p = 1\}`: each
    direction :math:`\mathbf{u}` scaled by :math:`1/\|\mathbf{u}\|_p`."""
    theta = torch.linspace(0, 2 * math.pi, 721, dtype=torch.float64)
    directions = torch.stack([theta.cos(), theta.sin()], dim=1)
    for p in BALL_P:
        points = directions / vector_norm(directions, p, dim=1, keepdim=True)
        style = "--" if p < 1 else "-"
        ax.plot(points[:, 0].tolist(), points[:, 1].tolist(), style, label=_label(p))
    # the triangle inequality fails for p = 1/2: e1 + e2 leaves the doubled ball
    ax.plot([1, 0, 1], [0, 1, 1], "o", color="0.3", markersize=4)
    ax.annotate(r"$\mathbf{e}_1 + \mathbf{e}_2$", (1, 1), xytext=(0.55, 1.12), fontsize=10)
    ax.set_aspect("equal")
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.25, 1.3)
    ax.axhline(0, color="0.8", linewidth=0.8)
    ax.axvline(0, color="0.8", linewidth=0.8)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(r"Unit spheres $\|\mathbf{x}\|_p = 1$ in $\mathbb{R}^2$")


def lp_norm_limit(ax: Any) -> None:
    r""":math:`\|\mathbf{x}\|_p` against :math:`p` for a fixed vector, with the bounds
    :math:`M \le \|\mathbf{x}\|_p \le n^{1/p} M`."""
    x = torch.tensor([3.0, -2.0, 1.0, 0.5], dtype=torch.float64)
    ps = torch.logspace(0, 2, 200, dtype=torch.float64)
    values = [float(vector_norm(x, float(p))) for p in ps]
    top = float(vector_norm(x, math.inf))
    upper = (top * x.numel() ** (1 / ps)).tolist()
    ax.plot(ps.tolist(), values, label=r"$\|\mathbf{x}\|_p$")
    ax.plot(ps.tolist(), upper, ":", label=r"$n^{1/p} \|\mathbf{x}\|_\infty$")
    ax.axhline(top, color="0.3", linestyle="--", label=r"$\|\mathbf{x}\|_\infty = 3$")
    ax.set_xscale("log")
    ax.set_xlabel("$p$")
    ax.set_ylim(0, 7.2)
    ax.legend(fontsize=9)
    ax.set_title(r"$\mathbf{x} = (3, -2, 1, 0.5)$: $\|\mathbf{x}\|_p \to \max_i |x_i|$")


FIGURES: dict[str, tuple[Callable[[Any], None], str, str]] = {
    "unit-balls": (
        unit_balls,
        r"Unit spheres of $\ell_p$ in the plane for $p = 1/2, 1, 2, 4, \infty$, each point a "
        r"direction divided by its norm (computed with `vector_norm`). They grow with $p$ "
        r"from the diamond ($p = 1$) through the circle to the square ($p = \infty$). For "
        r"$p = 1/2$ (dashed) the ball is not convex: $\mathbf{e}_1$ and $\mathbf{e}_2$ have "
        r"norm 1 but $\|\mathbf{e}_1 + \mathbf{e}_2\|_{1/2} = 4 > 2$, the counterexample of "
        r"`preliminaries.lp-norm-every-p`.",
        "Closed curves around the origin: a star with inward-curved sides for p = 1/2, a "
        "diamond for p = 1, a circle for p = 2, a rounded square for p = 4 and a square for "
        "p = infinity, each containing the previous one; the points e1, e2 and e1 + e2 are "
        "marked.",
    ),
    "lp-norm-limit": (
        lp_norm_limit,
        r"$\|\mathbf{x}\|_p$ of $\mathbf{x} = (3, -2, 1, 0.5)$ as $p$ grows from 1 to 100 "
        r"(log scale): it decreases towards $\|\mathbf{x}\|_\infty = \max_i |x_i| = 3$, "
        r"squeezed between $M$ and $n^{1/p} M$ (`preliminaries.linf-norm-limit`).",
        "A decreasing curve starting at 6.5 for p = 1 and flattening onto a dashed horizontal "
        "line at 3, with a dotted upper bound curve above it that also tends to 3.",
    ),
}
