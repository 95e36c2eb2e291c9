r"""§ 9.1 Working with Sequences — the chain rule of probability and the Markov factorization.

Main declarations:

* ``sequences.chain-rule-factorization`` — :math:`P(x_1, \dots, x_T) = P(x_1)\prod_{t=2}^T
  P(x_t \mid x_{t-1}, \dots, x_1)` for every joint distribution;
* erratum ``sequences.markov-factorization-as-written`` — the notes write
  :math:`P(x_1, \dots, x_T) = P(x_1)\prod_t P(x_t \mid x_{t-1})` without its condition: false
  for a joint that is not a first-order Markov chain;
* ``sequences.markov-factorization`` — the corrected statement: it holds when
  :math:`P(x_t \mid x_{t-1}, \dots, x_1) = P(x_t \mid x_{t-1})` (a first-order Markov chain),
  and always for :math:`T \le 2`; ``markov_log_prob`` computes it.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_accurate, assert_close, is_close
from dltheory.sequences.claims._support import (
    DPS,
    conditionals_from_joint,
    joints,
    markov_chains,
    sequences_of,
)

SECTION = Section("sequences", "9.1 Working with Sequences")

T = sp.Symbol("T", integer=True, positive=True)
t = sp.Symbol("t", integer=True)
#: P(x_1..x_t), the probability of the first t tokens of a fixed sequence, as a function of t
prefix = sp.Function("P_{\\le}")
conditional = sp.Function("P_{|<}")  # P(x_t | x_{t-1}, ..., x_1)
markov = sp.Function("P_{|-1}")  # P(x_t | x_{t-1})

chain_rule_factorization = SECTION.claim(
    "chain-rule-factorization",
    title="The chain rule factorizes any joint distribution of a sequence",
    statement=r"P(x_1, \dots, x_T) = P(x_1)\prod_{t=2}^{T} P(x_t \mid x_{t-1}, \dots, x_1)",
    kind=Kind.THEOREM,
    note=r"By the definition of conditional probability, $P(x_1..x_t) = P(x_1..x_{t-1}) "
    r"P(x_t \mid x_{t-1}..x_1)$ wherever $P(x_1..x_{t-1}) > 0$; the product telescopes. No "
    r"assumption on the distribution.",
    numeric=NotApplicable(
        "no reference function is involved (a fact about every joint distribution); the "
        "property leg checks it in exact rational arithmetic"
    ),
)


@chain_rule_factorization.symbolic_leg(scope="general $T$")
def _() -> Derivation:
    # conditional(t) = prefix(t) / prefix(t - 1): the product telescopes to prefix(T)/prefix(1)
    ratio = prefix(t) / prefix(t - 1)
    product = sp.Product(ratio, (t, 2, T))
    telescoped = prefix(T) / prefix(1)
    # induction on T: the T = 2 case and one more factor
    base = product.subs(T, 2).doit() - prefix(2) / prefix(1)
    step = sp.simplify(telescoped * ratio.subs(t, T + 1) - prefix(T + 1) / prefix(1))
    return Derivation(
        steps=[
            Step(
                r"Definition of conditional probability",
                equation(conditional(t), ratio),
            ),
            Step(r"The product of the conditionals", equation(sp.Symbol("\\prod"), product)),
            Step(r"telescopes (induction on $T$)", equation(product, telescoped)),
            Step(
                r"so $P(x_1)\prod_t P(x_t \mid x_{<t}) = P(x_1..x_T)$",
                equation(prefix(1) * telescoped, prefix(T)),
            ),
        ],
        residuals=[base, step, sp.simplify(prefix(1) * telescoped - prefix(T))],
        compared=[
            r"the product for $T = 2$ minus $P(x_1, x_2)/P(x_1)$",
            r"one more factor of the closed form minus the closed form at $T + 1$",
            r"$P(x_1)$ times the product minus the joint",
        ],
    )


@st.composite
def _rational_joints(draw):
    m, length = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    weights = draw(st.lists(st.integers(0, 9), min_size=m**length, max_size=m**length))
    if not any(weights):
        weights[0] = 1
    total = sum(weights)
    table = {
        seq: Fraction(w, total) for seq, w in zip(sequences_of(m, length), weights, strict=True)
    }
    return table, m, length


@chain_rule_factorization.property_leg(
    r"for joint tables of $T \le 3$ tokens over $m \le 3$ symbols with rational entries (zeros "
    r"included), the product of the conditionals computed from marginal sums equals the joint "
    r"exactly, for every sequence",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        table, _, length = case

        def marginal(prefix_: tuple[int, ...]) -> Fraction:
            return sum(
                (p for seq, p in table.items() if seq[: len(prefix_)] == prefix_), Fraction(0)
            )

        for seq, p in table.items():
            product = marginal(seq[:1])
            for k in range(2, length + 1):
                before = marginal(seq[: k - 1])
                if before == 0:
                    product = Fraction(0)
                    break
                product *= marginal(seq[:k]) / before
            if product != p:
                return False
        return True

    return ForAll(_rational_joints(), holds, names=("joint, m, T",))


markov_factorization_as_written = SECTION.claim(
    "markov-factorization-as-written",
    title="“P(x₁, …, x_T) = P(x₁) ∏ P(x_t | x_{t−1})” without its condition",
    statement=r"P(x_1, \dots, x_T) = P(x_1) \prod_{t=2}^{T} P(x_t \mid x_{t-1})",
    kind=Kind.ERRATUM,
    corrects="sequences.markov-factorization",
    code=("markov_log_prob",),
    note=r"Under the heading \"Markov Models\" the notes state the first-order factorization "
    r"as an equation about $P$, with no condition. It holds exactly when the sequence is a "
    r"first-order Markov chain ($x_t$ independent of $x_{t-2}, \dots, x_1$ given $x_{t-1}$); "
    r"for other joint distributions of $T \ge 3$ tokens it is false.",
    numeric=NotApplicable(
        "the corrected claim, sequences.markov-factorization, checks markov_log_prob numerically"
    ),
)


@markov_factorization_as_written.symbolic_leg(
    scope=r"disproved for $x_3 = x_1 \oplus x_2$, $x_1, x_2$ independent bits, at $a = b = 1/2$"
)
def _() -> Derivation:
    a, b = sp.symbols("a b", positive=True)  # P(x_1 = 0), P(x_2 = 0)
    joint = a * b  # P(0, 0, 0): x_1 = x_2 = 0 forces x_3 = 0
    p3_given_2 = a  # P(x_3 = 0 | x_2 = 0) = P(x_1 = 0)
    written = a * b * p3_given_2  # P(x_1 = 0) P(x_2 = 0 | x_1 = 0) P(x_3 = 0 | x_2 = 0)
    return Derivation(
        steps=[
            Step(r"$x_3 = x_1 \oplus x_2$: $P(0, 0, 0) = P(x_1 = 0)P(x_2 = 0)$", joint),
            Step(
                r"Given $x_2 = 0$, $x_3 = x_1$: $P(x_3 = 0 \mid x_2 = 0) = a$; the notes' "
                r"product is",
                equation(sp.Symbol(r"P(x_1)P(x_2 \mid x_1)P(x_3 \mid x_2)"), written),
            ),
        ],
        residuals=[sp.factor(joint - written)],
        witness={a: sp.Rational(1, 2), b: sp.Rational(1, 2)},
        witness_symbols={
            "a": r"$P(x_1 = 0)$, for independent random bits $x_1, x_2$ and "
            r"$x_3 = x_1 \oplus x_2$",
            "b": r"$P(x_2 = 0)$, the bit $x_2$ being independent of $x_1$",
        },
        compared=[r"$P(0,0,0)$ minus the notes' product, $ab(1 - a)$"],
    )


def _markov_tables(joint: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """``P(x_1)`` and the per-step ``P(x_t | x_{t-1})`` of a joint table, as the notes'
    formula uses them (computed from marginals; contexts of probability 0 get uniform rows)."""
    T = joint.ndim
    m = joint.shape[0]
    pairs = []
    for step in range(1, T):
        other = tuple(a for a in range(T) if a not in (step - 1, step))
        pair = joint.sum(axis=other) if other else joint  # P(x_{t-1}, x_t)
        before = pair.sum(axis=1, keepdims=True)
        pairs.append(np.where(before > 0, pair / np.where(before > 0, before, 1), 1.0 / m))
    first = joint.sum(axis=tuple(range(1, T)))
    return torch.from_numpy(first), torch.from_numpy(np.stack(pairs))


@markov_factorization_as_written.property_leg(
    r"Hypothesis searches joint distributions of $T \le 3$ tokens for a sequence whose "
    r"probability differs from $P(x_1)\prod_t P(x_t \mid x_{t-1})$ (computed by "
    r"`markov_log_prob` from the joint's own conditionals)",
)
def _(impl) -> ForAll:
    def as_written(table: torch.Tensor) -> bool:
        joint = table.numpy()
        first, steps = _markov_tables(joint)
        seqs = torch.tensor(sequences_of(joint.shape[0], joint.ndim))
        got = impl.markov_log_prob(seqs, first, steps, validate=False).exp()
        want = torch.tensor([joint[tuple(s)] for s in seqs.tolist()])
        return is_close(got, want)

    return ForAll(joints(), as_written, names=("joint",))


markov_factorization = SECTION.claim(
    "markov-factorization",
    title="The Markov factorization holds for first-order Markov chains",
    statement=r"P(x_t \mid x_{t-1}, \dots, x_1) = P(x_t \mid x_{t-1})\ (2 \le t \le T) "
    r"\Rightarrow P(x_1, \dots, x_T) = P(x_1)\prod_{t=2}^{T} P(x_t \mid x_{t-1});"
    r"\quad \text{always for } T \le 2",
    kind=Kind.THEOREM,
    code=("markov_log_prob",),
    uses=("sequences.chain-rule-factorization",),
    note=r"The Markov condition turns each factor of the chain rule into a one-step "
    r"transition. A chain with initial distribution $\boldsymbol\pi$ and transitions "
    r"$A^{(t)}$ has exactly these conditionals, and its sequences' probabilities sum to 1 "
    r"with marginals $\boldsymbol\pi^\top A^{(2)} \cdots A^{(t)}$.",
)


@markov_factorization.symbolic_leg(scope="general $T$")
def _() -> Derivation:
    chain = prefix(1) * sp.Product(conditional(t), (t, 2, T))
    assumed = chain.subs(conditional(t), markov(t))
    short = chain.subs(T, 2).doit()
    return Derivation(
        steps=[
            Step(
                "The chain rule",
                equation(prefix(T), chain),
                cites=("sequences.chain-rule-factorization",),
            ),
            Step(
                r"Under the Markov condition each factor is a one-step transition",
                equation(prefix(T), assumed),
            ),
            Step(
                r"For $T = 2$ the only factor, $P(x_2 \mid x_1)$, already conditions on one "
                r"token: no assumption is needed",
                short,
            ),
        ],
        residuals=[
            assumed - prefix(1) * sp.Product(markov(t), (t, 2, T)),
            short - prefix(1) * conditional(2),
        ],
        compared=[
            r"the chain rule with the condition substituted minus the Markov product",
            r"the chain rule at $T = 2$ minus $P(x_1)P(x_2 \mid x_1)$",
        ],
    )


def _mp_chain_log_prob(seq, pi, A) -> float:
    """log of the product of the chain's probabilities (the product first), exactly."""
    with mpmath.workdps(DPS):
        product = mpmath.mpf(float(pi[seq[0]]))
        for step in range(1, len(seq)):
            matrix = A if A.dim() == 2 else A[step - 1]
            product *= mpmath.mpf(float(matrix[seq[step - 1], seq[step]]))
        return float(mpmath.log(product)) if product > 0 else float("-inf")


