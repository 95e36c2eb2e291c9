"""Attention: speed against the torch built-ins, accuracy against mpmath.

Speed (``cases``): ``masked_softmax`` against ``torch.softmax`` of the scores with the padded
positions filled with ``-inf`` through a boolean mask (the mask built from the valid lengths
inside the timed call, as ours builds its mask, or for a large call its bias of 0 and
``-inf``: both take ``torch.softmax`` of the same masked scores), and
``scaled_dot_product_attention`` against ``torch.nn.functional.scaled_dot_product_attention``
(with a boolean ``attn_mask`` when valid lengths are given), forward and forward + backward,
on float32 inputs; and one tiny call each, where per-call overhead dominates.

Accuracy (``accuracy``): the largest relative error in units of eps against mpmath at 50
digits, of ours and of the built-in on the same float32 and float64 inputs (positive values,
so the pooled sums do not cancel).

Run through ``python -m benchmarks --chapter attention``.
"""

from __future__ import annotations

import math

import mpmath
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case, worst_eps
from dltheory.attention import masked_softmax, scaled_dot_product_attention

CH = "attention"


def _randn(*shape: int, device: str = "cpu", dtype=torch.float32, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype).to(device)


def _lengths(high: int, *shape: int, device: str, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, high + 1, shape, generator=g).to(device)


