r"""Figures for the regression chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption, alt)``: ``draw(ax)`` draws on a matplotlib
``Axes``, ``caption`` is Markdown (math in ``$...$``) and ``alt`` the image's alt text. Every
curve is computed with the chapter's reference functions. Only the documentation build
imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from dltheory.regression.reference import (
    gaussian_nll,
    k_fold_splits,
    least_squares,
    polynomial_features,
    squared_loss,
    weight_decay_step,
)

__all__ = [
    "FIGURES",
    "k_folds",
    "polynomial_degree",
    "squared_loss_and_nll",
    "weight_decay_shrinkage",
]


def squared_loss_and_nll(ax: Any) -> None:
    """The squared loss of a residual beside the Gaussian NLL for three noise levels."""
    r = torch.linspace(-3, 3, 241, dtype=torch.float64)
    zero = torch.zeros_like(r)
    ax.plot(r.tolist(), squared_loss(r, zero, "none").tolist(), "k", linewidth=2.2,
            label=r"$\frac{1}{2} r^2$ (squared loss)")  # fmt: skip
    for sigma in (0.7, 1.0, 1.5):
        nll = gaussian_nll(r, zero, sigma**2, "none")
        ax.plot(r.tolist(), nll.tolist(), "--", label=rf"$-\log p$, $\sigma = {sigma:g}$")
    ax.set_xlabel(r"residual $r = y - \mathbf{w}^\top\mathbf{x} - b$")
    ax.set_ylim(-0.2, 5)
    ax.legend(fontsize=9, loc="upper center")
    ax.set_title("Squared loss and Gaussian negative log-likelihood")


def k_folds(ax: Any) -> None:
    """Which examples each of the k splits validates on (n = 10, k = 4)."""
    n, k = 10, 4
    splits = k_fold_splits(n, k)
    grid = torch.zeros(k, n)
    for j, (_, validation) in enumerate(splits):
        grid[j, validation] = 1
    ax.imshow(grid.tolist(), cmap="Blues", vmin=-0.3, vmax=1.2, aspect="auto")
    for j, (_, validation) in enumerate(splits):
        for i in range(n):
            ax.text(i, j, "V" if i in validation.tolist() else "T", ha="center", va="center",
                    fontsize=10, color="white" if i in validation.tolist() else "0.35")  # fmt: skip
    ax.set_xticks(range(n), [str(i) for i in range(n)])
    ax.set_yticks(range(k), [f"split {j + 1}" for j in range(k)])
    ax.set_xlabel("example")
    ax.set_title(r"$k = 4$ folds of $n = 10$ examples: sizes 3, 3, 2, 2")


def weight_decay_shrinkage(ax: Any) -> None:
    r""":math:`\|\mathbf{w}\|` along full-batch SGD runs for several :math:`\lambda`."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn(64, 5, generator=g, dtype=torch.float64)
    true_w = torch.tensor([2.0, -1.5, 1.0, 0.5, -0.5], dtype=torch.float64)
    y = X @ true_w + 0.3 + 0.5 * torch.randn(64, generator=g, dtype=torch.float64)
    steps = 150
    for decay in (0.0, 0.3, 1.0, 3.0):
        w, b = torch.zeros(5, dtype=torch.float64), torch.zeros((), dtype=torch.float64)
        norms = [0.0]
        for _ in range(steps):
            w, b = weight_decay_step(w, b, X, y, 0.05, decay)
            norms.append(float(w.norm()))
        ax.plot(range(steps + 1), norms, label=rf"$\lambda = {decay:g}$")
    ax.axhline(float(least_squares(X, y)[0].norm()), color="0.4", linestyle=":",
               label="least squares")  # fmt: skip
    ax.set_xlabel(r"SGD step ($\eta = 0.05$)")
    ax.set_ylabel(r"$\|\mathbf{w}\|_2$")
    ax.legend(fontsize=9, loc="lower right")
    ax.set_title(r"Weight decay shrinks $\mathbf{w}$: $(1 - \eta\lambda)\mathbf{w} - \eta\nabla L$")


