"""Contracts of scaled dot-product and additive attention, and what the attention
declarations share (lengths, masks, the masked-softmax oracle); ``attention.py`` lists them."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from dltheory.attention import reference as R
from dltheory.core.contracts import ErrorInput, FunctionContract, NanPolicy, Sample
from tests.contracts._support import F64, normal, per_dtype, t

INF, NAN = math.inf, math.nan
I64 = torch.int64


def lens(*values: int, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    out = torch.tensor(values, dtype=I64)
    return out if shape is None else out.reshape(shape)


def keep(shape: torch.Size, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """Boolean mask of the valid key positions of scores of ``shape`` (``(..., n, m)``)."""
    if valid_lens is None:
        return torch.ones(shape, dtype=torch.bool)
    per_row = valid_lens if valid_lens.shape == shape[:-1] else valid_lens.unsqueeze(-1)
    return torch.arange(shape[-1]) < per_row.unsqueeze(-1)


def masked_softmax_oracle(scores, valid_lens=None, **_):
    """torch.softmax over the valid positions (masked with -inf), with the declared policy:
    a valid +inf or NaN makes the row NaN, a row with nothing to normalize is all zeros."""
    x = scores.double()
    valid = keep(x.shape, valid_lens)
    masked = x.masked_fill(~valid, -INF)
    out = torch.softmax(masked, dim=-1)
    empty = (masked == -INF).all(dim=-1, keepdim=True)
    bad = (valid & (torch.isnan(x) | (x == INF))).any(dim=-1, keepdim=True)
    return torch.where(bad, NAN, torch.where(empty, 0.0, out)).to(scores.dtype)


# --- scaled dot-product and additive attention ---------------------------------------------------


def _sdpa_oracle(queries, keys, values, valid_lens=None, *, scale=None, validate=True):
    """F.scaled_dot_product_attention in float64 with a boolean mask from the lengths."""
    q, k, v = queries.double(), keys.double(), values.double()
    shape = torch.Size((*torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]), *q.shape[-2:-1]))
    mask = None if valid_lens is None else keep((*shape, k.shape[-2]), valid_lens)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
    return out.to(queries.dtype)


def _qkv(n: int, m: int, d: int, v: int, *batch: int, seed: int) -> tuple[torch.Tensor, ...]:
    return (
        normal(*batch, n, d, seed=seed, scale=1.0),
        normal(*batch, m, d, seed=seed + 1, scale=1.0),
        normal(*batch, m, v, seed=seed + 2, scale=1.0),
    )


_QKV_ERRORS = (
    ErrorInput(
        Sample((torch.zeros(2, 4, 3), torch.zeros(2, 3, 3), torch.zeros(2, 4, 2))),
        ValueError,
        "3 positions",
        "keys",
    ),
    ErrorInput(
        Sample((torch.zeros(2, 3, 5), torch.zeros(2, 4, 5), torch.zeros(2, 4, 6, dtype=F64))),
        TypeError,
        "dtype",
        "values",
    ),
    ErrorInput(
        Sample((torch.zeros(2, 3, 5), torch.zeros(2, 4, 5), torch.zeros(2, 4, 6), lens(1, 2, 3))),
        ValueError,
        "has shape",
        "valid_lens",
    ),
    ErrorInput(
        Sample((torch.zeros(2, 3, 5), torch.zeros(2, 4, 5), torch.zeros(2, 4, 6), lens(1, 9))),
        ValueError,
        "longer than",
        "valid_lens",
    ),
    ErrorInput(
        Sample((torch.zeros(3, 3, 5), torch.zeros(2, 4, 5), torch.zeros(2, 4, 6))),
        ValueError,
        "do not broadcast",
        "queries",
    ),
)

SCALED_DOT_PRODUCT_ATTENTION = FunctionContract(
    R.scaled_dot_product_attention,
    samples=(
        Sample(_qkv(3, 4, 2, 2, seed=0), name="no mask"),
        Sample((*_qkv(3, 4, 2, 2, 2, seed=3), lens(2, 4)), name="lengths per sequence"),
        Sample((*_qkv(3, 4, 2, 2, 2, seed=6), lens(1, 4, 2, 0, 3, 4, shape=(2, 3))), name="per q"),
        Sample((*_qkv(2, 3, 2, 1, seed=9), None), {"scale": 0.25}, name="a scale"),
        Sample(
            (*_qkv(2, 3, 2, 2, 2, seed=12), lens(3, 1)), {"validate": False}, name="unvalidated"
        ),
        Sample((*_qkv(2, 3, 4, 2, seed=15), lens(0, 0)), name="nothing valid: zeros"),
        Sample(
            (normal(2, 2, 3, seed=18), normal(1, 4, 3, seed=19), normal(4, 2, seed=20)),
            name="broadcast batch",
        ),
        Sample(tuple(torch.zeros(s, dtype=F64) for s in ((2, 3), (4, 3), (4, 2))), name="zeros"),
        *per_dtype(
            "largest entries",
            lambda fi: (
                (t([[1.0, 0.0]]), t([[fi.max, 0.0], [-fi.max, 1.0]]), t([[1.0], [2.0]])),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal entries",
            lambda fi: (
                (t([[fi.tiny / 4, 1.0]]), t([[1.0, 0.0], [0.0, fi.tiny]]), t([[fi.tiny], [0.0]])),
                {},
            ),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        *_QKV_ERRORS,
        ErrorInput(
            Sample((torch.zeros(2, 3, 5), torch.zeros(2, 4, 3), torch.zeros(2, 4, 6))),
            ValueError,
            "d = 5",
            "queries",
        ),
        ErrorInput(
            Sample(tuple(torch.zeros(s) for s in ((3, 2), (4, 2), (4, 1))), {"scale": math.inf}),
            ValueError,
            "finite",
            "scale",
        ),
    ),
    differentiable=("queries", "keys", "values"),
    nan_policy=NanPolicy(
        special=(
            Sample((t([[1.0, 0.0]]), t([[-INF, 0.0], [1.0, 1.0]]), t([[5.0], [2.0]])), name="-inf"),
            Sample((t([[INF, 0.0]]), t([[1.0, 0.0], [1.0, 1.0]]), t([[5.0], [2.0]])), name="+inf"),
            Sample(
                (t([[1.0, 0.0]]), t([[1.0, 0.0], [1.0, 1.0]]), t([[INF], [2.0]]), lens(0)),
                name="inf value, nothing valid",
            ),
            Sample(
                (t([[1.0, 0.0]]), t([[1.0, 0.0], [1.0, 1.0]]), t([[1.0], [INF]]), lens(1)),
                name="inf value at a masked key: 0 * inf",
            ),
        ),
        oracle=_sdpa_oracle,
    ),
    unchecked={"validate": False},
)


def _additive_args(n, m, d_q, d_k, v, h, *batch, seed):
    return (
        normal(*batch, n, d_q, seed=seed, scale=1.0),
        normal(*batch, m, d_k, seed=seed + 1, scale=1.0),
        normal(*batch, m, v, seed=seed + 2, scale=1.0),
        normal(h, d_q, seed=seed + 3, scale=1.0),
        normal(h, d_k, seed=seed + 4, scale=1.0),
        normal(h, seed=seed + 5, scale=1.0),
    )


def _zeros(*shapes: tuple[int, ...]) -> tuple[torch.Tensor, ...]:
    """float32 zeros of the shapes (error inputs are used as written)."""
    return tuple(torch.zeros(shape) for shape in shapes)


def _ones() -> tuple[torch.Tensor, torch.Tensor]:
    """W_q = W_k = [[1]]: one hidden unit on scalar queries and keys."""
    return t([[1.0]]), t([[1.0]])


def _with_weights(queries, keys, values, *rest):
    """An error input of scaled dot-product attention, with float32 weights that fit it."""
    h = 2
    weights = (torch.zeros(h, queries.shape[-1]), torch.zeros(h, keys.shape[-1]), torch.zeros(h))
    return (queries, keys, values, *weights, *rest)


def _additive_oracle(queries, keys, values, W_q, W_k, w_v, valid_lens=None, **_):
    """The one-hidden-layer tanh MLP on [q; k] (no biases), then a masked torch.softmax."""
    q, k, v = queries.double(), keys.double(), values.double()
    W = torch.cat([W_q.double(), W_k.double()], dim=1)
    n, m = q.shape[-2], k.shape[-2]
    batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    pairs = torch.cat(
        [
            q.unsqueeze(-2).expand(*batch, n, m, q.shape[-1]),
            k.unsqueeze(-3).expand(*batch, n, m, k.shape[-1]),
        ],
        dim=-1,
    )
    scores = torch.tanh(pairs @ W.T) @ w_v.double()
    weights = masked_softmax_oracle(scores, valid_lens)
    return (weights @ v).to(queries.dtype)


ADDITIVE_ATTENTION = FunctionContract(
    R.additive_attention,
    samples=(
        Sample(_additive_args(3, 4, 2, 5, 3, 6, seed=0), name="d_q != d_k"),
        Sample((*_additive_args(1, 2, 1, 1, 1, 2, seed=6), None), name="tiny (gradgradcheck)"),
        Sample((*_additive_args(3, 4, 2, 3, 2, 4, 2, seed=12), lens(2, 4)), name="lengths"),
        Sample(
            (*_additive_args(2, 3, 2, 2, 1, 3, 2, seed=18), lens(1, 0, 3, 2, shape=(2, 2))),
            {"validate": False},
            name="lengths per query, unvalidated",
        ),
        Sample(
            tuple(
                torch.zeros(s, dtype=F64) for s in ((2, 2), (3, 2), (3, 1), (4, 2), (4, 2), (4,))
            ),
            name="exact zeros",
        ),
        *per_dtype(
            "largest entries",
            lambda fi: (
                (
                    t([[fi.max]]),
                    t([[-fi.max], [1.0]]),
                    t([[1.0], [2.0]]),
                    t([[1.0]]),
                    t([[1.0]]),
                    t([fi.max]),
                ),
                {},
            ),
            gradcheck=False,
        ),
        *per_dtype(
            "subnormal entries",
            lambda fi: (
                (
                    t([[fi.tiny / 4]]),
                    t([[0.0], [fi.tiny]]),
                    t([[fi.tiny], [1.0]]),
                    t([[1.0]]),
                    t([[2.0]]),
                    t([fi.tiny / 2]),
                ),
                {},
            ),
            gradcheck=False,
        ),
    ),
    error_inputs=(
        *(
            ErrorInput(Sample(_with_weights(*e.sample.args)), e.exception, e.match, e.argument)
            for e in _QKV_ERRORS
        ),
        ErrorInput(
            Sample(
                (
                    torch.zeros(3, 2),
                    torch.zeros(4, 5),
                    torch.zeros(4, 1),
                    torch.zeros(6, 3),
                    torch.zeros(6, 5),
                    torch.zeros(6),
                )
            ),
            ValueError,
            r"shape \(h, 2\)",
            "W_q",
        ),
        ErrorInput(
            Sample(
                (
                    torch.zeros(3, 2),
                    torch.zeros(4, 5),
                    torch.zeros(4, 1),
                    torch.zeros(6, 2),
                    torch.zeros(6, 4),
                    torch.zeros(6),
                )
            ),
            ValueError,
            r"shape \(6, 5\)",
            "W_k",
        ),
        ErrorInput(
            Sample(
                (
                    torch.zeros(3, 2),
                    torch.zeros(4, 5),
                    torch.zeros(4, 1),
                    torch.zeros(6, 2),
                    torch.zeros(6, 5),
                    torch.zeros(5),
                )
            ),
            ValueError,
            r"shape \(6,\)",
            "w_v",
        ),
        ErrorInput(
            Sample(
                (
                    torch.zeros(3, 2),
                    torch.zeros(4, 5),
                    torch.zeros(4, 1),
                    torch.zeros(6, 2, dtype=F64),
                    torch.zeros(6, 5),
                    torch.zeros(6),
                )
            ),
            TypeError,
            "dtype",
            "W_q",
        ),
    ),
    differentiable=("queries", "keys", "values", "W_q", "W_k", "w_v"),
    nan_policy=NanPolicy(
        special=(
            Sample(
                (
                    t([[INF]]),
                    t([[1.0], [-1.0]]),
                    t([[1.0], [3.0]]),
                    t([[1.0]]),
                    t([[1.0]]),
                    t([2.0]),
                ),
                name="a query at inf: tanh saturates",
            ),
            Sample(
                (
                    t([[0.0]]),
                    t([[1.0], [2.0]]),
                    t([[1.0], [INF]]),
                    t([[1.0]]),
                    t([[1.0]]),
                    t([1.0]),
                    lens(1),
                ),
                name="inf value at a masked key: 0 * inf",
            ),
        ),
        oracle=_additive_oracle,
    ),
    unchecked={"validate": False},
)
