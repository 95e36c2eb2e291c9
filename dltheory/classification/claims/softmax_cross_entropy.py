r"""§ 4 Softmax and Cross-Entropy Loss — the notes' derivation of the loss and its gradient.

Main declarations, each citing the one before:

* ``classification.cross-entropy-expansion`` — the loss of a softmax expanded into
  :math:`(\sum_j y_j)\log\sum_k e^{o_k} - \sum_j y_j o_j` (any weights :math:`y_j`);
* ``classification.cross-entropy-logsumexp-form`` — with :math:`\sum_j y_j = 1`, the step the
  notes take silently, the loss is :math:`\log\sum_k e^{o_k} - \sum_j y_j o_j`;
* ``classification.softmax-ce-gradient`` —
  :math:`\partial_{o_j} l = \operatorname{softmax}(\mathbf{o})_j - y_j`.
"""

from __future__ import annotations

import mpmath
import scipy.special
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.classification.claims._support import (
    BIG,
    CONFIDENT,
    DPS,
    MAX_LOGIT,
    SHAPES,
    assert_twice_differentiable,
    j,
    logits,
    mp_cross_entropy,
    mp_log_softmax,
    o,
    partition,
    probability_targets,
    q,
    softmax_expr,
    t,
    y,
)
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input, randint, randn, simplex
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate, is_close

SECTION = Section("classification", "4 Softmax and Cross-Entropy Loss")

#: the loss with general weights, as the first two lines of the notes' derivation give it
_EXPANDED = sp.Sum(y[j], (j, 1, q)) * sp.log(partition()) - sp.Sum(y[j] * o[j], (j, 1, q))


def _mp_expanded(o_row, y_row) -> float:
    r""":math:`(\sum_j y_j)\log\sum_k e^{o_k} - \sum_j y_j o_j`, exactly, as the notes write it."""
    with mpmath.workdps(DPS):
        os_ = [mpmath.mpf(float(v)) for v in o_row]
        ys = [mpmath.mpf(float(v)) for v in y_row]
        top = max(os_)
        lse = top + mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in os_))
        return float(
            mpmath.fsum(ys) * lse - mpmath.fsum(a * b for a, b in zip(ys, os_, strict=True))
        )


def _mp_logsumexp(row) -> float:
    with mpmath.workdps(DPS):
        return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)))


cross_entropy_expansion = SECTION.claim(
    "cross-entropy-expansion",
    title="Cross-entropy of a softmax, expanded",
    statement=r"-\sum_{j=1}^q y_j \log \frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} = "
    r"\sum_{j=1}^q y_j \log \sum_{k=1}^q \exp(o_k) - \sum_{j=1}^q y_j o_j",
    kind=Kind.IDENTITY,
    code=("log_softmax", "cross_entropy"),
    note=r"Holds for any weights $y_j$; the next step of the notes needs $\sum_j y_j = 1$.",
)


@cross_entropy_expansion.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    loss = -sp.Sum(y[j] * sp.log(softmax_expr(j)), (j, 1, q))
    split = sp.expand_log(loss, force=True)
    return Derivation(
        steps=[
            Step("Cross-entropy of the softmax", equation(sp.Symbol("l"), loss)),
            Step(
                r"$\log(\exp(o_j)/Z) = o_j - \log Z$ with $Z = \sum_k \exp(o_k)$",
                equation(loss, split),
            ),
            Step(r"Take $\log Z$ out of the sum over $j$", equation(loss, _EXPANDED)),
        ],
        residuals=[split - _EXPANDED],
        compared=["the loss with the log split, minus the expanded form"],
    )


