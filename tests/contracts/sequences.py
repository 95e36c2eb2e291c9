"""Contracts of ``dltheory.sequences.reference``: samples, errors, NaN/inf policy."""

from __future__ import annotations

import torch

from dltheory.core.contracts import FLOATING, ErrorInput, FunctionContract, NanPolicy, Sample
from dltheory.sequences import reference as R
from tests.contracts._support import F64, generator, normal, per_dtype, simplex, t

INF, NAN = float("inf"), float("nan")
I64 = torch.int64
UNCHECKED = {"validate": False}


def _ids(*values, dtype=I64) -> torch.Tensor:
    return t(*values, dtype=dtype)


def _log_probs(*shape: int, seed: int = 0) -> torch.Tensor:
    """Log-probabilities in (-4, -0.01): strictly negative, away from 0."""
    return -(torch.rand(shape, generator=generator(seed), dtype=F64) * 4 + 0.01)


# --- markov_log_prob -------------------------------------------------------------------------


def _markov_samples() -> list[Sample]:
    pi, A = simplex(3, seed=1), simplex(3, 3, seed=2)
    steps = simplex(3, 3, 3, seed=3)
    zero_pi = t([0.5, 0.5, 0.0])
    zero_A = t([[0.0, 1.0, 0.0], [0.2, 0.0, 0.8], [0.5, 0.25, 0.25]])
    return [
        # tokens start with 0 and step 0 -> 0, so a NaN at initial[0] or transition[0, 0] shows
        Sample((_ids([[0, 0, 1, 2], [1, 0, 2, 2]]), pi, A), name="a batch, homogeneous"),
        Sample((_ids([2, 1, 1, 0, 2]), pi, A), name="one sequence"),
        Sample((_ids([[0, 2, 1, 1], [2, 2, 0, 1]]), pi, steps), name="one matrix per step"),
        Sample((_ids([1, 0, 2, 2]), pi, steps), name="one sequence, one matrix per step"),
        Sample(
            (_ids([[0, 1, 2, 1], [2, 1, 0, 0], [1, 1, 1, 1]]), pi, A),
            {"lengths": _ids([4, 2, 1])},
            name="lengths",
        ),
        Sample(
            (_ids([[0, 1, 2], [2, 0, 0]]), pi, A), {"lengths": [3, 1]}, name="lengths as a list"
        ),
        Sample((_ids([[1], [2]]), pi, A), name="T = 1: the initial distribution alone"),
        Sample((_ids([[1], [2]]), pi, simplex(1, 3, 3, seed=4)), name="T = 1, per step"),
        Sample((_ids([[0, 2, 1]], dtype=torch.int32), pi, A), name="int32 tokens"),
        Sample((_ids([[0, 2, 1]], dtype=torch.uint8), pi, A), name="uint8 tokens"),
        Sample((_ids([0, 0]), t([1.0]), t([[1.0]])), name="one state"),
        Sample((_ids([[0, 1, 2]]), pi, A), UNCHECKED, name="validate=False"),
        Sample((_ids([0, 1, 2, 0]), zero_pi, zero_A), name="unused zero probabilities"),
        Sample(
            (_ids([[2, 1, 1]]), zero_pi, zero_A),
            name="probability 0: -inf",
            gradcheck=False,  # d log p / dp = +inf at p = 0
        ),
        Sample(
            (_ids([[0, 1, 0, 2], [1, 2, 0, 0]]), zero_pi, zero_A),
            {"lengths": _ids([2, 2])},
            name="padding over transitions of probability 0",
            gradcheck=False,  # finite differences step outside [0, 1]: log of a negative
        ),
        Sample((_ids([[0, 1, 2], [2, 2, 2]]), pi, A), {"lengths": _ids([3, 3])}, name="full"),
        *per_dtype(
            "subnormal probabilities",
            lambda fi: (
                (
                    _ids([2, 2, 0]),
                    t([0.5, 0.5 - fi.smallest_normal / 4, fi.smallest_normal / 4]),
                    t([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.5, 0.0, 0.5]]),
                ),
                {},
            ),
            gradcheck=False,
        ),
    ]


