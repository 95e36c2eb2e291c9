r"""§ 4 Log-Likelihood — the negative log-likelihood is a sum of cross-entropy losses.

Main declarations:

* ``classification.log-likelihood-factorizes`` — for independent examples,
  :math:`-\log P(\mathbf{Y} \mid \mathbf{X}) = \sum_i l(\mathbf{y}^{(i)}, \hat{\mathbf{y}}^{(i)})`;
* ``classification.cross-entropy-one-hot`` — for a one-hot label the loss is
  :math:`-\log \hat y_c`.
"""

from __future__ import annotations

import mpmath
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.classification.claims._support import (
    CONFIDENT,
    DPS,
    MAX_LOGIT,
    c,
    i,
    j,
    logits,
    mp_log_softmax,
    n,
    q,
    yhat,
)
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import oracle_input, randint
from dltheory.core.symbolic import equation, resolve_in_range
from dltheory.core.tolerances import assert_accurate, assert_close, is_accurate

SECTION = Section("classification", "4 Log-Likelihood")

log_likelihood_factorizes = SECTION.claim(
    "log-likelihood-factorizes",
    title="The negative log-likelihood is a sum of cross-entropies",
    statement=r"-\log P(\mathbf{Y}\mid\mathbf{X}) = -\log\prod_{i=1}^n P(\mathbf{y}^{(i)}"
    r"\mid\mathbf{x}^{(i)}) = \sum_{i=1}^n l(\mathbf{y}^{(i)}, \hat{\mathbf{y}}^{(i)}),"
    r"\quad l(\mathbf{y}, \hat{\mathbf{y}}) = -\sum_{j=1}^q y_j \log \hat{y}_j",
    kind=Kind.THEOREM,
    code=("cross_entropy",),
)


@log_likelihood_factorizes.symbolic_leg(scope="general $n$, $q$")
def _() -> Derivation:
    Y = sp.IndexedBase("y", nonnegative=True)
    P = sp.IndexedBase(r"\hat{y}", positive=True)
    likelihood = sp.Product(sp.Product(P[i, j] ** Y[i, j], (j, 1, q)), (i, 1, n))
    nll = -sp.log(likelihood)
    per_example = sp.Sum(-sp.Sum(Y[i, j] * sp.log(P[i, j]), (j, 1, q)), (i, 1, n))
    expanded = sp.expand_log(nll, force=True)
    return Derivation(
        steps=[
            Step(
                r"Independent examples; for a one-hot $\mathbf{y}$ the probability of the "
                r"label is $\prod_j \hat{y}_j^{y_j}$",
                equation(sp.Symbol("P(Y|X)"), likelihood),
            ),
            Step("The log of a product is the sum of the logs", equation(nll, expanded)),
            Step(
                "Group by example: one cross-entropy term per example", equation(nll, per_example)
            ),
        ],
        residuals=[expanded - per_example],
        compared=["minus the log of the product, expanded, minus the sum of per-example losses"],
    )


def _mp_negative_log_likelihood(o_rows, labels) -> float:
    r""":math:`-\log\prod_i \hat y^{(i)}_{c_i}` (the product first, then the log), exactly."""
    with mpmath.workdps(DPS):
        product = mpmath.fprod(
            mpmath.exp(mp_log_softmax(row)[label])
            for row, label in zip(o_rows, labels, strict=True)
        )
        return float(-mpmath.log(product))


@log_likelihood_factorizes.numeric_leg(
    oracle="torch.distributions.Categorical.log_prob; mpmath product of the probabilities"
)
def _(impl, device, dtype) -> None:
    o = logits((16, 10), 7, dtype, device)
    labels = randint(10, 16, seed=8).to(device)
    nll = impl.cross_entropy(o, labels, reduction="sum")
    assert nll.dtype == dtype and nll.device == o.device
    dist = torch.distributions.Categorical(logits=o.double())
    assert_close(nll, -dist.log_prob(labels).sum(), dtype=dtype)
    want = _mp_negative_log_likelihood(oracle_input(o).tolist(), labels.tolist())
    assert_accurate(nll, want, msg="sum of losses vs -log of the product of probabilities")


