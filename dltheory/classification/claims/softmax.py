r"""§ 4 Softmax — the softmax and what makes it a probability-valued ranking.

Main declarations:

* ``classification.softmax-definition`` — :math:`\hat y_i = \exp(o_i) / \sum_k \exp(o_k)`, with
  the notation note ``classification.softmax-index-clash`` (the notes' formula reuses the free
  index :math:`i` as the summation index);
* ``classification.softmax-nonnegative``, ``classification.softmax-sums-to-one`` — the outputs
  are a probability vector;
* ``classification.softmax-preserves-argmax`` — the outputs are ordered as the logits are;
* ``classification.softmax-shift-invariant`` — adding a constant to every logit changes nothing
  (the identity behind the max shift that keeps the computation finite).
"""

from __future__ import annotations

import scipy.special
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.classification.claims._support import (
    BATCHES,
    BIG,
    MAX_LOGIT,
    SHAPES,
    C,
    assert_twice_differentiable,
    i,
    j,
    k,
    logits,
    mp_softmax,
    o,
    partition,
    q,
    softmax_expr,
    yhat,
)
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input, randint
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_close

SECTION = Section("classification", "4 Softmax")

softmax_definition = SECTION.claim(
    "softmax-definition",
    title="Softmax",
    statement=r"\hat{y}_i = \operatorname{softmax}(\mathbf{o})_i = "
    r"\frac{\exp(o_i)}{\sum_{k=1}^{q} \exp(o_k)}",
    kind=Kind.DEFINITION,
    code=("softmax",),
    symbolic=NotApplicable("a definition; its consequences are proved in the claims below"),
)


