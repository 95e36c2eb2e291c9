"""Sequences: speed against the torch built-ins, accuracy against mpmath.

Speed (``cases``): ``perplexity`` from logits against ``exp(F.cross_entropy)`` (float32, with
and without padding), and ``clip_grad_norm`` against ``torch.nn.utils.clip_grad_norm_``
(foreach) on the gradients of a small transformer-sized parameter list (ours returns new
tensors; the built-in clips in place, so its inputs are re-copied outside the timing).

Accuracy (``accuracy``): the largest error of the perplexity in float64 against mpmath, in
units of eps relative to exp's conditioning (the value times the mean negative
log-likelihood), and of the total norm of ``clip_grad_norm`` against mpmath.

Run through ``python -m benchmarks --chapter sequences``.
"""

from __future__ import annotations

import mpmath
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case, eps_error
from dltheory.sequences import clip_grad_norm, perplexity

CH = "sequences"


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


_WHY = (
    "the cross-entropy underneath recomputes confident tokens by log1p (F.cross_entropy is "
    "1e4 eps off there), and the targets and lengths are range-checked"
)


def cases(quick: bool, device: str) -> list[Case]:
    out: list[Case] = []
    n, t, v = (8, 64, 1000) if quick else (32, 128, 10_000)
    logits = (torch.randn(n, t, v, generator=_gen()) * 2).to(device)
    targets = torch.randint(v, (n, t), generator=_gen(1)).to(device)
    lengths = torch.randint(1, t + 1, (n,), generator=_gen(2)).to(device)
    padded = torch.where(torch.arange(t, device=device) < lengths.unsqueeze(1), targets, -100)
    label = f"{n}x{t}x{v} f32"
    out += [
        Case(
            f"{CH}.perplexity",
            label,
            lambda: perplexity(logits=logits, targets=targets),
            lambda: torch.exp(F.cross_entropy(logits.reshape(-1, v), targets.reshape(-1))),
            "exp(F.cross_entropy)",
            goal=1.5,
            why=_WHY,
        ),
        Case(
            f"{CH}.perplexity",
            label + " padded",
            lambda: perplexity(logits=logits, targets=padded, lengths=lengths),
            lambda: torch.exp(
                F.cross_entropy(logits.reshape(-1, v), padded.reshape(-1), ignore_index=-100)
            ),
            "exp(F.cross_entropy)",
            goal=1.5,
            note="ignore_index vs lengths",
            why=_WHY + "; only the valid positions go through it, so that padding (even NaN) "
            "gets exactly zero weight and zero gradient",
        ),
    ]
    shapes = [(256, 256), (256,), (1024, 256), (256, 1024)] * (4 if quick else 12)
    grads = [torch.randn(s, generator=_gen(k)).to(device) for k, s in enumerate(shapes)]
    params = [torch.nn.Parameter(g.clone()) for g in grads]

    def builtin():
        for p, g in zip(params, grads, strict=True):
            p.grad = g  # the same tensors each call: clipping them in place is part of the cost
        return torch.nn.utils.clip_grad_norm_(params, 1e9, foreach=True)

    out.append(
        Case(
            f"{CH}.clip_grad_norm",
            f"{len(shapes)} tensors f32",
            lambda: clip_grad_norm(grads, 1.0),
            builtin,
            "clip_grad_norm_(foreach)",
            goal=1.5,
            note="ours allocates new tensors",
            why="the inputs are never modified, so every clipped gradient is a new tensor where "
            "clip_grad_norm_ scales in place; and the norm is taken of power-of-two-scaled "
            "gradients where the p-th powers would overflow or underflow",
        )
    )
    return out


def accuracy(quick: bool) -> list[Accuracy]:
    out = []
    rows = 16 if quick else 64
    with mpmath.workdps(60):
        for scale, what in ((1.0, "log-probs ~ -|N(0,1)|"), (30.0, "log-probs ~ -30|N(0,1)|")):
            lp = -(torch.randn(rows, 50, generator=_gen(3), dtype=torch.float64) * scale).abs()
            ours = perplexity(lp, reduction="none").tolist()
            builtin = torch.exp(-lp.mean(1)).tolist()
            worst_ours = worst_builtin = 0.0
            for row, a, b in zip(lp.tolist(), ours, builtin, strict=True):
                mean = -mpmath.fsum(mpmath.mpf(v) for v in row) / len(row)
                exact = mpmath.exp(mean)
                cond = max(mpmath.mpf(1), mean)
                worst_ours = max(worst_ours, eps_error(a, exact, torch.float64) / float(cond))
                worst_builtin = max(worst_builtin, eps_error(b, exact, torch.float64) / float(cond))
            out.append(
                Accuracy(
                    f"{CH}.perplexity", f"float64, {what}", worst_ours, worst_builtin, "exp(-mean)"
                )
            )
        grads = [
            torch.randn(100, generator=_gen(k), dtype=torch.float64) * 10.0 ** (5 * k)
            for k in range(3)
        ]
        exact = mpmath.sqrt(mpmath.fsum(mpmath.mpf(v) ** 2 for g in grads for v in g.tolist()))
        _, total = clip_grad_norm(grads, 1.0)
        params = [torch.nn.Parameter(g.clone()) for g in grads]
        for p, g in zip(params, grads, strict=True):
            p.grad = g.clone()
        builtin = torch.nn.utils.clip_grad_norm_(params, 1.0)
        out.append(
            Accuracy(
                f"{CH}.clip_grad_norm",
                "float64 total norm, scales 1 to 1e10",
                eps_error(float(total), exact, torch.float64),
                eps_error(float(builtin), exact, torch.float64),
                "clip_grad_norm_",
            )
        )
    return out
