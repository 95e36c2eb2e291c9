"""Classification: speed against the torch built-ins, accuracy against mpmath.

Speed (``cases``): softmax, log_softmax, logsumexp and cross_entropy against ``torch.softmax``,
``torch.log_softmax``, ``torch.logsumexp`` and ``F.cross_entropy`` on float32 logits, on
ordinary rows and on confident ones (every row's target logit raised by 12, where the loss is
tiny), forward and forward + backward; and 1x10 calls, where per-call overhead dominates.

Accuracy (``accuracy``): the largest relative error in float64 against mpmath at 60 digits,
in units of eps, on ordinary and confident logits, for ours and for the built-in.

Run through ``python -m benchmarks --chapter classification``.
"""

from __future__ import annotations

import mpmath
import torch
import torch.nn.functional as F

from benchmarks.harness import Accuracy, Case, worst_eps
from dltheory.classification import cross_entropy, log_softmax, logsumexp, softmax

CH = "classification"


def _logits(n: int, c: int, device: str, confident: bool, dtype=torch.float32):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, c, generator=g, dtype=torch.float64) * 3
    y = torch.randint(c, (n,), generator=g)
    if confident:
        x[torch.arange(n), y] += 12
    return x.to(dtype).to(device), y.to(device)


def _backward(loss_fn, x, y):
    def run():
        leaf = x.detach().requires_grad_()
        loss_fn(leaf, y).backward()
        return leaf.grad

    return run


LOG_SOFTMAX_WHY = (
    "one more read of the output (the row maxima of the log-probabilities) to find confident "
    "rows, whose largest entry torch.log_softmax gets 1e4 eps wrong (confident rows in the "
    "accuracy table); 11% of these N(0, 9) rows are confident, and recomputing their largest "
    "entry (a copy of the rows, their fused softmax, the entry above 1/2 found by a "
    "matrix-vector product, the sum of the others, log1p) costs about a quarter of the "
    "built-in's time (torch.exp instead of the fused softmax would cost a third more). "
    "Profiled per call: the built-in 3.0 ms, the row maxima 0.55 ms (0.27 on an output not "
    "just written), the copy and softmax of the confident rows 0.5 ms, finding their entry "
    "and summing 0.3 ms; blocks of rows that stay in cache measured slower, not faster. "
    "A stripped version (the same steps without the checks of the columns found) measured "
    "1.51-1.55 and the row maxima alone 1.19-1.25: 1.4 leaves 0.45-0.65 ms for the copy "
    "(0.18 ms after two passes over the batch), softmax (0.27 ms), finding and summing of "
    "the confident rows"
)
CE_WHY = (
    "one pass of the fused softmax: -log p_c where p_c <= 1/4, and log1p of the sum of the "
    "other entries over p_c on the rows above (F.cross_entropy is 1e4 eps off on confident "
    "samples), summed over those rows only when they are few, over the whole batch otherwise"
)
CE_BACKWARD_WHY = (
    CE_WHY + "; the forward pass keeps that softmax (an input-sized tensor held until the "
    "backward pass, as the built-in keeps its log-probabilities), so the backward pass is one "
    "multiplication and the target's entry p_c - 1 written as expm1(-loss), accurate where "
    "p_c is near 1 (the built-in's exp(log p_c) - 1 keeps only the digits of 1 - p_c that "
    "lie above eps)"
)
SMALL_WHY = (
    "the test for a confident prediction (one copy of the log-probabilities or losses to "
    "Python), about half a microsecond against a built-in call of 1.2 to 2.7"
)
SMALL_CONFIDENT_WHY = (
    "this row is confident (largest probability above 1/2): its largest log-probability is "
    "recomputed (the row's log_softmax in float64, a second test and the rounding to float32: "
    "three more operations of about a microsecond each, where the built-in's whole call takes "
    "1.2 us and gets that entry 1e4 eps wrong). The unconfident call is 2.7 times the "
    "built-in already (argument checks 0.5 us, the test 0.8 us), which leaves 0.3 us for a "
    "fix where any torch operation costs about 1 us; the fix in Python floats written "
    "through a NumPy view measured 6 times, and 0.4 us more on every unconfident call"
)


