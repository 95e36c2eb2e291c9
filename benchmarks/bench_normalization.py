"""Normalization: speed against the torch built-ins, accuracy against mpmath.

Speed (``cases``): ``batch_norm`` against ``F.batch_norm`` (training mode, with running
statistics) for a fully connected ``(N, C)`` and a convolutional ``(N, C, H, W)`` input, and
``layer_norm`` against ``F.layer_norm``, float32, forward and forward + backward.

Accuracy (``accuracy``): the largest error in float64 against mpmath at 60 digits, in units of
eps relative to each output's conditioning scale, on ordinary batches and on batches whose
mean is 1e6 times their spread, for ours and for the built-in.

Run through ``python -m benchmarks --chapter normalization``.
"""

from __future__ import annotations

import mpmath
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case
from dltheory.normalization import batch_norm, layer_norm

CH = "normalization"


def _x(*shape, device="cpu", dtype=torch.float32, loc=0.0):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(shape, generator=g, dtype=torch.float64) + loc).to(dtype).to(device)


def _backward(fn, x):
    def run():
        leaf = x.detach().requires_grad_()
        fn(leaf).sum().backward()
        return leaf.grad

    return run


_WHY_BN = (
    "corrected two-pass statistics: the mean, the deviations from it, their mean (the first's "
    "rounding error) and their squares (summed in cache-sized blocks, no full-size temporary) "
    "are separate reductions, and a dozen small calls (statistics, overflow check, running "
    "statistics) cost what the fused kernel's whole run does; F.batch_norm accumulates each "
    "feature sequentially (about 6 eps of the output on N(0, 1) batches of 1024 in float32, "
    "ours 1.7) and is off by eps |mu| / sigma where the mean is far above the spread "
    "(1.2e5 eps at 1e4 in float32)"
)

_WHY_LN = (
    "torch.native_layer_norm on x, and a check of its own statistics (|mu| / sigma at most 1 "
    "in every row: a few operations on the row statistics and a host read); the rows whose "
    "mean lies farther above their spread are centered on their rounded mean and normalized "
    "again (the built-in on x is off by eps |mu| / sigma there: 4.6e5 eps of the output at "
    "mean 1e6 x spread, accuracy table; ours 1.1 eps)"
)


def cases(quick: bool, device: str) -> list[Case]:
    out: list[Case] = []
    shapes = [(1024, 512), (32, 64, 16, 16)] if quick else [(4096, 512), (64, 64, 32, 32)]
    for shape in shapes:
        x = _x(*shape, device=device)
        c = shape[1]
        g, b = torch.ones(c, device=device), torch.zeros(c, device=device)
        rm, rv = torch.zeros(c, device=device), torch.ones(c, device=device)
        label = "x".join(map(str, shape)) + " f32"

        def ours(x=x, g=g, b=b, rm=rm, rv=rv):
            return batch_norm(x, g, b, running_mean=rm, running_var=rv).output

        def builtin(x=x, g=g, b=b, rm=rm, rv=rv):
            return F.batch_norm(x, rm.clone(), rv.clone(), g, b, training=True)

        out += [
            Case(
                f"{CH}.batch_norm",
                label,
                ours,
                builtin,
                "F.batch_norm",
                goal=1.5,
                note="training, running statistics",
                why=_WHY_BN,
            ),
            Case(
                f"{CH}.batch_norm",
                label + " fwd+bwd",
                _backward(lambda z, g=g, b=b: batch_norm(z, g, b).output, x),
                _backward(lambda z, g=g, b=b: F.batch_norm(z, None, None, g, b, training=True), x),
                "F.batch_norm",
                goal=1.5,
                note="forward and backward",
                why=_WHY_BN,
            ),
        ]
    for shape in [(1024, 768)] if quick else [(4096, 1024), (64, 128, 768)]:
        x = _x(*shape, device=device)
        d = shape[-1]
        g, b = torch.ones(d, device=device), torch.zeros(d, device=device)
        label = "x".join(map(str, shape)) + " f32"
        out += [
            Case(
                f"{CH}.layer_norm",
                label,
                lambda x=x, g=g, b=b, d=d: layer_norm(x, d, g, b),
                lambda x=x, g=g, b=b, d=d: F.layer_norm(x, (d,), g, b),
                "F.layer_norm",
                goal=1.5,
                why=_WHY_LN,
            ),
            Case(
                f"{CH}.layer_norm",
                label + " fwd+bwd",
                _backward(lambda z, g=g, b=b: layer_norm(z, z.shape[-1], g, b), x),
                _backward(lambda z, g=g, b=b: F.layer_norm(z, (z.shape[-1],), g, b), x),
                "F.layer_norm",
                goal=1.5,
                note="forward and backward",
                why=_WHY_LN,
            ),
        ]
    return out


def _worst(got: torch.Tensor, values: torch.Tensor, *, conditioned: bool = True) -> float:
    """Largest error of each column's standardization, in eps of its conditioning (or, with
    ``conditioned=False``, in eps of the output itself, at least 1)."""
    worst = 0.0
    eps = torch.finfo(torch.float64).eps
    for column, out in zip(values.T.tolist(), got.T.tolist(), strict=True):
        xs = [mpmath.mpf(v) for v in column]
        mu = mpmath.fsum(xs) / len(xs)
        root = mpmath.sqrt(mpmath.fsum((v - mu) ** 2 for v in xs) / len(xs) + mpmath.mpf(1e-5))
        spread = max(abs(v) + abs(mu) for v in xs) / root
        for v, o in zip(xs, out, strict=True):
            z = (v - mu) / root
            scale = max(abs(z), (1 + abs(z)) * spread) if conditioned else max(abs(z), 1)
            worst = max(worst, float(abs(mpmath.mpf(o) - z) / scale) / eps)
    return worst


def accuracy(quick: bool) -> list[Accuracy]:
    n, c = (64, 8) if quick else (256, 16)
    out = []
    with mpmath.workdps(60):
        for loc, what in ((0.0, "N(0, 1) batches"), (1e6, "mean 1e6 x spread")):
            x = _x(n, c, dtype=torch.float64, loc=loc)
            ours = batch_norm(x).output
            builtin = F.batch_norm(x, None, None, training=True)
            out.append(
                Accuracy(
                    f"{CH}.batch_norm",
                    f"float64, {what}",
                    _worst(ours, x),
                    _worst(builtin, x),
                    "F.batch_norm",
                )
            )
            ours = layer_norm(x.T.contiguous(), n)
            builtin = F.layer_norm(x.T.contiguous(), (n,))
            out.append(
                Accuracy(
                    f"{CH}.layer_norm",
                    f"float64, {what}",
                    _worst(ours.T, x),
                    _worst(builtin.T, x),
                    "F.layer_norm",
                )
            )
    with mpmath.workdps(60):  # the mean's rounding error itself, not scaled by conditioning
        x = _x(n, c, dtype=torch.float64, loc=1e6)
        rows = x.T.contiguous()
        out.append(
            Accuracy(
                f"{CH}.layer_norm",
                "float64, mean 1e6 x spread, eps of the output",
                _worst(layer_norm(rows, n).T, x, conditioned=False),
                _worst(F.layer_norm(rows, (n,)).T, x, conditioned=False),
                "F.layer_norm",
            )
        )
    return out
