"""Contracts of ``dltheory.classification.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from dltheory.classification import reference as R
from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from tests.contracts._support import F64, labels, normal, per_dtype, simplex, t

INF, NAN = float("inf"), float("nan")
# logits of every layout (C,), (N, C), (N, C, d1), (N, C, d1, d2); classes on dim 1 (0 for 1-D)
LAYOUTS = ((5,), (3, 4), (2, 4, 2), (2, 3, 2, 2))
REDUCTIONS = ("none", "mean", "sum")


def _class_dim(shape: tuple[int, ...]) -> int:
    return 0 if len(shape) == 1 else 1


# --- the softmax family: softmax, log_softmax, logsumexp -------------------------------------


def _softmax_samples(keepdim: bool) -> list[Sample]:
    extra = (lambda **kw: {**kw, "keepdim": True}) if keepdim else (lambda **kw: kw)
    out = [
        Sample((normal(3, 5),), name="random logits"),
        Sample((normal(7, seed=1),), name="1-D"),
        Sample((normal(8, 50, seed=2, scale=10),), name="random, wide range"),
        Sample((normal(2, 3, 4, seed=3),), extra(dim=0), name="dim 0"),
        Sample((normal(2, 3, 4, seed=4),), extra(dim=1), name="dim 1"),
        Sample((normal(2, 3, 4, seed=5),), extra(dim=-1), name="dim -1"),
        Sample((normal(3, 1, seed=6),), name="a single class"),
        Sample((torch.zeros(2, 4, dtype=F64),), name="exact zeros"),
        Sample((t([[0.0, -40.0, -50.0], [3.0, -9.0, 1.0]]),), name="one dominant logit"),
        Sample((t([[0.0, -INF, 1.0], [-INF, 2.0, -INF]]),), name="-inf masks", gradcheck=False),
        *per_dtype(
            "largest logits",
            lambda fi: ((t([[fi.max, -fi.max, 0.0], [fi.max, fi.max, fi.max]]),), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal logits",
            lambda fi: ((t([[fi.smallest_normal / 4, -fi.smallest_normal / 2, 0.0]]),), {}),
        ),
    ]
    if keepdim:
        out.append(Sample((normal(2, 3, 4, seed=7),), {"dim": 1, "keepdim": False}, name="no dim"))
    return out


_SOFTMAX_SPECIAL = tuple(
    Sample((t(row),), name=f"{row}")
    for row in (
        [[INF, 0.0, 1.0]],
        [[INF, INF, 0.0]],
        [[INF, -INF]],
        [[-INF, -INF, -INF]],
        [[NAN, 0.0, 1.0]],
        [[NAN, INF, -INF]],
        [[-INF, 0.0, 1.0]],
    )
)
_BAD_LOGITS = (
    ErrorInput(
        Sample((t([1, 2, 3], dtype=torch.int64),)), TypeError, "must be a floating", "input"
    ),
    ErrorInput(Sample(([1.0, 2.0],)), TypeError, r"must be a torch\.Tensor, got list", "input"),
    ErrorInput(Sample((t(1.0),)), ValueError, "must have at least one dimension", "input"),
    ErrorInput(Sample((torch.zeros(3, 0),)), ValueError, "has an empty dimension 1", "input"),
    ErrorInput(Sample((torch.zeros(2, 3),), {"dim": 2}), ValueError, "out of range", "dim"),
    ErrorInput(Sample((torch.zeros(2),), {"dim": 1.0}), TypeError, "must be an int", "dim"),
    ErrorInput(Sample((torch.zeros(2),), {"dim": True}), TypeError, "must be an int", "dim"),
)


def _softmax_family(function, oracle, keepdim: bool = False) -> FunctionContract:
    return FunctionContract(
        function,
        samples=tuple(_softmax_samples(keepdim)),
        error_inputs=_BAD_LOGITS,
        differentiable=("input",),
        nan_policy=NanPolicy(special=_SOFTMAX_SPECIAL, oracle=oracle),
    )


# --- cross-entropy and its gradient ----------------------------------------------------------


def _cross_entropy_samples() -> list[Sample]:
    out = [Sample((normal(3, 4), simplex(3, 4, seed=5)), name="probability targets")]
    # every layout with both kinds of target, each reduction on every layout once per kind
    for i, shape in enumerate(LAYOUTS):
        cdim = _class_dim(shape)
        index_shape = shape[:cdim] + shape[cdim + 1 :]
        probs = torch.softmax(normal(*shape, seed=20 + i), dim=cdim)
        x = normal(*shape, seed=10 + i)
        for j, target in enumerate((labels(index_shape, shape[cdim]), probs)):
            kind = "probabilities" if j else "indices"
            for reduction in REDUCTIONS if len(shape) == 2 else REDUCTIONS[(i + j) % 3 :][:1]:
                kw = {"reduction": reduction}
                out.append(Sample((x, target), kw, name=f"{shape} {kind}, {reduction}"))
    probs_with_zeros = t([[0.25, 0.0, 0.75], [0.0, 1.0, 0.0]])
    out += [
        Sample((normal(2, 3, seed=3), probs_with_zeros), name="probability targets with zeros"),
        Sample((normal(4, 6, seed=4), labels((4,), 6, dtype=torch.uint8)), name="uint8 labels"),
        Sample((normal(4, 6, seed=4), labels((4,), 6, dtype=torch.int16)), name="int16 labels"),
        Sample((normal(8, 40, seed=5, scale=8), labels((8,), 40)), name="random, 40 classes"),
        Sample(
            (t([[0.0, -40.0, -50.0], [1.0, -9.0, 3.0]]), t([0, 2], dtype=torch.int64)),
            name="confident: tiny losses",
        ),
        Sample(
            (normal(3, 4, seed=6), simplex(3, 4, seed=7) * 1.5),
            {"validate": False},
            name="weights not summing to 1",
        ),
        Sample(
            (t([[0.0, -INF, 1.0]]), t([[0.25, 0.0, 0.75]])),
            name="-inf logit, zero target",
            gradcheck=False,
        ),  # d/dy_j = -log softmax_j = +inf there
        Sample((t([[0.0, -INF, 1.0]]), t([0], dtype=torch.int64)), name="-inf logit, index"),
        *per_dtype(
            "largest logits",
            lambda fi: (
                (
                    t([[fi.max, -fi.max, 0.0], [-fi.max, -fi.max, -fi.max]]),
                    t([0, 1], dtype=torch.int64),
                ),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal logits and targets",
            lambda fi: (
                (
                    t([[fi.smallest_normal / 4, 0.0, -fi.smallest_normal / 2]]),
                    t([[1 - fi.smallest_normal / 4, fi.smallest_normal / 4, 0.0]]),
                ),
                {},
            ),
            gradcheck=False,  # a target of 1e-310 sits next to 0, where the loss has a kink
        ),
    ]
    for reduction in REDUCTIONS:  # an empty batch, as F.cross_entropy (mean: NaN)
        empty = (torch.zeros(0, 3, dtype=F64), torch.zeros(0, dtype=torch.int64))
        out.append(Sample(empty, {"reduction": reduction}, name="empty batch"))
    return out


def _target_errors() -> tuple[ErrorInput, ...]:
    z23 = torch.zeros(2, 3)
    return (
        ErrorInput(
            Sample((t([[1, 2]], dtype=torch.int64), t([0], dtype=torch.int64))),
            TypeError,
            "must be a floating-point tensor",
            "input",
        ),
        ErrorInput(
            Sample(([[0.0, 1.0]], t([0], dtype=torch.int64))),
            TypeError,
            r"must be a torch\.Tensor",
            "input",
        ),
        ErrorInput(
            Sample((torch.zeros(2, 0), torch.zeros(2, dtype=torch.int64))),
            ValueError,
            "has an empty dimension",
            "input",
        ),
        ErrorInput(
            Sample((torch.zeros(4, 3), torch.zeros(5, dtype=torch.int64))),
            ValueError,
            r"has shape \(5,\), but input of shape \(4, 3\) needs \(4,\)",
            "target",
        ),
        ErrorInput(
            Sample((z23, t([0, 3], dtype=torch.int64))),
            ValueError,
            r"class index 3, outside \[0, 3\)",
            "target",
        ),
        ErrorInput(
            Sample((z23, t([-1, 0], dtype=torch.int64))), ValueError, "class index -1", "target"
        ),
        ErrorInput(
            Sample((torch.zeros(1, 3), t([[0.5, 0.7, -0.2]]))),
            ValueError,
            "has a negative entry",
            "target",
        ),
        ErrorInput(
            Sample((torch.zeros(1, 3), t([[0.5, 0.3, 0.1]]))),
            ValueError,
            r"must sum to 1 along dim 1 .* found a sum of 0\.9",
            "target",
        ),
        ErrorInput(
            Sample((torch.zeros(1, 3), t([[0.5, NAN, 0.5]]))), ValueError, "contains NaN", "target"
        ),
        ErrorInput(
            Sample((torch.zeros(1, 3), t([[0.5, INF, 0.5]]))),
            ValueError,
            "contains an infinite entry",
            "target",
        ),
        ErrorInput(
            Sample((z23, torch.full((2, 4), 0.25))),
            ValueError,
            r"has shape \(2, 4\), but must match input's shape \(2, 3\)",
            "target",
        ),
        ErrorInput(
            Sample((z23, t([True, False], dtype=torch.bool))),
            TypeError,
            r"class indices \(integer\) or probabilities \(float\)",
            "target",
        ),
        ErrorInput(Sample((z23, [0, 1])), TypeError, r"must be a torch\.Tensor", "target"),
        ErrorInput(
            Sample((z23, t([0, 1], dtype=torch.int64)), {"reduction": "avg"}),
            ValueError,
            "must be one of",
            "reduction",
        ),
        ErrorInput(
            Sample((z23, t([0, 1], dtype=torch.int64)), {"reduction": None}),
            ValueError,
            "must be one of",
            "reduction",
        ),
        ErrorInput(
            Sample((z23, t([0, 1], dtype=torch.int64)), {"validate": "no"}),
            TypeError,
            "must be a bool",
            "validate",
        ),
        ErrorInput(
            Sample((z23.to("meta"), t([0, 1], dtype=torch.int64))),
            ValueError,
            "target is on cpu but input is on meta",
            "target",
        ),
    )


def _cross_entropy_oracle(input, target, *, reduction="mean", validate=True):
    """torch's loss, with 0 log 0 = 0 for probability targets (a zero target on a -inf logit
    contributes 0, where ``F.cross_entropy`` gives NaN)."""
    if target.is_floating_point():
        loss = -torch.xlogy(target, torch.softmax(input, _class_dim(input.shape))).sum(
            _class_dim(input.shape)
        )
        return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]
    return F.cross_entropy(input, target.long(), reduction=reduction)


def _cross_entropy_grad_oracle(input, target, *, reduction="mean", validate=True):
    """torch.softmax times the target mass, minus the target (one-hot from F.one_hot)."""
    cdim = _class_dim(input.shape)
    probs = torch.softmax(input, cdim)
    if not target.is_floating_point():
        target = F.one_hot(target.long(), input.shape[cdim]).movedim(-1, cdim).to(probs.dtype)
    grad = probs * target.sum(cdim, keepdim=True) - target
    return grad / (input.numel() // input.shape[cdim]) if reduction == "mean" else grad


_CE_SPECIAL = (
    Sample(
        (
            t([[INF, 0.0, 1.0], [NAN, 0.0, 1.0], [-INF, -INF, -INF], [-INF, 0.0, 1.0]]),
            t([0, 1, 2, 0], dtype=torch.int64),
        ),
        {"reduction": "none"},
        name="index targets",
    ),
    Sample(
        (
            t([[INF, 0.0, 1.0], [-INF, 0.0, 1.0], [-INF, 0.0, 1.0]]),
            t([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5]]),
        ),
        {"reduction": "none"},
        name="probability targets",
    ),
)


def _cross_entropy_contract(function, oracle) -> FunctionContract:
    return FunctionContract(
        function,
        samples=tuple(_cross_entropy_samples()),
        error_inputs=_target_errors(),
        differentiable=("input", "target"),
        nan_policy=NanPolicy(raises=("target",), special=_CE_SPECIAL, oracle=oracle),
        unchecked={"validate": False},
    )


# --- one-hot ---------------------------------------------------------------------------------

_I64 = torch.int64
ONE_HOT = FunctionContract(
    R.one_hot,
    samples=(
        Sample((t([0, 2, 1], dtype=_I64), 3), name="1-D"),
        Sample((t([[3, 0], [1, 3]], dtype=_I64),), name="inferred classes", meta=False),
        Sample((t([[3, 0], [1, 3]], dtype=_I64), 6), name="extra classes"),
        Sample((t([1, 0], dtype=torch.uint8), 2), {"dtype": torch.float32}, name="uint8, float"),
        Sample((t([1, 0], dtype=torch.int16), 2), {"dtype": torch.float16}, name="int16, half"),
        Sample((torch.zeros(0, dtype=_I64), 4), name="empty"),
    ),
    error_inputs=(
        ErrorInput(Sample((t([0.0, 1.0]),)), TypeError, "must be an integer tensor", "labels"),
        ErrorInput(Sample(([0, 1],)), TypeError, r"must be a torch\.Tensor", "labels"),
        ErrorInput(
            Sample((t([0, 3], dtype=_I64), 3)), ValueError, r"3, outside \[0, 3\)", "labels"
        ),
        ErrorInput(Sample((t([-1, 0], dtype=_I64),)), ValueError, "contains -1", "labels"),
        ErrorInput(
            Sample((t([0], dtype=_I64), 0)), ValueError, "must be a positive", "num_classes"
        ),
        ErrorInput(Sample((t([0], dtype=_I64), True)), TypeError, "must be an int", "num_classes"),
        ErrorInput(Sample((t([0], dtype=_I64), 3.0)), TypeError, "must be an int", "num_classes"),
        ErrorInput(
            Sample((t([0], dtype=_I64), 10**400)), ValueError, "positive int", "num_classes"
        ),
        ErrorInput(
            Sample((t([0], dtype=_I64), 2), {"dtype": "float"}),
            TypeError,
            r"must be a torch\.dtype",
            "dtype",
        ),
        ErrorInput(
            Sample((torch.zeros(0, dtype=_I64),)),
            ValueError,
            "is empty, so num_classes cannot be inferred",
            "labels",
        ),
        ErrorInput(
            Sample((torch.zeros(2, dtype=_I64, device="meta"),)),
            ValueError,
            "on the meta device, so num_classes cannot be inferred",
            "labels",
        ),
    ),
    dtypes=(),
)

CONTRACTS = (
    ONE_HOT,
    _softmax_family(R.softmax, lambda input, dim=-1: torch.softmax(input, dim)),
    _softmax_family(R.log_softmax, lambda input, dim=-1: torch.log_softmax(input, dim)),
    _softmax_family(
        R.logsumexp,
        lambda input, dim=-1, keepdim=False: torch.logsumexp(input, dim, keepdim),
        keepdim=True,
    ),
    _cross_entropy_contract(R.cross_entropy, _cross_entropy_oracle),
    _cross_entropy_contract(R.cross_entropy_grad, _cross_entropy_grad_oracle),
)
