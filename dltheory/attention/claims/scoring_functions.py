r"""§ 11 Attention Scoring Functions — from the Gaussian kernel to scaled dot products.

Main declarations:

* notation note ``attention.scoring-function-letter`` — the scoring function is :math:`a`,
  not the weight :math:`\alpha`;
* ``attention.gaussian-score-expansion`` — :math:`-\tfrac12\|\mathbf{q} - \mathbf{k}_i\|^2 =
  \mathbf{q}^\top\mathbf{k}_i - \tfrac12\|\mathbf{k}_i\|^2 - \tfrac12\|\mathbf{q}\|^2`;
* ``attention.query-term-cancels`` — the query-only term disappears under the softmax
  (citing ``classification.softmax-shift-invariant``);
* ``attention.constant-norm-keys-dot-product`` — with keys of one norm (e.g. from a layer
  norm) Gaussian-kernel attention is dot-product attention;
* ``attention.dot-product-variance`` — for iid zero-mean unit-variance entries,
  :math:`E[\mathbf{q}^\top\mathbf{k}] = 0` and :math:`\operatorname{Var}[\mathbf{q}^\top
  \mathbf{k}] = d`, so :math:`\mathbf{q}^\top\mathbf{k}/\sqrt d` has unit variance;
* notation note ``attention.softmax-of-one-score`` — the notes' softmax of a single score with
  a sum that has no upper limit.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.attention.claims._support import BATCHES, arrays, sample
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("attention", "11 Attention Scoring Functions")

d = sp.Symbol("d", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
l, r, i, j = sp.symbols("l r i j", integer=True)  # noqa: E741 (the notes' index names)
qv = sp.IndexedBase("q", real=True)
kv = sp.IndexedBase("k", real=True)
C = sp.Symbol("C", real=True)


def _expanded_scores(q: torch.Tensor, k: torch.Tensor, with_query: bool) -> torch.Tensor:
    r""":math:`\mathbf{q}^\top\mathbf{k}_i - \tfrac12\|\mathbf{k}_i\|^2` (and
    :math:`-\tfrac12\|\mathbf{q}\|^2`), float64 — the right-hand side of the expansion."""
    q, k = q.double(), k.double()
    scores = q @ k.transpose(-1, -2) - 0.5 * k.square().sum(-1).unsqueeze(-2)
    return scores - 0.5 * q.square().sum(-1, keepdim=True) if with_query else scores


scoring_function_letter = SECTION.claim(
    "scoring-function-letter",
    title="The scoring function is called α, the name of the weights",
    statement=r"\text{``attention scoring functions } \alpha \text{ that are simpler to compute''}",
    kind=Kind.NOTATION,
    corrects="attention.softmax-weights-convex-combination",
    note=r"The notes use $\alpha$ for the attention weights (and, under Nadaraya–Watson, for the "
    r"unnormalized kernel), and $a$ for the score the softmax turns into weights, "
    r"$\alpha(\mathbf{q}, \mathbf{k}_i) = \exp(a(\mathbf{q}, \mathbf{k}_i)) / \sum_j "
    r"\exp(a(\mathbf{q}, \mathbf{k}_j))$. The scoring functions of this section are $a$.",
)


gaussian_score_expansion = SECTION.claim(
    "gaussian-score-expansion",
    title="The Gaussian score expanded",
    statement=r"a(\mathbf{q}, \mathbf{k}_i) = -\frac{1}{2} \|\mathbf{q} - \mathbf{k}_i\|^2 = "
    r"\mathbf{q}^{\top} \mathbf{k}_i - \frac{1}{2} \|\mathbf{k}_i\|^2 - \frac{1}{2} "
    r"\|\mathbf{q}\|^2",
    kind=Kind.IDENTITY,
    code=("nadaraya_watson_weights",),
    note="The legs check the code through it: Gaussian Nadaraya–Watson weights are the softmax "
    "of the expanded scores.",
)


@gaussian_score_expansion.symbolic_leg(scope="general $d$")
def _() -> Derivation:
    lhs = -sp.Rational(1, 2) * sp.Sum((qv[l] - kv[l]) ** 2, (l, 1, d))
    expanded = lhs.expand()
    rhs = (
        sp.Sum(qv[l] * kv[l], (l, 1, d))
        - sp.Rational(1, 2) * sp.Sum(kv[l] ** 2, (l, 1, d))
        - sp.Rational(1, 2) * sp.Sum(qv[l] ** 2, (l, 1, d))
    )
    return Derivation(
        steps=[
            Step(r"The Gaussian score over $d$ coordinates", lhs),
            Step(r"Expand $(q_l - k_l)^2$ and split the sum", equation(lhs, expanded)),
            Step("Collect the three sums", equation(lhs, rhs)),
        ],
        residuals=[expanded - rhs],
        compared=["the expanded score minus the three-term form"],
    )


@gaussian_score_expansion.numeric_leg(
    oracle="torch.softmax of the expanded scores (float64), batched"
)
def _(impl, device, dtype) -> None:
    q = sample(2, 4, 3, seed=90, dtype=dtype, device=device)
    k = sample(2, 6, 3, seed=91, dtype=dtype, device=device)
    got = impl.nadaraya_watson_weights(q, k, kernel="gaussian")
    want = torch.softmax(_expanded_scores(q, k, with_query=True), -1)
    assert_close(got, want, msg="Gaussian weights vs softmax of the expanded score")


@gaussian_score_expansion.property_leg(
    r"Gaussian Nadaraya–Watson weights equal the softmax of "
    r"$\mathbf{q}^\top\mathbf{k}_i - \tfrac12\|\mathbf{k}_i\|^2 - \tfrac12\|\mathbf{q}\|^2$"
)
def _(impl) -> ForAll:
    return ForAll(_qk_cases(), _weights_match(impl, with_query=True), names=("Q", "K"))


@st.composite
def _qk_cases(draw, magnitude: float = 10.0):
    batch = draw(BATCHES)
    n, mm, dd = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return draw(arrays((*batch, n, dd), magnitude)), draw(arrays((*batch, mm, dd), magnitude))


def _weights_match(impl, with_query: bool):
    def holds(case) -> bool:
        q, k = case
        got = impl.nadaraya_watson_weights(q, k, kernel="gaussian")
        return is_close(got, torch.softmax(_expanded_scores(q, k, with_query), -1))

    return holds


query_term_cancels = SECTION.claim(
    "query-term-cancels",
    title="The query-only term cancels under the softmax",
    statement=r"\operatorname{softmax}_i\Big(\mathbf{q}^\top\mathbf{k}_i - \tfrac12"
    r"\|\mathbf{k}_i\|^2 - \tfrac12\|\mathbf{q}\|^2\Big) = \operatorname{softmax}_i\Big("
    r"\mathbf{q}^\top\mathbf{k}_i - \tfrac12\|\mathbf{k}_i\|^2\Big)",
    kind=Kind.THEOREM,
    code=("nadaraya_watson_weights",),
    uses=("attention.gaussian-score-expansion", "classification.softmax-shift-invariant"),
    note=r"$-\tfrac12\|\mathbf{q}\|^2$ is the same for every key $i$; normalizing the weights "
    r"removes it.",
)


@query_term_cancels.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    s = sp.IndexedBase("s", real=True)  # s_i = q^T k_i - ||k_i||^2 / 2
    c = -sp.Rational(1, 2) * sp.Symbol(r"\|q\|^2", nonnegative=True)
    with_c = sp.exp(s[i] + c) / sp.Sum(sp.exp(s[j] + c), (j, 1, m))
    without = sp.exp(s[i]) / sp.Sum(sp.exp(s[j]), (j, 1, m))
    return Derivation(
        steps=[
            Step(
                r"The Gaussian score is $s_i - \tfrac12\|\mathbf{q}\|^2$ with "
                r"$s_i = \mathbf{q}^\top\mathbf{k}_i - \tfrac12\|\mathbf{k}_i\|^2$",
                equation(sp.Symbol("a_i"), s[i] + c),
                cites=("attention.gaussian-score-expansion",),
            ),
            Step(
                r"A constant added to every score leaves the softmax unchanged",
                equation(with_c, without),
                cites=("classification.softmax-shift-invariant",),
            ),
        ],
        residuals=[with_c - without],
        compared=["the softmax with the query term minus the softmax without it"],
    )


@query_term_cancels.numeric_leg(
    oracle=r"torch.softmax of $\mathbf{q}^\top\mathbf{k}_i - \|\mathbf{k}_i\|^2/2$ (float64)"
)
def _(impl, device, dtype) -> None:
    for scale in (1.0, 30.0):  # large queries: the dropped term would swamp exp
        q = sample(5, 3, seed=92, dtype=dtype, device=device, scale=scale)
        k = sample(7, 3, seed=93, dtype=dtype, device=device)
        got = impl.nadaraya_watson_weights(q, k, kernel="gaussian")
        want = torch.softmax(_expanded_scores(q, k, with_query=False), -1)
        assert_close(got, want, msg=f"queries of scale {scale}")


@query_term_cancels.property_leg(
    r"Gaussian Nadaraya–Watson weights equal the softmax of "
    r"$\mathbf{q}^\top\mathbf{k}_i - \tfrac12\|\mathbf{k}_i\|^2$ (no query term)"
)
def _(impl) -> ForAll:
    return ForAll(_qk_cases(), _weights_match(impl, with_query=False), names=("Q", "K"))


constant_norm_keys_dot_product = SECTION.claim(
    "constant-norm-keys-dot-product",
    title="With keys of one norm, Gaussian attention is dot-product attention",
    statement=r"\|\mathbf{k}_i\| = c\ \forall i \Rightarrow \frac{\exp(-\frac12\|\mathbf{q} - "
    r"\mathbf{k}_i\|^2)}{\sum_j \exp(-\frac12\|\mathbf{q} - \mathbf{k}_j\|^2)} = "
    r"\operatorname{softmax}_i(\mathbf{q}^\top\mathbf{k}_i)",
    kind=Kind.THEOREM,
    code=("nadaraya_watson", "scaled_dot_product_attention"),
    uses=("attention.query-term-cancels", "classification.softmax-shift-invariant"),
    note=r"Keys from a layer norm without affine parameters (and $\epsilon = 0$) have norm "
    r"exactly $\sqrt d$: mean 0 and biased variance 1 over $d$ coordinates. For norms only "
    r"nearly equal, $\tfrac12\|\mathbf{k}_i\|^2 \in [c, c + \delta]$, each weight changes by a "
    r"factor in $[e^{-\delta}, e^{\delta}]$.",
)


@constant_norm_keys_dot_product.symbolic_leg(scope="general $m$")
def _() -> Derivation:
    t = sp.IndexedBase("t", real=True)  # t_i = q^T k_i
    c = sp.Symbol("c", positive=True)
    gaussian = sp.exp(t[i] - c**2 / 2) / sp.Sum(sp.exp(t[j] - c**2 / 2), (j, 1, m))
    dot = sp.exp(t[i]) / sp.Sum(sp.exp(t[j]), (j, 1, m))
    return Derivation(
        steps=[
            Step(
                r"Without the query term the score is $\mathbf{q}^\top\mathbf{k}_i - "
                r"\tfrac12\|\mathbf{k}_i\|^2 = t_i - \tfrac12 c^2$",
                gaussian,
                cites=("attention.query-term-cancels",),
            ),
            Step(
                r"$-\tfrac12 c^2$ is the same for every key: it cancels too",
                equation(gaussian, dot),
                cites=("classification.softmax-shift-invariant",),
            ),
        ],
        residuals=[gaussian - dot],
        compared=["the Gaussian weights minus the dot-product weights"],
    )


@constant_norm_keys_dot_product.numeric_leg(
    oracle="torch.nn.functional.scaled_dot_product_attention(scale=1) (float64); keys from "
    "torch.nn.functional.layer_norm (eps = 0)"
)
def _(impl, device, dtype) -> None:
    q = sample(3, 5, 4, seed=94, dtype=dtype, device=device, scale=0.7)
    v = sample(3, 6, 2, seed=96, dtype=dtype, device=device)
    # keys with two coordinates +1 and two -1: mean 0 and variance 1, so a layer norm leaves
    # them as they are, and their norm sqrt(4) = 2 is exact in every dtype (rounding would
    # otherwise spread the norms and break the premise)
    signs = torch.tensor([[1, 1, -1, -1], [1, -1, 1, -1], [1, -1, -1, 1]], dtype=torch.float64)
    raw = torch.cat([signs, -signs]).expand(3, 6, 4) * torch.tensor([1.0, 0.5, 2.0])[:, None, None]
    k = F.layer_norm(raw, (4,), eps=0.0).mul(torch.tensor([1.0, 0.5, 2.0])[:, None, None])
    k = k.to(dtype).to(device)
    want = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), scale=1.0)
    assert_close(impl.nadaraya_watson(q, k, v, kernel="gaussian"), want, msg="Gaussian")
    got = impl.scaled_dot_product_attention(q, k, v, scale=1.0)
    assert_close(got, want, msg="dot-product attention with scale 1")
    if dtype == torch.float64:  # generic layer-norm keys: norm sqrt(d) up to rounding
        k = F.layer_norm(sample(3, 6, 4, seed=95, dtype=dtype, device=device), (4,), eps=0.0)
        norms = k.norm(dim=-1)
        assert_close(norms, torch.full_like(norms, 2.0), msg="layer-norm keys have norm sqrt(d)")
        want = F.scaled_dot_product_attention(q, k, v, scale=1.0)
        assert_close(impl.nadaraya_watson(q, k, v, kernel="gaussian"), want, msg="layer norm")


@constant_norm_keys_dot_product.property_leg(
    r"for keys scaled to a common norm $c \in [0, 3]$, Gaussian Nadaraya–Watson equals "
    r"`scaled_dot_product_attention(scale=1)` and the torch built-in"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        q, k = draw(_qk_cases(magnitude=3.0))
        radius = draw(st.floats(0.0, 3.0))
        norms = k.norm(dim=-1, keepdim=True)
        first_axis = torch.zeros_like(k)
        first_axis[..., 0] = 1.0  # the direction of keys too short to normalize
        k = torch.where(norms > 1e-3, k / norms.clamp(min=1e-3), first_axis) * radius
        v = draw(arrays((*k.shape[:-1], 2), 10.0))
        return q, k, v

    def holds(case) -> bool:
        q, k, v = case
        want = F.scaled_dot_product_attention(q, k, v, scale=1.0)
        gaussian = impl.nadaraya_watson(q, k, v, kernel="gaussian")
        dot = impl.scaled_dot_product_attention(q, k, v, scale=1.0)
        return is_close(gaussian, want) and is_close(dot, want)

    return ForAll(cases(), holds, names=("Q", "K", "V"))


dot_product_variance = SECTION.claim(
    "dot-product-variance",
    title="The dot product of random vectors has variance d",
    statement=r"q_l, k_l \text{ iid},\ E = 0,\ \operatorname{Var} = 1 \Rightarrow "
    r"E[\mathbf{q}^\top\mathbf{k}] = 0,\ \operatorname{Var}[\mathbf{q}^\top\mathbf{k}] = d,\ "
    r"\operatorname{Var}[\mathbf{q}^\top\mathbf{k}/\sqrt{d}] = 1",
    kind=Kind.THEOREM,
    note="The reason for the scale 1/√d of scaled dot-product attention (the scale "
    "attention.scaled-dot-product-attention checks against the torch built-in). The "
    "statement is about random vectors, not code: no reference function is involved.",
)


@dot_product_variance.symbolic_leg(scope="general $d$, any entry distribution with these moments")
def _() -> Derivation:
    mq, mk = sp.symbols(r"\mu_q \mu_k", real=True)
    sq, sk = sp.symbols(r"\sigma_q \sigma_k", positive=True)
    # independent entries: E[q_l q_r] = mu^2 + sigma^2 [l = r], and q independent of k
    eqq = mq**2 + sq**2 * sp.KroneckerDelta(l, r)
    ekk = mk**2 + sk**2 * sp.KroneckerDelta(l, r)
    inner = sp.expand(eqq * ekk).subs(sp.KroneckerDelta(l, r) ** 2, sp.KroneckerDelta(l, r))
    summed_r = sp.Sum(inner, (r, 1, d)).doit()
    # the range Piecewise of sum_r [l = r]: 1 for 1 <= l <= d, which the outer sum guarantees
    summed_r = summed_r.replace(lambda e: isinstance(e, sp.Piecewise), lambda pw: pw.args[0][0])
    second = sp.Sum(summed_r, (l, 1, d)).doit()
    mean = d * mq * mk
    variance = sp.expand(second - mean**2)
    general = d * (sq**2 * sk**2 + mq**2 * sk**2 + sq**2 * mk**2)
    unit = {mq: 0, mk: 0, sq: 1, sk: 1}
    return Derivation(
        steps=[
            Step(
                r"$E[\mathbf{q}^\top\mathbf{k}] = \sum_l E[q_l] E[k_l]$",
                equation(sp.Symbol("E"), mean),
            ),
            Step(
                r"$E[(\mathbf{q}^\top\mathbf{k})^2] = \sum_{l, r} E[q_l q_r] E[k_l k_r]$",
                equation(sp.Symbol("E_2"), second),
            ),
            Step(r"The variance, for any means and variances", equation(sp.Symbol("V"), variance)),
            Step(r"Zero mean, unit variance", equation(sp.Symbol("V"), variance.subs(unit))),
            Step(r"Divide by $\sqrt{d}$: the variance is divided by $d$", variance.subs(unit) / d),
        ],
        residuals=[
            variance - general,
            mean.subs(unit),
            variance.subs(unit) - d,
            variance.subs(unit) / d - 1,
        ],
        compared=[
            "the variance minus its closed form",
            "the mean at zero-mean entries",
            r"the variance at unit variance minus $d$",
            r"the variance of $\mathbf{q}^\top\mathbf{k}/\sqrt d$ minus 1",
        ],
    )


# Each sampled statistic is a mean of N bounded iid terms; Hoeffding's inequality,
# P(|mean - E| >= t) <= 2 exp(-2 N t^2 / range^2), with N chosen below makes each false alarm
# at most 1e-7, so the 8 checks together stay below 1e-6 (seeds are fixed, so a run that passes
# passes every time; the rate says how unlucky a seed would have to be).
_FALSE_ALARM = 1e-7


def _hoeffding_n(value_range: float, t: float) -> int:
    return math.ceil(value_range**2 * math.log(2 / _FALSE_ALARM) / (2 * t**2))


@dot_product_variance.numeric_leg(
    oracle="sample mean and variance of q^T k / sqrt(d) (Hoeffding bounds, false alarm < 1e-6)",
    dtypes=("float64",),
)
def _(impl, device, dtype) -> None:
    g = torch.Generator().manual_seed(97)
    cases = (  # entry law, sampler, |entry| bound, dimensions, deviation t
        ("Rademacher", lambda n, dd: torch.randint(0, 2, (n, dd), generator=g) * 2.0 - 1, 1.0,
         (2, 8), 0.1),
        ("uniform", lambda n, dd: (torch.rand(n, dd, generator=g, dtype=dtype) * 2 - 1) * 3**0.5,
         3**0.5, (2, 4), 0.25),
    )  # fmt: skip
    for name, draw, bound, dims, t in cases:
        for dd in dims:
            # z = q^T k / sqrt(d) lies in [-b^2 sqrt(d), b^2 sqrt(d)]; z^2 in [0, b^4 d]
            n = max(_hoeffding_n(2 * bound**2 * dd**0.5, t), _hoeffding_n(bound**4 * dd, t))
            q, k = draw(n, dd).to(dtype), draw(n, dd).to(dtype)
            z = (q * k).sum(-1) / dd**0.5
            mean, second = z.mean().item(), z.square().mean().item()
            assert abs(mean) < t, f"{name}, d = {dd}: mean {mean} (N = {n})"
            assert abs(second - 1) < t, f"{name}, d = {dd}: variance {second} (N = {n})"


@dot_product_variance.property_leg(
    r"for zero-mean discrete entry distributions (exact rationals, enumerated for $d \le 3$), "
    r"$E[\mathbf{q}^\top\mathbf{k}] = 0$ and $E[(\mathbf{q}^\top\mathbf{k})^2] = d\,\sigma_q^2"
    r"\sigma_k^2$ exactly"
)
def _(impl) -> ForAll:
    @st.composite
    def distribution(draw):
        points = draw(st.lists(st.integers(-4, 4), min_size=1, max_size=3))
        weights = draw(st.lists(st.integers(1, 5), min_size=len(points), max_size=len(points)))
        total = sum(weights)
        probs = [Fraction(w_, total) for w_ in weights]
        center = sum(p * x for p, x in zip(probs, points, strict=True))
        return [(Fraction(x) - center, p) for x, p in zip(points, probs, strict=True)]

    def moments(case):
        dd, dist_q, dist_k = case
        mean = second = Fraction(0)
        entries = [(x, p) for x, p in dist_q], [(x, p) for x, p in dist_k]
        for qs in product(entries[0], repeat=dd):
            for ks in product(entries[1], repeat=dd):
                prob = math.prod((p for _, p in (*qs, *ks)), start=Fraction(1))
                dot = sum(a[0] * b[0] for a, b in zip(qs, ks, strict=True))
                mean += prob * dot
                second += prob * dot * dot
        return mean, second

    def holds(case) -> bool:
        dd, dist_q, dist_k = case
        var_q = sum(p * x * x for x, p in dist_q)
        var_k = sum(p * x * x for x, p in dist_k)
        mean, second = moments(case)
        return mean == 0 and second == dd * var_q * var_k

    return ForAll(
        st.tuples(st.integers(1, 3), distribution(), distribution()),
        holds,
        names=("d", "law of q_l", "law of k_l"),
    )


softmax_of_one_score = SECTION.claim(
    "softmax-of-one-score",
    title="The notes' softmax of a single score, summed to no upper limit",
    statement=r"\alpha(\mathbf{q}, \mathbf{k}_i) = \operatorname{softmax}(a(\mathbf{q}, "
    r"\mathbf{k}_i)) = \frac{\exp(\mathbf{q}^{\top} \mathbf{k}_i / \sqrt{d})}{\sum_{j=1} "
    r"\exp(\mathbf{q}^{\top} \mathbf{k}_j / \sqrt{d})}",
    kind=Kind.NOTATION,
    corrects="attention.scaled-dot-product-attention",
    note=r"The softmax acts on the vector of all $m$ scores, and the sum runs over every key: "
    r"read $\alpha(\mathbf{q}, \mathbf{k}_i) = \operatorname{softmax}\big(a(\mathbf{q}, "
    r"\mathbf{k}_1), \dots, a(\mathbf{q}, \mathbf{k}_m)\big)_i = \exp(\mathbf{q}^\top"
    r"\mathbf{k}_i/\sqrt d) / \sum_{j=1}^{m} \exp(\mathbf{q}^\top\mathbf{k}_j/\sqrt d)$ (the "
    r"softmax of a single number is 1).",
)