@cross_entropy_expansion.numeric_leg(
    oracle="scipy.special.log_softmax (every dim); the expanded form by mpmath (error in eps); "
    "torch.autograd.gradcheck / gradgradcheck of log_softmax (float64)"
)
def _(impl, device, dtype) -> None:
    for seed, shape in enumerate(SHAPES):
        x = logits(shape, 20 + seed, dtype, device)
        default = scipy.special.log_softmax(oracle_input(x), axis=-1)
        assert_close(impl.log_softmax(x), default, msg=f"log_softmax without dim, {shape}")
        for dim in range(-len(shape), len(shape)):
            want = scipy.special.log_softmax(oracle_input(x), axis=dim)
            assert_close(impl.log_softmax(x, dim=dim), want, msg=f"log_softmax, {shape} dim {dim}")
    # nonnegative weights y that do not sum to 1, ordinary and confident logits
    o_ = logits((8, 5), 30, dtype, device)
    w = randn(8, 5, seed=31).abs().to(dtype).to(device)
    for x, rows_are in (
        (o_, "ordinary rows"),
        (o_ + 12 * F.one_hot(o_.argmax(-1), 5).to(dtype), CONFIDENT),
    ):
        got = impl.cross_entropy(x, w, reduction="none", validate=False)
        rows = zip(oracle_input(x).tolist(), oracle_input(w).tolist(), strict=True)
        want = [_mp_expanded(a, b) for a, b in rows]
        assert_accurate(got, want, msg=f"general weights, {rows_are}")
        # its gradient (sum_j y_j) softmax(o) - y, against autograd of torch's same formula
        mine = x.clone().requires_grad_()
        loss = impl.cross_entropy(mine, w, reduction="sum", validate=False)
        (back,) = torch.autograd.grad(loss, mine)
        leaf = x.detach().double().requires_grad_()  # not x itself when it is float64
        (want,) = torch.autograd.grad(F.cross_entropy(leaf, w.double(), reduction="sum"), leaf)
        assert_close(back, want, dtype=dtype, msg="gradient with general weights")
        # and with respect to the weights: d l / d y_j = -log softmax(o)_j, zeros included
        # (divided by the batch size N = 8 under reduction="mean")
        for reduction, n in (("sum", 1), ("mean", x.shape[0])):
            weights = w.clone().requires_grad_()
            loss = impl.cross_entropy(x, weights, reduction=reduction, validate=False)
            (by_y,) = torch.autograd.grad(loss, weights, allow_unused=True)
            assert by_y is not None, "cross_entropy has no gradient with respect to the weights"
            want = -scipy.special.log_softmax(oracle_input(x), axis=-1) / n
            assert_close(
                by_y, want, msg=f"gradient with respect to the weights, {reduction}, {rows_are}"
            )
    if torch.finfo(dtype).tiny < 1e-30:  # results near e^-20 stay normal numbers
        _check_batches_with_dominant_rows(impl, dtype, device)
    if dtype == torch.float64:
        leaf = o_.detach().clone().requires_grad_()
        assert_twice_differentiable(lambda z: impl.log_softmax(z), leaf, "log_softmax")


def _dominant_rows(dtype, device) -> tuple[torch.Tensor, list[list[float]]]:
    """A batch of 48 rows of 32 logits (larger than any small-call shortcut) where every
    other row has its maximum at 0 and the rest at -20 or below: the largest log-probability
    and the log-sum-exp of those rows are near 2e-8 in magnitude, which log of a rounded sum
    near 1 cannot give. Row 1 has a largest probability just above 1/2 (1/2 + 1e-7: two
    logits 4e-7 apart, the others at -1e4), the edge of what counts as confident. Returns the
    batch and its rows as the oracle reads them."""
    x = logits((48, 32), 49, torch.float64, "cpu", scale=3.0)
    x[::2] = -20 - x[::2].abs()
    x[::2, 0] = 0.0
    x[1] = -1e4
    x[1, :2] = torch.tensor([4e-7, 0.0], dtype=torch.float64)
    x = x.to(dtype).to(device)
    return x, oracle_input(x).tolist()


def _check_batches_with_dominant_rows(impl, dtype, device) -> None:
    x, rows = _dominant_rows(dtype, device)
    want = [[float(v) for v in mp_log_softmax(row)] for row in rows]
    got = impl.log_softmax(x)
    assert_accurate(
        got,
        torch.tensor(want, dtype=torch.float64),
        msg="log_softmax, confident rows: a dominant maximum",
    )
    # four of the rows alone: a call small enough for any small-call shortcut
    assert_accurate(
        impl.log_softmax(x[:4]),
        torch.tensor(want[:4], dtype=torch.float64),
        msg="log_softmax, confident rows in a small call",
    )
    check_gradient_vs_torch(impl.log_softmax, torch.log_softmax, x, "log_softmax")
    # the same rows in the (N, C, d) layout: classes along dim 1, not the last dimension
    x3 = x.reshape(16, 3, 32).transpose(1, 2)
    got3 = impl.log_softmax(x3, dim=1).transpose(1, 2).reshape(48, 32)
    assert_accurate(
        got3, torch.tensor(want, dtype=torch.float64), msg="log_softmax along dim 1 of (N, C, d)"
    )


