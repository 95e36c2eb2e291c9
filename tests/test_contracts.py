"""The contract suite: generic checks run over every declared public reference function.

Each chapter declares its functions in ``tests/contracts/<chapter>.py`` (``CONTRACTS``, see
:mod:`dltheory.core.contracts`); every test here is parametrized over those declarations, with
ids ``<chapter>.<function>-<dtype>``: as in PyTorch's OpInfo tests, one test per function and
dtype runs every sample it applies to, and a failure names the sample (an exception note). A
function of a new chapter gets all of it by declaring itself, and
:func:`test_every_public_function_is_declared` fails until it does.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import math
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
import torch

import dltheory
import tests.contracts
from dltheory.core.contracts import FunctionContract, Sample, materialize
from dltheory.core.tolerances import assert_close, tolerance

LOW = (torch.float16, torch.bfloat16)
CUDA = torch.cuda.is_available()


def _declarations() -> list[FunctionContract]:
    out: list[FunctionContract] = []
    for info in pkgutil.iter_modules(tests.contracts.__path__):
        if not info.name.startswith("_"):
            out += importlib.import_module(f"tests.contracts.{info.name}").CONTRACTS
    return out


def _public_functions() -> dict[str, Any]:
    """``<chapter>.<name>`` -> object, for every name in ``__all__`` of every
    ``dltheory.<chapter>.reference`` (found with pkgutil, so new chapters count too)."""
    out = {}
    for info in pkgutil.iter_modules(dltheory.__path__):
        name = f"dltheory.{info.name}.reference"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            out.update({f"{info.name}.{f}": getattr(module, f) for f in module.__all__})
    return out


CONTRACTS = _declarations()


def _dtype_name(dtype: torch.dtype | None) -> str:
    return "nodtype" if dtype is None else str(dtype).removeprefix("torch.")


def _cases(dtypes=None, *, only=lambda c, s: True, gradients=False, special=False, once=False):
    """pytest params ``(contract, dtype, samples)`` with ids ``name-dtype``, ``samples`` a
    tuple of ``(label, sample)``: ``gradients``, only samples with a differentiable floating
    tensor; ``once``, each sample in the first dtype it runs in (for checks that do not
    depend on the dtype)."""
    params = []
    for c in CONTRACTS:
        keep = _with_gradients(only) if gradients else only
        samples = c.nan_policy.special if special else c.samples
        kind = "special" if special else "sample"
        groups: dict[Any, list[tuple[str, Sample]]] = {}
        for i, s in enumerate(samples):
            chosen = [d for d in c.dtypes or (None,) if dtypes is None or d in dtypes]
            chosen = [d for d in chosen if s.runs_in(d) and keep(c, s)]
            for dtype in chosen[:1] if once else chosen:
                groups.setdefault(dtype, []).append((f"{kind}{i}", s))
        for dtype, group in groups.items():
            ident = f"{c.name}-{_dtype_name(dtype)}" + ("-special" if special else "")
            params.append(pytest.param(c, dtype, tuple(group), id=ident))
    return params


@contextlib.contextmanager
def _about(c: FunctionContract, label: str, dtype) -> Iterator[None]:
    """Name the sample (``label``, e.g. ``sample3``) in any exception raised inside."""
    try:
        yield
    except BaseException as error:
        error.add_note(f"in {c.name}, {label}, dtype {_dtype_name(dtype)}")
        raise


# --- calling a declared function ------------------------------------------------------------


def _call(c: FunctionContract, s: Sample, dtype, device="cpu", *, unchecked=False, **replace):
    """Call ``c.function`` on fresh copies of ``s``'s arguments (in ``dtype`` on ``device``);
    ``replace`` substitutes arguments by name, ``unchecked`` merges ``c.unchecked``."""
    bound = c.bind(s, *materialize(s.args, dtype, device), **materialize(s.kwargs, dtype, device))
    if unchecked:
        bound.arguments.update(c.unchecked)
    bound.arguments.update(replace)
    return c.function(*bound.args, **bound.kwargs)


def _with_gradients(only):
    def wanted(c: FunctionContract, s: Sample) -> bool:
        bound = c.bind(s).arguments
        return only(c, s) and any(_is_float_tensor(bound.get(n)) for n in c.differentiable)

    return wanted


def _has_tensors(c: FunctionContract, s: Sample) -> bool:
    return bool(_sample_tensors([*s.args, *s.kwargs.values()]))


def _leaves(value: Any) -> Iterator[Any]:
    """The tensors (and other scalars) of a result that may be a tuple, list or dict."""
    if isinstance(value, tuple | list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    else:
        yield value


def _tensors(value: Any) -> list[torch.Tensor]:
    return [v for v in _leaves(value) if isinstance(v, torch.Tensor)]


def _floating(value: Any) -> list[torch.Tensor]:
    return [v for v in _tensors(value) if v.is_floating_point()]


def _sample_tensors(args: Any) -> list[torch.Tensor]:
    return _tensors(list(args))


def _assert_identical(actual: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    """Same dtype, shape and values, NaN where NaN (``torch.equal`` with NaN equal to NaN)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, what
    nan = (
        torch.isnan(actual) if actual.is_floating_point() else torch.zeros_like(actual, dtype=bool)
    )
    assert torch.equal(nan, torch.isnan(expected) if expected.is_floating_point() else nan), what
    assert torch.equal(actual[~nan], expected[~nan]), f"{what}: {actual} != {expected}"


