r"""Figures for the optimization chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption, alt)``: ``draw(ax)`` draws on a matplotlib
``Axes``; ``caption`` is Markdown (math in ``$...$``), ``alt`` the picture in words. Every
value is computed with the chapter's reference functions (``jensen_gap``,
``gradient_descent``). Only the documentation build imports this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from dltheory.optimization.reference import gradient_descent, jensen_gap

__all__ = ["FIGURES", "gradient_descent_learning_rates", "jensen_chord", "local_minima"]


def _exp_half(x: torch.Tensor) -> torch.Tensor:
    return torch.exp(0.5 * x)


def _cos_pi(x: torch.Tensor) -> torch.Tensor:
    return torch.cos(math.pi * x)


def jensen_chord(ax: Any) -> None:
    """A convex and a non-convex function with a chord; the Jensen gaps along it."""
    grid = torch.linspace(-2.5, 2.5, 301, dtype=torch.float64)
    lam = torch.linspace(0, 1, 101, dtype=torch.float64)
    for fn, ends, label, colour in (
        (_exp_half, (-2.0, 2.0), r"$e^{x/2}$ (convex)", "C0"),
        (_cos_pi, (-1.0, 1.0), r"$\cos(\pi x)$ (not convex)", "C3"),
    ):
        ax.plot(grid.tolist(), fn(grid).tolist(), color=colour, label=label)
        x1, x2 = ends
        points = torch.tensor([x1, x2], dtype=torch.float64).expand(101, 2)
        weights = torch.stack([lam, 1 - lam], -1)
        gaps = jensen_gap(fn, points, weights)  # chord minus graph, along the segment
        xs = lam * x1 + (1 - lam) * x2
        chord = fn(xs) + gaps
        ax.plot(xs.tolist(), chord.tolist(), "--", color=colour)
        ax.plot(
            [x1, x2], fn(torch.tensor([x1, x2], dtype=torch.float64)).tolist(), "o", color=colour
        )
        middle = 50
        ax.annotate(
            f"gap {float(gaps[middle]):+.2f}",
            (float(xs[middle]), float(chord[middle])),
            textcoords="offset points", xytext=(6, 6 if gaps[middle] > 0 else -14),
            color=colour, fontsize=10,
        )  # fmt: skip
    ax.set_xlabel("$x$")
    ax.set_ylim(-1.7, 3.8)
    ax.legend(fontsize=9, loc="upper left")
    ax.set_title(r"Chords: $\lambda f(x_1) + (1-\lambda) f(x_2)$ against $f$")


def gradient_descent_learning_rates(ax: Any) -> None:
    """Gradient descent on :math:`x^2` (:math:`L = 2`) with a small and a too-large rate."""
    grid = torch.linspace(-3.6, 3.6, 201, dtype=torch.float64)
    ax.plot(grid.tolist(), (grid**2).tolist(), color="0.5")
    start = torch.tensor(-2.0, dtype=torch.float64)
    for lr, colour in ((0.2, "C0"), (1.1, "C3")):
        iterates = gradient_descent(torch.square, start, lr, 8 if lr < 1 else 3)
        values = iterates**2
        ax.plot(iterates.tolist(), values.tolist(), "o-", color=colour, ms=4, lw=1,
                label=rf"$\eta = {lr}$ ($\eta L / 2 = {lr:.1f}$)")  # fmt: skip
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x) = x^2$")
    ax.set_xlim(-3.6, 3.6)
    ax.set_ylim(-0.3, 13.0)
    ax.legend(fontsize=9, loc="upper center")
    ax.set_title(r"Gradient descent on $x^2$ from $x_0 = -2$")


def local_minima(ax: Any) -> None:
    """Gradient descent on :math:`x\\cos(\\pi x)` from starts in each basin."""
    grid = torch.linspace(-1.0, 2.0, 301, dtype=torch.float64)

    def f(x: torch.Tensor) -> torch.Tensor:
        return x * torch.cos(math.pi * x)

    ax.plot(grid.tolist(), f(grid).tolist(), color="0.4")
    for start, colour in ((-0.9, "C1"), (0.2, "C1"), (0.8, "C2"), (1.9, "C2")):
        iterates = gradient_descent(f, torch.tensor(start, dtype=torch.float64), 0.05, 60)
        ax.plot(iterates.tolist(), f(iterates).tolist(), ".", color=colour, ms=4)
        ax.plot([float(iterates[-1])], [float(f(iterates[-1]))], "*", color=colour, ms=12)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$x \cos(\pi x)$")
    ax.set_title("Gradient descent stops at the local minimum of its basin")


FIGURES: dict[str, tuple[Callable[[Any], None], str, str]] = {
    "jensen-chord": (
        jensen_chord,
        r"The chord between two points of the graph (dashed), drawn as $f$ plus the Jensen gap "
        r"computed by `jensen_gap`: for the convex $e^{x/2}$ it lies above the graph (positive "
        r"gap, `optimization.jensen-finite`); for $\cos(\pi x)$ between $-1$ and $1$ it lies "
        r"below (negative gap), so $\cos(\pi x)$ is not convex "
        r"(`optimization.convex-function-examples`).",
        "Two curves: an increasing exponential, with a dashed straight chord from x = -2 to "
        "x = 2 lying above it and a label showing a positive gap; and a cosine wave, with a "
        "dashed horizontal chord from x = -1 to x = 1 at height -1 lying below its hump, "
        "labelled with a gap of -2.",
    ),
    "gradient-descent-learning-rates": (
        gradient_descent_learning_rates,
        r"Gradient descent on $f(x) = x^2$ ($L = 2$) from $x_0 = -2$. With $\eta = 0.2$ the "
        r"iterates $(1 - 2\eta)^t x_0$ approach the minimum monotonically; with $\eta = 1.1 > "
        r"2/L$ they jump from side to side, each farther out "
        r"(`optimization.gradient-descent-diverges`).",
        "A parabola. Blue dots start at x = -2 and step towards 0 on the same side, each step "
        "smaller. Red dots start at x = -2 and alternate between the right and left arms of "
        "the parabola, climbing higher at every step.",
    ),
    "local-minima": (
        local_minima,
        r"Gradient descent ($\eta = 0.05$) on $x\cos(\pi x)$ from four starts: the two on the "
        r"left stop at the local minimum near $x = -0.27$ (stars), the two on the right at "
        r"the global one near $x = 1.09$ — a non-convex function's local minimum need not be "
        r"global (`optimization.local-minimum-not-global`).",
        "A wavy curve over x from -1 to 2 with a shallow dip near x = -0.27 and a deep dip "
        "near x = 1.09. Orange dotted paths from two starts end with orange stars in the "
        "shallow dip; green paths from two other starts end with green stars in the deep dip.",
    ),
}