@softmax_definition.numeric_leg(
    oracle="scipy.special.softmax; torch.softmax and its autograd gradient (every dim); "
    "torch.autograd.gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    for seed, shape in enumerate(SHAPES):
        x = logits(shape, seed, dtype, device)
        default = scipy.special.softmax(oracle_input(x), axis=-1)
        assert_close(impl.softmax(x), default, msg=f"softmax without dim (the last), {shape}")
        for dim in range(-len(shape), len(shape)):
            got = impl.softmax(x, dim=dim)
            assert got.dtype == dtype and got.device == x.device
            want = scipy.special.softmax(oracle_input(x), axis=dim)
            assert_close(
                got, want, msg=f"softmax vs scipy.special.softmax, shape {shape} dim {dim}"
            )
            assert_close(got, torch.softmax(x.double(), dim=dim), dtype=dtype)
            # the vector-Jacobian product y * (g - <g, y>) against torch's. A generic cotangent
            # g makes it a difference of nearly equal terms, which float16/bfloat16 cannot
            # resolve from a rounded y; there g is the basis vector of the least likely class,
            # where 1 - y_k is near 1 and every entry is a product of probabilities
            if dtype in (torch.float64, torch.float32):
                cotangent = logits(shape, 90 + seed, dtype, device)
            else:
                cotangent = torch.zeros_like(x).scatter(dim, x.argmin(dim, keepdim=True), 1.0)
            mine = x.clone().requires_grad_()
            (back,) = torch.autograd.grad(impl.softmax(mine, dim=dim), mine, cotangent)
            leaf = x.detach().double().requires_grad_()  # not x itself when it is float64
            (want_back,) = torch.autograd.grad(torch.softmax(leaf, dim), leaf, cotangent.double())
            assert back.dtype == dtype
            assert_close(back, want_back, dtype=dtype, msg=f"softmax backward, {shape} dim {dim}")
    if dtype == torch.float64:
        leaf = logits((4, 5), 95, dtype, device).requires_grad_()
        for dim in (0, 1):
            fn = lambda z, d=dim: impl.softmax(z, dim=d)  # noqa: E731
            assert_twice_differentiable(fn, leaf, f"softmax (dim {dim})")


@softmax_definition.property_leg(
    r"$\log\operatorname{softmax}(\mathbf{o})_i - o_i$ is the same for every $i$ and the entries "
    r"sum to 1, which characterizes $\exp(o_i) / \sum_k \exp(o_k)$",
    latex=r"\log\hat{y}_i - o_i = \text{const},\ \sum_i \hat{y}_i = 1",
)
def _(impl) -> ForAll:
    # the two conditions determine exp(o_i) / sum_k exp(o_k) uniquely
    def holds(x) -> bool:
        p = impl.softmax(x)
        offset = torch.log(p) - x
        return is_close(offset, offset[..., :1].expand_as(offset)) and is_close(
            p.sum(-1), torch.ones(x.shape[:-1], dtype=x.dtype)
        )

    return ForAll(dst.logits(batch_shape=BATCHES), holds, names=("o",))


softmax_index_clash = SECTION.claim(
    "softmax-index-clash",
    title="The notes' softmax formula reuses its free index",
    statement=r"\hat{y}_i = \frac{\exp(o_i)}{\sum_i \exp(o_i)}",
    kind=Kind.NOTATION,
    corrects="classification.softmax-definition",
    note=r"The denominator sums over the letter $i$ that already names the component. The sum "
    r"binds its own $i$, so this is a reused letter, not a false formula: read the denominator "
    r"as $\sum_{k=1}^{q} \exp(o_k)$ over a fresh index $k$, which is "
    r"classification.softmax-definition. (Taken as a single shared $i$, every component would "
    r"be $1/q$; no reader is meant to take it so.)",
)


softmax_nonnegative = SECTION.claim(
    "softmax-nonnegative",
    title="Softmax outputs are nonnegative",
    statement=r"\operatorname{softmax}(\mathbf{o})_i \ge 0 \quad(> 0 \text{ in exact arithmetic})",
    source="4 Linear Model / Softmax",
    kind=Kind.THEOREM,
    code=("softmax",),
)


@softmax_nonnegative.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    value = softmax_expr(i)
    return Derivation(
        steps=[
            Step("Softmax component", equation(yhat[i], value)),
            Step(r"$\exp(o_i) > 0$ for real $o_i$", sp.exp(o[i]) > 0),
            Step(r"The denominator is a sum of $q \ge 1$ positive terms", partition() > 0),
        ],
        residuals=[sp.exp(o[i]).is_positive, partition().is_positive, value.is_positive],
        compared=[
            r"$\exp(o_i) > 0$ (SymPy's positivity query)",
            r"$\sum_k \exp(o_k) > 0$",
            r"$\hat y_i > 0$",
        ],
    )


@softmax_nonnegative.numeric_leg(oracle="mpmath softmax, exact (error in eps), at extreme logits")
def _(impl, device, dtype) -> None:
    big = BIG[dtype]
    rows = torch.tensor(
        [[big, -big, 0.0], [-big, -big, -big], [big, big, 1.0], [0.0, 1.0, 2.0], [-big, 0.0, 3.0]],
        dtype=torch.float64,
    )
    x = rows.to(dtype).to(device)
    got = impl.softmax(x)
    assert torch.isfinite(got).all() and (got >= 0).all(), f"softmax not finite/nonnegative: {got}"
    want = [mp_softmax(r) for r in oracle_input(x).tolist()]
    assert_accurate(got, want, msg="softmax vs mpmath at extreme logits")


@softmax_nonnegative.property_leg(
    r"$\operatorname{softmax}(\mathbf{o})$ is finite and nonnegative for logits up to "
    r"$10^{300}$ in magnitude",
    latex=r"|o_i| \le 10^{300} \Rightarrow 0 \le \hat{y}_i < \infty",
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        p = impl.softmax(x)
        return bool(torch.isfinite(p).all() and (p >= 0).all())

    return ForAll(dst.logits(magnitude=MAX_LOGIT, batch_shape=BATCHES), holds, names=("o",))


softmax_sums_to_one = SECTION.claim(
    "softmax-sums-to-one",
    title="Softmax outputs sum to one",
    statement=r"\sum_{i=1}^q \operatorname{softmax}(\mathbf{o})_i = 1",
    source="4 Linear Model / Softmax",
    kind=Kind.THEOREM,
    code=("softmax",),
)


@softmax_sums_to_one.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    total = sp.Sum(softmax_expr(i), (i, 1, q))
    pulled = sp.Sum(sp.exp(o[i]), (i, 1, q)) / partition()
    renamed = sp.Sum(sp.exp(o[i]), (i, 1, q)).change_index(i, i, k) / partition()
    return Derivation(
        steps=[
            Step("Sum of the softmax components", total),
            Step(
                r"The denominator does not depend on $i$: take it out of the sum",
                equation(total, pulled),
            ),
            Step(
                r"Rename the summation index $i \to k$; the quotient is 1",
                equation(pulled, renamed),
            ),
        ],
        residuals=[total - pulled, renamed - 1],
        compared=[
            "the sum before and after taking out the denominator",
            "the quotient after renaming, minus 1",
        ],
    )


@softmax_sums_to_one.numeric_leg(oracle="the identity (outputs summed in float64)")
def _(impl, device, dtype) -> None:
    for seed, shape in enumerate(SHAPES):
        x = logits(shape, 10 + seed, dtype, device, scale=20.0)
        for dim in range(-len(shape), len(shape)):
            total = impl.softmax(x, dim=dim).double().sum(dim=dim)
            assert_close(total, torch.ones_like(total), dtype=dtype, msg=f"{shape}, dim {dim}")


@softmax_sums_to_one.property_leg(
    r"the outputs sum to 1 within float64 tolerance for logits up to $10^{300}$ in magnitude",
    latex=r"\left|\sum_i \hat{y}_i - 1\right| \le \mathrm{tol}",
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        total = impl.softmax(x).sum(-1)
        return is_close(total, torch.ones_like(total))

    return ForAll(dst.logits(magnitude=MAX_LOGIT, batch_shape=BATCHES), holds, names=("o",))


softmax_preserves_argmax = SECTION.claim(
    "softmax-preserves-argmax",
    title="Softmax preserves the order of the logits",
    statement=r"o_i > o_j \iff \hat{y}_i > \hat{y}_j, \qquad"
    r"\arg\max_i \hat{y}_i = \arg\max_i o_i",
    kind=Kind.THEOREM,
    code=("softmax",),
)


@softmax_preserves_argmax.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    ratio = softmax_expr(i) / softmax_expr(j)
    return Derivation(
        steps=[
            Step("Ratio of two softmax components", equation(yhat[i] / yhat[j], ratio)),
            Step(
                r"The denominators cancel; $\exp$ is increasing, so the ratio exceeds 1 "
                r"iff $o_i > o_j$",
                equation(ratio, sp.exp(o[i] - o[j])),
            ),
        ],
        residuals=[ratio - sp.exp(o[i] - o[j])],
        compared=[r"$\hat y_i / \hat y_j$ minus $\exp(o_i - o_j)$"],
    )


@softmax_preserves_argmax.numeric_leg(oracle="torch.argmax / torch.argsort of the logits")
def _(impl, device, dtype) -> None:
    # distinct logits: a random permutation of 0, 0.5, 1, ... (exact in every dtype), so the
    # probabilities differ by at least a factor exp(0.5) and rounding cannot create ties
    g = torch.Generator().manual_seed(5)
    x = torch.stack([torch.randperm(12, generator=g) for _ in range(8)]).to(torch.float64) * 0.5
    x = x.to(dtype).to(device)
    for dim, z in ((-1, x), (0, x.T.contiguous())):
        got = impl.softmax(z, dim=dim)
        assert torch.equal(got.argmax(dim), z.argmax(dim))
        assert torch.equal(got.argsort(dim), z.argsort(dim)), "softmax must preserve the order"


@softmax_preserves_argmax.property_leg(
    r"$o_i \ge o_j$ implies $\hat y_i \ge \hat y_j$ (ties can appear only by rounding), and the "
    r"argmax of $\mathbf{o}$ has the largest probability, for logits up to $10^{300}$"
)
def _(impl) -> ForAll:
    def holds(x) -> bool:
        p = impl.softmax(x)
        larger = x.unsqueeze(-1) >= x.unsqueeze(-2)  # o_i >= o_j
        monotone = bool((~larger | (p.unsqueeze(-1) >= p.unsqueeze(-2))).all())
        top = x.argmax(-1, keepdim=True)
        return monotone and bool((p.gather(-1, top) == p.amax(-1, keepdim=True)).all())

    return ForAll(dst.logits(magnitude=MAX_LOGIT, batch_shape=BATCHES), holds, names=("o",))


softmax_shift_invariant = SECTION.claim(
    "softmax-shift-invariant",
    title="Softmax is invariant to adding a constant",
    statement=r"\operatorname{softmax}(\mathbf{o} + C\mathbf{1}) = "
    r"\operatorname{softmax}(\mathbf{o})",
    kind=Kind.THEOREM,
    code=("softmax",),
)


@softmax_shift_invariant.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    shifted = sp.exp(o[i] + C) / sp.Sum(sp.exp(o[k] + C), (k, 1, q))
    expanded = sp.expand(shifted)
    return Derivation(
        steps=[
            Step(r"Softmax of $\mathbf{o} + C$", shifted),
            Step(
                r"$\exp(o_k + C) = e^C \exp(o_k)$, and $e^C$ cancels", equation(shifted, expanded)
            ),
        ],
        residuals=[shifted - softmax_expr(i)],
        compared=[
            r"$\operatorname{softmax}(\mathbf{o} + C)_i - \operatorname{softmax}(\mathbf{o})_i$"
        ],
    )


# shifts C for which o + C is exact when o is a multiple of 1/8 in [-4, 4): |o + C| * 8 must
# fit the significand (8 bits for bfloat16, 11 for float16, 24 for float32)
_EXACT_SHIFTS = {
    torch.bfloat16: (16.0, -16.0),
    torch.float16: (16.0, -128.0, 128.0),
    torch.float32: (64.0, -512.0, 8192.0),
    torch.float64: (64.0, -512.0, 8192.0),
}


@softmax_shift_invariant.numeric_leg(
    oracle="the identity at shifts exact in each dtype; scipy for huge shifts"
)
def _(impl, device, dtype) -> None:
    x = (randint(64, 6, 9, seed=6) / 8 - 4).to(torch.float64)
    for shift in _EXACT_SHIFTS[dtype]:
        a = impl.softmax((x + shift).to(dtype).to(device))
        b = impl.softmax(x.to(dtype).to(device))
        assert_close(a, b, dtype=dtype, msg=f"softmax(o + {shift}) vs softmax(o)")
    if dtype in (torch.float32, torch.float64):
        # a shift far beyond exp's range: only a max-shifted formula survives it
        huge = (x + (1e4 if dtype == torch.float32 else 1e300)).to(dtype).to(device)
        want = scipy.special.softmax(oracle_input(huge), axis=-1)
        assert_close(impl.softmax(huge), want, msg="softmax of hugely shifted logits vs scipy")


@softmax_shift_invariant.property_leg(
    r"$\operatorname{softmax}(\mathbf{o} + C) = \operatorname{softmax}(\mathbf{o})$ for "
    r"$|C| \le 1000$"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, shift = case
        return is_close(impl.softmax(x + shift), impl.softmax(x))

    shifts = st.floats(-1e3, 1e3, allow_nan=False)
    return ForAll(st.tuples(dst.logits(batch_shape=BATCHES), shifts), holds, names=("o", "C"))
