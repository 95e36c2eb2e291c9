"""Speed and accuracy of the information-theory reference functions.

Speed: ``entropy``, ``kl_divergence`` and ``mutual_information`` against SciPy on the same
float64 inputs (``scipy.stats.entropy``, ``scipy.special.rel_entr`` sums), timed with
``torch.utils.benchmark`` (median of blocked runs), with the ratio ours / SciPy. The reference
runs with and without input validation, and in float32.

Accuracy: the three functions against mpmath at 50 significant digits, evaluated on the values
each dtype actually holds (so only the functions' own rounding is measured), on random
distributions with exact zeros, nearly deterministic ones (one entry 1 - eps, eps down to
1e-300), nearly equal pairs (KL close to 0), and joint tables with tiny marginals. Reported per
dtype: the largest relative error where the exact value is at least 1e-6 (and in units of the
dtype's epsilon), and the largest absolute error over all cases.

    python benchmarks/bench_information.py [--quick]

Not part of the test suite; the figures go into the closing notes.
"""

from __future__ import annotations

import argparse
import time

import mpmath
import numpy as np
import scipy.special
import scipy.stats
import torch
from torch.utils import benchmark

from dltheory.information import entropy, kl_divergence, mutual_information

F64 = torch.float64


def _median_ms(stmt, min_run_time: float) -> float:
    timer = benchmark.Timer(stmt="stmt()", globals={"stmt": stmt})
    return timer.blocked_autorange(min_run_time=min_run_time).median * 1e3


def _simplex(*shape, seed: int, zeros: float = 0.2) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(shape, generator=g, dtype=F64)
    w = torch.where(torch.rand(shape, generator=g, dtype=F64) < zeros, 0.0, w)
    w[..., 0] += 0.5
    return w / w.sum(-1, keepdim=True)


def _scipy_mi(joint: np.ndarray) -> np.ndarray:
    p_x, p_y = joint.sum(-1, keepdims=True), joint.sum(-2, keepdims=True)
    return scipy.special.rel_entr(joint, p_x * p_y).sum(axis=(-2, -1))


def speed(vector_sizes, table_sizes, min_run_time: float) -> None:
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}, scipy {scipy.__version__}, {threads} threads, CPU")
    print(
        f"{'function':<20} {'shape':>16} {'ours ms':>9} {'no-val ms':>9} {'f32 ms':>8} "
        f"{'scipy ms':>9} {'ratio':>6}"
    )
    for n, k in vector_sizes:
        p, q = _simplex(n, k, seed=1), _simplex(n, k, seed=2, zeros=0.0)
        pn, qn = p.numpy(), q.numpy()
        p32, q32 = p.float(), q.float()
        cases = [
            (
                "entropy",
                lambda p=p: entropy(p),
                lambda p=p: entropy(p, validate=False),
                lambda p=p32: entropy(p, validate=False),
                lambda pn=pn: scipy.stats.entropy(pn, axis=-1),
            ),
            (
                "kl_divergence",
                lambda p=p, q=q: kl_divergence(p, q),
                lambda p=p, q=q: kl_divergence(p, q, validate=False),
                lambda p=p32, q=q32: kl_divergence(p, q, validate=False),
                lambda pn=pn, qn=qn: scipy.special.rel_entr(pn, qn).sum(-1),
            ),
        ]
        _print_rows(cases, f"{n}x{k}", min_run_time)
    for b, r, c in table_sizes:
        joint = _simplex(b, r * c, seed=3).reshape(b, r, c)
        jn, j32 = joint.numpy(), joint.float()
        cases = [
            (
                "mutual_information",
                lambda j=joint: mutual_information(j),
                lambda j=joint: mutual_information(j, validate=False),
                lambda j=j32: mutual_information(j, validate=False),
                lambda jn=jn: _scipy_mi(jn),
            )
        ]
        _print_rows(cases, f"{b}x{r}x{c}", min_run_time)


def _print_rows(cases, shape: str, min_run_time: float) -> None:
    for name, ours, unchecked, single, theirs in cases:
        a, u, s, b = (_median_ms(f, min_run_time) for f in (ours, unchecked, single, theirs))
        print(f"{name:<20} {shape:>16} {a:9.3f} {u:9.3f} {s:8.3f} {b:9.3f} {a / b:6.2f}")


# --- accuracy --------------------------------------------------------------------------------


def _accuracy_inputs() -> dict[str, list]:
    g = torch.Generator().manual_seed(4)
    random = _simplex(200, 12, seed=5, zeros=0.3)
    eps = [10.0**-e for e in (2, 4, 8, 12, 16, 30, 60, 100, 200, 300)]
    deterministic = torch.tensor([[1.0 - 3 * e, e, e, e] for e in eps], dtype=F64)
    base = _simplex(100, 8, seed=6, zeros=0.0)
    noise = (
        1
        + torch.randn(100, 8, generator=g, dtype=F64)
        * torch.logspace(-1, -8, 100, dtype=F64)[:, None]
    )
    nearly_equal = base * noise
    nearly_equal = nearly_equal / nearly_equal.sum(-1, keepdim=True)
    tiny_tables = [torch.tensor([[1.0, e], [e, e * e]], dtype=F64) for e in eps]
    tables = [_simplex(12, seed=7 + s, zeros=0.3).reshape(3, 4) for s in range(40)]
    return {
        "entropy": [random, deterministic],
        "kl": [
            (random, _simplex(200, 12, seed=8, zeros=0.0)),
            (base, nearly_equal),
            (deterministic, deterministic.flip(-1)),
        ],
        "mi": [t / t.sum() for t in tiny_tables] + tables,
    }


