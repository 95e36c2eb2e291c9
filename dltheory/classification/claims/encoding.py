r"""§ 4 Classification — the one-hot encoding of class labels.

Main declaration: ``classification.one-hot-encoding`` — the code of class :math:`c` among
:math:`q` has :math:`q` components, :math:`y_j = [j = c]`, so exactly one component is 1.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F

from dltheory.classification.claims._support import c, j, q, y
from dltheory.core import strategies as dst
from dltheory.core.claim import Derivation, ForAll, Kind, Section, Step
from dltheory.core.samples import randint
from dltheory.core.symbolic import equation, resolve_in_range

SECTION = Section("classification", "4 Classification")

one_hot_encoding = SECTION.claim(
    "one-hot-encoding",
    title="A one-hot code has a single 1",
    statement=r"\mathbf{y} = \operatorname{onehot}(c) \in \{0,1\}^q,\quad y_j = [j = c],"
    r"\quad \sum_{j=1}^q y_j = 1",
    kind=Kind.DEFINITION,
    code=("one_hot",),
)


@one_hot_encoding.symbolic_leg(scope="general $q$")
def _() -> Derivation:
    onehot = sp.KroneckerDelta(j, c)
    total = sp.Sum(onehot, (j, 1, q))
    evaluated = resolve_in_range(total.doit(), c, 1, q)
    return Derivation(
        steps=[
            Step(r"Component $j$ of the one-hot code of class $c$", equation(y[j], onehot)),
            Step(r"Sum of the components, for a class $1 \le c \le q$", equation(total, evaluated)),
        ],
        residuals=[evaluated - 1],
        compared=[r"$\sum_j y_j$ minus 1"],
    )


@one_hot_encoding.numeric_leg(oracle="torch.nn.functional.one_hot")
def _(impl, device, dtype) -> None:
    labels = randint(9, 4, 5, seed=1).to(device)
    for label_dtype in (torch.int64, torch.int32):
        got = impl.one_hot(labels.to(label_dtype), 9, dtype=dtype)
        assert got.dtype == dtype and got.device == labels.device
        assert torch.equal(got, F.one_hot(labels, 9).to(dtype)), (
            f"one_hot of {label_dtype} labels differs from torch.nn.functional.one_hot"
        )
    assert torch.equal(impl.one_hot(labels), F.one_hot(labels)), "num_classes=-1: infer max + 1"
    # edge cases of the same definition: one label, and an empty batch with q given
    single = labels[:1, :1]
    assert torch.equal(impl.one_hot(single), F.one_hot(single)), "a single label"
    got = impl.one_hot(labels[:0], 9, dtype=dtype)
    assert got.shape == (0, 5, 9) and got.dtype == dtype, f"empty batch: {tuple(got.shape)}"
    got = impl.one_hot(labels[:0, :1], 1, dtype=dtype)  # and a single class
    assert got.shape == (0, 1, 1) and got.dtype == dtype, f"q = 1, empty: {tuple(got.shape)}"
    zeros = torch.zeros(3, dtype=torch.int64, device=device)
    assert torch.equal(impl.one_hot(zeros, 1), F.one_hot(zeros, 1)), "q = 1: a column of ones"


@one_hot_encoding.property_leg(
    r"every row of `one_hot(labels, q)` has entries in $\{0, 1\}$, sums to 1, and its argmax "
    r"is the label",
    latex=r"\forall c \in \{0..q-1\}:\ \sum_j y_j = 1,\ \arg\max_j y_j = c",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        labels, classes = case
        code = impl.one_hot(labels, classes)
        return (
            code.shape == (*labels.shape, classes)
            and bool(((code == 0) | (code == 1)).all())
            and bool((code.sum(-1) == 1).all())
            and torch.equal(code.argmax(-1), labels)
        )

    return ForAll(dst.labels_and_classes(), holds, names=("labels", "q"))
