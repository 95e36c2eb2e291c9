r"""§ 8 Residual Networks (ResNet) and ResNeXt — the notes' heading is empty; the standard results
are filled in as additions.

Main declarations:

* ``normalization.residual-block-definition`` — :math:`\operatorname{ReLU}(f(\mathbf{x}) +
  \operatorname{shortcut}(\mathbf{x}))` with :math:`f` = conv, BN, ReLU, conv, BN (against the
  block written with ``torch.nn.functional``);
* ``normalization.residual-zero-branch-identity`` — with the last batch norm's
  :math:`\gamma_2 = \beta_2 = 0` the block is :math:`\operatorname{ReLU}(\mathbf{x})`: the
  identity on the nonnegative outputs of a previous block;
* ``normalization.residual-jacobian`` — :math:`\partial(f(\mathbf{x}) + \mathbf{x})/\partial
  \mathbf{x} = I + \partial f/\partial\mathbf{x}`;
* ``normalization.shortcut-shape-rule`` — a :math:`1 \times 1` convolution with stride
  :math:`s` has the output shape of the :math:`k \times k` "same" convolution with stride
  :math:`s`: :math:`\lfloor (n - 1)/s \rfloor + 1`;
* ``normalization.grouped-convolution`` — ResNeXt's :math:`g` groups cut the weights of a
  convolution by :math:`g` and equal the dense convolution with a block-diagonal kernel.
"""

from __future__ import annotations

import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dltheory.core.claim import Derivation, ForAll, Kind, NotApplicable, Section, Step
from dltheory.core.samples import randn
from dltheory.core.symbolic import equation
from dltheory.core.tolerances import assert_close, is_close

SECTION = Section("normalization", "8 Residual Networks (ResNet) and ResNeXt")

ADDITION = "8 Residual Networks (ResNet) and ResNeXt (addition: the heading is empty)"