def _assert_matches(actual: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    """NaN where NaN, infinities equal, the rest close at the table's tolerance."""
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    nan = torch.isnan(actual)
    assert torch.equal(nan, torch.isnan(expected.to(actual.device))), f"{what}: NaN at {nan}"
    assert_close(actual[~nan], expected.to(actual.device)[~nan], msg=what)


def _named(c: FunctionContract, s: Sample) -> str:
    return f"{c.name}({s.name or 'sample'})"


# --- every public function is declared -------------------------------------------------------


def test_every_public_function_is_declared():
    public = _public_functions()
    declared = {c.name: c.function for c in CONTRACTS}
    assert public, "no public reference functions found"
    missing = sorted(set(public) - set(declared))
    assert not missing, f"public functions without a contract (tests/contracts/): {missing}"
    unknown = sorted(set(declared) - set(public))
    assert not unknown, f"contracts for functions that are not public: {unknown}"
    for name, function in public.items():
        assert declared[name] is function, f"{name}: the contract declares another object"
    assert len(declared) == len(CONTRACTS), "a function is declared twice"


@pytest.mark.parametrize("c", CONTRACTS, ids=lambda c: c.name)
def test_declaration_covers_what_it_claims(c: FunctionContract):
    """Every differentiable argument is a floating tensor in some gradchecked sample, every
    argument whose NaN raises is one in ``samples[0]``, and the docstring states the policy."""
    if c.differentiable and torch.float64 in c.dtypes:
        covered = set()
        for s in c.samples:
            if s.gradcheck and s.runs_in(torch.float64):
                bound = c.bind(s).arguments
                covered |= {n for n in c.differentiable if _is_float_tensor(bound.get(n))}
        assert covered == set(c.differentiable), (
            f"never gradchecked: {set(c.differentiable) - covered}"
        )
    first = c.bind(c.samples[0]).arguments
    for name in c.nan_policy.raises:
        assert _is_float_tensor(first.get(name)), f"{name} is not a floating tensor in samples[0]"
    assert bool(c.nan_policy.special) == (c.nan_policy.oracle is not None)
    assert "NaN and inf:" in (c.function.__doc__ or ""), "declare the policy in the docstring"
    if any(not s.meta for s in c.samples):  # a sample that needs values: declare the error
        on_meta = [e for e in c.error_inputs if _on_meta(e.sample)]
        assert on_meta, "a sample has meta=False but no error input on the meta device"


def _on_meta(s: Sample) -> bool:
    return any(t.device.type == "meta" for t in _sample_tensors([*s.args, *s.kwargs.values()]))


def _is_float_tensor(value: Any) -> bool:
    return isinstance(value, torch.Tensor) and value.is_floating_point()


# --- meta tensors ---------------------------------------------------------------------------
# First in the file on purpose: the first meta calls import SymPy and torch._dynamo (seconds),
# and with these items at the front, pytest-xdist's first batch sends them all to one worker.


def _structure(value: Any) -> Any:
    """What a ``meta`` call can see of an argument: a tensor's shape and dtype, not its values."""
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape), value.dtype)
    if isinstance(value, tuple | list):
        return tuple(_structure(v) for v in value)
    if isinstance(value, torch.Generator):
        return "generator"
    return repr(value)


