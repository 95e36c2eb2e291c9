r"""§ 3 Model Complexity / Cross Validation — :math:`k`-fold splits and the averaged error.

Main declarations:

* ``regression.k-fold-partition`` — the :math:`k` folds are disjoint, cover the
  :math:`n` examples, and their sizes differ by at most one (:math:`\lceil n/k\rceil` for the
  first :math:`n \bmod k`, :math:`\lfloor n/k \rfloor` for the rest), as
  ``sklearn.model_selection.KFold`` cuts them;
* ``regression.k-fold-train-validate`` — split :math:`j` trains on the other :math:`k - 1`
  folds, so every example is validated exactly once and trained on :math:`k - 1` times;
* ``regression.k-fold-average-error`` — averaging the :math:`k` validation errors gives the
  mean over all examples when :math:`k \mid n` (in general, the fold-size-weighted average
  does).
"""

from __future__ import annotations

import sympy as sp
import torch
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("regression", "3 Model Complexity / Cross Validation")

#: (n, k) pairs the numeric legs cover: k | n, k not dividing n, k = n, k = 2
_SIZES = ((10, 5), (11, 3), (7, 7), (2, 2), (100, 7), (23, 2))


def _partition_holds(splits, n: int, k: int) -> bool:
    """Disjoint folds covering range(n), sizes ceil/floor(n / k) in sklearn's order."""
    folds = [validation for _, validation in splits]
    sizes = [f.numel() for f in folds]
    expected = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    every = torch.cat(folds)
    return (
        len(folds) == k
        and sizes == expected
        and torch.equal(every.sort().values, torch.arange(n))
        and all(f.dtype == torch.int64 for f in folds)
    )


def _train_validate_holds(splits, n: int, k: int) -> bool:
    """Each split's training set is the complement of its fold; each example is validated
    once and trained on k - 1 times."""
    validated = torch.zeros(n, dtype=torch.int64)
    trained = torch.zeros(n, dtype=torch.int64)
    for train, validation in splits:
        if torch.isin(train, validation).any() or train.numel() + validation.numel() != n:
            return False
        validated[validation] += 1
        trained[train] += 1
    return bool((validated == 1).all() and (trained == k - 1).all())


def _cases():
    @st.composite
    def build(draw):
        n = draw(st.integers(2, 200))
        return n, draw(st.integers(2, n)), draw(st.booleans()), draw(st.integers(0, 2**31 - 1))

    return build()


def _splits(impl, n: int, k: int, shuffle: bool, seed: int):
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return impl.k_fold_splits(n, k, shuffle=shuffle, generator=generator)


k_fold_partition = SECTION.claim(
    "k-fold-partition",
    title="The k folds partition the data into nearly equal parts",
    statement=r"V_1 \sqcup \dots \sqcup V_k = \{1, \dots, n\}, \qquad |V_j| \in "
    r"\{\lfloor n/k \rfloor, \lceil n/k \rceil\}, \qquad \sum_{j=1}^k |V_j| = n",
    kind=Kind.THEOREM,
    code=("k_fold_splits",),
    note=r"The notes: 'the training data is first partitioned into $k$ disjoint sets'. With "
    r"$n = qk + r$, $0 \le r < k$, the first $r$ folds get $q + 1$ examples and the others $q$.",
)


@k_fold_partition.symbolic_leg(scope="general $n$ and $k$")
def _() -> Derivation:
    q, r, k_ = sp.symbols("q r k", integer=True, nonnegative=True)
    total = r * (q + 1) + (k_ - r) * q
    return Derivation(
        steps=[
            Step(
                r"$r$ folds of $q + 1$ and $k - r$ folds of $q$ examples",
                equation(sp.Symbol(r"\sum_j |V_j|"), total),
            ),
            Step(
                r"That is $qk + r = n$: the folds cover every example once",
                equation(sp.expand(total), q * k_ + r),
            ),
        ],
        residuals=[sp.expand(total) - (q * k_ + r)],
        compared=[r"$\sum_j |V_j| - n$"],
    )