def _markov_errors() -> tuple[ErrorInput, ...]:
    pi, A = t([0.5, 0.5]), t([[0.9, 0.1], [0.5, 0.5]])
    tok = _ids([[0, 1, 1]])
    return (
        ErrorInput(Sample((t([0.0, 1.0]), pi, A)), TypeError, "integer tensor", "tokens"),
        ErrorInput(Sample(([0, 1], pi, A)), TypeError, r"torch\.Tensor", "tokens"),
        ErrorInput(Sample((_ids([True], dtype=torch.bool), pi, A)), TypeError, "integer", "tokens"),
        ErrorInput(Sample((_ids([[[0]]]), pi, A)), ValueError, r"\(T,\) or \(N, T\)", "tokens"),
        ErrorInput(Sample((torch.zeros(2, 0, dtype=I64), pi, A)), ValueError, "T >= 1", "tokens"),
        ErrorInput(Sample((_ids([0, 2]), pi, A)), ValueError, r"id 2, outside \[0, 2\)", "tokens"),
        ErrorInput(Sample((_ids([-1, 0]), pi, A)), ValueError, "token id -1", "tokens"),
        ErrorInput(Sample((tok, pi.long(), A)), TypeError, "floating-point", "initial"),
        ErrorInput(Sample((tok, A, A)), ValueError, r"shape \(m,\)", "initial"),
        ErrorInput(Sample((tok, t([0.5, 0.6]), A)), ValueError, "must sum to 1", "initial"),
        ErrorInput(Sample((tok, t([1.5, -0.5]), A)), ValueError, "negative", "initial"),
        ErrorInput(
            Sample((tok, pi, pi)), ValueError, r"shape \(2, 2\) or \(2, 2, 2\)", "transition"
        ),
        ErrorInput(Sample((tok, pi, [[1.0, 0.0]] * 2)), TypeError, r"torch\.Tensor", "transition"),
        ErrorInput(Sample((tok, pi, t([[0.9, 0.2], [0.5, 0.5]]))), ValueError, "sum", "transition"),
        ErrorInput(Sample((tok, pi, t([[NAN, 1.0], [0.5, 0.5]]))), ValueError, "NaN", "transition"),
        ErrorInput(
            Sample((_ids([0, 1]), pi, A), {"lengths": _ids([2])}), ValueError, "batch", "lengths"
        ),
        ErrorInput(Sample((tok, pi, A), {"lengths": _ids([1, 2])}), ValueError, "shape", "lengths"),
        ErrorInput(Sample((tok, pi, A), {"lengths": [0]}), ValueError, "contains 0", "lengths"),
        ErrorInput(Sample((tok, pi, A), {"lengths": [4]}), ValueError, "longer", "lengths"),
        ErrorInput(Sample((tok, pi, A), {"lengths": t([2.0])}), TypeError, "integer", "lengths"),
        ErrorInput(Sample((tok, pi, A), {"validate": "yes"}), TypeError, "a bool", "validate"),
        ErrorInput(
            Sample((tok, pi.to("meta"), A)), ValueError, "initial is on meta but", "initial"
        ),
    )


MARKOV_LOG_PROB = FunctionContract(
    R.markov_log_prob,
    samples=tuple(_markov_samples()),
    error_inputs=_markov_errors(),
    differentiable=("initial", "transition"),
    nan_policy=NanPolicy(raises=("initial", "transition")),
    unchecked=UNCHECKED,
)


# --- Laplace smoothing -----------------------------------------------------------------------


def _counts(*shape: int, seed: int = 0) -> torch.Tensor:
    """Positive floating counts in [0.5, 8.5)."""
    return torch.rand(shape, generator=generator(seed), dtype=F64) * 8 + 0.5


def _per_dtype_kw(name: str, args: tuple, kwargs: dict, **flags) -> list[Sample]:
    """Samples without floating tensors: the result dtype is the ``dtype`` keyword."""
    return [
        Sample(args, {**kwargs, "dtype": d}, name=f"{name} ({d})", dtypes=(d,), **flags)
        for d in FLOATING
    ]


