r"""SymPy derivations for the classification claims.

Sizes are symbolic (:math:`q` classes, :math:`n` examples) unless a function says it works
at the fixed sizes the notes use. Vectors are ``IndexedBase`` objects indexed from 1.
"""

from __future__ import annotations

import sympy as sp

from dltheory.core.claim import Derivation, Step
from dltheory.core.symbolic import equation, resolve_in_range

q = sp.Symbol("q", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j, k, t, c = sp.symbols("i j k t c", integer=True)
o = sp.IndexedBase("o", real=True)
y = sp.IndexedBase("y", real=True)
yhat = sp.IndexedBase(r"\hat{y}", positive=True)
C = sp.Symbol("C", real=True)


def _partition(index=k):
    """The softmax denominator :math:`\\sum_{k=1}^q \\exp(o_k)`."""
    return sp.Sum(sp.exp(o[index]), (index, 1, q))


def _softmax(index):
    return sp.exp(o[index]) / _partition()


def one_hot_encoding() -> Derivation:
    onehot = sp.KroneckerDelta(j, c)
    total = sp.Sum(onehot, (j, 1, q))
    evaluated = resolve_in_range(total.doit(), c, 1, q)
    return Derivation(
        steps=[
            Step(r"Component $j$ of the one-hot code of class $c$", equation(y[j], onehot)),
            Step(r"Sum of the components, for a class $1 \le c \le q$", equation(total, evaluated)),
        ],
        residuals=[evaluated - 1],
    )


def linear_model_matrix_form() -> Derivation:
    weights = sp.Matrix(3, 4, lambda a, b: sp.Symbol(f"w_{{{a + 1}{b + 1}}}"))
    x = sp.Matrix(4, 1, lambda a, _: sp.Symbol(f"x_{a + 1}"))
    b = sp.Matrix(3, 1, lambda a, _: sp.Symbol(f"b_{a + 1}"))
    written = sp.Matrix(
        [sum((x[col] * weights[row, col] for col in range(4)), start=b[row]) for row in range(3)]
    )
    matrix_form = weights * x + b
    return Derivation(
        steps=[
            Step("The three output equations as the notes write them", written),
            Step(
                r"The affine map $W\mathbf{x} + \mathbf{b}$ with $W \in \mathbb{R}^{3 \times 4}$",
                equation(sp.Symbol("o"), matrix_form),
            ),
        ],
        residuals=list(written - matrix_form),
    )


def softmax_index_clash() -> Derivation:
    # Read literally, the summation variable and the free index are the same i: the summand
    # exp(o_i) then does not depend on the summation variable, and the sum is q exp(o_i).
    literal = sp.exp(o[i]) / sp.Sum(sp.exp(o[i]), (k, 1, q)).doit()
    correct = _softmax(i)
    residual = (literal - correct).subs({q: 2, i: 1}).doit()
    return Derivation(
        steps=[
            Step(
                r"Read literally: the free index $i$ is also the summation variable",
                equation(yhat[i], literal),
            ),
            Step(r"The softmax, summing over a fresh index $k$", equation(yhat[i], correct)),
            Step(r"Difference of the first components at $q = 2$", residual),
        ],
        residuals=[residual],
        witness={o[1]: 0, o[2]: 1},
    )


def softmax_nonnegative() -> Derivation:
    value = _softmax(i)
    return Derivation(
        steps=[
            Step("Softmax component", equation(yhat[i], value)),
            Step(r"$\exp(o_i) > 0$ for real $o_i$", sp.exp(o[i]) > 0),
            Step(r"The denominator is a sum of $q \ge 1$ positive terms", _partition() > 0),
        ],
        residuals=[sp.exp(o[i]).is_positive, _partition().is_positive, value.is_positive],
    )


def softmax_sums_to_one() -> Derivation:
    total = sp.Sum(_softmax(i), (i, 1, q))
    pulled = sp.Sum(sp.exp(o[i]), (i, 1, q)) / _partition()
    renamed = sp.Sum(sp.exp(o[i]), (i, 1, q)).change_index(i, i, k) / _partition()
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
        residuals=[sp.simplify(total - pulled), renamed - 1],
    )