@k_fold_partition.numeric_leg(
    oracle="sklearn.model_selection.KFold (the same folds, exactly, without shuffling); the "
    "partition properties with shuffling",
    dtypes=("float64",),  # indices: no floating-point dtype is involved
)
def _(impl, device, dtype) -> None:
    from sklearn.model_selection import KFold  # imported here: 1 s, only when this leg runs

    for n, k in _SIZES:
        ours = impl.k_fold_splits(n, k)
        assert _partition_holds(ours, n, k), (
            f"n = {n}, k = {k}: not a partition into sklearn's sizes"
        )
        theirs = list(KFold(n_splits=k).split(range(n)))
        for (train, validation), (want_train, want_validation) in zip(ours, theirs, strict=True):
            assert validation.tolist() == want_validation.tolist(), (
                f"n = {n}, k = {k}: fold differs"
            )
            assert sorted(train.tolist()) == want_train.tolist()
        shuffled = _splits(impl, n, k, True, n + k)
        assert _partition_holds(shuffled, n, k), f"n = {n}, k = {k}, shuffled"
        again = _splits(impl, n, k, True, n + k)
        assert all(torch.equal(a[1], c[1]) for a, c in zip(shuffled, again, strict=True)), (
            "not reproducible"
        )


@k_fold_partition.property_leg(
    r"for $2 \le k \le n \le 200$, shuffled or not: $k$ disjoint folds covering "
    r"$0, \dots, n-1$ with sklearn's sizes"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        n, k, shuffle, seed = case
        return _partition_holds(_splits(impl, n, k, shuffle, seed), n, k)

    return ForAll(_cases(), holds, names=("n", "k", "shuffle", "seed"))


k_fold_train_validate = SECTION.claim(
    "k-fold-train-validate",
    title="Each split trains on the other k − 1 folds",
    statement=r"T_j = \bigcup_{m \ne j} V_m = \{1, \dots, n\} \setminus V_j, \qquad "
    r"\#\{j : i \in V_j\} = 1, \quad \#\{j : i \in T_j\} = k - 1",
    kind=Kind.THEOREM,
    code=("k_fold_splits",),
    uses=("regression.k-fold-partition",),
)


@k_fold_train_validate.symbolic_leg(scope="general $k$")
def _() -> Derivation:
    k_ = sp.Symbol("k", integer=True, positive=True)
    jj = sp.Symbol("j", integer=True)
    validated = sp.Sum(sp.KroneckerDelta(jj, 1), (jj, 1, k_))  # example i lies in fold 1, say
    trained = sp.Sum(1 - sp.KroneckerDelta(jj, 1), (jj, 1, k_))
    return Derivation(
        steps=[
            Step(
                r"Example $i$ lies in exactly one fold (say $V_1$): it is validated in split $j$ "
                r"iff $j = 1$",
                equation(validated, validated.doit()),
                cites=("regression.k-fold-partition",),
            ),
            Step(
                r"and trained on in every other split", equation(trained, sp.expand(trained.doit()))
            ),
        ],
        residuals=[sp.simplify(validated.doit()) - 1, sp.simplify(trained.doit()) - (k_ - 1)],
        compared=[
            r"validations of example $i$ minus 1",
            r"trainings of example $i$ minus $(k - 1)$",
        ],
    )


@k_fold_train_validate.numeric_leg(
    oracle="sklearn.model_selection.KFold's training sets (without shuffling); counts of "
    "validations and trainings per example",
    dtypes=("float64",),  # indices: no floating-point dtype is involved
)
def _(impl, device, dtype) -> None:
    from sklearn.model_selection import KFold

    for n, k in _SIZES:
        ours = impl.k_fold_splits(n, k)
        assert _train_validate_holds(ours, n, k), f"n = {n}, k = {k}"
        for (train, _), (want, _) in zip(ours, KFold(n_splits=k).split(range(n)), strict=True):
            assert sorted(train.tolist()) == want.tolist(), (
                f"n = {n}, k = {k}: training set differs"
            )
        assert _train_validate_holds(_splits(impl, n, k, True, 7 * n + k), n, k)


@k_fold_train_validate.property_leg(
    r"for $2 \le k \le n \le 200$, shuffled or not, every example is validated once and trained "
    r"on $k - 1$ times, and no split trains on its own fold"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        n, k, shuffle, seed = case
        return _train_validate_holds(_splits(impl, n, k, shuffle, seed), n, k)

    return ForAll(_cases(), holds, names=("n", "k", "shuffle", "seed"))


k_fold_average_error = SECTION.claim(
    "k-fold-average-error",
    title="The averaged validation error is the mean over all examples when k divides n",
    statement=r"k \mid n \Rightarrow \frac1k \sum_{j=1}^k \frac{1}{|V_j|}\sum_{i \in V_j} l_i = "
    r"\frac1n\sum_{i=1}^n l_i; \qquad \text{in general } \sum_{j=1}^k \frac{|V_j|}{n} "
    r"\Bigl(\frac{1}{|V_j|}\sum_{i \in V_j} l_i\Bigr) = \frac1n\sum_{i=1}^n l_i",
    kind=Kind.THEOREM,
    code=("k_fold_splits", "squared_loss"),
    uses=("regression.k-fold-partition",),
    note=r"The notes 'average the training and validation errors over the results obtained "
    r"from our $k$ experiments'. With unequal folds the plain average weights the examples of "
    r"the smaller folds more; weighting by $|V_j| / n$ restores the overall mean.",
)


@k_fold_average_error.symbolic_leg(scope="general $k$ and fold size $m$ ($n = km$)")
def _() -> Derivation:
    k_, m = sp.symbols("k m", integer=True, positive=True)
    jj, ii = sp.symbols("j i", integer=True)
    ell = sp.IndexedBase("l", real=True)  # l_{j,i}: loss of the i-th example of fold j
    fold_mean = sp.Sum(ell[jj, ii], (ii, 1, m)) / m
    averaged = sp.Sum(fold_mean, (jj, 1, k_)) / k_
    overall = sp.Sum(ell[jj, ii], (ii, 1, m), (jj, 1, k_)) / (k_ * m)
    return Derivation(
        steps=[
            Step(
                r"The average of the $k$ fold means, each over $m = n/k$ examples",
                equation(sp.Symbol("CV"), averaged),
                cites=("regression.k-fold-partition",),
            ),
            Step(
                r"The folds partition the data, so the double sum runs over all $n = km$ losses",
                equation(averaged, overall),
            ),
        ],
        residuals=[averaged - overall],
        compared=[r"the average of the fold means minus the mean of all $n$ losses"],
    )


@k_fold_average_error.numeric_leg(oracle="the mean of all per-example squared losses (float64)")
def _(impl, device, dtype) -> None:
    y_hat, y = (randn(11, seed=s).to(dtype).to(device) for s in (120, 121))
    per_example = impl.squared_loss(y_hat, y, reduction="none").double()
    for n, k in ((10, 5), (11, 3)):
        splits = impl.k_fold_splits(n, k)
        fold_means = [impl.squared_loss(y_hat[v], y[v]).double() for _, v in splits]
        sizes = [v.numel() for _, v in splits]
        overall = per_example[:n].mean()
        weighted = sum(f * s / n for f, s in zip(fold_means, sizes, strict=True))
        assert_close(weighted, overall, dtype=dtype, msg=f"size-weighted average, n = {n}, k = {k}")
        if n % k == 0:
            assert_close(sum(fold_means) / k, overall, dtype=dtype, msg="plain average, k | n")


@k_fold_average_error.property_leg(
    r"for $k \mid n$ ($n = km \le 60$) and any losses, the average of the $k$ fold means of "
    "`squared_loss` equals the mean over all examples"
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        k, m = draw(st.integers(2, 6)), draw(st.integers(1, 10))
        values = st.floats(-100.0, 100.0)
        y_hat = torch.tensor(
            draw(st.lists(values, min_size=k * m, max_size=k * m)), dtype=torch.float64
        )
        y = torch.tensor(
            draw(st.lists(values, min_size=k * m, max_size=k * m)), dtype=torch.float64
        )
        return k, y_hat, y, draw(st.booleans())

    def holds(case) -> bool:
        k, y_hat, y, shuffle = case
        splits = _splits(impl, y.numel(), k, shuffle, 0)
        averaged = sum(impl.squared_loss(y_hat[v], y[v]) for _, v in splits) / k
        return is_close(averaged, impl.squared_loss(y_hat, y))

    return ForAll(cases(), holds, names=("k", "y_hat", "y", "shuffle"))