def _masked_builtin(scores: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
    keep = torch.arange(scores.shape[-1], device=scores.device) < lens[:, None, None]
    return torch.softmax(scores.masked_fill(~keep, -math.inf), -1)


def _sdpa_builtin(q, k, v, lens=None):
    mask = None
    if lens is not None:
        mask = torch.arange(k.shape[-2], device=k.device) < lens[..., None, None]
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


def _backward(fn, *tensors):
    def run():
        leaves = [t.detach().requires_grad_() for t in tensors]
        fn(*leaves).sum().backward()
        return leaves[0].grad

    return run


_SOFTMAX_WHY = (
    "torch.softmax of the scores with -inf at the padding, as the built-in; the padding comes "
    "from adding a bias of 0 and -inf (one vectorized pass, where masked_fill reads the mask "
    "entry by entry), and the rows the fused kernel makes NaN are found from their first "
    "entry (one small read) and set to the documented value; a masked NaN or +inf score "
    "(NaN after the addition) costs a second softmax of that call"
)
_SDPA_WHY = (
    "the two matrix products alone cost about the built-in's fused kernel; between them, per "
    "block of queries, the bias of the padding added in place and the fused torch.softmax "
    "(with the repair of rows that have nothing to normalize)"
)


def cases(quick: bool, device: str) -> list[Case]:
    out: list[Case] = []
    softmax_shapes = [(64, 128, 128)] if quick else [(64, 128, 128), (8, 512, 512)]
    for b, n, m in softmax_shapes:
        x = _randn(b, n, m, device=device, seed=2)
        lens = _lengths(m, b, device=device)
        label = f"{b}x{n}x{m} f32"
        out += [
            Case(f"{CH}.masked_softmax", label, lambda x=x, lens=lens: masked_softmax(x, lens),
                 lambda x=x, lens=lens: _masked_builtin(x, lens), "softmax + boolean mask",
                 goal=1.5, note="lengths per sequence", why=_SOFTMAX_WHY),
            Case(f"{CH}.masked_softmax", label + " validate=False",
                 lambda x=x, lens=lens: masked_softmax(x, lens, validate=False),
                 lambda x=x, lens=lens: _masked_builtin(x, lens), "softmax + boolean mask",
                 goal=1.5, note="no range check of the lengths", why=_SOFTMAX_WHY),
        ]  # fmt: skip
    sdpa_shapes = [(8, 8, 128, 64)] if quick else [(8, 8, 128, 64), (2, 4, 512, 64)]
    for b, h, n, d in sdpa_shapes:
        q, k, v = (_randn(b, h, n, d, device=device, seed=s) for s in (3, 4, 5))
        lens = _lengths(n, b, h, device=device)
        label = f"{b}x{h}x{n}x{d} f32"
        out += [
            Case(f"{CH}.scaled_dot_product_attention", label,
                 lambda q=q, k=k, v=v: scaled_dot_product_attention(q, k, v),
                 lambda q=q, k=k, v=v: F.scaled_dot_product_attention(q, k, v),
                 "F.scaled_dot_product_attention", goal=1.5, note="no mask", why=_SDPA_WHY),
            Case(f"{CH}.scaled_dot_product_attention", label + " masked",
                 lambda q=q, k=k, v=v, lens=lens: scaled_dot_product_attention(q, k, v, lens),
                 lambda q=q, k=k, v=v, lens=lens: _sdpa_builtin(q, k, v, lens),
                 "F.scaled_dot_product_attention", goal=1.5, note="lengths per sequence",
                 why=_SDPA_WHY),
            Case(f"{CH}.scaled_dot_product_attention", label + " fwd+bwd",
                 _backward(scaled_dot_product_attention, q, k, v),
                 _backward(F.scaled_dot_product_attention, q, k, v),
                 "F.scaled_dot_product_attention", goal=1.5, note="forward and backward",
                 why=_SDPA_WHY),
        ]  # fmt: skip
    x, lens = _randn(1, 1, 10, device=device), _lengths(10, 1, device=device)
    q, k, v = (_randn(1, 4, 8, device=device, seed=s) for s in (6, 7, 8))
    out += [
        Case(f"{CH}.masked_softmax", "1x1x10 f32", lambda: masked_softmax(x, lens),
             lambda: _masked_builtin(x, lens), "softmax + boolean mask", goal=5.0,
             note="per-call overhead, with validation",
             why="the built-in's mask and fused softmax, plus the range check (one copy of "
             "the lengths to Python), the type and shape checks and one read of the rows' "
             "first weights to find rows with nothing to normalize"),
        Case(f"{CH}.scaled_dot_product_attention", "1x4x8 f32",
             lambda: scaled_dot_product_attention(q, k, v),
             lambda: F.scaled_dot_product_attention(q, k, v), "F.scaled_dot_product_attention",
             goal=None, note="per-call overhead: one fused C++ call against ours"),
    ]  # fmt: skip
    return out


def _mp_softmax_rows(rows, lengths):
    out = []
    for row, length in zip(rows, lengths, strict=True):
        values = [mpmath.mpf(v) for v in row[:length]]
        top = max(values)
        e = [mpmath.exp(v - top) for v in values]
        total = mpmath.fsum(e)
        out.append([x / total for x in e] + [mpmath.mpf(0)] * (len(row) - length))
    return out


def accuracy(quick: bool) -> list[Accuracy]:
    """Worst errors of ours and the built-in, float32 and float64, same inputs."""
    out = []
    rows, m = (16, 32) if quick else (64, 64)
    with mpmath.workdps(50):
        for dtype in (torch.float32, torch.float64):
            what = f"{str(dtype).removeprefix('torch.')}, N(0, 100) scores, masked"
            x = _randn(rows, 1, m, dtype=dtype, seed=9) * 10
            lens = _lengths(m, rows, device="cpu")
            exact = _mp_softmax_rows(x[:, 0].double().tolist(), lens.tolist())
            flat_exact = [v for r in exact for v in r]
            ours = masked_softmax(x, lens)[:, 0].double().flatten().tolist()
            builtin = _masked_builtin(x, lens)[:, 0].double().flatten().tolist()
            out.append(Accuracy(f"{CH}.masked_softmax", what,
                                worst_eps(zip(ours, flat_exact, strict=True), dtype),
                                worst_eps(zip(builtin, flat_exact, strict=True), dtype),
                                "softmax + boolean mask"))  # fmt: skip

            n, keys, d = (8, 16, 8) if quick else (16, 32, 16)
            q, k = _randn(n, d, dtype=dtype, seed=10), _randn(keys, d, dtype=dtype, seed=11)
            v = _randn(keys, 4, dtype=dtype, seed=12).abs() + 0.1
            scale = mpmath.mpf(1) / mpmath.sqrt(d)
            qs, ks, vs = (t.double().tolist() for t in (q, k, v))
            exact = []
            for qi in qs:
                scores = [
                    scale * mpmath.fsum(mpmath.mpf(a) * b for a, b in zip(qi, kj, strict=True))
                    for kj in ks
                ]
                (weights,) = _mp_softmax_rows([scores], [keys])
                exact += [mpmath.fsum(w * vj[c] for w, vj in zip(weights, vs, strict=True))
                          for c in range(4)]  # fmt: skip
            ours = scaled_dot_product_attention(q, k, v).double().flatten().tolist()
            builtin = F.scaled_dot_product_attention(q, k, v).double().flatten().tolist()
            out.append(Accuracy(f"{CH}.scaled_dot_product_attention",
                                f"{str(dtype).removeprefix('torch.')}, N(0, 1) Q, K; V > 0",
                                worst_eps(zip(ours, exact, strict=True), dtype),
                                worst_eps(zip(builtin, exact, strict=True), dtype),
                                "F.scaled_dot_product_attention"))  # fmt: skip
    return out