def oracle_branch(x, kw, stride: int, groups: int):
    """The oracle's branch f: torch.nn.functional conv2d and batch_norm (training), float64."""
    k = kw["weight1"].shape[-1]

    def bn(y, g, b):
        return F.batch_norm(y, None, None, g.double(), b.double(), training=True)

    y = F.conv2d(x, kw["weight1"].double(), stride=stride, padding=k // 2, groups=groups)
    y = torch.relu(bn(y, kw["gamma1"], kw["beta1"]))
    y = F.conv2d(y, kw["weight2"].double(), padding=k // 2, groups=groups)
    return bn(y, kw["gamma2"], kw["beta2"])


def oracle_shortcut(x, kw, stride: int):
    if "shortcut_weight" not in kw:
        return x
    bias = kw["shortcut_bias"].double()
    return F.conv2d(x, kw["shortcut_weight"].double(), bias, stride=stride)


def oracle(x, kw, stride: int, groups: int):
    """ReLU(f(x) + shortcut(x)) from torch.nn.functional, float64."""
    return torch.relu(oracle_branch(x, kw, stride, groups) + oracle_shortcut(x, kw, stride))


def _block(c_in, c_out, k, stride, groups, shortcut, seed, dtype, device):
    """Random block parameters rounded to ``dtype``, and the float64 oracle on those values."""
    del stride  # the parameters do not depend on it
    tensors = {
        "weight1": randn(c_out, c_in // groups, k, k, seed=seed, scale=0.5),
        "weight2": randn(c_out, c_out // groups, k, k, seed=seed + 1, scale=0.5),
        "gamma1": randn(c_out, seed=seed + 2, scale=0.3) + 1,
        "beta1": randn(c_out, seed=seed + 3, scale=0.3),
        "gamma2": randn(c_out, seed=seed + 4, scale=0.3) + 1,
        "beta2": randn(c_out, seed=seed + 5, scale=0.3),
    }
    if shortcut:
        tensors["shortcut_weight"] = randn(c_out, c_in, 1, 1, seed=seed + 6)
        tensors["shortcut_bias"] = randn(c_out, seed=seed + 7, scale=0.3)
    return {name: t.to(dtype).to(device) for name, t in tensors.items()}


def _call(impl, xs, kwargs, stride, groups):
    w1, w2 = kwargs["weight1"], kwargs["weight2"]
    rest = {k: v for k, v in kwargs.items() if k not in ("weight1", "weight2")}
    return impl.residual_block(xs, w1, w2, stride=stride, groups=groups, **rest)


#: (C_in, C_out, k, stride, groups, 1x1 shortcut, input size)
CONFIGS = [
    (2, 2, 3, 1, 1, False, (3, 2, 5, 5)),
    (2, 4, 3, 2, 1, True, (2, 2, 6, 7)),
    (4, 4, 3, 1, 2, False, (2, 4, 4, 4)),
    (3, 6, 5, 3, 3, True, (2, 3, 7, 5)),
]

residual_block_definition = SECTION.claim(
    "residual-block-definition",
    title="The residual block",
    statement=r"\mathbf{y} = \operatorname{ReLU}\bigl(f(\mathbf{x}) + \operatorname{shortcut}"
    r"(\mathbf{x})\bigr),\quad f = \mathrm{BN}_2 \circ \operatorname{conv}_2 \circ "
    r"\operatorname{ReLU} \circ \mathrm{BN}_1 \circ \operatorname{conv}_1",
    kind=Kind.DEFINITION,
    source=ADDITION,
    code=("residual_block",),
    note=r"Addition: ResNet's basic block. The convolutions are $k \times k$ with padding "
    r"$(k-1)/2$ and no bias (batch normalization absorbs it: "
    r"normalization.batch-norm-absorbs-bias); the shortcut is the identity, or a $1 \times 1$ "
    r"convolution with the first convolution's stride when the shape changes.",
    symbolic=NotApplicable("a definition (a composition of layers); its properties follow"),
)


@residual_block_definition.numeric_leg(
    oracle="the block written with torch.nn.functional conv2d / batch_norm (training) / relu, "
    "float64; "
    "gradcheck and gradgradcheck with respect to the input and every parameter (float64)"
)
def _(impl, device, dtype) -> None:
    for seed, (c_in, c_out, k, stride, groups, shortcut, shape) in enumerate(CONFIGS):
        kwargs = _block(c_in, c_out, k, stride, groups, shortcut, 300 + 10 * seed, dtype, device)
        xs = randn(*shape, seed=390 + seed).to(dtype).to(device)
        got = _call(impl, xs, kwargs, stride, groups)
        assert got.dtype == dtype and got.device == xs.device
        assert_close(
            got, oracle(xs.double(), kwargs, stride, groups), dtype=dtype, msg=f"config {seed}"
        )
    if dtype == torch.float64:
        kwargs = _block(2, 2, 3, 1, 1, True, 399, dtype, device)
        xs = randn(2, 2, 3, 3, seed=398).to(device).requires_grad_()
        names = sorted(kwargs)
        leaves = [kwargs[name].clone().requires_grad_() for name in names]

        def fn(x_, *params):
            return _call(impl, x_, dict(zip(names, params, strict=True)), 1, 1)

        # fast mode: the Jacobians are compared along random directions (torch's own option)
        assert torch.autograd.gradcheck(fn, (xs, *leaves), fast_mode=True)
        assert torch.autograd.gradgradcheck(fn, (xs, *leaves), fast_mode=True)


@st.composite
def _configs(draw):
    groups = draw(st.integers(1, 2))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    stride = draw(st.integers(1, 2))
    shortcut = draw(st.booleans()) or c_in != c_out or stride != 1
    size = (draw(st.integers(1, 3)), c_in, draw(st.integers(2, 5)), draw(st.integers(2, 5)))
    return (
        c_in,
        c_out,
        draw(st.sampled_from([1, 3])),
        stride,
        groups,
        shortcut,
        size,
        draw(st.integers(0, 10_000)),
    )


@residual_block_definition.property_leg(
    r"for random channel counts, groups, strides, kernels $1$ or $3$ and input sizes, the "
    r"block equals the one written with torch.nn.functional (float64 tolerance)",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        c_in, c_out, k, stride, groups, shortcut, size, seed = case
        kwargs = _block(c_in, c_out, k, stride, groups, shortcut, seed, torch.float64, "cpu")
        xs = randn(*size, seed=seed + 50)
        try:
            got = _call(impl, xs, kwargs, stride, groups)
        except ValueError:  # a single value per channel after the first convolution
            out_positions = ((size[2] - 1) // stride + 1) * ((size[3] - 1) // stride + 1)
            return size[0] * out_positions < 2
        return is_close(got, oracle(xs, kwargs, stride, groups))

    return ForAll(_configs(), holds, names=("configuration",))


residual_zero_branch_identity = SECTION.claim(
    "residual-zero-branch-identity",
    title="A residual block with its last batch norm zeroed is the identity on its inputs",
    statement=r"\gamma_2 = \beta_2 = 0 \Rightarrow f(\mathbf{x}) = \mathbf{0},\ "
    r"\mathbf{y} = \operatorname{ReLU}(\mathbf{x}) = \mathbf{x} \ \text{ for } \mathbf{x} \ge 0",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("residual_block",),
    note=r"Addition. The inputs of a block are the ReLU outputs of the previous one, so "
    r"$\mathbf{x} \ge 0$ and a block can represent the identity exactly: adding blocks never "
    r"has to make the function class worse (and initializing $\gamma_2 = 0$ starts every block "
    r"there). The same holds with $W_2 = 0$ and $\beta_2 = 0$.",
)


@residual_zero_branch_identity.symbolic_leg(scope="every input $x \\ge 0$ (general)")
def _() -> Derivation:
    x_ = sp.Symbol("x", nonnegative=True)
    z, g2, b2 = sp.symbols("z gamma_2 beta_2", real=True)
    branch = g2 * z + b2  # the last batch norm's output, z the standardized value
    block = sp.Max(0, branch + x_)
    zeroed = block.subs({g2: 0, b2: 0})
    return Derivation(
        steps=[
            Step(r"The block, with $z$ the last batch norm's standardized value", block),
            Step(r"$\gamma_2 = \beta_2 = 0$ silences the branch", equation(block, zeroed)),
        ],
        residuals=[branch.subs({g2: 0, b2: 0}), zeroed - x_],
        compared=[r"the branch's output", r"the block's output minus $x$ ($x \ge 0$)"],
    )


@residual_zero_branch_identity.numeric_leg(
    oracle="the input itself, bit for bit (ReLU outputs of a previous block as input)"
)
def _(impl, device, dtype) -> None:
    for seed, (c_in, c_out, k, stride, groups, shortcut, shape) in enumerate(CONFIGS):
        if shortcut:
            continue  # the 1x1 shortcut is not the identity
        kwargs = _block(c_in, c_out, k, stride, groups, shortcut, 400 + 10 * seed, dtype, device)
        xs = torch.relu(randn(*shape, seed=490 + seed)).to(dtype).to(device)
        for zeroed in ({"gamma2": 0.0, "beta2": 0.0}, {"weight2": 0.0, "beta2": 0.0}):
            changed = dict(kwargs)
            for name, value in zeroed.items():
                changed[name] = torch.full_like(kwargs[name], value)
            got = _call(impl, xs, changed, stride, groups)
            assert torch.equal(got, xs), f"zeroed {sorted(zeroed)}: the block is not the identity"


@residual_zero_branch_identity.property_leg(
    r"for random weights and nonnegative inputs, the block with $\gamma_2 = \beta_2 = 0$ "
    r"returns its input bit for bit",
)
def _(impl) -> ForAll:
    def holds(case) -> bool:
        c_in, _, k, _, groups, _, size, seed = case
        kwargs = _block(c_in, c_in, k, 1, groups, False, seed, torch.float64, "cpu")
        kwargs["gamma2"] = torch.zeros_like(kwargs["gamma2"])
        kwargs["beta2"] = torch.zeros_like(kwargs["beta2"])
        xs = torch.relu(randn(*size, seed=seed + 60))
        if size[0] * size[2] * size[3] < 2:
            return True  # batch statistics need two values per channel
        return torch.equal(_call(impl, xs, kwargs, 1, groups), xs)

    return ForAll(_configs(), holds, names=("configuration",))


residual_jacobian = SECTION.claim(
    "residual-jacobian",
    title="The Jacobian of a residual connection is I + ∂f/∂x",
    statement=r"\frac{\partial (f(\mathbf{x}) + \mathbf{x})}{\partial \mathbf{x}} = I + "
    r"\frac{\partial f}{\partial \mathbf{x}},\qquad \frac{\partial \mathbf{y}}{\partial "
    r"\mathbf{x}} = D\Bigl(I + \frac{\partial f}{\partial \mathbf{x}}\Bigr),\ "
    r"D = \operatorname{diag}[f(\mathbf{x}) + \mathbf{x} > 0]",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("residual_block",),
    note=r"Addition. The identity term carries the gradient through the block unattenuated "
    r"(where the final ReLU is active), however small $\partial f/\partial\mathbf{x}$ is. "
    r"With batch statistics $f$ couples the examples, so $\mathbf{x}$ is the whole batch.",
)


@residual_jacobian.symbolic_leg(
    scope="for $n = 2, 3, 4$ inputs, any differentiable $f$", general=False
)
def _() -> Derivation:
    residuals, steps = [], []
    for size in (2, 3, 4):
        xs = sp.symbols(f"x_1:{size + 1}", real=True)
        f = sp.Matrix([sp.Function(f"f_{r + 1}")(*xs) for r in range(size)])
        jac = (f + sp.Matrix(xs)).jacobian(xs)
        residuals.append(jac - f.jacobian(xs) - sp.eye(size))
        if size == 2:
            steps.append(Step(r"$n = 2$: the Jacobian of $f(\mathbf{x}) + \mathbf{x}$", jac))
    return Derivation(
        steps=steps,
        residuals=[entry for matrix in residuals for entry in matrix],
        compared=[r"each entry of $J_{f + \mathrm{id}} - J_f - I$ for $n = 2, 3, 4$"]
        + [""] * (4 + 9 + 16 - 1),
    )


@residual_jacobian.numeric_leg(
    oracle="vector-Jacobian products along random directions u: the block's (autograd) against "
    "(D u)^T (I + J_f) with J_f from the torch.nn.functional branch (float64); D from the "
    "block's own output",
    dtypes=("float64", "float32"),
)
def _(impl, device, dtype) -> None:
    # float16/bfloat16 round every product; the identity is checked where the dtype's
    # tolerance can see a missing I or a wrong J_f
    for seed, shortcut in ((0, False), (1, True)):
        c_out = 2 if not shortcut else 3
        kwargs = _block(2, c_out, 3, 1, 1, shortcut, 500 + 10 * seed, dtype, device)
        xs = randn(2, 2, 3, 3, seed=510 + seed).to(dtype).to(device)
        for direction in range(3):
            u = randn(2, c_out, 3, 3, seed=520 + 10 * seed + direction).to(dtype).to(device)
            y, got = torch.autograd.functional.vjp(
                lambda a, kw=kwargs: _call(impl, a, kw, 1, 1), xs, u
            )
            du = (u * (y > 0)).double()
            x64 = xs.double()
            _, through_f = torch.autograd.functional.vjp(
                lambda a, kw=kwargs: oracle_branch(a, kw, 1, 1), x64, du
            )
            _, through_skip = torch.autograd.functional.vjp(
                lambda a, kw=kwargs: oracle_shortcut(a, kw, 1), x64, du
            )
            assert_close(got, through_skip + through_f, dtype=dtype, msg=f"shortcut={shortcut}")


@residual_jacobian.property_leg(
    r"for random blocks with the identity shortcut and a random direction $\mathbf{u}$, "
    r"$\mathbf{u}^\top \partial\mathbf{y}/\partial\mathbf{x} = (D\mathbf{u})^\top(I + J_f)$ "
    r"with $J_f$ from the torch.nn-built branch (float64 tolerance)",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        channels = draw(st.integers(1, 2))
        size = (2, channels, draw(st.integers(2, 3)), draw(st.integers(2, 3)))
        return channels, size, draw(st.integers(0, 10_000))

    def holds(case) -> bool:
        channels, size, seed = case
        kwargs = _block(channels, channels, 3, 1, 1, False, seed, torch.float64, "cpu")
        xs = randn(*size, seed=seed + 70)
        u = randn(*size, seed=seed + 71)
        y, got = torch.autograd.functional.vjp(lambda a: _call(impl, a, kwargs, 1, 1), xs, u)
        du = u * (y > 0)
        _, through_f = torch.autograd.functional.vjp(
            lambda a: oracle_branch(a, kwargs, 1, 1), xs, du
        )
        return is_close(got, du + through_f)

    return ForAll(cases(), holds, names=("block",))


shortcut_shape_rule = SECTION.claim(
    "shortcut-shape-rule",
    title="The 1×1 shortcut has the shape of the strided “same” convolution",
    statement=r"\Bigl\lfloor\frac{n - 1 + 0 + s}{s}\Bigr\rfloor = \Bigl\lfloor\frac{n - k + "
    r"(k - 1) + s}{s}\Bigr\rfloor = \Bigl\lfloor\frac{n - 1}{s}\Bigr\rfloor + 1",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("residual_block",),
    note=r"Addition. With the notes' output size $\lfloor (n - k + p + s)/s \rfloor$ (total "
    r"padding $p$): a $1 \times 1$ kernel without padding and a $k \times k$ kernel with "
    r"$p = k - 1$ give the same size for every stride, so the shortcut's output can be added "
    r"to the branch's. The identity shortcut fits only when $s = 1$ and the channels agree.",
)


@shortcut_shape_rule.symbolic_leg(scope="general $n$, odd $k$, $s$")
def _() -> Derivation:
    size, stride, k = sp.symbols("n s k", integer=True, positive=True)
    one_by_one = sp.floor((size - 1 + 0 + stride) / stride)
    same = sp.floor((size - k + (k - 1) + stride) / stride)
    return Derivation(
        steps=[
            Step(r"$1 \times 1$ kernel, no padding", equation(sp.Symbol("n_{1x1}"), one_by_one)),
            Step(
                r"$k \times k$ kernel, padding $k - 1$ in total", equation(sp.Symbol("n_k"), same)
            ),
            Step(
                r"and $\lfloor (n - 1 + s)/s \rfloor = \lfloor (n - 1)/s \rfloor + 1$",
                equation(one_by_one, sp.floor((size - 1) / stride) + 1),
            ),
        ],
        residuals=[
            sp.simplify(one_by_one - same),
            sp.simplify(one_by_one - sp.floor((size - 1) / stride) - 1),
        ],
        compared=[r"the two output sizes", r"the size minus $\lfloor (n-1)/s \rfloor + 1$"],
    )


@shortcut_shape_rule.numeric_leg(
    oracle="the formula floor((n - 1)/s) + 1 and torch.nn.functional.conv2d's output shape; "
    "the identity shortcut across a change of shape raises ValueError"
)
def _(impl, device, dtype) -> None:
    for seed, (h, w, stride, k) in enumerate([(5, 5, 2, 3), (7, 4, 3, 5), (6, 9, 2, 1)]):
        kwargs = _block(2, 3, k, stride, 1, True, 600 + 10 * seed, dtype, device)
        xs = randn(2, 2, h, w, seed=690 + seed).to(dtype).to(device)
        got = _call(impl, xs, kwargs, stride, 1)
        want = (2, 3, (h - 1) // stride + 1, (w - 1) // stride + 1)
        short = torch.nn.functional.conv2d(
            xs.double(), kwargs["shortcut_weight"].double(), stride=stride
        )
        assert tuple(got.shape) == want == tuple(short.shape), (got.shape, want, short.shape)
        identity = {n: v for n, v in kwargs.items() if not n.startswith("shortcut")}
        try:
            _call(impl, xs, identity, stride, 1)
        except ValueError:
            continue
        raise AssertionError("the identity shortcut was accepted across a change of shape")


@shortcut_shape_rule.property_leg(
    r"for random sizes, strides and odd kernels, the block's output has "
    r"$\lfloor (n - 1)/s \rfloor + 1$ rows and columns",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        return (
            draw(st.integers(1, 9)),
            draw(st.integers(1, 9)),
            draw(st.integers(1, 4)),
            draw(st.sampled_from([1, 3, 5])),
        )

    def holds(case) -> bool:
        h, w, stride, k = case
        kwargs = _block(1, 2, k, stride, 1, True, h * 100 + w, torch.float64, "cpu")
        got = _call(impl, randn(2, 1, h, w, seed=h + w), kwargs, stride, 1)
        return tuple(got.shape) == (2, 2, (h - 1) // stride + 1, (w - 1) // stride + 1)

    return ForAll(cases(), holds, names=("size",))


grouped_convolution = SECTION.claim(
    "grouped-convolution",
    title="ResNeXt's grouped convolutions: g times fewer weights, a block-diagonal kernel",
    statement=r"\#W_g = \frac{k^2 c_i c_o}{g},\qquad \operatorname{conv}_g(\mathbf{x}; W) = "
    r"\operatorname{conv}(\mathbf{x}; \operatorname{blockdiag}(W^{(1)}, \dots, W^{(g)}))",
    kind=Kind.THEOREM,
    source=ADDITION,
    code=("residual_block",),
    note=r"Addition (ResNeXt): splitting $c_i$ input and $c_o$ output channels into $g$ groups "
    r"connects each output channel to $c_i/g$ inputs only. The block with `groups=g` equals "
    r"the block with `groups=1` and the zero-padded block-diagonal kernels.",
)


@grouped_convolution.symbolic_leg(scope="general $k$, $c_i$, $c_o$, $g$")
def _() -> Derivation:
    k, ci, co, g = sp.symbols("k c_i c_o g", integer=True, positive=True)
    per_group = k**2 * (ci / g) * (co / g)
    total = g * per_group
    return Derivation(
        steps=[
            Step(r"Each group: $c_o/g$ kernels over $c_i/g$ channels", per_group),
            Step(r"$g$ groups", equation(total, sp.simplify(total))),
            Step(r"against the dense $k^2 c_i c_o$", sp.simplify(total / (k**2 * ci * co))),
        ],
        residuals=[sp.simplify(total - k**2 * ci * co / g)],
        compared=[r"the grouped weight count minus $k^2 c_i c_o / g$"],
    )


def _block_diagonal(w: torch.Tensor, groups: int) -> torch.Tensor:
    """A grouped kernel ``(c_o, c_i/g, k, k)`` as the dense ``(c_o, c_i, k, k)`` it stands for."""
    c_out, per_in = w.shape[0], w.shape[1]
    dense = torch.zeros(c_out, per_in * groups, *w.shape[2:], dtype=w.dtype, device=w.device)
    per_out = c_out // groups
    for j in range(groups):
        rows = slice(j * per_out, (j + 1) * per_out)
        dense[rows, j * per_in : (j + 1) * per_in] = w[rows]
    return dense


@grouped_convolution.numeric_leg(
    oracle="the torch.nn-built block with groups=g (float64); the block with groups=1 and "
    "block-diagonal kernels"
)
def _(impl, device, dtype) -> None:
    for seed, groups in enumerate((2, 4)):
        kwargs = _block(4, 8, 3, 1, groups, True, 700 + 10 * seed, dtype, device)
        assert kwargs["weight1"].numel() == 3 * 3 * 4 * 8 // groups
        xs = randn(2, 4, 4, 4, seed=790 + seed).to(dtype).to(device)
        got = _call(impl, xs, kwargs, 1, groups)
        want = oracle(xs.double(), kwargs, 1, groups)
        assert_close(got, want, dtype=dtype, msg=f"groups = {groups}")
        dense = dict(kwargs)
        dense["weight1"] = _block_diagonal(kwargs["weight1"], groups)
        dense["weight2"] = _block_diagonal(kwargs["weight2"], groups)
        assert_close(_call(impl, xs, dense, 1, 1), want, dtype=dtype)


@grouped_convolution.property_leg(
    r"for random groups $g \in \{1, 2, 3\}$ and channel counts, the grouped block equals the "
    r"block with block-diagonal kernels (float64 tolerance)",
)
def _(impl) -> ForAll:
    @st.composite
    def cases(draw):
        g = draw(st.integers(1, 3))
        return (
            g,
            g * draw(st.integers(1, 2)),
            g * draw(st.integers(1, 2)),
            draw(st.integers(0, 10_000)),
        )

    def holds(case) -> bool:
        g, c_in, c_out, seed = case
        kwargs = _block(c_in, c_out, 3, 1, g, True, seed, torch.float64, "cpu")
        xs = randn(2, c_in, 3, 3, seed=seed + 80)
        dense = dict(kwargs)
        dense["weight1"] = _block_diagonal(kwargs["weight1"], g)
        dense["weight2"] = _block_diagonal(kwargs["weight2"], g)
        return is_close(_call(impl, xs, kwargs, 1, g), _call(impl, xs, dense, 1, 1))

    return ForAll(cases(), holds, names=("groups, C_in, C_out, seed",))
