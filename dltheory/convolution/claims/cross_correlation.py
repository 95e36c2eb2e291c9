r"""§ 7.2 Cross-Correlation Operation — what a convolutional layer computes, and its shape.

Main declarations:

* ``convolution.corr2d-definition`` — :math:`Y_{i,j} = \sum_{a,b} X_{i+a,j+b}K_{a,b}` (the
  window's corner at :math:`(i, j)`), against SciPy and ``torch.nn.functional.conv2d``;
* ``convolution.corr2d-output-shape`` — the output is :math:`(n_h - k_h + 1) \times (n_w -
  k_w + 1)`: the corners that keep the window inside the image, proved for general sizes and
  checked on every size up to 12 against ``F.conv2d``.
"""

from __future__ import annotations

import itertools

import scipy.signal
import sympy as sp
import torch
import torch.nn.functional as F

from dltheory.convolution.claims._support import image, image_and_kernel
from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import oracle_input
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("convolution", "7.2 Cross-Correlation Operation")

corr2d_definition = SECTION.claim(
    "corr2d-definition",
    title="The two-dimensional cross-correlation",
    statement=r"Y_{i,j} = \sum_{a=0}^{k_h-1}\sum_{b=0}^{k_w-1} X_{i+a,\,j+b}\,K_{a,b}",
    kind=Kind.DEFINITION,
    code=("corr2d",),
    note="The window slides from the top-left corner, left to right and top to bottom; each "
    "output is the elementwise product of the window with the kernel, summed. The notes give "
    "only its output shape; the operation is the one of (7.1.3) with offsets counted from the "
    "corner.",
    symbolic=NotApplicable("a definition; its output shape is derived in the next claim"),
)


@corr2d_definition.numeric_leg(
    oracle="scipy.signal.correlate2d ('valid'); torch.nn.functional.conv2d; autograd of "
    "F.conv2d for both arguments; torch.autograd.gradcheck / gradgradcheck (float64)"
)
def _(impl, device, dtype) -> None:
    x = image(3, 2, 8, 9, seed=1, dtype=dtype, device=device)
    k = image(3, 4, seed=2, dtype=dtype, device=device)
    got = impl.corr2d(x, k)
    assert got.dtype == dtype and got.device == x.device and got.shape == (3, 2, 6, 6)
    flat = x.reshape(-1, 8, 9)
    for n in range(flat.shape[0]):
        want = scipy.signal.correlate2d(oracle_input(flat[n]), oracle_input(k), mode="valid")
        assert_close(got.reshape(-1, 6, 6)[n], want, msg="corr2d vs scipy.signal.correlate2d")
    builtin = F.conv2d(x.double().reshape(-1, 1, 8, 9), k.double()[None, None]).reshape(got.shape)
    assert_close(got, builtin, dtype=dtype)
    upstream = image(3, 2, 6, 6, seed=3, dtype=dtype, device=device)
    leaves = [t.detach().clone().requires_grad_() for t in (x, k)]
    mine = torch.autograd.grad((impl.corr2d(*leaves) * upstream).sum(), leaves)
    ref = [t.detach().double().requires_grad_() for t in (x, k)]
    out = F.conv2d(ref[0].reshape(-1, 1, 8, 9), ref[1][None, None]).reshape(got.shape)
    want = torch.autograd.grad((out * upstream.double()).sum(), ref)
    for a, b, name in zip(mine, want, ("input", "kernel"), strict=True):
        assert a.dtype == dtype
        assert_close(a, b, dtype=dtype, msg=f"gradient w.r.t. the {name}")
    if dtype == torch.float64:
        small = (x[0, 0, :4, :5].clone().requires_grad_(), k[:2].clone().requires_grad_())
        assert torch.autograd.gradcheck(impl.corr2d, small)
        assert torch.autograd.gradgradcheck(impl.corr2d, small)


