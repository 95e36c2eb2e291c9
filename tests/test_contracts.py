"""The contract suite: generic checks run over every declared public reference function.

Each chapter declares its functions in ``tests/contracts/<chapter>.py`` (``CONTRACTS``, see
:mod:`dltheory.core.contracts`); every test here is parametrized over those declarations, with
ids ``<chapter>.<function>-<dtype>-sample<i>``. A function of a new chapter gets all of it by
declaring itself, and :func:`test_every_public_function_is_declared` fails until it does.
"""

from __future__ import annotations

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
from dltheory.core.tolerances import assert_close

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
    """pytest params ``(contract, dtype, sample)`` with ids ``name-dtype-sample<i>``:
    ``gradients``, only samples with a differentiable floating tensor; ``once``, each sample
    in the first dtype it runs in (for checks that do not depend on the dtype)."""
    params = []
    for c in CONTRACTS:
        keep = _with_gradients(only) if gradients else only
        samples = c.nan_policy.special if special else c.samples
        kind = "special" if special else "sample"
        for i, s in enumerate(samples):
            chosen = [d for d in c.dtypes or (None,) if dtypes is None or d in dtypes]
            chosen = [d for d in chosen if s.runs_in(d) and keep(c, s)]
            for dtype in chosen[:1] if once else chosen:
                ident = f"{c.name}-{_dtype_name(dtype)}-{kind}{i}"
                params.append(pytest.param(c, dtype, s, id=ident))
    return params


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


def _is_float_tensor(value: Any) -> bool:
    return isinstance(value, torch.Tensor) and value.is_floating_point()


# --- dtype, device, inputs -------------------------------------------------------------------


@pytest.mark.parametrize(("c", "dtype", "s"), _cases())
def test_result_keeps_dtype_and_device_and_inputs_are_unchanged(c, dtype, s):
    args = materialize(s.args, dtype, "cpu")
    kwargs = materialize(dict(s.kwargs), dtype, "cpu")
    inputs = _sample_tensors([*args, *kwargs.values()])
    before = [(t.clone(), t._version) for t in inputs]
    out = c.function(*args, **kwargs)
    for t, (copy, version) in zip(inputs, before, strict=True):
        _assert_identical(t, copy, f"{_named(c, s)} modified an input")
        assert t._version == version, f"{_named(c, s)} wrote to an input in place"
    for leaf in _tensors(out):
        assert leaf.device.type == "cpu", _named(c, s)
        if dtype is not None and leaf.is_floating_point():
            assert leaf.dtype == dtype, f"{_named(c, s)}: {leaf.dtype} from {dtype} inputs"


@pytest.mark.parametrize(
    ("c", "dtype", "s"), _cases(only=lambda c, s: s.meta and _has_tensors(c, s), once=True)
)
def test_meta_tensors_give_meta_results(c, dtype, s):
    want = _tensors(_call(c, s, dtype))
    got = _tensors(_call(c, s, dtype, "meta"))
    assert len(got) == len(want), _named(c, s)
    for g, w in zip(got, want, strict=True):
        assert g.device.type == "meta", _named(c, s)
        assert (g.shape, g.dtype) == (w.shape, w.dtype), _named(c, s)


@pytest.mark.parametrize(("c", "dtype", "s"), _cases(LOW))
def test_low_precision_is_float32_rounded_once(c, dtype, s):
    """float16/bfloat16 results equal the float32 computation on the same (rounded) inputs,
    rounded once: exactly, bit for bit."""
    args = materialize(s.args, dtype, "cpu")
    kwargs = {**materialize(dict(s.kwargs), dtype, "cpu"), **c.unchecked}
    actual = _floating(c.function(*args, **kwargs))
    wide = c.function(*materialize_as(args, dtype), **materialize_as(kwargs, dtype))
    expected = [w.to(a.dtype) for w, a in zip(_floating(wide), actual, strict=True)]
    for a, e in zip(actual, expected, strict=True):
        _assert_identical(a, e, f"{_named(c, s)} in {dtype} is not float32 rounded once")


