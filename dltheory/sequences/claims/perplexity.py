r"""§ 9.2 Language Models: Perplexity — the definition, the notes' three cases, and the bounds
that relate perplexity to the vocabulary size.

Main declarations:

* notation note ``sequences.perplexity-first-formula-is-cross-entropy`` — the first formula
  under the heading is the mean negative log-likelihood (a cross-entropy), not the perplexity;
* ``sequences.perplexity-definition`` — :math:`\mathrm{PPL} = \exp(-\frac1n\sum_t \log
  P(x_t \mid x_{<t}))`, per token over padded batches; ``sequences.perplexity-geometric-mean``
  — by the chain rule, :math:`\mathrm{PPL} = P(x_1, \dots, x_n)^{-1/n}`;
* the notes' cases: ``sequences.perplexity-perfect-model`` (1 exactly when every target has
  probability 1), ``sequences.perplexity-infinite-at-zero-probability`` (:math:`+\infty` as soon
  as one target has probability 0), ``sequences.perplexity-uniform-is-vocabulary-size`` (the
  notes' derivation: :math:`m`, general :math:`n`, :math:`m`);
* bounds: ``sequences.perplexity-at-least-one``; ``sequences.perplexity-exp-cross-entropy``
  (a fixed distribution :math:`q` has perplexity :math:`\exp H(\hat p, q)`);
  ``sequences.best-constant-model-beats-uniform`` (the targets' own frequencies give
  :math:`\exp H(\hat p) \le m`); ``sequences.perplexity-can-exceed-vocabulary-size`` (worse than
  uniform is possible: :math:`m` is a baseline, not an upper bound).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randint, randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate
from dltheory.sequences.claims._support import (
    DPS,
    conditionals_from_joint,
    joints,
    sequences_of,
)

SECTION = Section("sequences", "9.2 Language Models: Perplexity")

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
t = sp.Symbol("t", integer=True)
log_p = sp.IndexedBase(r"\ell", real=True)  # log P(x_t | x_{<t})
u = sp.IndexedBase("u", nonnegative=True)  # P = 1/(1 + u): 0 < P <= 1


def mp_perplexity(rows, lengths=None) -> tuple[list[float], list[float], float, float]:
    r"""Exact per-sequence and corpus perplexities of log-probability rows, and their
    conditioning scales :math:`\mathrm{PPL}\cdot\max(1, \bar\ell)` (exp's condition number is
    its argument, the mean negative log-likelihood :math:`\bar\ell`)."""
    with mpmath.workdps(DPS):
        per, scales, total, count = [], [], mpmath.mpf(0), 0
        for k, row in enumerate(rows):
            used = row if lengths is None else row[: lengths[k]]
            nll = -mpmath.fsum(mpmath.mpf(float(v)) for v in used)
            total += nll
            count += len(used)
            mean = nll / len(used)
            per.append(float(mpmath.exp(mean)))
            scales.append(float(mpmath.exp(mean) * max(1, mean)))
        mean = total / count
        return per, scales, float(mpmath.exp(mean)), float(mpmath.exp(mean) * max(1, mean))


perplexity_first_formula = SECTION.claim(
    "perplexity-first-formula-is-cross-entropy",
    title="The first formula under “Perplexity” is the cross-entropy, not the perplexity",
    statement=r"\frac{1}{n} \sum_{t=1}^{n} -\log P(x_t \mid x_{t-1}, \dots, x_1)",
    kind=Kind.NOTATION,
    corrects="sequences.perplexity-definition",
    note=r"This quantity is the average negative log-likelihood per token: the cross-entropy "
    r"of the model's predictions on the sequence (in nats). The perplexity is its exponential, "
    r"the second formula (sequences.perplexity-definition). Read the first line as the "
    r"quantity whose exponential is the perplexity.",
)


perplexity_definition = SECTION.claim(
    "perplexity-definition",
    title="Perplexity",
    statement=r"\mathrm{PPL} = \exp\Bigl(-\frac{1}{n}\sum_{t=1}^n \log P(x_t \mid x_{t-1}, "
    r"\ldots, x_1)\Bigr)",
    kind=Kind.DEFINITION,
    code=("perplexity",),
    note=r"Over a padded batch the mean runs over the valid tokens of all sequences (the corpus "
    r"perplexity), or per sequence with `reduction=\"none\"`. From logits, "
    r"$-\log P(x_t \mid x_{<t})$ is the cross-entropy of the softmax at step $t$.",
)


@perplexity_definition.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    nll = -sp.Sum(log_p[t], (t, 1, n)) / n
    ppl = sp.exp(nll)
    return Derivation(
        steps=[
            Step("Mean negative log-likelihood", equation(sp.Symbol(r"\bar\ell"), nll)),
            Step(
                r"Perplexity: its exponential, the inverse geometric mean of the probabilities",
                equation(ppl, sp.Product(sp.exp(log_p[t]), (t, 1, n)) ** (-1 / n)),
            ),
        ],
        residuals=[sp.simplify(sp.log(ppl) - nll)],
        compared=[r"$\log\mathrm{PPL}$ minus the mean negative log-likelihood"],
    )


@perplexity_definition.numeric_leg(
    oracle="mpmath (error in eps of exp's conditioning); exp of "
    "torch.nn.functional.cross_entropy with ignore_index on padded logits (float64); "
    "gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    lp = -randn(3, 6, seed=900, scale=2.0).abs().to(dtype).to(device)
    lengths = torch.tensor([6, 2, 4])
    rows = lp.double().cpu().tolist()
    per, per_scale, corpus, corpus_scale = mp_perplexity(rows, lengths.tolist())
    got = impl.perplexity(lp, lengths=lengths, reduction="none")
    assert got.dtype == dtype and got.shape == (3,)
    assert_accurate(got, per, scale=per_scale, msg="per sequence, padded")
    assert_accurate(impl.perplexity(lp, lengths=lengths), corpus, scale=corpus_scale)
    _, _, whole, whole_scale = mp_perplexity([rows[0]])
    assert_accurate(impl.perplexity(lp[0]), whole, scale=whole_scale, msg="one sequence")
    logits = randn(3, 6, 11, seed=901, scale=3.0).to(dtype).to(device)
    targets = randint(11, 3, 6, seed=902).to(device)
    padded = torch.where(
        torch.arange(6).unsqueeze(0) < lengths.unsqueeze(1), targets.cpu(), torch.tensor(-100)
    ).to(device)
    for reduction in ("mean", "none"):
        got = impl.perplexity(logits=logits, targets=padded, lengths=lengths, reduction=reduction)
        ce = F.cross_entropy(
            logits.double().transpose(1, 2), padded, ignore_index=-100, reduction="none"
        )
        if reduction == "mean":
            want = torch.exp(ce.sum() / lengths.sum())
        else:
            want = torch.exp(ce.sum(1) / lengths.to(ce))
        assert_close(got, want, dtype=dtype, msg=f"exp(cross_entropy), {reduction}")
    if dtype == torch.float64:
        leaf = lp.clone().requires_grad_()
        assert torch.autograd.gradcheck(lambda a: impl.perplexity(a, lengths=lengths), (leaf,))
        assert torch.autograd.gradgradcheck(lambda a: impl.perplexity(a, lengths=lengths), (leaf,))
        z = logits[:, :3].clone().requires_grad_()
        assert torch.autograd.gradcheck(
            lambda a: impl.perplexity(logits=a, targets=targets[:, :3]), (z,)
        )


@st.composite
def _padded_log_probs(draw):
    rows, steps = draw(st.integers(1, 3)), draw(st.integers(1, 6))
    values = draw(hnp.arrays(np.float64, (rows, steps), elements=st.floats(-50, 0)))
    lengths = draw(st.lists(st.integers(1, steps), min_size=rows, max_size=rows))
    return torch.from_numpy(values.copy()), torch.tensor(lengths)


@perplexity_definition.property_leg(
    r"for padded batches of log-probabilities in $[-50, 0]$, per-sequence and corpus "
    r"perplexities match mpmath within the float64 budget (relative to exp's conditioning)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        lp, lengths = case
        per, per_scale, corpus, corpus_scale = mp_perplexity(lp.tolist(), lengths.tolist())
        got = impl.perplexity(lp, lengths=lengths, reduction="none")
        return is_accurate(got, per, scale=per_scale) and is_accurate(
            impl.perplexity(lp, lengths=lengths), corpus, scale=corpus_scale
        )

    return ForAll(_padded_log_probs(), holds, names=("log_probs", "lengths"))


perplexity_geometric_mean = SECTION.claim(
    "perplexity-geometric-mean",
    title="Perplexity is the inverse geometric mean probability of the sequence",
    statement=r"\mathrm{PPL} = P(x_1, \dots, x_n)^{-1/n}",
    kind=Kind.THEOREM,
    code=("perplexity",),
    uses=("sequences.chain-rule-factorization",),
    note=r"By the chain rule the conditional log-probabilities add up to the log-probability of "
    r"the whole sequence, so perplexity does not depend on how the model factorizes it.",
)


@perplexity_geometric_mean.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    joint = sp.Symbol("P(x_1..x_n)", positive=True)
    total = sp.Sum(log_p[t], (t, 1, n))
    return Derivation(
        steps=[
            Step(
                r"Chain rule: the conditional log-probabilities sum to $\log P(x_1..x_n)$",
                equation(total, sp.log(joint)),
                cites=("sequences.chain-rule-factorization",),
            ),
            Step(
                r"so $\exp(-\frac1n \log P) = P^{-1/n}$",
                equation(sp.exp(-sp.log(joint) / n), joint ** (-1 / n)),
            ),
        ],
        residuals=[sp.simplify(sp.exp(-sp.log(joint) / n) - joint ** (-1 / n))],
        compared=[r"$\exp(-\log P/n)$ minus $P^{-1/n}$"],
    )


def _joint_case(joint: np.ndarray):
    """``(log-conditionals (N, T), exact P(x)^(-1/T) per sequence)`` for every sequence."""
    m_, length = joint.shape[0], joint.ndim
    conds = conditionals_from_joint(joint)
    seqs = sequences_of(m_, length)
    logs = [[float(np.log(conds[k][s[: k + 1]])) for k in range(length)] for s in seqs]
    with mpmath.workdps(DPS):
        want = [float(mpmath.mpf(float(joint[s])) ** (-mpmath.mpf(1) / length)) for s in seqs]
    return torch.tensor(logs, dtype=torch.float64), want


@perplexity_geometric_mean.numeric_leg(
    oracle="P(x_1..x_T)^(-1/T) of a random joint table by mpmath, from the conditionals "
    "computed by marginal sums (float64)",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    # the conditionals are computed in float64 and rounded to the dtype: in float16/bfloat16
    # their rounding alone moves the product by several eps (checked in float64 and float32)
    joint = torch.softmax(randn(81, seed=910, scale=1.5), 0).reshape(3, 3, 3, 3).numpy()
    logs, want = _joint_case(joint)
    got = impl.perplexity(logs.to(dtype).to(device), reduction="none")
    scale = [w * max(1.0, float(np.log(w))) for w in want]
    assert_accurate(got, want, scale=scale, msg="per sequence vs P^(-1/T)")


@perplexity_geometric_mean.property_leg(
    r"for random joint distributions of $T \le 3$ tokens over $m \le 3$ symbols, each "
    r"sequence's perplexity equals $P(x_1..x_T)^{-1/T}$ (mpmath)",
)
def _(impl) -> ForAll:
    def holds(table: torch.Tensor) -> bool:
        logs, want = _joint_case(table.numpy())
        scale = [w * max(1.0, float(np.log(w))) for w in want]
        return is_accurate(impl.perplexity(logs, reduction="none"), want, scale=scale)

    return ForAll(joints(), holds, names=("joint",))


perplexity_perfect_model = SECTION.claim(
    "perplexity-perfect-model",
    title="Perplexity is 1 exactly for a perfect model",
    statement=r"\mathrm{PPL} = 1 \iff P(x_t \mid x_{<t}) = 1 \text{ for every } t",
    kind=Kind.THEOREM,
    code=("perplexity",),
    note=r"The notes' best case. Each term $-\log P$ is $\ge 0$, so the mean is 0 only when "
    r"every term is.",
)


@perplexity_perfect_model.symbolic_leg(scope="general $n$")
def _() -> Derivation:
    perfect = sp.exp(-sp.Sum(0, (t, 1, n)).doit() / n)
    one_term = sp.log(1 + u[t])  # -log P for P = 1/(1 + u), u >= 0
    return Derivation(
        steps=[
            Step(r"Every $\log P(x_t \mid x_{<t}) = 0$", equation(sp.Symbol("PPL"), perfect)),
            Step(
                r"With $P = 1/(1 + u)$, $u \ge 0$: $-\log P = \log(1 + u) \ge 0$, and $> 0$ "
                r"when $u > 0$",
                one_term,
            ),
        ],
        residuals=[
            perfect - 1,
            one_term.is_nonnegative,
            sp.log(1 + sp.Symbol("v", positive=True)).is_positive,
        ],
        compared=[
            r"the perfect model's perplexity minus 1",
            r"$-\log P \ge 0$",
            r"$-\log P > 0$ for $P < 1$: one such term makes the mean, and $\log\mathrm{PPL}$, "
            r"positive",
        ],
    )


@perplexity_perfect_model.numeric_leg(
    oracle="exactly 1 for zero log-probabilities and for logits whose targets dominate; mpmath "
    "for a single probability 1 - 2^-10 (above 1)"
)
def _(impl, device, dtype) -> None:
    zeros = torch.zeros(2, 5, dtype=dtype, device=device)
    assert torch.equal(impl.perplexity(zeros), torch.ones((), dtype=dtype, device=device))
    logits = torch.zeros(2, 5, 4, dtype=dtype, device=device)
    targets = randint(4, 2, 5, seed=920).to(device)
    logits = logits.scatter(2, targets.unsqueeze(2), 1e4 if dtype != torch.float16 else 6e4)
    got = impl.perplexity(logits=logits, targets=targets)
    assert got == 1, f"a model certain of every target has perplexity {got}"
    almost = zeros.clone()
    almost[0, 0] = float(np.log1p(-(2.0**-10)))
    _, _, want, scale = mp_perplexity(almost.double().cpu().tolist())
    got = impl.perplexity(almost)
    assert got > 1 or dtype in (torch.float16, torch.bfloat16)  # 1 + 1e-4 rounds to 1 there
    assert_accurate(got, want, scale=scale)


@perplexity_perfect_model.property_leg(
    r"for log-probabilities in $[-50, 0]$ (exact zeros included), the perplexity is exactly 1 "
    r"when all are 0, and above 1 otherwise",
)
def _(impl) -> ForAll:
    values = st.one_of(st.just(0.0), st.floats(-50, -1e-12))

    def holds(lp: torch.Tensor) -> bool:
        got = float(impl.perplexity(lp))
        return got == 1.0 if bool((lp == 0).all()) else got > 1.0

    return ForAll(
        hnp.arrays(np.float64, st.integers(1, 8), elements=values).map(torch.from_numpy),
        holds,
        names=("log_probs",),
    )


perplexity_infinite = SECTION.claim(
    "perplexity-infinite-at-zero-probability",
    title="One target of probability 0 makes the perplexity infinite",
    statement=r"\exists t:\ P(x_t \mid x_{<t}) = 0 \Rightarrow \mathrm{PPL} = +\infty",
    kind=Kind.THEOREM,
    code=("perplexity",),
    note=r"The notes' worst case has every target at probability 0; one suffices. (Why smoothed "
    r"estimates such as sequences.laplace-unigram never assign 0.)",
)


@perplexity_infinite.symbolic_leg(scope="general $n$, any other terms")
def _() -> Derivation:
    p = sp.Symbol("p", positive=True)
    rest = sp.Symbol("S", real=True)  # the sum of the other log-probabilities
    ppl = sp.exp(-(sp.log(p) + rest) / n)
    limit = sp.limit(ppl, p, 0, "+")
    return Derivation(
        steps=[
            Step(r"One target of probability $p$, the others summing to $S$", ppl),
            Step(r"as $p \to 0^+$", equation(sp.Limit(ppl, p, 0, "+"), limit)),
        ],
        residuals=[sp.Eq(limit, sp.oo)],
        compared=[r"the limit equals $+\infty$"],
    )


@perplexity_infinite.numeric_leg(
    oracle="+inf exactly; exp of torch.nn.functional.cross_entropy is +inf too; a padded -inf "
    "is ignored"
)
def _(impl, device, dtype) -> None:
    lp = -randn(2, 4, seed=930).abs().to(dtype).to(device)
    lp[1, 2] = float("-inf")
    got = impl.perplexity(lp, reduction="none")
    assert torch.isfinite(got[0]) and got[1] == float("inf"), got
    assert impl.perplexity(lp) == float("inf")
    assert torch.isfinite(impl.perplexity(lp, lengths=torch.tensor([4, 2]))), "padded -inf"
    logits = randn(1, 3, 5, seed=931).to(dtype).to(device)
    logits[0, 1, 2] = float("-inf")
    targets = torch.tensor([[0, 2, 1]], device=device)
    want = torch.exp(F.cross_entropy(logits.double()[0], targets[0]))
    assert impl.perplexity(logits=logits, targets=targets) == want == float("inf")


@perplexity_infinite.property_leg(
    r"the perplexity of log-probabilities in $[-50, 0]$ is $+\infty$ exactly when one of them "
    r"is $-\infty$",
)
def _(impl) -> ForAll:
    values = st.one_of(st.just(float("-inf")), st.floats(-50, 0))

    def holds(lp: torch.Tensor) -> bool:
        got = float(impl.perplexity(lp))
        return (got == float("inf")) == bool(torch.isinf(lp).any())

    return ForAll(
        hnp.arrays(np.float64, st.integers(1, 8), elements=values).map(torch.from_numpy),
        holds,
        names=("log_probs",),
    )


perplexity_uniform = SECTION.claim(
    "perplexity-uniform-is-vocabulary-size",
    title="The uniform model's perplexity is the vocabulary size",
    statement=r"\exp\Bigl(-\frac{1}{n}\sum_{t=1}^{n}\log\frac{1}{m}\Bigr) = "
    r"\exp\Bigl(\frac{1}{n}\log m^{n}\Bigr) = m",
    kind=Kind.THEOREM,
    code=("perplexity",),
    note=r"The notes' derivation, for every sequence length $n$ and vocabulary size $m$.",
)


@perplexity_uniform.symbolic_leg(scope="general $n$, $m$")
def _() -> Derivation:
    written = sp.exp(-sp.Sum(sp.log(1 / m), (t, 1, n)) / n)
    summed = sp.exp(-sp.Sum(sp.log(1 / m), (t, 1, n)).doit() / n)
    power = sp.exp(sp.log(m**n) / n)
    result = sp.expand_log(power, force=True)
    return Derivation(
        steps=[
            Step("The uniform model's perplexity", written),
            Step(r"$n$ equal terms $\log(1/m) = -\log m$", equation(written, summed)),
            Step(r"$= \exp(\frac1n\log m^n)$", equation(summed, power)),
            Step(r"$= m$", equation(power, result)),
        ],
        residuals=[sp.expand_log(summed - power, force=True), result - m],
        compared=[r"the summed form minus $\exp(\frac1n \log m^n)$", r"the result minus $m$"],
    )


@perplexity_uniform.numeric_leg(
    oracle="m exactly (error in eps of exp's conditioning, log m), from constant logits "
    "(also shifted by 1e4) and from log-probabilities -log m"
)
def _(impl, device, dtype) -> None:
    for vocab in (2, 7, 1000, 50_000):
        for shift in (0.0, 1e4 if dtype != torch.float16 else 6e4):
            logits = torch.full((2, 3, vocab), shift, dtype=dtype, device=device)
            targets = randint(vocab, 2, 3, seed=vocab).to(device)
            got = impl.perplexity(logits=logits, targets=targets)
            assert_accurate(got, float(vocab), scale=vocab * np.log(vocab), msg=f"m = {vocab}")
        lp = torch.full((4,), -float(np.log(vocab)), dtype=dtype, device=device)
        # the dtype rounds -log m; the oracle is exp of what it holds
        want = float(mpmath.exp(-mpmath.mpf(float(lp[0]))))
        assert_accurate(impl.perplexity(lp), want, scale=want * np.log(vocab))


@perplexity_uniform.property_leg(
    r"for $m \le 10^4$ classes, $n \le 6$ steps and any constant logit $|c| \le 10^3$, the "
    r"perplexity is $m$ within the float64 budget",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        vocab, steps, shift = case
        logits = torch.full((steps, vocab), shift, dtype=torch.float64)
        targets = torch.arange(steps) % vocab
        got = impl.perplexity(logits=logits, targets=targets)
        return is_accurate(got, float(vocab), scale=vocab * max(1.0, np.log(vocab)))

    cases = st.tuples(st.integers(1, 10_000), st.integers(1, 6), st.floats(-1e3, 1e3))
    return ForAll(cases, holds, names=("m", "n", "c"))