def check_gradient_vs_torch(fn, builtin, x: torch.Tensor, name: str) -> None:
    r"""The gradient of :math:`\sum v \cdot` ``fn(x, dim=-1)`` for fixed weights :math:`v`,
    against autograd through the torch built-in in float64 on the same values."""
    leaf = x.detach().clone().requires_grad_()
    out = fn(leaf, dim=-1)
    v = logits(tuple(out.shape), 50, x.dtype, str(x.device))
    (got,) = torch.autograd.grad(out, leaf, v)
    leaf64 = x.detach().double().cpu().requires_grad_()
    (want,) = torch.autograd.grad(builtin(leaf64, -1), leaf64, v.double().cpu())
    assert_close(got, want, dtype=x.dtype, msg=f"gradient of {name} vs autograd of torch's")


@cross_entropy_expansion.property_leg(
    r"for any nonnegative weights $y_j$ (not necessarily summing to 1) the loss equals "
    r"$(\sum_j y_j)\log\sum_k e^{o_k} - \sum_j y_j o_j$ evaluated by mpmath, for logits up "
    r"to $10^{300}$"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x = draw(dst.logits(num_classes=st.integers(1, 6), magnitude=MAX_LOGIT))
        w = draw(dst.real_vectors(size=x.shape[-1], magnitude=3.0)).abs()
        return x, w

    def holds(case) -> bool:
        x, w = case
        got = impl.cross_entropy(x, w, validate=False)
        return is_accurate(got, _mp_expanded(x.tolist(), w.tolist()))

    return ForAll(cases(), holds, names=("o", "y"))


cross_entropy_logsumexp_form = SECTION.claim(
    "cross-entropy-logsumexp-form",
    title="Cross-entropy as log-sum-exp minus the target's logit",
    statement=r"\sum_j y_j = 1 \Rightarrow l(\mathbf{y}, \hat{\mathbf{y}}) = "
    r"\log \sum_{k=1}^q \exp(o_k) - \sum_{j=1}^q y_j o_j",
    kind=Kind.THEOREM,
    code=("cross_entropy", "logsumexp"),
    uses=("classification.cross-entropy-expansion",),
    note=r"The notes take this step silently: it uses that $\mathbf{y}$ is a one-hot label "
    r"(or any probability vector), so $\sum_j y_j = 1$.",
)


@cross_entropy_logsumexp_form.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    constrained = _EXPANDED.subs(sp.Sum(y[j], (j, 1, q)), 1)
    target = sp.log(partition()) - sp.Sum(y[j] * o[j], (j, 1, q))
    return Derivation(
        steps=[
            Step(
                "The loss expanded for any weights",
                equation(sp.Symbol("l"), _EXPANDED),
                cites=("classification.cross-entropy-expansion",),
            ),
            Step(
                r"Use $\sum_j y_j = 1$ ($\mathbf{y}$ is a one-hot label or a distribution)",
                equation(sp.Symbol("l"), constrained),
            ),
        ],
        residuals=[constrained - target],
        compared=[r"the expanded loss at $\sum_j y_j = 1$, minus the log-sum-exp form"],
    )


@cross_entropy_logsumexp_form.numeric_leg(
    oracle="mpmath exactly (DPS digits) (error in eps); scipy.special.logsumexp; "
    "torch.nn.functional.cross_entropy (index and probability targets, every reduction)"
)
def _(impl, device, dtype) -> None:
    big = BIG[dtype]
    extreme = torch.tensor(
        [[big, -big, 0.0], [-big, -big, -big], [1.0, 2.0, 3.0]], dtype=torch.float64
    )
    x3 = logits((3, 4, 5), 39, dtype, device)
    want = scipy.special.logsumexp(oracle_input(x3), axis=-1)
    assert_close(impl.logsumexp(x3), want, msg="logsumexp without dim (the last)")
    v = logits((7,), 51, dtype, device)  # one vector: a single slice, no batch dimension
    for keepdim in (False, True):
        want = scipy.special.logsumexp(oracle_input(v), axis=0, keepdims=keepdim)
        assert_close(impl.logsumexp(v, dim=0, keepdim=keepdim), want, msg="logsumexp of a vector")
    for x in (logits((6, 7), 40, dtype, device, scale=10.0), extreme.to(dtype).to(device)):
        for dim in (-1, 0):
            for keepdim in (False, True):
                want = scipy.special.logsumexp(oracle_input(x), axis=dim, keepdims=keepdim)
                got = impl.logsumexp(x, dim=dim, keepdim=keepdim)
                assert_close(got, want, msg=f"logsumexp vs scipy, dim {dim}, keepdim {keepdim}")
    # wide rows (a language model's vocabulary): the sum of 4096 exponentials must be
    # accumulated in more precision than float16/bfloat16 hold, or it stops growing once the
    # terms fall below half an ulp of the running sum. Equal logits first: log(4096) exactly.
    for x in (torch.zeros(2, 4096), logits((2, 4096), 48, torch.float64, "cpu", scale=1.0)):
        x = x.to(dtype).to(device)
        want = scipy.special.logsumexp(oracle_input(x), axis=-1)
        assert_close(impl.logsumexp(x), want, msg="logsumexp of rows of 4096 logits")
    if torch.finfo(dtype).tiny < 1e-30:  # results near e^-20 stay normal numbers
        x, rows = _dominant_rows(dtype, device)
        with mpmath.workdps(60):  # log of 1 + 1e-8 needs the digits beyond the 1
            want = [
                float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in r))) for r in rows
            ]
        assert_accurate(
            impl.logsumexp(x), want, msg="logsumexp (mpmath), confident rows: a dominant maximum"
        )
        check_gradient_vs_torch(impl.logsumexp, torch.logsumexp, x, "logsumexp")
        # the same rows in the (N, C, d) layout: classes along dim 1, not the last dimension
        x3 = x.reshape(16, 3, 32).transpose(1, 2)
        got3 = impl.logsumexp(x3, dim=1).reshape(48)
        assert_accurate(got3, want, msg="logsumexp along dim 1 of (N, C, d)")
    # probability targets (exact zeros; confident rows too), every reduction, (N, C) and (N, C, d)
    for seed, shape in enumerate([(6, 5), (3, 4, 2)]):
        o_ = logits(shape, 41 + seed, dtype, device)
        w = probability_targets(shape, 43 + seed).to(dtype).to(device)
        for x, rows_are in ((o_, "ordinary rows"), (o_ + 12 * w.to(dtype), CONFIDENT)):
            per = torch.tensor(
                [
                    mp_cross_entropy(row, target)
                    for row, target in zip(
                        oracle_input(x.movedim(1, -1)).reshape(-1, shape[1]).tolist(),
                        oracle_input(w.movedim(1, -1)).reshape(-1, shape[1]).tolist(),
                        strict=True,
                    )
                ],
                dtype=torch.float64,
            ).reshape(shape[0], *shape[2:])
            got = impl.cross_entropy(x, w, reduction="none")
            assert_accurate(got, per, msg=f"probability targets, {shape}, none, {rows_are}")
            for reduction, want in (("sum", per.sum()), ("mean", per.mean())):
                got = impl.cross_entropy(x, w, reduction=reduction)
                assert_close(got, want, msg=f"probability targets, {shape}, {reduction}")
                ref = F.cross_entropy(x.double(), w.double(), reduction=reduction)
                assert_close(got, ref, dtype=dtype)
        labels = randint(shape[1], shape[0], *shape[2:], seed=45 + seed).to(device)
        for reduction in ("none", "sum", "mean"):
            got = impl.cross_entropy(o_, labels, reduction=reduction)
            want = F.cross_entropy(o_.double(), labels, reduction=reduction)
            assert_close(got, want, dtype=dtype, msg=f"class indices, {shape}, {reduction}")
    # the stable form stays finite where the true value is: logits of the extreme magnitude
    x = extreme[:1].to(dtype).to(device)
    loss = impl.cross_entropy(x, torch.tensor([2], device=device))
    assert torch.isfinite(loss), f"cross_entropy overflowed at |o| = {big}: {loss}"
    assert_accurate(loss, torch.tensor(big, dtype=torch.float64), msg="loss at extreme logits")
    # the gradient of log-sum-exp is softmax(o), also where o_max + log s rounds to o_max:
    # exp(o - lse) with the rounded lse would give 1 for each of two equal huge logits
    huge = torch.tensor([[big, big], [big, big - 1.0], [-big, -big]], dtype=dtype, device=device)
    leaf = huge.clone().requires_grad_()
    (grad,) = torch.autograd.grad(impl.logsumexp(leaf).sum(), leaf)
    want = scipy.special.softmax(oracle_input(huge), axis=-1)
    assert_close(grad, want, msg=f"gradient of logsumexp (softmax) at logits of magnitude {big}")
    if dtype == torch.float64:
        leaf = logits((4, 5), 46, dtype, device).requires_grad_()
        assert_twice_differentiable(lambda z: impl.logsumexp(z), leaf, "logsumexp")