@corr2d_definition.property_leg(
    "`corr2d` equals scipy.signal.correlate2d ('valid') on every image of a batch, for "
    "images up to 6 x 6 and kernels that fit (float64)"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, k = case
        got = impl.corr2d(x, k).reshape(
            -1, x.shape[-2] - k.shape[0] + 1, x.shape[-1] - k.shape[1] + 1
        )
        images = x.reshape(-1, *x.shape[-2:])
        return all(
            is_close(got[n], scipy.signal.correlate2d(images[n].numpy(), k.numpy(), mode="valid"))
            for n in range(images.shape[0])
        )

    return ForAll(image_and_kernel(), holds, names=("X", "K"))


corr2d_output_shape = SECTION.claim(
    "corr2d-output-shape",
    title="The output shape of the cross-correlation",
    statement=r"(n_h - k_h + 1) \times (n_w - k_w + 1) \quad "
    r"(1 \le k_h \le n_h,\ 1 \le k_w \le n_w)",
    kind=Kind.THEOREM,
    code=("corr2d", "conv_output_shape"),
    uses=("convolution.corr2d-definition",),
    note="Output (i, j) exists when the window with its corner there lies inside the image: "
    r"$0 \le i$ and $i + k_h - 1 \le n_h - 1$, i.e. $i = 0, \dots, n_h - k_h$.",
)


@corr2d_output_shape.symbolic_leg(scope="general $n$, $k$ ($1 \\le k \\le n$; each dimension)")
def _() -> Derivation:
    k = sp.Symbol("k", integer=True, positive=True)
    extra = sp.Symbol("m", integer=True, nonnegative=True)  # n = k + m >= k
    n = k + extra
    i = sp.Symbol("i", integer=True)
    count = sp.Sum(1, (i, 0, n - k))
    return Derivation(
        steps=[
            Step(
                r"Corners $i$ with the window inside: $0 \le i \le n - k$",
                sp.And(i >= 0, i + k - 1 <= n - 1),
                cites=("convolution.corr2d-definition",),
            ),
            Step("Count them", equation(count, count.doit())),
        ],
        residuals=[count.doit() - (n - k + 1)],
        compared=["the number of corners minus (n - k + 1)"],
    )


#: every (n, k) with 1 <= k <= n <= 12, in each dimension
_SIZES = [(n, k) for n in range(1, 13) for k in range(1, n + 1)]


@corr2d_output_shape.numeric_leg(
    oracle="the shape torch.nn.functional.conv2d returns, for every 1 <= k <= n <= 12 in each "
    "dimension (78 x 78 configurations for conv_output_shape, 78 for corr2d)",
    dtypes=("float64",),  # shapes do not depend on the dtype
)
def _(impl, device, dtype) -> None:
    for (n_h, k_h), (n_w, k_w) in itertools.product(_SIZES, _SIZES):
        got = impl.conv_output_shape((n_h, n_w), (k_h, k_w))
        assert got == (n_h - k_h + 1, n_w - k_w + 1), f"conv_output_shape: {got}"
    for (n_h, k_h), (n_w, k_w) in zip(_SIZES, reversed(_SIZES), strict=True):
        x = torch.zeros(1, 1, n_h, n_w, dtype=dtype, device=device)
        kernel = torch.zeros(1, 1, k_h, k_w, dtype=dtype, device=device)
        want = F.conv2d(x, kernel).shape[-2:]
        assert want == (n_h - k_h + 1, n_w - k_w + 1)
        assert impl.corr2d(x[0, 0], kernel[0, 0]).shape == want, f"corr2d, {(n_h, n_w, k_h, k_w)}"


@corr2d_output_shape.property_leg(
    r"`corr2d` returns shape $(n_h - k_h + 1) \times (n_w - k_w + 1)$ and `conv_output_shape` "
    "says so, for images up to 6 x 6"
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        x, k = case
        want = (x.shape[-2] - k.shape[0] + 1, x.shape[-1] - k.shape[1] + 1)
        shape = impl.conv_output_shape(tuple(x.shape[-2:]), tuple(k.shape))
        return tuple(impl.corr2d(x, k).shape[-2:]) == want == shape

    return ForAll(image_and_kernel(), holds, names=("X", "K"))