@log_likelihood_factorizes.property_leg(
    "minus the log of the product of the predicted probabilities of the labels (mpmath) equals "
    r"the summed cross-entropy, for logits up to $10^{300}$ in magnitude"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        rows, classes = draw(st.integers(1, 4)), draw(st.integers(1, 5))
        o = draw(dst.logits(num_classes=classes, batch_shape=(rows,), magnitude=MAX_LOGIT))
        labels, _ = draw(dst.labels_and_classes(num_classes=classes, batch_shape=(rows,)))
        return o, labels

    def holds(case) -> bool:
        o, labels = case
        total = impl.cross_entropy(o, labels, reduction="sum")
        return is_accurate(total, _mp_negative_log_likelihood(o.tolist(), labels.tolist()))

    return ForAll(cases(), holds, names=("o", "labels"))


cross_entropy_one_hot = SECTION.claim(
    "cross-entropy-one-hot",
    title="For a one-hot label the loss is -log of the label's probability",
    statement=r"\mathbf{y} = \operatorname{onehot}(c) \Rightarrow "
    r"l(\mathbf{y}, \hat{\mathbf{y}}) = -\log \hat{y}_c",
    kind=Kind.THEOREM,
    code=("cross_entropy", "one_hot"),
)


@cross_entropy_one_hot.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    loss = -sp.Sum(sp.KroneckerDelta(j, c) * sp.log(yhat[j]), (j, 1, q))
    evaluated = resolve_in_range(loss.doit(), c, 1, q)
    return Derivation(
        steps=[
            Step(r"Cross-entropy with the one-hot label $y_j = [j = c]$", loss),
            Step(r"Only the term $j = c$ survives ($1 \le c \le q$)", equation(loss, evaluated)),
        ],
        residuals=[evaluated + sp.log(yhat[c])],
        compared=[r"the summed loss minus $-\log \hat y_c$"],
    )


def _mp_label_losses(o_rows, labels) -> list[float]:
    return [float(-mp_log_softmax(row)[label]) for row, label in zip(o_rows, labels, strict=True)]


@cross_entropy_one_hot.numeric_leg(
    oracle="-log softmax(o)_c by mpmath exactly (DPS digits) (error in eps)"
)
def _(impl, device, dtype) -> None:
    o = logits((9, 6), 9, dtype, device)
    confident = o.clone()
    labels = randint(6, 9, seed=10).to(device)
    confident[torch.arange(9), labels] += 12  # tiny losses: an atol would hide their errors
    cases = [(o, "ordinary rows"), (confident, CONFIDENT)]
    if torch.finfo(dtype).tiny < 1e-30:  # losses near e^-45, below float64's eps, still normal
        extreme = o.clone()
        extreme[torch.arange(9), labels] += 45  # lse - o_c loses them even in float64
        cases.append((extreme, "losses near e^-45, lost by lse - o_c even in float64"))
    for x, rows_are in cases:
        want = _mp_label_losses(oracle_input(x).tolist(), labels.tolist())
        by_index = impl.cross_entropy(x, labels, reduction="none")
        by_prob = impl.cross_entropy(x, impl.one_hot(labels, 6, dtype=dtype), reduction="none")
        assert_accurate(by_index, want, msg=f"class indices vs -log softmax_c, {rows_are}")
        assert_accurate(by_prob, want, msg=f"one-hot targets vs -log softmax_c, {rows_are}")
    # a batch of 300 samples, every class among the labels (0 included), validated
    many = logits((300, 4), 12, dtype, device)
    every = torch.arange(300, device=device) % 4
    exact_many = _mp_label_losses(oracle_input(many).tolist(), every.tolist())
    got_many = impl.cross_entropy(many, every, reduction="none")
    assert_accurate(got_many, exact_many, msg="300 samples, labels 0 to 3")
    # a large batch (the tensor path): one sample in eight confident, so that the few rows
    # with p_c > 1/4 are summed apart, and two whose target logit lies so far below the others
    # that p_c underflows (e^-800 in float64, e^-120 in float32 and the half dtypes)
    mixed = logits((64, 32), 13, dtype, device)
    targets = randint(32, 64, seed=14).to(device)
    mixed[torch.arange(0, 64, 8), targets[::8]] += 12
    mixed[[3, 5], targets[[3, 5]]] -= 800 if dtype == torch.float64 else 120
    exact_mixed = _mp_label_losses(oracle_input(mixed).tolist(), targets.tolist())
    got_mixed = impl.cross_entropy(mixed, targets, reduction="none")
    assert_accurate(got_mixed, exact_mixed, msg="64 x 32: confident and underflowing samples")
    # the same samples in the (N, C, d) layout: classes along dimension 1
    cube = mixed.reshape(16, 4, 32).transpose(1, 2)
    got_cube = impl.cross_entropy(cube, targets.reshape(16, 4), reduction="none")
    assert_accurate(got_cube.reshape(64), exact_mixed, msg="the 64 samples as (16, 32, 4)")
    # one sample of a large vocabulary, no batch dimension: logits (C,), a 0-d class index
    wide = logits((1500,), 11, dtype, device)
    label = torch.tensor(700, device=device)
    (exact,) = _mp_label_losses([oracle_input(wide).tolist()], [700])
    got = impl.cross_entropy(wide, label)
    assert got.shape == (), f"a (C,) input gives a 0-d loss, not {tuple(got.shape)}"
    assert_accurate(got, exact, msg="one sample of 1500 classes, no batch dimension")


@cross_entropy_one_hot.property_leg(
    r"`cross_entropy` with a one-hot probability target and with the class index both equal "
    r"$-\log\operatorname{softmax}(\mathbf{o})_c$ (mpmath), for logits up to $10^{300}$ in "
    r"magnitude"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        o = draw(dst.logits(num_classes=st.integers(1, 6), magnitude=MAX_LOGIT))
        label = draw(st.integers(0, o.shape[-1] - 1))
        return o, label

    def holds(case) -> bool:
        o, label = case
        (want,) = _mp_label_losses([o.tolist()], [label])
        target = impl.one_hot(torch.tensor(label), o.shape[-1], dtype=o.dtype)
        by_prob = impl.cross_entropy(o, target)
        by_index = impl.cross_entropy(o.unsqueeze(0), torch.tensor([label]))
        return is_accurate(by_prob, want) and is_accurate(by_index, want)

    return ForAll(cases(), holds, names=("o", "c"))
