"""Information theory: speed against torch compositions, accuracy against mpmath.

Speed (``cases``): ``entropy``, ``kl_divergence``, ``cross_entropy`` and ``mutual_information``
against the torch expressions one would write instead (``torch.special.entr(p).sum(-1)``,
``F.kl_div(q.log(), p).sum(-1)``, ``-xlogy(p, q).sum(-1)``, and ``entr`` of the marginals
and the joint), on batches of distributions and on single 10-outcome vectors.

Accuracy (``accuracy``): the largest relative error in float64 against mpmath at 50 digits, in
units of eps, on random distributions with exact zeros, nearly deterministic ones (one entry
1 - e, e down to 1e-300), nearly equal pairs (KL close to 0, q = p (1 + 1e-6 noise)), and
joint tables; SciPy (``entr``, ``rel_entr`` sums) on the same values for comparison.

Run through ``python -m benchmarks --chapter information``.
"""

from __future__ import annotations

import mpmath
import scipy.special
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case, worst_eps
from dltheory.core.samples import nearly_independent
from dltheory.information import (
    conditional_entropy,
    cross_entropy,
    entropy,
    joint_entropy,
    kl_divergence,
    mutual_information,
    pointwise_mutual_information,
)

CH = "information"
F64 = torch.float64


def _simplex(*shape, seed: int, zeros: float = 0.2, dtype=F64, device="cpu") -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(shape, generator=g, dtype=F64)
    w = torch.where(torch.rand(shape, generator=g, dtype=F64) < zeros, 0.0, w)
    w[..., 0] += 0.5
    return (w / w.sum(-1, keepdim=True)).to(dtype).to(device)


def _torch_mi(joint: torch.Tensor) -> torch.Tensor:
    h = torch.special.entr
    return h(joint.sum(-1)).sum(-1) + h(joint.sum(-2)).sum(-1) - h(joint).sum((-2, -1))


def _torch_h_y_x(joint: torch.Tensor) -> torch.Tensor:
    h = torch.special.entr
    return h(joint).sum((-2, -1)) - h(joint.sum(-1)).sum(-1)


def _torch_pmi(joint: torch.Tensor) -> torch.Tensor:
    return joint.log() - joint.sum(-1, keepdim=True).log() - joint.sum(-2, keepdim=True).log()


_CHECK_WHY = (
    "the simplex check of the inputs (exact row sums in Python for a small call, one host "
    "read otherwise), which the built-in expression does not do; validate=False skips it"
)
_KL_WHY = (
    "each term p log(p/q) is formed from frexp-split ratios and, where q is close to p, from "
    "a series in (q - p)/p with the differences summed apart: KL within a few eps of mpmath "
    "for nearly equal distributions (the built-in: 1e5 to 1e6 eps), at some 40 elementwise "
    "operations, plus the simplex check of both inputs"
)
_MI_WHY = (
    "the joint's log-ratio log p - log p_X - log p_Y from frexp-split factors (exact where "
    "the marginals' product is subnormal), log1p of the exact difference near ratio 1, and "
    "the simplex check of the table"
)
_NEAR_WHY = (
    "a nearly independent table (I about 1e-13): the sum is recomputed with the marginals' "
    "rounding accounted for exactly (split products p_X p_Y - p, an exact 1 - sum p, about 60 "
    "operations), within 2 eps of I where the built-in expression keeps no correct digit"
)