def _mp_entropy(row):
    return -mpmath.fsum(mpmath.mpf(v) * mpmath.log(mpmath.mpf(v)) for v in row if v > 0)


def _mp_kl(pr, qr):
    terms = []
    for a, b in zip(pr, qr, strict=True):
        if a > 0:
            terms.append(
                mpmath.inf if b == 0 else mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
            )
    return mpmath.fsum(terms)


def _mp_mi(table):
    values = [[mpmath.mpf(v) for v in row] for row in table]
    rows = [mpmath.fsum(r) for r in values]
    cols = [mpmath.fsum(c) for c in zip(*values, strict=True)]
    return mpmath.fsum(
        v * mpmath.log(v / (rows[a] * cols[b]))
        for a, r in enumerate(values)
        for b, v in enumerate(r)
        if v > 0
    )


class _Worst:
    def __init__(self) -> None:
        self.rel = 0.0
        self.abs = 0.0
        self.count = 0

    def add(self, got: float, exact) -> None:
        self.count += 1
        if mpmath.isinf(exact):
            assert got == float("inf"), (got, exact)
            return
        error = abs(mpmath.mpf(got) - exact)
        self.abs = max(self.abs, float(error))
        if abs(exact) >= 1e-6:
            self.rel = max(self.rel, float(error / abs(exact)))


def accuracy() -> None:
    mpmath.mp.dps = 50
    inputs = _accuracy_inputs()
    print("\naccuracy against mpmath (50 digits) on the values each dtype holds")
    print(
        f"{'dtype':<16} {'function':<20} {'cases':>6} {'max rel err':>12} {'(eps)':>7} "
        f"{'max abs err':>12}"
    )
    for dtype in (torch.float64, torch.float32, torch.bfloat16, torch.float16):
        eps = torch.finfo(dtype).eps
        results = {name: _Worst() for name in ("entropy", "kl_divergence", "mutual_information")}
        for batch in inputs["entropy"]:
            p = batch.to(dtype)
            got = entropy(p, validate=False).double().tolist()
            for row, value in zip(p.double().tolist(), got, strict=True):
                results["entropy"].add(value, _mp_entropy(row))
        for p64, q64 in inputs["kl"]:
            p, q = p64.to(dtype), q64.to(dtype)
            got = kl_divergence(p, q, validate=False).double().tolist()
            for pr, qr, value in zip(p.double().tolist(), q.double().tolist(), got, strict=True):
                results["kl_divergence"].add(value, _mp_kl(pr, qr))
        for t64 in inputs["mi"]:
            t = t64.to(dtype)
            results["mutual_information"].add(
                float(mutual_information(t, validate=False)), _mp_mi(t.double().tolist())
            )
        for name, worst in results.items():
            _print_worst(str(dtype), name, worst, eps)
    # SciPy on the same float64 inputs, for comparison
    worst = {"entropy": _Worst(), "kl_divergence": _Worst(), "mutual_information": _Worst()}
    for batch in inputs["entropy"]:
        for row, value in zip(
            batch.tolist(), scipy.special.entr(batch.numpy()).sum(-1).tolist(), strict=True
        ):
            worst["entropy"].add(value, _mp_entropy(row))
    for p, q in inputs["kl"]:
        got = scipy.special.rel_entr(p.numpy(), q.numpy()).sum(-1).tolist()
        for pr, qr, value in zip(p.tolist(), q.tolist(), got, strict=True):
            worst["kl_divergence"].add(value, _mp_kl(pr, qr))
    for t in inputs["mi"]:
        worst["mutual_information"].add(float(_scipy_mi(t.numpy())), _mp_mi(t.tolist()))
    eps = torch.finfo(F64).eps
    for name, w in worst.items():
        _print_worst("scipy (float64)", name, w, eps)


def _print_worst(label: str, name: str, worst: _Worst, eps: float) -> None:
    print(
        f"{label:<16} {name:<20} {worst.count:>6} {worst.rel:12.3e} {worst.rel / eps:7.2f} "
        f"{worst.abs:12.3e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one size each, short timings")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.quick:
        speed([(1000, 100)], [(100, 16, 16)], min_run_time=0.1)
    else:
        speed(
            [(1, 1000), (1000, 100), (100, 10000)],
            [(1, 32, 32), (100, 16, 16), (1, 1000, 1000)],
            min_run_time=0.5,
        )
    accuracy()
    print(f"\n({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