def materialize_as(value: Any, dtype: torch.dtype) -> Any:
    """``value`` with its ``dtype`` tensors upcast to float32."""
    if isinstance(value, torch.Tensor) and value.dtype == dtype:
        return value.to(torch.float32)
    if isinstance(value, tuple | list):
        return type(value)(materialize_as(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: materialize_as(v, dtype) for k, v in value.items()}
    return value


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
    ("c", "dtype", "s"), _cases((torch.float64,), gradients=True, only=lambda c, s: s.gradcheck)
)
def test_gradcheck_and_gradgradcheck(c, dtype, s):
    f, inputs = _differentiable_call(c, s, dtype)
    size = sum(x.numel() for x in inputs)
    assert torch.autograd.gradcheck(f, inputs, fast_mode=size > 64), _named(c, s)
    if c.second_order and 0 < size <= c.SMALL:  # fast mode: a random projection of the Hessian
        assert torch.autograd.gradgradcheck(f, inputs, fast_mode=True), _named(c, s)


@pytest.mark.parametrize(
    ("c", "dtype", "s"), _cases((torch.float64, torch.float32), gradients=True, once=True)
)
def test_gradients_are_never_nan_where_the_result_is_not(c, dtype, s):
    """Also at exact zeros, extremes and subnormals: a gradient may be infinite (the exact one
    overflows) but not NaN unless the result is."""
    f, inputs = _differentiable_call(c, s, dtype, unchecked=False)
    out = f(*inputs)
    if not inputs or any(torch.isnan(o).any() for o in out):
        return
    grads = torch.autograd.grad(out, inputs, [torch.ones_like(o) for o in out], allow_unused=True)
    for x, g in zip(inputs, grads, strict=True):
        assert g is None or not torch.isnan(g).any(), f"{_named(c, s)}: NaN gradient {g} at {x}"


# --- errors and the NaN/inf policy -----------------------------------------------------------


def _error_cases():
    return [
        pytest.param(c, e, id=f"{c.name}-error{i}-{e.argument}")
        for c in CONTRACTS
        for i, e in enumerate(c.error_inputs)
    ]


@pytest.mark.parametrize(("c", "e"), _error_cases())
def test_error_inputs_raise_what_they_declare(c, e):
    with pytest.raises(e.exception, match=e.match) as info:
        c.function(*e.sample.args, **e.sample.kwargs)
    assert re.search(rf"\b{re.escape(e.argument)}\b", str(info.value)), "name the argument"


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


@pytest.mark.parametrize(("c", "dtype", "s"), _cases(special=True))
def test_special_values_follow_the_declared_policy(c, dtype, s):
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
    _cases()
    if CUDA
    else [pytest.param(None, None, None, id="no-cuda", marks=pytest.mark.skip("needs CUDA"))]
)


@pytest.mark.cuda
@pytest.mark.parametrize(("c", "dtype", "s"), _CUDA_CASES)
def test_cuda_matches_cpu(c, dtype, s):
    """On CUDA: device and dtype kept, inputs unchanged, values (and gradients) close to the
    CPU's at the dtype's tolerance, and float16/bfloat16 rounded once."""
    args = materialize(s.args, dtype, "cuda")
    kwargs = materialize(dict(s.kwargs), dtype, "cuda")
    inputs = _sample_tensors([*args, *kwargs.values()])
    before = [(t.clone(), t._version) for t in inputs]
    out, want = _tensors(c.function(*args, **kwargs)), _tensors(_call(c, s, dtype))
    for t, (copy, version) in zip(inputs, before, strict=True):
        _assert_identical(t, copy, _named(c, s))
        assert t._version == version, _named(c, s)
    for o, w in zip(out, want, strict=True):
        assert o.device.type == "cuda" and o.dtype == w.dtype, _named(c, s)
        if o.is_floating_point():
            _assert_matches(o.cpu(), w, f"{_named(c, s)} on CUDA")
        else:
            assert torch.equal(o.cpu(), w), _named(c, s)
    if dtype in LOW:
        low = _floating(_call(c, s, dtype, "cuda", unchecked=True))
        wide = c.function(
            *materialize_as(args, dtype), **{**materialize_as(kwargs, dtype), **c.unchecked}
        )
        for a, e in zip(low, _floating(wide), strict=True):
            _assert_identical(a, e.to(dtype), f"{_named(c, s)} on CUDA, {dtype}")
    if c.differentiable and s.gradcheck and dtype in (torch.float32, torch.float64):
        grads = []
        for device in ("cuda", "cpu"):
            f, xs = _differentiable_call(c, s, dtype, device)
            out = f(*xs)
            grads.append(
                torch.autograd.grad(out, xs, [torch.ones_like(o) for o in out]) if xs else ()
            )
        for g_cuda, g_cpu in zip(*grads, strict=True):
            _assert_matches(g_cuda.cpu(), g_cpu, f"{_named(c, s)}: gradient on CUDA")