def cases(quick: bool, device: str) -> list[Case]:
    shapes = [(1000, 100)] if quick else [(1000, 100), (100, 10000)]
    out: list[Case] = []
    for dtype in (torch.float64, torch.float32):
        suffix = "f64" if dtype == torch.float64 else "f32"
        for n, k in [*shapes, (1, 10)]:
            p = _simplex(n, k, seed=1, dtype=dtype, device=device)
            q = _simplex(n, k, seed=2, zeros=0.0, dtype=dtype, device=device)
            label = f"{n}x{k} {suffix}"
            goal = 3.0 if n == 1 else None
            note = "per-call overhead" if n == 1 else ""
            out += [
                Case(f"{CH}.entropy", label, lambda p=p: entropy(p),
                     lambda p=p: torch.special.entr(p).sum(-1), "entr(p).sum(-1)", goal, note,
                     why=_CHECK_WHY),
                Case(f"{CH}.kl_divergence", label, lambda p=p, q=q: kl_divergence(p, q),
                     lambda p=p, q=q: F.kl_div(q.log(), p, reduction="none").sum(-1),
                     "F.kl_div(q.log(), p).sum(-1)", goal, note, why=_KL_WHY),
                Case(f"{CH}.cross_entropy", label, lambda p=p, q=q: cross_entropy(p, q),
                     lambda p=p, q=q: -torch.special.xlogy(p, q).sum(-1),
                     "-xlogy(p, q).sum(-1)", goal, note, why=_CHECK_WHY),
            ]  # fmt: skip
        side = 16 if quick else 64
        for batch in (100, 1):
            joint = _simplex(batch, side * side, seed=3, dtype=dtype, device=device)
            joint = joint.reshape(batch, side, side)
            label, goal = f"{batch}x{side}x{side} {suffix}", 3.0 if batch == 1 else None
            out += [
                Case(f"{CH}.mutual_information", label,
                     lambda j=joint: mutual_information(j), lambda j=joint: _torch_mi(j),
                     "entr of marginals and joint", goal, why=_MI_WHY),
                Case(f"{CH}.joint_entropy", label, lambda j=joint: joint_entropy(j),
                     lambda j=joint: torch.special.entr(j).sum((-2, -1)),
                     "entr(joint).sum((-2, -1))", goal, why=_CHECK_WHY),
                Case(f"{CH}.conditional_entropy", label,
                     lambda j=joint: conditional_entropy(j), lambda j=joint: _torch_h_y_x(j),
                     "entr of joint minus entr of p_X", goal, why=_MI_WHY),
                Case(f"{CH}.pointwise_mutual_information", label,
                     lambda j=joint: pointwise_mutual_information(j),
                     lambda j=joint: _torch_pmi(j), "log p - log p_X - log p_Y", goal,
                     why=_MI_WHY),
            ]  # fmt: skip
        near = nearly_independent(side, side, noise=1e-6, seed=3).to(dtype).to(device)
        near = near.unsqueeze(0)
        out.append(
            Case(f"{CH}.mutual_information", f"1x{side}x{side} {suffix} nearly independent",
                 lambda j=near: mutual_information(j), lambda j=near: _torch_mi(j),
                 "entr of marginals and joint", None, "per-call overhead and the exact form",
                 why=_NEAR_WHY)
        )  # fmt: skip
    return out


def _mp_entropy(row):
    return -mpmath.fsum(mpmath.mpf(v) * mpmath.log(mpmath.mpf(v)) for v in row if v > 0)


def _mp_kl(pr, qr):
    terms = []
    for a, b in zip(pr, qr, strict=True):
        if a > 0:
            terms.append(mpmath.inf if b == 0 else mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / b))
    return mpmath.fsum(terms)


def _mp_mi(table) -> tuple[mpmath.mpf, mpmath.mpf]:
    r"""``(I, scale)`` of a joint table by mpmath, ``scale`` :math:`1 + \sum |p \cdot pmi|`:
    an error of eps in each log-ratio moves :math:`I` by about eps times it."""
    values = [[mpmath.mpf(v) for v in row] for row in table]
    rows = [mpmath.fsum(r) for r in values]
    cols = [mpmath.fsum(c) for c in zip(*values, strict=True)]
    terms = [
        v * mpmath.log(v / (rows[a] * cols[b]))
        for a, r in enumerate(values)
        for b, v in enumerate(r)
        if v > 0
    ]
    return mpmath.fsum(terms), 1 + mpmath.fsum(abs(t) for t in terms)