@markov_factorization.numeric_leg(
    oracle="mpmath: log of the product of the probabilities (error in eps); probabilities of "
    "all m^T sequences sum to 1 and their last-token marginal is pi A^(T-1) "
    "(torch.linalg.matrix_power, float64); gradcheck and gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    g = torch.Generator().manual_seed(800)
    m, length = 3, 4
    pi = torch.softmax(torch.randn(m, generator=g, dtype=torch.float64), 0)
    A = torch.softmax(torch.randn(m, m, generator=g, dtype=torch.float64) * 2, 1)
    steps = torch.softmax(torch.randn(length - 1, m, m, generator=g, dtype=torch.float64), 2)
    seqs = torch.tensor(sequences_of(m, length), device=device)
    for transition in (A, steps):
        pi_d, tr_d = pi.to(dtype).to(device), transition.to(dtype).to(device)
        got = impl.markov_log_prob(seqs, pi_d, tr_d)
        assert got.dtype == dtype and got.shape == (m**length,)
        pi_r, tr_r = pi_d.double().cpu(), tr_d.double().cpu()
        want = [_mp_chain_log_prob(s, pi_r, tr_r) for s in seqs.tolist()]
        assert_accurate(got, want, msg="log P vs the product of probabilities (mpmath)")
        if dtype == torch.float64:
            probs = got.exp()
            assert_close(probs.sum(), torch.tensor(1.0, dtype=torch.float64))
            last = probs.reshape((m,) * length).sum(dim=tuple(range(length - 1)))
            if transition.dim() == 2:
                marginal = pi @ torch.linalg.matrix_power(A, length - 1)
            else:
                marginal = pi @ steps[0] @ steps[1] @ steps[2]
            assert_close(last, marginal, msg="last-token marginal vs pi A^(T-1)")
    # padded batch: positions past each length are ignored, whatever they hold
    padded = torch.tensor([[0, 1, 2, 2], [2, 0, -7, 99]], device=device)
    got = impl.markov_log_prob(
        padded,
        pi.to(dtype).to(device),
        A.to(dtype).to(device),
        lengths=torch.tensor([4, 2], device=device),
    )
    want = [
        _mp_chain_log_prob(s, pi.to(dtype).double(), A.to(dtype).double())
        for s in ([0, 1, 2, 2], [2, 0])
    ]
    assert_accurate(got, want, msg="padded batch with lengths")
    if dtype == torch.float64:
        p_leaf, a_leaf = (t.to(device).requires_grad_() for t in (pi, A))

        def fn(a, b):
            return impl.markov_log_prob(seqs, a, b, validate=False)

        assert torch.autograd.gradcheck(fn, (p_leaf, a_leaf))
        assert torch.autograd.gradgradcheck(fn, (p_leaf, a_leaf))


@markov_factorization.property_leg(
    r"for random (inhomogeneous) Markov chains with $m \le 3$ symbols and $T \le 4$, the "
    r"conditionals $P(x_t \mid x_{<t})$ of the joint that `markov_log_prob` defines depend on "
    r"$x_{t-1}$ only and equal the transitions, and the probabilities sum to 1",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        pi, A, length = case
        m = pi.shape[0]
        seqs = torch.tensor(sequences_of(m, length))
        transition = A[: max(length - 1, 1)] if length > 1 else A[0]
        joint = impl.markov_log_prob(seqs, pi, transition).exp().reshape((m,) * length)
        if not is_close(joint.sum(), torch.tensor(1.0, dtype=torch.float64)):
            return False
        conds = conditionals_from_joint(joint.numpy())
        if not is_close(torch.from_numpy(conds[0]), pi):
            return False
        for step in range(1, length):
            cond = torch.from_numpy(conds[step])
            prefix_mass = torch.from_numpy(joint.numpy().sum(axis=tuple(range(step, length))))
            for context in itertools.product(range(m), repeat=step):
                if float(prefix_mass[context]) == 0:
                    continue  # an impossible context: its conditional is not defined
                if not is_close(cond[context], A[step - 1][context[-1]]):
                    return False
        return True

    return ForAll(markov_chains(), holds, names=("pi, A, T",))
