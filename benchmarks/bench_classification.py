"""Speed and accuracy of the classification reference functions.

Speed: each reference function against the matching torch built-in on the same inputs, timed
with ``torch.utils.benchmark`` (median of blocked runs), and the ratio reference / built-in.
Accuracy: ``logsumexp`` and ``cross_entropy`` against mpmath at 50 significant digits on
extreme logits, as the largest relative error per dtype (and in units of the dtype's epsilon).

    python benchmarks/bench_classification.py [--quick]

Not part of the test suite; the figures go into the closing notes.
"""

from __future__ import annotations

import argparse

import mpmath
import torch
import torch.nn.functional as F
from torch.utils import benchmark

from dltheory.classification import (
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    logsumexp,
    softmax,
)


def _median_ms(stmt, min_run_time: float) -> float:
    timer = benchmark.Timer(stmt="stmt()", globals={"stmt": stmt})
    return timer.blocked_autorange(min_run_time=min_run_time).median * 1e3


def _grad(loss_fn, x, y):
    leaf = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(loss_fn(leaf, y), leaf)
    return g


def _cases(x: torch.Tensor, y: torch.Tensor) -> list:
    """(name, reference call, built-in call) on the same inputs."""

    def ours_fwd_bwd(a, b):
        return cross_entropy(a, b, validate=False)

    return [
        ("softmax", lambda: softmax(x), lambda: torch.softmax(x, -1)),
        ("log_softmax", lambda: log_softmax(x), lambda: torch.log_softmax(x, -1)),
        ("logsumexp", lambda: logsumexp(x), lambda: torch.logsumexp(x, -1)),
        ("cross_entropy", lambda: cross_entropy(x, y), lambda: F.cross_entropy(x, y)),
        (
            "cross_entropy (validate=False)",
            lambda: cross_entropy(x, y, validate=False),
            lambda: F.cross_entropy(x, y),
        ),
        (
            "forward+backward (autograd)",
            lambda: _grad(ours_fwd_bwd, x, y),
            lambda: _grad(F.cross_entropy, x, y),
        ),
        (
            "cross_entropy_grad (closed form)",
            lambda: cross_entropy_grad(x, y, validate=False),
            lambda: _grad(F.cross_entropy, x, y),
        ),
    ]


def speed(sizes, min_run_time: float) -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float32, CPU")
    print(f"{'function':<34} {'shape':>12} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}")
    for n, c in sizes:
        g = torch.Generator().manual_seed(0)
        x = torch.randn(n, c, generator=g) * 3
        y = torch.randint(c, (n,), generator=g)
        for name, ours, theirs in _cases(x, y):
            a, b = _median_ms(ours, min_run_time), _median_ms(theirs, min_run_time)
            print(f"{name:<34} {f'{n}x{c}':>12} {a:9.3f} {b:9.3f} {a / b:6.2f}")


def _mp_logsumexp(row) -> mpmath.mpf:
    return mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in row))


def _worst_errors(lse_fn, ce_fn, dtype, magnitude) -> tuple[float, float, int]:
    """Largest relative errors of log-sum-exp and per-sample cross-entropy against mpmath."""
    g = torch.Generator().manual_seed(1)
    batches = [
        torch.randn(64, 50, generator=g, dtype=torch.float64) * 30,
        torch.randn(64, 50, generator=g, dtype=torch.float64) * magnitude / 4,
        torch.tensor([[magnitude, -magnitude, 0.0, 1.0]] * 4, dtype=torch.float64).repeat(1, 5),
    ]
    worst_lse = worst_ce = 0.0
    overflows = 0
    largest, smallest = torch.finfo(dtype).max, torch.finfo(dtype).tiny
    for x64 in batches:
        x = x64.to(dtype)
        # every class index in turn, and the argmax (a confident prediction, tiny loss)
        for labels in (torch.arange(x.shape[0]) % x.shape[1], x.argmax(-1)):
            values = x.double().tolist()
            lse = lse_fn(x).double().tolist()
            ce = ce_fn(x, labels).double().tolist()
            for row, label, got_lse, got_ce in zip(values, labels.tolist(), lse, ce, strict=True):
                exact_lse = _mp_logsumexp(row)
                exact_ce = exact_lse - mpmath.mpf(row[label])
                worst_lse = max(worst_lse, float(abs((got_lse - exact_lse) / exact_lse)))
                if abs(exact_ce) > largest:  # not representable: inf is the right answer
                    overflows += 1
                    assert got_ce == float("inf"), (dtype, row, got_ce)
                elif abs(exact_ce) >= smallest:  # below: subnormal, relative error meaningless
                    worst_ce = max(worst_ce, float(abs((got_ce - exact_ce) / exact_ce)))
    return worst_lse, worst_ce, overflows


def accuracy() -> None:
    mpmath.mp.dps = 50
    print("\nlargest relative error against mpmath (50 digits), in units of the dtype's eps")
    print("(logits up to the magnitude shown; labels: every class, and the argmax)")
    header = ("dtype", "|o| max", "logsumexp", "torch", "cross_entropy", "torch")
    print("{:<16} {:>8} {:>10} {:>8} {:>14} {:>8}".format(*header))
    big = {torch.float64: 1e300, torch.float32: 1e4, torch.bfloat16: 1e4, torch.float16: 6e4}
    for dtype, magnitude in big.items():
        eps = torch.finfo(dtype).eps
        lse, ce, overflows = _worst_errors(
            logsumexp, lambda x, y: cross_entropy(x, y, reduction="none"), dtype, magnitude
        )
        t_lse, t_ce, _ = _worst_errors(
            lambda x: torch.logsumexp(x, -1),
            lambda x, y: F.cross_entropy(x, y, reduction="none"),
            dtype,
            magnitude,
        )
        note = f"  ({overflows} losses beyond the dtype's range gave inf)" if overflows else ""
        print(
            f"{dtype!s:<16} {magnitude:8.0e} {lse / eps:10.2f} {t_lse / eps:8.2f} "
            f"{ce / eps:14.2f} {t_ce / eps:8.2f}{note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one size, short timings")
    args = parser.parse_args()
    sizes = [(4096, 1000)] if args.quick else [(4096, 1000), (256, 32000), (65536, 10)]
    speed(sizes, min_run_time=0.2 if args.quick else 1.0)
    accuracy()


if __name__ == "__main__":
    main()
