r"""Figures for the convolution chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption)``; ``draw(ax)`` draws on a matplotlib
``Axes``. The numbers in the pictures are computed with the chapter's reference functions
(``corr2d``, ``conv_output_shape``, ``pool2d``). Only the documentation build imports this
module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from dltheory.convolution.reference import conv_output_shape, corr2d, pool2d

__all__ = ["FIGURES", "cross_correlation", "max_pool_shift", "output_shape"]


def _grid(ax: Any, values, x0: float, y0: float, *, shade=(), color="0.85", fmt="{:g}") -> None:
    """Draw ``values`` (a list of rows) as a grid of unit cells, top-left corner (x0, y0);
    cells in ``shade`` (row, col) are filled with ``color``."""
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            face = color if (r, c) in shade else "white"
            ax.add_patch(_rect(x0 + c, y0 - r - 1, face))
            ax.text(
                x0 + c + 0.5, y0 - r - 0.5, fmt.format(value), ha="center", va="center", fontsize=11
            )


def _rect(x: float, y: float, face: str):
    from matplotlib.patches import Rectangle  # the docs build provides matplotlib

    return Rectangle((x, y), 1, 1, facecolor=face, edgecolor="0.2", linewidth=1)


def cross_correlation(ax: Any) -> None:
    """The notes' worked example: a 3 x 3 input, a 2 x 2 kernel, the 2 x 2 output."""
    x = torch.arange(9.0).reshape(3, 3)
    k = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    y = corr2d(x, k)
    window = {(0, 0), (0, 1), (1, 0), (1, 1)}
    _grid(ax, x.tolist(), 0, 3, shade=window, color="#9ecae1")
    _grid(ax, k.tolist(), 4.5, 2.5, shade=window, color="#9ecae1")
    _grid(ax, y.tolist(), 8.5, 2.5, shade={(0, 0)}, color="#9ecae1")
    ax.text(3.75, 1.5, r"$\star$", fontsize=18, ha="center", va="center")
    ax.text(7.5, 1.5, "=", fontsize=18, ha="center", va="center")
    for x0, label in (
        (1.5, "input $X$ (3 x 3)"),
        (5.5, "kernel $K$ (2 x 2)"),
        (9.5, "output (2 x 2)"),
    ):
        ax.text(x0, -0.6, label, ha="center", fontsize=9)
    first = " + ".join(
        f"{int(a)}·{int(b)}" for a, b in zip(x[:2, :2].flatten(), k.flatten(), strict=True)
    )
    ax.text(5.5, 3.6, f"{first} = {int(y[0, 0])}", ha="center", fontsize=10)
    ax.set_xlim(-0.3, 10.8)
    ax.set_ylim(-1.0, 4.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Cross-correlation: slide the kernel, multiply elementwise, sum")


def output_shape(ax: Any) -> None:
    """One dimension: n = 5 inputs, padding 1 on each side, kernel 3, stride 2."""
    n, k, padding, stride = 5, 3, 1, 2
    out = conv_output_shape(n, k, padding=padding, stride=stride)
    assert isinstance(out, int)
    total = n + 2 * padding
    for c in range(total):
        is_pad = c < padding or c >= padding + n
        ax.add_patch(_rect(c, 0, "0.9" if is_pad else "white"))
        ax.text(c + 0.5, 0.5, "0" if is_pad else f"$x_{c - padding + 1}$", ha="center", va="center")
    for i in range(out):
        left = i * stride
        y = -0.35 - 0.45 * i
        ax.annotate(
            "",
            (left + 0.05, y),
            (left + k - 0.05, y),
            arrowprops={"arrowstyle": "|-|", "color": f"C{i}"},
        )
        ax.text(left + k + 0.1, y, f"output {i + 1}", va="center", fontsize=9, color=f"C{i}")
    ax.text(
        total / 2,
        1.5,
        rf"$n = {n}$, $p = {2 * padding}$ (total), $k = {k}$, $s = {stride}$:  "
        rf"$\lfloor (n - k + p + s)/s \rfloor = \lfloor {n - k + 2 * padding + stride}/{stride} "
        rf"\rfloor = {out}$",
        ha="center",
        fontsize=10,
    )
    ax.set_xlim(-0.5, total + 2.5)
    ax.set_ylim(-0.35 - 0.45 * out - 0.3, 2.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Output size: window positions with padding and stride")


def max_pool_shift(ax: Any) -> None:
    """2 x 2 max pooling before and after a one-pixel shift to the right."""
    x = torch.zeros(4, 4)
    x[1, 1] = 9.0
    shifted = torch.zeros(4, 4)
    shifted[:, 1:] = x[:, :3]
    for x0, image, title in ((0, x, "input"), (8, shifted, "shifted right by one")):
        _grid(
            ax,
            image.int().tolist(),
            x0,
            4,
            shade={(r, c) for r in range(4) for c in range(4) if image[r, c] > 0},
            color="#fdae6b",
        )
        _grid(ax, pool2d(image, 2).int().tolist(), x0 + 4.8, 3, shade=set(), fmt="{:d}")
        ax.text(x0 + 2, 4.4, title, ha="center", fontsize=9)
        ax.text(x0 + 5.8, 3.4, "max pool 2 x 2", ha="center", fontsize=8)
    ax.set_xlim(-0.3, 15.2)
    ax.set_ylim(-0.3, 4.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("A one-pixel shift moves the maximum into the next window")


FIGURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "cross-correlation": (
        cross_correlation,
        r"The two-dimensional cross-correlation worked on a small grid: the $2 \times 2$ kernel "
        r"covers the top-left window of the $3 \times 3$ input (shaded), the products are summed, "
        r"$0 \cdot 0 + 1 \cdot 1 + 3 \cdot 2 + 4 \cdot 3 = 19$, and the window slides to give a "
        r"$(3 - 2 + 1) \times (3 - 2 + 1)$ output (`convolution.corr2d-output-shape`). Computed "
        "with `corr2d`.",
    ),
    "output-shape": (
        output_shape,
        r"The output-size formula as a picture, in one dimension: five inputs padded with one "
        r"zero on each side (total padding $p = 2$), a window of $k = 3$ moved by the stride "
        r"$s = 2$. The window fits at corners 0, 2 and 4, so there are "
        r"$\lfloor (5 - 3 + 2 + 2)/2 \rfloor = 3$ outputs "
        "(`convolution.strided-output-shape`); `conv_output_shape` gives the same.",
    ),
    "max-pool-shift": (
        max_pool_shift,
        r"Max pooling over $2 \times 2$ windows with stride 2 is not translation invariant: "
        "moving the single nonzero pixel one column to the right carries it into the next "
        "window, and the pooled output changes (`convolution.max-pool-not-shift-invariant`); a "
        "move inside its window would not (`convolution.max-pool-permutation-invariant`).",
    ),
}