def cases(quick: bool, device: str) -> list[Case]:
    shapes = [(4096, 1000)] if quick else [(4096, 1000), (256, 32000)]
    out: list[Case] = []
    for n, c in shapes:
        for confident in (False, True):
            x, y = _logits(n, c, device, confident)
            label = f"{n}x{c} f32" + (" confident" if confident else "")
            if not confident:
                out += [
                    Case(f"{CH}.softmax", label, lambda x=x: softmax(x),
                         lambda x=x: torch.softmax(x, -1), "torch.softmax", goal=1.1),
                    Case(f"{CH}.log_softmax", label, lambda x=x: log_softmax(x),
                         lambda x=x: torch.log_softmax(x, -1), "torch.log_softmax", goal=1.4,
                         why=LOG_SOFTMAX_WHY),
                    Case(f"{CH}.logsumexp", label, lambda x=x: logsumexp(x),
                         lambda x=x: torch.logsumexp(x, -1), "torch.logsumexp", goal=1.1),
                ]  # fmt: skip
            out += [
                Case(f"{CH}.cross_entropy", label, lambda x=x, y=y: cross_entropy(x, y),
                     lambda x=x, y=y: F.cross_entropy(x, y), "F.cross_entropy",
                     goal=1.3 if confident else 1.1, note="forward", why=CE_WHY),
                Case(f"{CH}.cross_entropy", label + " fwd+bwd", _backward(cross_entropy, x, y),
                     _backward(F.cross_entropy, x, y), "F.cross_entropy", goal=1.0,
                     note="forward and backward", why=CE_BACKWARD_WHY),
            ]  # fmt: skip
    x, y = _logits(1, 10, device, False)  # this row happens to be confident (p_max > 1/2)
    plain = torch.linspace(-1.0, 1.0, 10, device=device).reshape(1, 10)  # p_max = 0.21
    small = "1x10 f32"
    out += [
        Case(f"{CH}.softmax", small, lambda: softmax(x), lambda: torch.softmax(x, -1),
             "torch.softmax", goal=3.0, note="per-call overhead"),
        Case(f"{CH}.log_softmax", small, lambda: log_softmax(plain),
             lambda: torch.log_softmax(plain, -1), "torch.log_softmax", goal=3.0,
             note="per-call overhead", why=SMALL_WHY),
        Case(f"{CH}.log_softmax", small + " confident", lambda: log_softmax(x),
             lambda: torch.log_softmax(x, -1), "torch.log_softmax", goal=3.0,
             note="per-call overhead", why=SMALL_CONFIDENT_WHY),
        Case(f"{CH}.logsumexp", small, lambda: logsumexp(x), lambda: torch.logsumexp(x, -1),
             "torch.logsumexp", goal=3.0, note="per-call overhead"),
        Case(f"{CH}.cross_entropy", small, lambda: cross_entropy(x, y),
             lambda: F.cross_entropy(x, y), "F.cross_entropy", goal=5.0,
             note="per-call overhead, with validation"),
        Case(f"{CH}.cross_entropy", small + " validate=False",
             lambda: cross_entropy(x, y, validate=False), lambda: F.cross_entropy(x, y),
             "F.cross_entropy", goal=3.0, note="per-call overhead, no validation",
             why=SMALL_WHY),
    ]  # fmt: skip
    return out


def _mp_log_softmax(row):
    values = [mpmath.mpf(v) for v in row]
    top = max(values)
    log_s = mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in values))
    return [(v - top) - log_s for v in values], top + log_s


def accuracy(quick: bool) -> list[Accuracy]:
    """Worst errors in float64, per function, ours and built-in, on ordinary and confident
    logits (the confident rows' losses are around 1e-5 and smaller)."""
    n, c = (64, 50) if quick else (256, 100)
    out = []
    with mpmath.workdps(60):
        for confident in (False, True):
            x, y = _logits(n, c, "cpu", confident, torch.float64)
            rows = x.tolist()
            exact = [_mp_log_softmax(r) for r in rows]
            labels = y.tolist()
            what = "float64, " + ("confident rows (+12)" if confident else "N(0, 9) logits")

            def flat(t):
                return [v for r in t.tolist() for v in r]

            ex_lsm = [v for log_p, _ in exact for v in log_p]
            ex_sm = [mpmath.exp(v) for v in ex_lsm]
            ex_lse = [lse for _, lse in exact]
            ex_ce = [-log_p[label] for (log_p, _), label in zip(exact, labels, strict=True)]
            pairs = {
                "softmax": (flat(softmax(x)), flat(torch.softmax(x, -1)), ex_sm, "torch.softmax"),
                "log_softmax": (
                    flat(log_softmax(x)), flat(torch.log_softmax(x, -1)), ex_lsm,
                    "torch.log_softmax",
                ),
                "logsumexp": (
                    logsumexp(x).tolist(), torch.logsumexp(x, -1).tolist(), ex_lse,
                    "torch.logsumexp",
                ),
                "cross_entropy": (
                    cross_entropy(x, y, reduction="none").tolist(),
                    F.cross_entropy(x, y, reduction="none").tolist(), ex_ce, "F.cross_entropy",
                ),
            }  # fmt: skip
            for name, (ours, builtin, exact_values, builtin_name) in pairs.items():
                out.append(
                    Accuracy(
                        f"{CH}.{name}",
                        what,
                        worst_eps(zip(ours, exact_values, strict=True), torch.float64),
                        worst_eps(zip(builtin, exact_values, strict=True), torch.float64),
                        builtin_name,
                    )
                )
    return out