def _laplace_samples(order: int, eps: tuple[str, ...]) -> list[Sample]:
    m = 4
    shape = (m,) * order
    uni = {} if order == 1 else {"unigram_counts": _counts(m, seed=9)}
    uni_int = {} if order == 1 else {"unigram_counts": _ids([3, 0, 2, 1])}
    zeros = _counts(*shape, seed=2)
    zeros[..., 1] = 0.0
    first = {e: 0.5 + i for i, e in enumerate(eps)}
    sentences = [_ids([0, 1, 1, 3, 0, 2]), _ids([2, 2]), _ids([], dtype=I64), _ids([3])]
    return [
        Sample((), {"counts": _counts(*shape), **uni, **first}, name="floating counts"),
        Sample((), {"counts": _counts(*shape, seed=1), **uni}, name="default eps"),
        Sample((), {"counts": zeros, **uni}, name="exact zero counts"),
        Sample((), {"counts": torch.zeros(shape, dtype=F64), **uni}, name="all counts zero"),
        Sample((), {"counts": _counts(*shape, seed=3) * 1e3, **uni}, name="large counts"),
        Sample(
            (),
            {"counts": _counts(*shape, seed=4), **uni, **dict.fromkeys(eps, 1e-6)},
            name="eps 1e-6",
        ),
        Sample(
            (),
            {"counts": _counts(*shape, seed=5), **uni, **dict.fromkeys(eps, 1e6)},
            name="eps 1e6",
        ),
        Sample((), {"counts": _counts(*shape), **uni, "vocab_size": m}, name="vocab_size"),
        Sample((), {"counts": _counts(*shape), **uni, **UNCHECKED}, name="validate=False"),
        *_per_dtype_kw("integer counts", (), {"counts": torch.ones(shape, dtype=I64), **uni_int}),
        *_per_dtype_kw("tokens", (_ids([0, 1, 1, 3, 0, 2]),), {"vocab_size": 5}),
        # the vocabulary inferred from the largest token id: values needed (a meta error)
        *_per_dtype_kw("sentences", (sentences,), {}, meta=False),
        *_per_dtype_kw("int32, tuple", ((_ids([1, 0, 1], dtype=torch.int32),),), {}, meta=False),
        *_per_dtype_kw("sentences, vocab_size", (sentences,), {"vocab_size": 4}),
        *_per_dtype_kw("no tokens", (_ids([], dtype=I64),), {"vocab_size": 3}),
        *per_dtype(
            "largest counts",
            lambda fi: ((), {"counts": torch.full(shape, fi.max, dtype=F64), **uni}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal counts",
            lambda fi: ((), {"counts": torch.full(shape, fi.smallest_normal / 4), **uni}),
            gradcheck=False,
        ),
    ]


def _laplace_errors(order: int, eps: tuple[str, ...]) -> tuple[ErrorInput, ...]:
    shape = (2,) * order
    c = torch.ones(shape)
    uni = {} if order == 1 else {"unigram_counts": torch.ones(2)}
    out = [
        ErrorInput(Sample(), ValueError, "exactly one of tokens or counts", "tokens"),
        ErrorInput(Sample((_ids([0]),), {"counts": c}), ValueError, "exactly one", "counts"),
        ErrorInput(Sample((t([0.0, 1.0]),)), TypeError, "integer tensor", "tokens"),
        ErrorInput(Sample(("abc",)), TypeError, "1-D integer tensor or a list", "tokens"),
        ErrorInput(Sample((_ids([[0, 1]]),)), ValueError, "1-D sequences", "tokens"),
        ErrorInput(Sample((_ids([0, 3]),), {"vocab_size": 3}), ValueError, "outside", "tokens"),
        ErrorInput(Sample((_ids([-1, 0]),)), ValueError, "token id -1", "tokens"),
        ErrorInput(Sample((_ids([], dtype=I64),)), ValueError, "cannot be inferred", "vocab_size"),
        ErrorInput(Sample((_ids([0]),), {"vocab_size": 0}), ValueError, "int >= 1", "vocab_size"),
        ErrorInput(
            Sample((_ids([0, 1]).to("meta"),)), ValueError, "on the meta device", "vocab_size"
        ),
        ErrorInput(Sample((_ids([0]),), {"vocab_size": 2.0}), TypeError, "an int", "vocab_size"),
        ErrorInput(Sample((), {"counts": [1, 2], **uni}), TypeError, r"torch\.Tensor", "counts"),
        ErrorInput(Sample((), {"counts": c.bool(), **uni}), TypeError, "hold counts", "counts"),
        ErrorInput(Sample((), {"counts": torch.ones(2, 3), **uni}), ValueError, "shape", "counts"),
        ErrorInput(Sample((), {"counts": -c, **uni}), ValueError, "negative entry", "counts"),
        ErrorInput(Sample((), {"counts": c * NAN, **uni}), ValueError, "contains NaN", "counts"),
        ErrorInput(Sample((), {"counts": c * INF, **uni}), ValueError, "infinite", "counts"),
        ErrorInput(
            Sample((), {"counts": c, **uni, "vocab_size": 3}), ValueError, "vocab_size", "counts"
        ),
        ErrorInput(Sample((_ids([0]),), {"dtype": torch.int64}), TypeError, "floating", "dtype"),
        ErrorInput(Sample((_ids([0]),), {"validate": 1}), TypeError, "must be a bool", "validate"),
        *(
            ErrorInput(Sample((_ids([0]),), {e: bad}), exc, msg, e)
            for e in eps
            for bad, exc, msg in ((0.0, ValueError, "finite"), ("1", TypeError, "real number"))
        ),
    ]
    if order > 1:
        out += [
            ErrorInput(Sample((), {"counts": c}), ValueError, "is required", "unigram_counts"),
            ErrorInput(
                Sample((), {"counts": c, "unigram_counts": torch.ones(3)}),
                ValueError,
                "per side",
                "unigram_counts",
            ),
            ErrorInput(
                Sample((_ids([0]),), {"unigram_counts": torch.ones(2)}),
                ValueError,
                "goes with counts",
                "unigram_counts",
            ),
            ErrorInput(
                Sample((), {"counts": c, "unigram_counts": t([NAN, 1.0])}),
                ValueError,
                "contains NaN",
                "unigram_counts",
            ),
            ErrorInput(
                Sample((), {"counts": c, "unigram_counts": torch.ones(2, device="meta")}),
                ValueError,
                "unigram_counts is on meta but counts is on cpu",
                "unigram_counts",
            ),
        ]
    return tuple(out)


def _laplace(function, order: int, eps: tuple[str, ...]) -> FunctionContract:
    counts = ("counts",) if order == 1 else ("counts", "unigram_counts")
    return FunctionContract(
        function,
        samples=tuple(_laplace_samples(order, eps)),
        error_inputs=_laplace_errors(order, eps),
        differentiable=counts,
        nan_policy=NanPolicy(raises=counts),
        unchecked=UNCHECKED,
    )


# --- perplexity ------------------------------------------------------------------------------


def _perplexity_samples() -> list[Sample]:
    padded = _log_probs(2, 4, seed=5)
    padded[1, 2:] = t([NAN, 5.0])  # padding: anything, even NaN or a "probability" above 1
    logits_padded = normal(2, 3, 4, seed=6)
    logits_padded[0, 2] = NAN
    return [
        Sample((_log_probs(2, 5),), name="a batch of log-probabilities"),
        Sample((_log_probs(6, seed=1),), name="one sequence"),
        Sample((_log_probs(3, 4, seed=2),), {"reduction": "none"}, name="per sequence"),
        Sample((_log_probs(7, seed=3),), {"reduction": "none"}, name="one sequence, none"),
        Sample((_log_probs(3, 4, seed=4),), {"lengths": _ids([4, 1, 2])}, name="lengths"),
        Sample(
            (_log_probs(2, 3, seed=4),),
            {"lengths": [3, 2], "reduction": "none"},
            name="lengths as a list, none",
        ),
        Sample((), {"logits": normal(2, 3, 5), "targets": _ids([[0, 4, 2], [1, 1, 3]])}),
        Sample((), {"logits": normal(4, 3, seed=1), "targets": _ids([2, 0, 1, 1])}, name="(T, V)"),
        Sample(
            (),
            {
                "logits": normal(3, 2, 4, seed=2),
                "targets": _ids([[0, 3], [2, 2], [1, 0]], dtype=torch.int32),
                "lengths": _ids([2, 1, 2]),
                "reduction": "none",
            },
            name="logits, lengths, none",
        ),
        Sample((_log_probs(2, 3, seed=7),), UNCHECKED, name="validate=False"),
        Sample((torch.zeros(2, 3, dtype=F64),), name="exact zeros: perplexity 1"),
        Sample(
            (),
            {"logits": torch.zeros(2, 3, 5, dtype=F64), "targets": _ids([[0, 1, 2], [3, 4, 0]])},
            name="uniform logits: perplexity V",
        ),
        Sample(
            (t([[-1.0, -INF], [-0.5, -2.0]]),),
            {"reduction": "none"},
            name="probability 0: +inf",
            gradcheck=False,
        ),
        Sample((padded,), {"lengths": _ids([4, 2])}, name="NaN padding", gradcheck=False),
        Sample(
            (),
            {
                "logits": logits_padded,
                "targets": _ids([[0, 1, 9], [3, 2, 1]]),
                "lengths": _ids([2, 3]),
            },
            name="NaN logits and an out-of-range target in the padding",
            gradcheck=False,
        ),
        *per_dtype(
            "largest values",
            lambda fi: ((t([[-fi.max, -1.0], [-fi.max, -fi.max]]),), {"reduction": "none"}),
            gradcheck=False,
        ),
        *per_dtype(
            "largest logits",
            lambda fi: ((), {"logits": t([[fi.max, -fi.max, 0.0]]), "targets": _ids([0])}),
            gradcheck=False,
        ),
        *per_dtype(  # perplexity +inf, and softmax entries that underflow to 0
            "largest logits, overflow",
            lambda fi: ((), {"logits": t([[fi.max, -fi.max, 0.0]]), "targets": _ids([1])}),
            gradcheck=False,
        ),
        Sample(
            (),
            {
                "logits": t([[[0.0, 300.0, -900.0], [5.0, 0.0, -1.0]], [[1.0, 2.0, 3.0]] * 2]),
                "targets": _ids([[0, 2], [1, 0]]),
                "lengths": _ids([2, 1]),
                "reduction": "none",
            },
            name="exp overflows in float32, finite gradients (float64: no overflow)",
            dtypes=(torch.float32,),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: ((t([[-fi.smallest_normal / 4, 0.0, -fi.tiny]]),), {}),
            gradcheck=False,
        ),
    ]


def _perplexity_errors() -> tuple[ErrorInput, ...]:
    lp, logits, tg = t([-1.0, -2.0]), torch.zeros(2, 3), _ids([0, 1])
    return (
        ErrorInput(Sample(), ValueError, "pass log_probs, or both", "logits"),
        ErrorInput(Sample((lp,), {"logits": logits}), ValueError, "not both", "log_probs"),
        ErrorInput(Sample((lp.long(),)), TypeError, "floating-point", "log_probs"),
        ErrorInput(Sample(([-1.0],)), TypeError, r"torch\.Tensor", "log_probs"),
        ErrorInput(Sample((t(-1.0),)), ValueError, "at least one dimension", "log_probs"),
        ErrorInput(Sample((torch.zeros(1, 2, 2),)), ValueError, r"\(N, T\)", "log_probs"),
        ErrorInput(Sample((torch.zeros(2, 0),)), ValueError, "empty sequence", "log_probs"),
        ErrorInput(Sample((torch.zeros(0, 3),)), ValueError, "empty batch", "log_probs"),
        ErrorInput(Sample((t([-1.0, 0.5]),)), ValueError, "positive entry", "log_probs"),
        ErrorInput(Sample((lp,), {"reduction": "sum"}), ValueError, "'mean' or", "reduction"),
        ErrorInput(Sample((lp,), {"validate": None}), TypeError, "must be a bool", "validate"),
        ErrorInput(Sample((), {"logits": logits}), ValueError, "both logits and", "targets"),
        ErrorInput(
            Sample((), {"logits": logits.long(), "targets": tg}), TypeError, "floating", "logits"
        ),
        ErrorInput(Sample((), {"logits": logits, "targets": lp}), TypeError, "integer", "targets"),
        ErrorInput(
            Sample((), {"logits": logits, "targets": _ids([0, 1, 2])}), ValueError, "of", "targets"
        ),
        ErrorInput(
            Sample((), {"logits": torch.zeros(2), "targets": _ids(0)}), ValueError, "V", "logits"
        ),
        ErrorInput(
            Sample((), {"logits": torch.zeros(2, 0), "targets": tg}), ValueError, "empty", "logits"
        ),
        ErrorInput(
            Sample((), {"logits": logits, "targets": _ids([0, 3])}), ValueError, "id 3", "targets"
        ),
        ErrorInput(
            Sample((), {"logits": logits, "targets": tg.to("meta")}),
            ValueError,
            "targets is on meta but logits is on cpu",
            "targets",
        ),
        ErrorInput(Sample((lp,), {"lengths": [1]}), ValueError, "needs a batch", "lengths"),
        ErrorInput(Sample((lp.reshape(1, 2),), {"lengths": [3]}), ValueError, "longer", "lengths"),
        ErrorInput(Sample((lp.reshape(1, 2),), {"lengths": [0]}), ValueError, "0", "lengths"),
        ErrorInput(
            Sample((lp.reshape(1, 2),), {"lengths": [1, 1]}), ValueError, "shape", "lengths"
        ),
        ErrorInput(
            Sample((lp.reshape(1, 2),), {"lengths": t([1.0])}), TypeError, "integer", "lengths"
        ),
    )


def _perplexity_oracle(log_probs, *, lengths=None, reduction="mean", validate=True):
    """``exp`` of the mean of ``-log_probs`` over the valid positions, written directly."""
    lp = log_probs.reshape(-1, log_probs.shape[-1])
    if lengths is None:
        mask = torch.ones_like(lp, dtype=torch.bool)
    else:
        mask = torch.arange(lp.shape[1]) < torch.as_tensor(lengths).reshape(-1, 1)
    nll = torch.where(mask, -lp.double(), 0.0)
    if reduction == "mean":
        return torch.exp(nll.sum() / mask.sum())
    out = torch.exp(nll.sum(1) / mask.sum(1))
    return out.squeeze(0) if log_probs.dim() == 1 else out


PERPLEXITY = FunctionContract(
    R.perplexity,
    samples=tuple(_perplexity_samples()),
    error_inputs=_perplexity_errors(),
    differentiable=("log_probs", "logits"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[-1.0, -INF], [-0.5, -2.0]]),), {"reduction": "none"}, name="-inf"),
            Sample((t([-1.0, -INF, -2.0]),), name="-inf in one sequence"),
            Sample(
                (t([[-1.0, -INF, NAN], [-0.5, -2.0, INF]]),),
                {"lengths": [1, 2], "reduction": "none"},
                name="non-finite padding",
            ),
        ),
        oracle=_perplexity_oracle,
    ),
    unchecked=UNCHECKED,
)