def polynomial_degree(ax: Any) -> None:
    """Training and validation error of least-squares polynomial fits by degree."""
    g = torch.Generator().manual_seed(1)
    x = torch.rand(20, generator=g, dtype=torch.float64) * 2 - 1
    y = torch.sin(3 * x) + 0.3 * torch.randn(20, generator=g, dtype=torch.float64)
    xv = torch.linspace(
        float(x.min()), float(x.max()), 200, dtype=torch.float64
    )  # no extrapolation
    yv = torch.sin(3 * xv)
    degrees = list(range(11))
    train, validation = [], []
    for k in degrees:
        w, b, var = least_squares(polynomial_features(x, k), y)
        train.append(float(var) / 2)
        prediction = polynomial_features(xv, k) @ w + b
        validation.append(float(squared_loss(prediction, yv)) + 0.3**2 / 2)
    ax.plot(degrees, train, "o-", label="training error (never increases)")
    ax.plot(degrees, validation, "s--", label="generalization error")
    ax.set_yscale("log")
    ax.set_xlabel("polynomial degree $k$")
    ax.set_ylabel(r"mean of $\frac{1}{2} r^2$")
    ax.legend(fontsize=9)
    ax.set_title(r"Fitting $\sin 3x$ + noise with 20 points")


FIGURES: dict[str, tuple[Callable[[Any], None], str, str]] = {
    "squared-loss-and-nll": (
        squared_loss_and_nll,
        r"The squared loss $\frac12 r^2$ of a residual $r$ (solid) and the Gaussian negative "
        r"log-likelihood $\frac12\log(2\pi\sigma^2) + r^2/2\sigma^2$ for three noise levels "
        r"(dashed, `gaussian_nll`). Each NLL is the squared loss scaled by $1/\sigma^2$ and "
        r"shifted, so all have their minimum at $r = 0$ and order residuals alike: minimizing "
        r"one minimizes the other (`regression.squared-error-is-mle`).",
        "Four upward parabolas centred at zero residual: the solid squared loss, and three "
        "dashed Gaussian negative log-likelihoods, narrower and lower for smaller sigma, wider "
        "and higher-based for larger sigma.",
    ),
    "k-folds": (
        k_folds,
        r"The validation folds (V) and training sets (T) of `k_fold_splits(10, 4)`: $n = 10$ "
        r"does not divide by $k = 4$, so the first $10 \bmod 4 = 2$ folds hold 3 examples and "
        r"the others 2. Each example is validated exactly once and trained on three times "
        r"(`regression.k-fold-partition`, `regression.k-fold-train-validate`).",
        "A 4 by 10 grid, one row per split: row 1 validates examples 0 to 2, row 2 examples 3 "
        "to 5, row 3 examples 6 and 7, row 4 examples 8 and 9; every other cell is training.",
    ),
    "weight-decay-shrinkage": (
        weight_decay_shrinkage,
        r"$\|\mathbf{w}\|_2$ along 150 full-batch steps of `weight_decay_step` on 64 noisy "
        r"examples of a 5-feature linear model, from $\mathbf{w} = 0$. Without decay the norm "
        r"approaches that of the least-squares solution (dotted); a larger $\lambda$ settles at "
        r"a smaller norm, the minimizer of $L + \frac\lambda2\|\mathbf{w}\|^2$ "
        r"(`regression.weight-decay-is-l2-sgd`).",
        "Four rising curves of the weight norm against the step: the curve for lambda 0 rises "
        "to the dotted least-squares level near 2.7, and the curves for lambda 0.3, 1 and 3 "
        "level off progressively lower.",
    ),
    "polynomial-degree": (
        polynomial_degree,
        r"Training error of least-squares polynomial fits to 20 noisy samples of $\sin 3x$, "
        r"degree 0 to 10 (`least_squares` on `polynomial_features`), and the generalization "
        r"error under the known distribution. The training error never increases with the "
        r"degree (`regression.polynomial-training-error-nonincreasing`); the generalization "
        r"error falls, then rises once the polynomial fits the noise.",
        "Two curves on a log scale against the degree: training error decreasing steadily, "
        "generalization error lowest at degree 2 and slowly rising after it.",
    ),
}