def _new_structure():
    """``only`` for :func:`_cases`: samples whose structure no earlier sample had."""
    seen = set()

    def new(c: FunctionContract, s: Sample) -> bool:
        key = (c.name, _structure([*s.args, *sorted(s.kwargs.items())]))
        if key in seen or not (s.meta and _has_tensors(c, s)):
            return False
        seen.add(key)
        return True

    return new


@pytest.mark.parametrize(("c", "dtype", "samples"), _cases(only=_new_structure(), once=True))
def test_meta_tensors_give_meta_results(c, dtype, samples):
    """Once per structure (shapes, dtypes, other arguments): meta tensors carry no values."""
    for label, s in samples:
        with _about(c, label, dtype):
            want = _tensors(_call(c, s, dtype))
            got = _tensors(_call(c, s, dtype, "meta"))
            assert len(got) == len(want), _named(c, s)
            for g, w in zip(got, want, strict=True):
                assert g.device.type == "meta", _named(c, s)
                assert (g.shape, g.dtype) == (w.shape, w.dtype), _named(c, s)


# --- dtype, device, inputs -------------------------------------------------------------------


def _upcast(value: Any, dtype: torch.dtype) -> Any:
    """``value`` with its ``dtype`` tensors upcast to float32."""
    if isinstance(value, torch.Tensor) and value.dtype == dtype:
        return value.to(torch.float32)
    if isinstance(value, tuple | list):
        return type(value)(_upcast(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _upcast(v, dtype) for k, v in value.items()}
    return value


def _check_call(c: FunctionContract, s: Sample, dtype, device: str) -> list[torch.Tensor]:
    """One call on fresh inputs: the inputs are unchanged (values and ``_version``), the
    result is on ``device`` in ``dtype``, and in float16/bfloat16 it equals the float32
    computation on the same rounded inputs, rounded once, bit for bit. Returns its tensors."""
    args = materialize(s.args, dtype, device)
    kwargs = materialize(dict(s.kwargs), dtype, device)
    inputs = _sample_tensors([*args, *kwargs.values()])
    before = [(t.clone(), t._version) for t in inputs]
    out = c.function(*args, **kwargs)
    for t, (copy, version) in zip(inputs, before, strict=True):
        _assert_identical(t, copy, f"{_named(c, s)} modified an input")
        assert t._version == version, f"{_named(c, s)} wrote to an input in place"
    for leaf in _tensors(out):
        assert leaf.device.type == torch.device(device).type, _named(c, s)
        if dtype is not None and leaf.is_floating_point():
            assert leaf.dtype == dtype, f"{_named(c, s)}: {leaf.dtype} from {dtype} inputs"
    if dtype in LOW:  # fresh arguments again: a generator must start from its seed
        args, kwargs = (
            materialize(s.args, dtype, device),
            materialize(dict(s.kwargs), dtype, device),
        )
        wide = c.function(*_upcast(args, dtype), **{**_upcast(kwargs, dtype), **c.unchecked})
        for a, w in zip(_floating(out), _floating(wide), strict=True):
            _assert_identical(a, w.to(a.dtype), f"{_named(c, s)} in {dtype}: not rounded once")
    return _tensors(out)


@pytest.mark.parametrize(("c", "dtype", "samples"), _cases())
def test_dtype_device_rounding_and_inputs(c, dtype, samples):
    for label, s in samples:
        with _about(c, label, dtype):
            _check_call(c, s, dtype, "cpu")


@pytest.mark.parametrize("c", [c for c in CONTRACTS if c.dtypes], ids=lambda c: c.name)
def test_undeclared_dtypes_are_rejected(c):
    s = c.samples[0]
    for dtype in (torch.float64, torch.float32, torch.bfloat16, torch.float16):
        if dtype not in c.dtypes:
            with pytest.raises(TypeError):
                _call(c, s, dtype)
    for dtype in (torch.complex64,):
        with pytest.raises(TypeError):
            _call(c, s, dtype)


# --- gradients -------------------------------------------------------------------------------


def _differentiable_call(c, s, dtype, device="cpu", *, unchecked=True):
    """``(f, inputs)``: ``f(*inputs)`` is the call with the declared differentiable arguments
    replaced by ``inputs`` (leaves that require grad); other arguments are fresh each call."""
    bound = c.bind(s).arguments
    names = [n for n in c.differentiable if _is_float_tensor(bound.get(n))]
    inputs = tuple(materialize(bound[n], dtype, device).requires_grad_() for n in names)

    def f(*xs):
        out = _call(c, s, dtype, device, unchecked=unchecked, **dict(zip(names, xs, strict=True)))
        return tuple(_floating(out))

    return f, inputs


@pytest.mark.parametrize(
    ("c", "dtype", "samples"),
    _cases((torch.float64,), gradients=True, only=lambda c, s: s.gradcheck),
)
def test_gradcheck_and_gradgradcheck(c, dtype, samples):
    for label, s in samples:
        with _about(c, label, dtype):
            f, inputs = _differentiable_call(c, s, dtype)
            size = sum(x.numel() for x in inputs)
            # fast mode compares a random projection v^T J u with finite differences: any
            # wrong entry of the Jacobian shows (the full Jacobian is printed on failure);
            # tiny samples get the full comparison, which is as cheap there
            assert torch.autograd.gradcheck(f, inputs, fast_mode=size > 8), _named(c, s)
            if c.second_order and 0 < size <= c.SMALL:
                assert torch.autograd.gradgradcheck(f, inputs, fast_mode=True), _named(c, s)


@pytest.mark.parametrize(
    ("c", "dtype", "samples"),
    _cases(
        (torch.float64, torch.float32), gradients=True, once=True, only=lambda c, s: not s.gradcheck
    ),
)
def test_gradients_are_never_nan_where_the_result_is_not(c, dtype, samples):
    """At exact zeros, extremes and subnormals (elsewhere gradcheck compares every gradient): a
    gradient may be infinite (the exact one overflows) but not NaN unless the result is."""
    for label, s in samples:
        with _about(c, label, dtype):
            f, inputs = _differentiable_call(c, s, dtype, unchecked=False)
            out = f(*inputs)
            if not inputs or any(torch.isnan(o).any() for o in out):
                continue
            ones = [torch.ones_like(o) for o in out]
            grads = torch.autograd.grad(out, inputs, ones, allow_unused=True)
            for x, g in zip(inputs, grads, strict=True):
                assert g is None or not torch.isnan(g).any(), (
                    f"{_named(c, s)}: NaN gradient {g} at {x}"
                )


# --- errors and the NaN/inf policy -----------------------------------------------------------


@pytest.mark.parametrize("c", [c for c in CONTRACTS if c.error_inputs], ids=lambda c: c.name)
def test_error_inputs_raise_what_they_declare(c):
    for i, e in enumerate(c.error_inputs):
        with _about(c, f"error input {i} ({e.argument})", None):
            with pytest.raises(e.exception, match=e.match) as info:
                c.function(*e.sample.args, **e.sample.kwargs)
            assert re.search(rf"\b{re.escape(e.argument)}\b", str(info.value)), "name it"


def _nan_cases():
    params = []
    for c in CONTRACTS:
        dtype = c.dtypes[0] if c.dtypes else None
        for name, value in c.bind(c.samples[0]).arguments.items():
            if _is_float_tensor(value):
                params.append(pytest.param(c, dtype, name, id=f"{c.name}-nan-{name}"))
    return params


@pytest.mark.parametrize(("c", "dtype", "name"), _nan_cases())
def test_nan_policy(c, dtype, name):
    """A NaN in ``name`` raises a ValueError naming it where the policy says so (and then
    propagates with checks off); otherwise it propagates into the result."""
    s = c.samples[0]
    value = materialize(c.bind(s).arguments[name], dtype, "cpu")
    value.view(-1)[0] = math.nan
    if name in c.nan_policy.raises:
        with pytest.raises(ValueError, match=rf"(?i)\b{name}\b.*nan|nan.*\b{name}\b"):
            _call(c, s, dtype, **{name: value})
        out = _call(c, s, dtype, unchecked=True, **{name: value.clone()})
    else:
        out = _call(c, s, dtype, **{name: value})
    assert any(torch.isnan(o).any() for o in _floating(out)), f"{c.name}: NaN in {name} is lost"


@pytest.mark.parametrize(("c", "dtype", "samples"), _cases(special=True))
def test_special_values_follow_the_declared_policy(c, dtype, samples):
    for label, s in samples:
        with _about(c, label, dtype):
            got = _floating(_call(c, s, dtype))
            want = _floating(
                c.nan_policy.oracle(
                    *materialize(s.args, dtype, "cpu"), **materialize(dict(s.kwargs), dtype, "cpu")
                )
            )
            for g, w in zip(got, want, strict=True):
                _assert_matches(g, w.to(g.dtype), f"{_named(c, s)} in {dtype}")


def _argument_cases():
    """Every argument some sample passes explicitly, with the first sample passing it."""
    params = []
    for c in CONTRACTS:
        seen: dict[str, Sample] = {}
        for s in c.samples:
            for name in c.bind(s).arguments:
                seen.setdefault(name, s)
        params += [pytest.param(c, n, s, id=f"{c.name}-{n}") for n, s in seen.items()]
    return params


@pytest.mark.parametrize(("c", "name", "s"), _argument_cases())
def test_wrong_kinds_of_arguments_are_rejected_by_name(c, name, s):
    """A string where a tensor, number, flag or dtype goes is a TypeError or ValueError naming
    the argument; a huge int where an int or real number goes is accepted or rejected the
    same way (never an OverflowError or torch's RuntimeError)."""
    dtype = c.dtypes[0] if c.dtypes else None
    value = c.bind(s).arguments[name]
    bad: list[Any] = [object()] if isinstance(value, str) else ["not a value"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        bad += [10**400, -(10**400)]
    for wrong in bad:
        try:
            _call(c, s, dtype, **{name: wrong})
        except (TypeError, ValueError) as error:
            assert re.search(rf"\b{re.escape(name)}\b", str(error)), f"{name}={wrong!r}: {error}"
        else:
            assert isinstance(wrong, int), f"{c.name} accepted {name}={wrong!r}"


# --- CUDA ------------------------------------------------------------------------------------

_CUDA_CASES = (
    _cases(only=_has_tensors)
    if CUDA
    else [pytest.param(None, None, (), id="no-cuda", marks=pytest.mark.skip("needs CUDA"))]
)


_GPU = "cuda"  # a dry run on a machine without one may set it to "cpu"


def _rounded_call(c: FunctionContract, s: Sample, dtype, *, unchecked=False):
    """``(f, inputs)`` as :func:`_differentiable_call`, in float64 on CPU but from ``s``'s
    values rounded to ``dtype`` first: the exact answer for the inputs a ``dtype`` call sees."""
    bound = c.bind(
        s,
        *materialize(materialize(s.args, dtype, "cpu"), torch.float64, "cpu"),
        **materialize(materialize(dict(s.kwargs), dtype, "cpu"), torch.float64, "cpu"),
    )
    if unchecked:
        bound.arguments.update(c.unchecked)
    names = [n for n in c.differentiable if _is_float_tensor(bound.arguments.get(n))]
    inputs = tuple(bound.arguments[n].requires_grad_() for n in names)

    def f(*xs):
        bound.arguments.update(zip(names, xs, strict=True))
        return tuple(_floating(c.function(*bound.args, **bound.kwargs)))

    return f, inputs


def _gradients(f, xs) -> tuple[torch.Tensor | None, ...]:
    """The gradient of the sum of ``f``'s differentiable outputs with respect to each of
    ``xs`` (``None`` where an input does not reach them)."""
    out = [o for o in f(*xs) if o.requires_grad]
    if not out:
        return (None,) * len(xs)
    return torch.autograd.grad(out, xs, [torch.ones_like(o) for o in out], allow_unused=True)


def _assert_cuda_matches(
    cuda: torch.Tensor, cpu: torch.Tensor, exact: torch.Tensor, what: str
) -> None:
    """CUDA's result close to the CPU's at the table's tolerance, or, where the two differ by
    more (float32 sums in another order, fused multiply-adds, on inputs where that matters),
    no farther from ``exact`` (float64 on the same rounded inputs) than the CPU's result is,
    plus the same tolerance: CUDA may be more accurate than the CPU, not less."""
    cuda = cuda.cpu()
    assert cuda.shape == cpu.shape, f"{what}: shape {cuda.shape} != {cpu.shape}"
    nan = torch.isnan(cuda)
    assert torch.equal(nan, torch.isnan(cpu)), f"{what}: NaN at {nan}"
    try:
        assert_close(cuda[~nan], cpu[~nan], msg=what)
    except AssertionError:
        tol = tolerance(cuda.dtype)
        a, b, e = (t[~nan].double() for t in (cuda, cpu, exact))
        allowed = (b - e).abs() + tol.atol + tol.rtol * e.abs()
        worse = ~(((a - e).abs() <= allowed) | (a == e))
        assert not worse.any(), (
            f"{what}: CUDA {a[worse].tolist()} where the CPU gives {b[worse].tolist()} and "
            f"float64 on the same inputs {e[worse].tolist()}"
        )


@pytest.mark.cuda
@pytest.mark.parametrize(("c", "dtype", "samples"), _CUDA_CASES)
def test_cuda_matches_cpu(c, dtype, samples):
    """On CUDA: device and dtype kept, inputs unchanged, float16/bfloat16 rounded once, and
    values and gradients close to the CPU's at the dtype's tolerance, or no less accurate than
    the CPU's (not for random functions)."""
    for label, s in samples:
        with _about(c, label, dtype):
            _cuda_matches_cpu(c, dtype, s)


def _cuda_matches_cpu(c: FunctionContract, dtype, s: Sample) -> None:
    out = _check_call(c, s, dtype, _GPU)
    if c.random:  # CUDA generators draw other numbers than CPU ones: nothing to compare
        return
    f_exact, x_exact = _rounded_call(c, s, dtype, unchecked=True)
    with torch.no_grad():
        exact = f_exact(*x_exact)
    cpu = _tensors(_call(c, s, dtype))
    floating = iter(exact)
    for o, w in zip(out, cpu, strict=True):
        assert o.dtype == w.dtype, _named(c, s)
        if o.is_floating_point():
            e = next(floating, None)
            _assert_cuda_matches(o, w, w if e is None else e.detach(), f"{_named(c, s)} on CUDA")
        else:
            assert torch.equal(o.cpu(), w), _named(c, s)
    if c.differentiable and s.gradcheck and dtype in (torch.float32, torch.float64):
        g_cuda, g_cpu = (_gradients(*_differentiable_call(c, s, dtype, d)) for d in (_GPU, "cpu"))
        g_exact = _gradients(*_rounded_call(c, s, dtype, unchecked=True))
        for a, b, e in zip(g_cuda, g_cpu, g_exact, strict=True):
            assert (a is None) == (b is None), f"{_named(c, s)}: gradient on CUDA {a}, CPU {b}"
            if a is not None:
                _assert_cuda_matches(a, b, e, f"{_named(c, s)}: gradient on CUDA")
