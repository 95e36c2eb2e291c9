"""MLP: speed against the torch built-ins, accuracy against mpmath.

Speed (``cases``): relu, sigmoid, tanh against ``torch.relu``, ``torch.sigmoid``,
``torch.tanh`` on a float32 activation tensor (forward, and forward + backward); dropout
against ``F.dropout``; linear against ``F.linear``; mlp_forward against the same network
from built-ins; and 1 x 10 calls, where per-call overhead dominates.

Accuracy (``accuracy``): the largest relative error of sigmoid, tanh and their derivatives
against mpmath at 50 digits, in units of eps, in float64 and float32, over values spread
across the range where the results are normal numbers, for ours and for the built-in.

Run through ``python -m benchmarks --chapter mlp``.
"""

from __future__ import annotations

import mpmath
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case, worst_eps
from dltheory.mlp import dropout, linear, mlp_forward, relu, sigmoid, tanh

CH = "mlp"


def _randn(*shape, device="cpu", dtype=torch.float32, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype).to(device)


def _backward(fn, x):
    def run():
        leaf = x.detach().requires_grad_()
        fn(leaf).sum().backward()
        return leaf.grad

    return run


_WHY = {
    "sigmoid": "one min-reduction finds the inputs below -log(max) (float32: -88.7), where "
    "torch.sigmoid gives 0 and sigma(x) is e^x, still a subnormal number down to -103",
}
_WHY_BACKWARD = {
    "relu": "an autograd.Function: the built-in's fused threshold_backward, and one sum of "
    "relu(x) read on the host to find a NaN input (none here), where the built-in passes the "
    "incoming gradient through and ours gives NaN (grad * min(ceil(y), 1), three passes, "
    "only then)",
    "tanh": "the derivative 4 t (1 - t) with t = sigma(-2|x|) (the fused sigmoid backward on "
    "t), relatively accurate where tanh(x) rounds to +-1 (autograd of torch.tanh: 8.4e6 eps in "
    "float32, accuracy table); the largest |x| (a reduction and a host read), where e^{2|x|} "
    "could overflow, and t: four passes besides the built-in's one",
    "sigmoid": "the derivative as t (1 - t) with t = sigma(-|x|) (the fused sigmoid backward "
    "on t, not on sigma(x)): relatively accurate where sigma(x) rounds to 1 (autograd of "
    "torch.sigmoid: 4.5e15 eps there, see the accuracy table); besides the built-in's two "
    "passes, the forward's smallest x (where e^{-x} overflows), the backward's largest |x| and "
    "t: a second exponential and three memory passes",
}


def cases(quick: bool, device: str) -> list[Case]:
    shape = (256, 4096) if quick else (1024, 4096)
    x = _randn(*shape, device=device)
    label = f"{shape[0]}x{shape[1]} f32"
    out: list[Case] = []
    for name, ours, builtin, builtin_name in (
        ("relu", relu, torch.relu, "torch.relu"),
        ("sigmoid", sigmoid, torch.sigmoid, "torch.sigmoid"),
        ("tanh", tanh, torch.tanh, "torch.tanh"),
    ):
        out += [
            Case(f"{CH}.{name}", label, lambda f=ours: f(x), lambda f=builtin: f(x),
                 builtin_name, goal=1.5, why=_WHY.get(name, "")),
            Case(f"{CH}.{name}", label + " fwd+bwd", _backward(ours, x), _backward(builtin, x),
                 builtin_name, goal=1.5, note="forward and backward",
                 why=_WHY_BACKWARD.get(name, "")),
        ]  # fmt: skip
    out.append(
        Case(f"{CH}.dropout", label, lambda: dropout(x, 0.5), lambda: F.dropout(x, 0.5),
             "F.dropout", goal=1.5, note="p = 0.5, global generator")
    )  # fmt: skip
    batch = _randn(512, 784, device=device, scale=1.0)
    w1, b1 = _randn(256, 784, device=device, scale=0.05), _randn(256, device=device, scale=0.1)
    w2, b2 = _randn(10, 256, device=device, scale=0.05), _randn(10, device=device, scale=0.1)
    out += [
        Case(f"{CH}.linear", "512x784 -> 256 f32", lambda: linear(batch, w1, b1),
             lambda: F.linear(batch, w1, b1), "F.linear", goal=1.5),
        Case(f"{CH}.mlp_forward", "512x784-256-10 f32",
             lambda: mlp_forward(batch, w1, b1, w2, b2, activation="relu"),
             lambda: F.linear(torch.relu(F.linear(batch, w1, b1)), w2, b2),
             "F.linear + torch.relu", goal=1.5),
    ]  # fmt: skip
    small = _randn(1, 10, device=device)
    out += [
        Case(f"{CH}.sigmoid", "1x10 f32", lambda: sigmoid(small), lambda: torch.sigmoid(small),
             "torch.sigmoid", goal=5.0, note="per-call overhead"),
        Case(f"{CH}.tanh", "1x10 f32", lambda: tanh(small), lambda: torch.tanh(small),
             "torch.tanh", goal=5.0, note="per-call overhead"),
    ]  # fmt: skip
    return out


def _exact(fn, values):
    with mpmath.workdps(50):
        return [fn(mpmath.mpf(v)) for v in values]


def _sigmoid(v):
    return 1 / (1 + mpmath.exp(-v))


def _sigmoid_derivative(v):
    return 1 / (1 + mpmath.exp(-v)) / (1 + mpmath.exp(v))


def _tanh_derivative(v):
    return mpmath.sech(v) ** 2


def _grad(fn, x):
    leaf = x.detach().clone().requires_grad_()
    fn(leaf).sum().backward()
    return leaf.grad


def accuracy(quick: bool) -> list[Accuracy]:
    """Worst errors over values spread across each dtype's normal range of results: sigmoid
    on [-700, 700] (float64) / [-85, 85] (float32), tanh on the same and near 0."""
    count = 400 if quick else 2000
    out = []
    for dtype, reach in ((torch.float64, 700.0), (torch.float32, 85.0)):
        g = torch.Generator().manual_seed(1)
        spread = (torch.rand(count, generator=g, dtype=torch.float64) * 2 - 1) * reach
        tiny = torch.logspace(-30, -1, count // 4, dtype=torch.float64)
        x = torch.cat([spread, tiny, -tiny]).to(dtype)
        values = x.double().tolist()
        name = "float64" if dtype == torch.float64 else "float32"
        what = f"{name}, |x| <= {reach:g} and tiny x"
        rows = (
            ("sigmoid", sigmoid(x), torch.sigmoid(x), _exact(_sigmoid, values), "torch.sigmoid"),
            ("tanh", tanh(x), torch.tanh(x), _exact(mpmath.tanh, values), "torch.tanh"),
            ("sigmoid", _grad(sigmoid, x), _grad(torch.sigmoid, x),
             _exact(_sigmoid_derivative, values), "autograd of torch.sigmoid"),
            ("tanh", _grad(tanh, x), _grad(torch.tanh, x), _exact(_tanh_derivative, values),
             "autograd of torch.tanh"),
        )  # fmt: skip
        for k, (fn, ours, builtin, exact, builtin_name) in enumerate(rows):
            label = what + (" (derivative)" if k >= 2 else "")
            out.append(
                Accuracy(
                    f"{CH}.{fn}",
                    label,
                    worst_eps(zip(ours.tolist(), exact, strict=True), dtype),
                    worst_eps(zip(builtin.tolist(), exact, strict=True), dtype),
                    builtin_name,
                )
            )
    return out