# --- clip_grad_norm --------------------------------------------------------------------------


def _clip_samples() -> list[Sample]:
    return [
        Sample((normal(3, 4), 1.0), name="one tensor, clipped"),
        Sample((normal(5, seed=1, scale=0.1), 10.0), name="one tensor, not clipped"),
        Sample(([normal(3, seed=2), normal(2, 2, seed=3)], 2.5), name="a list, clipped"),
        Sample(((normal(3, seed=4), normal(1, seed=5)), 100), name="a tuple, an int max_norm"),
        Sample((normal(2, 3, seed=6), 1.5, 1.0), name="1-norm"),
        Sample((normal(2, 3, seed=7), 1.5, 3.5), name="3.5-norm"),
        Sample((normal(2, 3, seed=8), 1.5, float("inf")), name="max norm"),
        Sample((normal(2, 3, seed=9), 1.5, 2), name="an int norm_type"),
        Sample((normal(4, seed=10), 1.0), {"error_if_nonfinite": True}, name="checked"),
        Sample((normal(1, 1, seed=11), 0.25), name="a single entry"),
        Sample((torch.zeros(4, dtype=F64), 1.0), name="exact zeros", gradcheck=False),
        Sample(([torch.zeros(2, dtype=F64), normal(2, seed=12)], 1.0), name="a zero tensor"),
        Sample(([torch.zeros(0, dtype=F64), normal(3, seed=13)], 1.0), name="an empty tensor"),
        # no gradients: the norm is torch's default dtype, as torch.nn.utils.clip_grad_norm_
        Sample(([], 1.0), name="no gradients", dtypes=(torch.float32,)),
        *per_dtype(
            "largest values", lambda fi: ((t([fi.max, -fi.max, 1.0]), 1.0), {}), gradcheck=False
        ),
        *per_dtype(
            "largest, max norm", lambda fi: ((t([fi.max, -fi.max]), 1.0, INF), {}), gradcheck=False
        ),
        *per_dtype(
            "largest values, not clipped",
            lambda fi: ((t([fi.max / 4, 0.0]), fi.max / 2), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values",
            lambda fi: ((t([fi.smallest_normal / 4, -fi.smallest_normal / 2]), 1.0), {}),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal values, clipped",
            lambda fi: ((t([fi.smallest_normal / 4, fi.tiny]), fi.smallest_normal / 8), {}),
            gradcheck=False,
        ),
    ]


def _clip_errors() -> tuple[ErrorInput, ...]:
    g = torch.ones(3)
    return (
        ErrorInput(Sample((1.0, 1.0)), TypeError, "tensor or a sequence", "grads"),
        ErrorInput(Sample(([1.0], 1.0)), TypeError, "floating-point tensors", "grads"),
        ErrorInput(Sample((g.long(), 1.0)), TypeError, "floating-point tensors", "grads"),
        ErrorInput(Sample(([g, g.to("meta")], 1.0)), ValueError, "one device", "grads"),
        ErrorInput(Sample((g, 0.0)), ValueError, "finite number", "max_norm"),
        ErrorInput(Sample((g, INF)), ValueError, "finite number", "max_norm"),
        ErrorInput(Sample((g, "1")), TypeError, "real number", "max_norm"),
        ErrorInput(Sample((g, 1.0, 0.5)), ValueError, r"\[1, inf\)", "norm_type"),
        ErrorInput(Sample((g, 1.0, -INF)), ValueError, "finite", "norm_type"),
        ErrorInput(Sample((g, 1.0, True)), TypeError, "real number", "norm_type"),
        ErrorInput(Sample((g, 1.0, 10**400)), ValueError, "too large", "norm_type"),
        ErrorInput(
            Sample((t([1.0, INF]), 1.0), {"error_if_nonfinite": True}),
            ValueError,
            "non-finite total",
            "grads",
        ),
        ErrorInput(
            Sample((g, 1.0), {"error_if_nonfinite": 1}), TypeError, "a bool", "error_if_nonfinite"
        ),
    )


def _clip_oracle(grads, max_norm, norm_type=2.0, *, error_if_nonfinite=False):
    """``torch.nn.utils.clip_grad_norm_`` on parameters holding copies of the gradients."""
    single = isinstance(grads, torch.Tensor)
    params = []
    for g in [grads] if single else grads:
        p = torch.zeros_like(g, requires_grad=True)
        p.grad = g.clone()
        params.append(p)
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    clipped = [p.grad for p in params]
    return (clipped[0] if single else clipped), norm


CLIP_GRAD_NORM = FunctionContract(
    R.clip_grad_norm,
    samples=tuple(_clip_samples()),
    error_inputs=_clip_errors(),
    differentiable=("grads",),
    nan_policy=NanPolicy(
        special=(
            Sample((t([INF, 1.0, -2.0]), 1.0), name="+inf: finite entries 0, inf NaN"),
            Sample(([t([-INF]), t([3.0, 4.0])], 1.0, INF), name="-inf, max norm"),
            Sample((t([NAN, 1.0]), 1.0), name="NaN: all NaN"),
        ),
        oracle=_clip_oracle,
    ),
)

CONTRACTS = (
    CLIP_GRAD_NORM,
    _laplace(R.laplace_bigram, 2, ("eps1", "eps2")),
    _laplace(R.laplace_trigram, 3, ("eps1", "eps3")),
    _laplace(R.laplace_unigram, 1, ("eps",)),
    MARKOV_LOG_PROB,
    PERPLEXITY,
)