def _scaled_eps(got: list[float], exact: list[tuple[mpmath.mpf, mpmath.mpf]]) -> float:
    """The largest :math:`|got - I| / scale` in units of float64's eps."""
    eps = torch.finfo(F64).eps
    pairs = zip(got, exact, strict=True)
    return max(float(abs(mpmath.mpf(g) - i) / scale) / eps for g, (i, scale) in pairs)


def _nearly_equal(k: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``q = p (1 + 1e-6 noise)``, renormalized: KL(p, q) is about 1e-13, far below p's entries."""
    g = torch.Generator().manual_seed(seed)
    p = _simplex(50, k, seed=seed, zeros=0.0)
    q = p * (1 + 1e-6 * torch.randn(50, k, generator=g, dtype=F64))
    return p, q / q.sum(-1, keepdim=True)


def _mp_cross_entropy(pr, qr):
    terms = []
    for a, b in zip(pr, qr, strict=True):
        if a > 0:
            terms.append(mpmath.inf if b == 0 else -mpmath.mpf(a) * mpmath.log(mpmath.mpf(b)))
    return mpmath.fsum(terms)


def _mp_h_y_given_x(table) -> mpmath.mpf:
    values = [[mpmath.mpf(v) for v in row] for row in table]
    return -mpmath.fsum(
        v * mpmath.log(v / mpmath.fsum(row)) for row in values for v in row if v > 0
    )


def _conditional_accuracy(eps: list[float]) -> Accuracy:
    """H(Y | X) of nearly deterministic rows p_X(x) (1 - e, e), relative to H itself: the
    tables one per call and as one large batch, ours against the entropy form H(X, Y) - H(X)."""
    tables = torch.stack(
        [torch.tensor([[0.3 * (1 - e), 0.3 * e], [0.7 * (1 - e), 0.7 * e]], dtype=F64)
         for e in eps[:6]]
    )  # fmt: skip
    exact = [_mp_h_y_given_x(t) for t in tables.tolist()]
    single = [float(conditional_entropy(t)) for t in tables]
    batch = conditional_entropy(tables.repeat(50, 1, 1))[: len(tables)].tolist()
    h = torch.special.entr
    theirs = (h(tables).sum((-2, -1)) - h(tables.sum(-1)).sum(-1)).tolist()
    worst = max(
        worst_eps(zip(single, exact, strict=True), F64),
        worst_eps(zip(batch, exact, strict=True), F64),
    )
    return Accuracy(
        f"{CH}.conditional_entropy",
        "float64, nearly deterministic rows (one per call and batched)",
        worst,
        worst_eps(zip(theirs, exact, strict=True), F64),
        "entr(joint) - entr(p_X)",
    )


def accuracy(quick: bool) -> list[Accuracy]:
    out = []
    eps = [10.0**-e for e in (2, 4, 8, 12, 16, 30, 60, 100, 200, 300)]
    deterministic = torch.tensor([[1.0 - 3 * e, e, e, e] for e in eps], dtype=F64)
    random = _simplex(200, 12, seed=5, zeros=0.3)
    with mpmath.workdps(50):
        for name, batch in (("random, zeros", random), ("nearly deterministic", deterministic)):
            exact = [_mp_entropy(r) for r in batch.tolist()]
            ours = entropy(batch).tolist()
            theirs = scipy.special.entr(batch.numpy()).sum(-1).tolist()
            out.append(
                Accuracy(f"{CH}.entropy", f"float64, {name}",
                         worst_eps(zip(ours, exact, strict=True), F64),
                         worst_eps(zip(theirs, exact, strict=True), F64), "scipy entr sum")
            )  # fmt: skip
        pairs = {
            "random pairs": (random, _simplex(200, 12, seed=8, zeros=0.0)),
            "nearly equal, 6 outcomes": _nearly_equal(6, 9),
            "nearly equal, 1000 outcomes": _nearly_equal(1000 if not quick else 100, 10),
        }
        for name, (p, q) in pairs.items():
            exact = [_mp_kl(a, b) for a, b in zip(p.tolist(), q.tolist(), strict=True)]
            ours = kl_divergence(p, q).tolist()
            theirs = scipy.special.rel_entr(p.numpy(), q.numpy()).sum(-1).tolist()
            out.append(
                Accuracy(f"{CH}.kl_divergence", f"float64, {name}",
                         worst_eps(zip(ours, exact, strict=True), F64),
                         worst_eps(zip(theirs, exact, strict=True), F64), "scipy rel_entr sum")
            )  # fmt: skip
            if name.startswith("nearly equal, 6"):  # the same rows, one small call each
                ours = [float(kl_divergence(a, b)) for a, b in zip(p, q, strict=True)]
                out.append(
                    Accuracy(f"{CH}.kl_divergence", f"float64, {name}, one row per call",
                             worst_eps(zip(ours, exact, strict=True), F64),
                             worst_eps(zip(theirs, exact, strict=True), F64),
                             "scipy rel_entr sum")
                )  # fmt: skip
        q_near = torch.tensor([[1.0 - 3 * e, e, e, e] for e in eps], dtype=F64)
        p_near = torch.tensor([[1.0, 0.0, 0.0, 0.0]] * len(eps), dtype=F64)
        for name, (p, q) in {
            "random pairs": pairs["random pairs"],
            "nearly deterministic q": (p_near, q_near),
        }.items():
            exact = [_mp_cross_entropy(a, b) for a, b in zip(p.tolist(), q.tolist(), strict=True)]
            ours = cross_entropy(p, q).tolist()
            theirs = (-torch.special.xlogy(p, q).sum(-1)).tolist()
            out.append(
                Accuracy(f"{CH}.cross_entropy", f"float64, {name}",
                         worst_eps(zip(ours, exact, strict=True), F64),
                         worst_eps(zip(theirs, exact, strict=True), F64), "-xlogy(p, q).sum(-1)")
            )  # fmt: skip
        out.append(_conditional_accuracy(eps))
        tables = [_simplex(12, seed=7 + s, zeros=0.3).reshape(3, 4) for s in range(40)]
        tables += [torch.tensor([[1.0, e], [e, e * e]], dtype=F64) for e in eps]
        tables = [t / t.sum() for t in tables]
        exact = [_mp_mi(t.tolist()) for t in tables]
        ours = [float(mutual_information(t)) for t in tables]
        theirs = [float(_torch_mi(t)) for t in tables]
        # relative to the scale: these tables include exactly independent ones (I = 0 up to
        # the rounding of the normalized entries), where no error relative to I means anything
        out.append(
            Accuracy(f"{CH}.mutual_information",
                     "float64, tables with zeros and tiny cells (eps of 1 + sum |p pmi|)",
                     _scaled_eps(ours, exact), _scaled_eps(theirs, exact), "entr of marginals")
        )  # fmt: skip
        # relative to I itself: the marginals are rounded sums, so each log-ratio formed from
        # them carries an error of about eps, large against log-ratios near 1e-6 (ours
        # accounts for that rounding exactly)
        tables = [nearly_independent(5, 6, noise=1e-6, seed=100 + s) for s in range(20)]
        exact_mi = [_mp_mi(t.tolist())[0] for t in tables]
        out.append(
            Accuracy(f"{CH}.mutual_information", "float64, nearly independent (I ~ 1e-13)",
                     worst_eps(zip([float(mutual_information(t)) for t in tables], exact_mi,
                                   strict=True), F64),
                     worst_eps(zip([float(_torch_mi(t)) for t in tables], exact_mi,
                                   strict=True), F64), "entr of marginals")
        )  # fmt: skip
    return out