@cross_entropy_logsumexp_form.property_leg(
    r"for probability vectors $\mathbf{y}$ (with exact zeros) and logits up to $10^{300}$, the "
    r"loss equals $\log\sum_k e^{o_k} - \mathbf{y}^\top\mathbf{o}$, and `logsumexp` equals "
    r"$\log\sum_k e^{o_k}$, both evaluated by mpmath"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        x = draw(dst.logits(num_classes=st.integers(1, 6), magnitude=MAX_LOGIT))
        w = draw(dst.probability_vectors(size=x.shape[-1]))
        return x, w

    def holds(case) -> bool:
        x, w = case
        loss_ok = is_accurate(impl.cross_entropy(x, w), mp_cross_entropy(x.tolist(), w.tolist()))
        # log-sum-exp near 0 is ill-conditioned in the logits: measure its error against
        # max|o|, the accuracy a backward-stable evaluation can reach
        lse_ok = is_accurate(impl.logsumexp(x), _mp_logsumexp(x.tolist()), scale=x.abs().max())
        return loss_ok and lse_ok

    return ForAll(cases(), holds, names=("o", "y"))


softmax_ce_gradient = SECTION.claim(
    "softmax-ce-gradient",
    title="Gradient of softmax cross-entropy",
    statement=r"\partial_{o_j} l(\mathbf{y}, \hat{\mathbf{y}}) = "
    r"\frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} - y_j = "
    r"\operatorname{softmax}(\mathbf{o})_j - y_j",
    kind=Kind.THEOREM,
    code=("cross_entropy_grad", "cross_entropy"),
    uses=("classification.cross-entropy-logsumexp-form",),
)


@softmax_ce_gradient.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    loss = sp.log(partition()) - sp.Sum(y[j] * o[j], (j, 1, q))
    raw = sp.diff(loss, o[t])
    evaluated = resolve_in_range(raw.doit(), t, 1, q)
    return Derivation(
        steps=[
            Step(
                r"The loss for $\sum_j y_j = 1$",
                equation(sp.Symbol("l"), loss),
                cites=("classification.cross-entropy-logsumexp-form",),
            ),
            Step(
                r"Differentiate with respect to $o_t$",
                equation(sp.Derivative(sp.Symbol("l"), o[t]), raw),
            ),
            Step(
                r"The Kronecker deltas pick $k = t$ and $j = t$ ($1 \le t \le q$)",
                equation(raw, evaluated),
            ),
        ],
        residuals=[evaluated - (softmax_expr(t) - y[t])],
        compared=[
            r"$\partial l / \partial o_t$ minus $\operatorname{softmax}(\mathbf{o})_t - y_t$"
        ],
    )


def _check_large_batch_backward(impl, dtype, device) -> None:
    """The backward pass of a batch larger than any small-call shortcut (64 x 32, one sample in
    four confident), under an upstream gradient other than 1, twice on one retained graph
    (an implementation may keep forward results for its backward pass and must not spend
    them), against autograd of ``F.cross_entropy`` in float64."""
    big = logits((64, 32), 58, dtype, device)
    labels = randint(32, 64, seed=59).to(device)
    big[torch.arange(0, 64, 4), labels[::4]] += 12
    for reduction in ("none", "mean", "sum"):
        leaf = big.detach().double().cpu().requires_grad_()
        oracle_loss = F.cross_entropy(leaf, labels.cpu(), reduction=reduction)
        upstream = 0.5 + simplex(max(oracle_loss.numel(), 2), seed=60)[: oracle_loss.numel()]
        upstream = upstream.reshape(oracle_loss.shape)
        (want,) = torch.autograd.grad(oracle_loss, leaf, upstream)
        mine = big.clone().requires_grad_()
        loss = impl.cross_entropy(mine, labels, reduction=reduction)
        for attempt in ("first", "second"):
            (back,) = torch.autograd.grad(
                loss, mine, upstream.to(dtype).to(device), retain_graph=True
            )
            msg = f"64 x 32 batch, {reduction}, upstream gradient not 1, {attempt} backward"
            assert_close(back, want, dtype=dtype, msg=msg)


@softmax_ce_gradient.numeric_leg(
    oracle="autograd of torch.nn.functional.cross_entropy; torch.autograd.gradcheck and "
    "gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    o_ = logits((6, 5), 50, dtype, device)
    labels = randint(5, 6, seed=51).to(device)
    probs = simplex(6, 5, seed=52, zeros=0.3).to(dtype).to(device)
    single = logits((5,), 53, dtype, device)  # one sample: "mean" divides by 1
    cube = logits((3, 4, 2), 54, dtype, device)  # classes on dimension 1
    cases = [
        (o_, labels),
        (o_, probs),
        (single, torch.tensor(3, device=device)),
        (single, simplex(5, seed=55, zeros=0.3).to(dtype).to(device)),
        (cube, randint(4, 3, 2, seed=56).to(device)),
        (cube, probability_targets((3, 4, 2), 57).to(dtype).to(device)),
    ]
    for x, target in cases:
        oracle_target = target if not target.is_floating_point() else target.double()
        for reduction in ("sum", "mean", "none"):
            what = f"{tuple(x.shape)}, {'indices' if oracle_target is target else 'probabilities'}"
            what += f", {reduction}"
            leaf = x.detach().double().requires_grad_()  # not x itself when it is float64
            oracle_loss = F.cross_entropy(leaf, oracle_target, reduction=reduction)
            (want,) = torch.autograd.grad(oracle_loss.sum(), leaf)
            got = impl.cross_entropy_grad(x, target, reduction=reduction)
            assert got.dtype == dtype
            assert_close(got, want, dtype=dtype, msg=f"cross_entropy_grad, {what}")
            # the backward of cross_entropy itself, in the dtype under test, with and without
            # a graph of the gradient (the path second derivatives go through)
            for create_graph in (False, True):
                mine = x.clone().requires_grad_()
                loss = impl.cross_entropy(mine, target, reduction=reduction)
                (back,) = torch.autograd.grad(loss.sum(), mine, create_graph=create_graph)
                assert back.dtype == dtype
                assert_close(back, want, dtype=dtype, msg=f"backward ({create_graph=}), {what}")
    _check_large_batch_backward(impl, dtype, device)
    if dtype == torch.float64:
        leaf = o_.detach().clone().requires_grad_()
        for target, kind in ((labels, "class indices"), (probs, "probabilities")):
            assert_twice_differentiable(
                lambda z, t=target: impl.cross_entropy(z, t), leaf, f"cross_entropy ({kind})"
            )


@softmax_ce_gradient.property_leg(
    r"`cross_entropy_grad` equals the autograd gradient of "
    r"`torch.nn.functional.cross_entropy`, for logits up to $10^{300}$ in magnitude"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        classes, rows = draw(st.integers(1, 6)), draw(st.integers(1, 4))
        x = draw(dst.logits(num_classes=classes, batch_shape=(rows,), magnitude=MAX_LOGIT))
        w = draw(dst.probability_vectors(size=classes, batch_shape=(rows,)))
        return x, w

    def holds(case) -> bool:
        x, w = case
        leaf = x.clone().requires_grad_()
        (autograd,) = torch.autograd.grad(F.cross_entropy(leaf, w, reduction="sum"), leaf)
        return is_close(impl.cross_entropy_grad(x, w, reduction="sum"), autograd)

    return ForAll(cases(), holds, names=("o", "y"))