def softmax_preserves_argmax() -> Derivation:
    ratio = _softmax(i) / _softmax(j)
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
    )


def softmax_shift_invariant() -> Derivation:
    shifted = sp.exp(o[i] + C) / sp.Sum(sp.exp(o[k] + C), (k, 1, q))
    expanded = sp.expand(shifted)
    return Derivation(
        steps=[
            Step(r"Softmax of $\mathbf{o} + C$", shifted),
            Step(
                r"$\exp(o_k + C) = e^C \exp(o_k)$, and $e^C$ cancels", equation(shifted, expanded)
            ),
        ],
        residuals=[sp.expand(shifted - _softmax(i))],
    )


def log_likelihood_factorizes() -> Derivation:
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
        residuals=[expanded - sp.expand(per_example)],
    )


def cross_entropy_one_hot() -> Derivation:
    loss = -sp.Sum(sp.KroneckerDelta(j, c) * sp.log(yhat[j]), (j, 1, q))
    evaluated = resolve_in_range(loss.doit(), c, 1, q)
    return Derivation(
        steps=[
            Step(r"Cross-entropy with the one-hot label $y_j = [j = c]$", loss),
            Step(r"Only the term $j = c$ survives ($1 \le c \le q$)", equation(loss, evaluated)),
        ],
        residuals=[evaluated + sp.log(yhat[c])],
    )


def cross_entropy_expansion() -> Derivation:
    loss = -sp.Sum(y[j] * sp.log(_softmax(j)), (j, 1, q))
    split = sp.expand_log(loss, force=True)
    target = sp.Sum(y[j], (j, 1, q)) * sp.log(_partition()) - sp.Sum(y[j] * o[j], (j, 1, q))
    return Derivation(
        steps=[
            Step("Cross-entropy of the softmax", equation(sp.Symbol("l"), loss)),
            Step(
                r"$\log(\exp(o_j)/Z) = o_j - \log Z$ with $Z = \sum_k \exp(o_k)$",
                equation(loss, split),
            ),
            Step(r"Take $\log Z$ out of the sum over $j$", equation(loss, target)),
        ],
        residuals=[split - target],
    )


def cross_entropy_logsumexp_form() -> Derivation:
    general = sp.Sum(y[j], (j, 1, q)) * sp.log(_partition()) - sp.Sum(y[j] * o[j], (j, 1, q))
    constrained = general.subs(sp.Sum(y[j], (j, 1, q)), 1)
    target = sp.log(_partition()) - sp.Sum(y[j] * o[j], (j, 1, q))
    return Derivation(
        steps=[
            Step("From classification.cross-entropy-expansion", equation(sp.Symbol("l"), general)),
            Step(
                r"Use $\sum_j y_j = 1$ ($\mathbf{y}$ is a one-hot label or a distribution)",
                equation(sp.Symbol("l"), constrained),
            ),
        ],
        residuals=[constrained - target],
    )


def softmax_ce_gradient() -> Derivation:
    loss = sp.log(_partition()) - sp.Sum(y[j] * o[j], (j, 1, q))
    raw = sp.diff(loss, o[t])
    evaluated = resolve_in_range(raw.doit(), t, 1, q)
    expected = _softmax(t) - y[t]
    return Derivation(
        steps=[
            Step(r"The loss for $\sum_j y_j = 1$", equation(sp.Symbol("l"), loss)),
            Step(
                r"Differentiate with respect to $o_t$",
                equation(sp.Derivative(sp.Symbol("l"), o[t]), raw),
            ),
            Step(
                r"The Kronecker deltas pick $k = t$ and $j = t$ ($1 \le t \le q$)",
                equation(raw, evaluated),
            ),
        ],
        residuals=[evaluated - expected],
    )
