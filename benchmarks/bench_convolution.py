"""Convolution: speed against the torch built-ins, accuracy against mpmath.

Speed (``cases``): conv2d against ``F.conv2d`` on a few realistic float32 shapes (LeNet's
first layer, a CIFAR stem, ResNet 3 x 3 blocks with stride 1 and 2), forward and forward +
backward; pool2d against ``F.max_pool2d`` / ``F.avg_pool2d``; corr2d against ``F.conv2d`` with
one channel.

Accuracy (``accuracy``): the largest relative error of conv2d and of F.conv2d in float32
against the exact sums (mpmath ``fsum`` of the products of the float32 inputs), in units of
float32 eps, on outputs whose terms do not cancel by more than a factor 10 (elsewhere the
relative error of any summation order is unbounded).

Run through ``python -m benchmarks --chapter convolution``.
"""

from __future__ import annotations

import mpmath
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case, worst_eps
from dltheory.convolution import conv2d, corr2d, pool2d

CH = "convolution"

#: (label, N, c_in, H, W, c_out, k, stride, padding)
SHAPES = [
    ("LeNet conv1 64x1x28x28 -> 6, 5x5 pad 2", 64, 1, 28, 28, 6, 5, 1, 2),
    ("CIFAR stem 32x3x32x32 -> 64, 3x3 pad 1", 32, 3, 32, 32, 64, 3, 1, 1),
    ("ResNet 8x64x56x56 -> 64, 3x3 pad 1", 8, 64, 56, 56, 64, 3, 1, 1),
    ("ResNet 8x64x56x56 -> 128, 3x3 s2", 8, 64, 56, 56, 128, 3, 2, 1),
]


def _randn(*shape, device="cpu", dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype).to(device)


def _backward(fn, x, w, b):
    def run():
        leaves = [t.detach().requires_grad_() for t in (x, w, b)]
        fn(*leaves).sum().backward()
        return leaves[0].grad

    return run


def cases(quick: bool, device: str) -> list[Case]:
    out: list[Case] = []
    for label, n, c_in, h, w_, c_out, k, stride, padding in SHAPES[: 2 if quick else None]:
        x = _randn(n, c_in, h, w_, device=device)
        w = _randn(c_out, c_in, k, k, device=device, seed=1) * 0.1
        b = _randn(c_out, device=device, seed=2)

        def ours(x_, w_, b_, s=stride, p=padding):
            return conv2d(x_, w_, b_, s, p)

        def builtin(x_, w_, b_, s=stride, p=padding):
            return F.conv2d(x_, w_, b_, s, p)

        out += [
            Case(f"{CH}.conv2d", label, lambda o=ours, x=x, w=w, b=b: o(x, w, b),
                 lambda f=builtin, x=x, w=w, b=b: f(x, w, b), "F.conv2d", goal=2.0),
            Case(f"{CH}.conv2d", label + " fwd+bwd", _backward(ours, x, w, b),
                 _backward(builtin, x, w, b), "F.conv2d", goal=2.0, note="forward and backward"),
        ]  # fmt: skip
    x = _randn(32, 64, 56, 56, device=device)
    label = "32x64x56x56 f32"
    out += [
        Case(f"{CH}.pool2d", label + " max 2x2", lambda: pool2d(x, 2),
             lambda: F.max_pool2d(x, 2), "F.max_pool2d", goal=2.0),
        Case(f"{CH}.pool2d", label + " max 3x3 s2 p1", lambda: pool2d(x, 3, 2, 1),
             lambda: F.max_pool2d(x, 3, 2, 1), "F.max_pool2d", goal=2.0),
        Case(f"{CH}.pool2d", label + " avg 2x2", lambda: pool2d(x, 2, mode="avg"),
             lambda: F.avg_pool2d(x, 2), "F.avg_pool2d", goal=2.0),
    ]  # fmt: skip
    image, kernel = _randn(256, 256, device=device), _randn(5, 5, device=device, seed=3)
    out.append(
        Case(f"{CH}.corr2d", "256x256 * 5x5 f32", lambda: corr2d(image, kernel),
             lambda: F.conv2d(image[None, None], kernel[None, None]), "F.conv2d", goal=2.0)
    )  # fmt: skip
    return out


def accuracy(quick: bool) -> list[Accuracy]:
    """Worst relative error of conv2d and F.conv2d in float32 against exact sums."""
    x = _randn(2, 8, 10, 10)
    w = _randn(4, 8, 3, 3, seed=1)
    ours, builtin = conv2d(x, w, padding=1), F.conv2d(x, w, padding=1)
    xp = F.pad(x, (1, 1, 1, 1)).double()
    picks = [(n, o, i, j) for n in range(2) for o in range(4) for i in range(10) for j in range(10)]
    picks = picks[:: 8 if quick else 1]
    got, ref, exact = [], [], []
    for n, o, i, j in picks:
        terms = (xp[n, :, i : i + 3, j : j + 3] * w[o].double()).flatten().tolist()
        with mpmath.workdps(50):
            total = mpmath.fsum(mpmath.mpf(t) for t in terms)  # products of floats are exact
            magnitude = mpmath.fsum(abs(mpmath.mpf(t)) for t in terms)
        if abs(total) * 10 < magnitude:
            continue  # heavy cancellation: no summation order is relatively accurate there
        got.append(ours[n, o, i, j].item())
        ref.append(builtin[n, o, i, j].item())
        exact.append(total)
    what = "float32, 72-term sums with cancellation <= 10x"
    return [
        Accuracy(
            f"{CH}.conv2d",
            what,
            worst_eps(zip(got, exact, strict=True), torch.float32),
            worst_eps(zip(ref, exact, strict=True), torch.float32),
            "F.conv2d",
        )
    ]
