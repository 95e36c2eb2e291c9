r"""Figures for the multilayer-perceptron chapter of the documentation site.

``FIGURES`` maps a figure key to ``(draw, caption)``; ``draw(ax)`` draws on a matplotlib
``Axes``. Every curve is computed with the chapter's reference functions (derivatives by
autograd through them), so the pictures show what the checked code computes. Only the
documentation build imports this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from dltheory.mlp.reference import linear, relu, sigmoid, tanh

__all__ = ["FIGURES", "activation_derivatives", "activations", "log_map", "vanishing_gradient"]

_GRID = torch.linspace(-6.0, 6.0, 481, dtype=torch.float64)
_ACTIVATIONS = (("ReLU", relu), ("sigmoid", sigmoid), ("tanh", tanh))


def activations(ax: Any) -> None:
    """ReLU, sigmoid and tanh on [-6, 6]."""
    x = _GRID.tolist()
    for name, fn in _ACTIVATIONS:
        ax.plot(x, fn(_GRID).tolist(), label=name)
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.axvline(0, color="0.6", linewidth=0.8)
    ax.set_ylim(-1.2, 3.2)
    ax.set_xlabel("$x$")
    ax.legend(fontsize=9, loc="upper left")
    ax.set_title("The three activations: ReLU, sigmoid, tanh")


def activation_derivatives(ax: Any) -> None:
    """Their derivatives by autograd; ReLU's value at 0 and the maximum 1/4 of sigma'."""
    x = _GRID.tolist()
    for name, fn in _ACTIVATIONS:
        leaf = _GRID.clone().requires_grad_()
        (grad,) = torch.autograd.grad(fn(leaf).sum(), leaf)
        ax.plot(
            x, grad.tolist(), label=f"{name}'", drawstyle="steps-mid" if name == "ReLU" else None
        )
    at_zero = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    (relu_at_zero,) = torch.autograd.grad(relu(at_zero).sum(), at_zero)
    ax.plot([0], relu_at_zero.tolist(), "o", color="C0", markersize=6)
    ax.annotate("ReLU'(0) = 0 (left derivative)", (0, 0), (0.6, 0.12), fontsize=8)
    ax.axhline(0.25, color="C1", linestyle=":", linewidth=1)
    ax.annotate(r"$\sigma'(0) = 1/4$", (0, 0.25), (-5.8, 0.3), fontsize=8, color="C1")
    ax.set_ylim(-0.1, 1.15)
    ax.set_xlabel("$x$")
    ax.legend(fontsize=9, loc="upper right")
    ax.set_title("Derivatives (autograd through the reference functions)")


def vanishing_gradient(ax: Any) -> None:
    r""":math:`\lVert\partial h_L/\partial h_0\rVert_2` through L sigmoid layers, and its bound."""
    g = torch.Generator().manual_seed(0)
    width, depths = 8, range(1, 16)
    weights = [
        torch.randn(width, width, generator=g, dtype=torch.float64) / math.sqrt(width)
        for _ in depths
    ]
    norms, bounds = [], []
    for depth in depths:
        ws = weights[:depth]

        def stack(h, ws=ws):
            for w in ws:
                h = sigmoid(linear(h, w))
            return h

        jac = torch.autograd.functional.jacobian(stack, torch.zeros(width, dtype=torch.float64))
        norms.append(torch.linalg.matrix_norm(jac, ord=2).item())
        spectral = torch.tensor([torch.linalg.matrix_norm(w, ord=2).item() for w in ws])
        bounds.append(spectral.prod().item() / 4**depth)
    ax.semilogy(
        list(depths),
        norms,
        "o-",
        label=r"$\Vert\partial\mathbf{h}_L/\partial\mathbf{h}_0\Vert_2$",
    )
    ax.semilogy(list(depths), bounds, "s--", label=r"$4^{-L}\prod_l\Vert W_l\Vert_2$")
    ax.set_xlabel("depth $L$ (sigmoid layers of width 8)")
    ax.legend(fontsize=9)
    ax.set_title("The gradient reaching the input vanishes with depth")


def log_map(ax: Any) -> None:
    """The loan example: a log of the outcome (convex) against a log of the feature (concave)."""
    income = torch.linspace(0.0, 1.1, 221, dtype=torch.float64).unsqueeze(1)  # $ millions
    weight, bias = (
        torch.tensor([[1.2]], dtype=torch.float64),
        torch.tensor([0.0], dtype=torch.float64),
    )
    outcome_log = torch.exp(linear(income, weight, bias - 1.5)).squeeze(1)  # log p = w x + b
    feature_log = linear(torch.log1p(income * 10), weight / 4, bias + 0.1).squeeze(1)
    x = income.squeeze(1).tolist()
    ax.plot(x, outcome_log.tolist(), label=r"$\log p = wx + b$ (log of the outcome)")
    ax.plot(x, feature_log.tolist(), label=r"$p = w\log(1 + x/c) + b$ (log of the feature)")
    for start in (0.0, 1.0):
        ax.axvspan(start, start + 0.05, color="0.85")
    ax.text(0.06, 0.02, r"+\$50k at \$0", fontsize=8, transform=ax.get_xaxis_transform())
    ax.text(0.72, 0.02, r"+\$50k at \$1M", fontsize=8, transform=ax.get_xaxis_transform())
    ax.set_xlabel("income (millions of dollars)")
    ax.set_ylabel("model output")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("Diminishing returns need the logarithm of the feature")


FIGURES: dict[str, tuple[Callable[[Any], None], str]] = {
    "activations": (
        activations,
        r"ReLU $\max(x, 0)$, sigmoid $1/(1 + e^{-x})$ and tanh $(1 - e^{-2x})/(1 + e^{-2x})$ "
        r"on $[-6, 6]$: ReLU is unbounded above and 0 for negative inputs; sigmoid squashes into "
        r"$(0, 1)$ and tanh into $(-1, 1)$, with $\tanh x = 2\sigma(2x) - 1$ "
        "(`mlp.tanh-sigmoid-relation`).",
    ),
    "activation-derivatives": (
        activation_derivatives,
        r"The derivatives, by autograd through the reference functions. ReLU's is a step, 0 "
        r"at $x = 0$ itself (the left derivative, `mlp.relu-derivative`); sigmoid's peaks at "
        r"$1/4$ (`mlp.sigmoid-derivative-bound`); tanh's at 1. Both smooth derivatives vanish "
        "for large $|x|$.",
    ),
    "vanishing-gradient": (
        vanishing_gradient,
        r"Spectral norm of the Jacobian of $L$ stacked sigmoid layers at $\mathbf{h}_0 = 0$ "
        r"(random weights with norm about 2, so each layer can shrink a gradient by up to "
        r"$2/4$), and the bound $4^{-L}\prod_l\lVert W_l\rVert_2$ of "
        "`mlp.jacobian-product-bound`: both fall geometrically with depth (log scale).",
    ),
    "log-map": (
        log_map,
        r"The notes' loan example. Modelling the logarithm of the outcome linearly gives "
        r"$p = e^{wx + b}$, whose gain over a raise of 50,000 dollars *grows* with income "
        "(the erratum `mlp.log-outcome-diminishing-returns`); a logarithm of the income "
        "feature gives the diminishing gains the example describes "
        "(`mlp.log-feature-diminishing-returns`).",
    ),
}
