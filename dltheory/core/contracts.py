r"""Declarations for the contract suite: what every public reference function promises.

Modelled on PyTorch's OpInfo (``SampleInput``, ``ErrorInput``, one record per operator), but
declarative and small. Each chapter lists a :class:`FunctionContract` for every function in
its ``reference.__all__`` in ``tests/contracts/<chapter>.py``; ``tests/test_contracts.py``
runs the same generic checks over all of them (gradients, low precision rounded once, dtype
and device kept, ``meta`` tensors, inputs never modified, declared errors and NaN/inf policy).

Samples are data: floating-point tensors are written in float64 on the CPU and the suite
converts them to the dtype and device under test; integer tensors keep their dtype; Python
numbers, strings and dtypes pass through; a ``torch.Generator`` stands for its seed (every call
gets a fresh generator seeded alike, so random functions are deterministic per call).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import torch

__all__ = ["ErrorInput", "FunctionContract", "NanPolicy", "Sample", "materialize"]

FLOATING = (torch.float64, torch.float32, torch.bfloat16, torch.float16)


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Sample:
    """One call: ``function(*args, **kwargs)``.

    Attributes:
        args, kwargs: the arguments, floating tensors in float64 (see the module notes).
        name: what the sample is about (``"exact zeros"``), shown in failure messages.
        dtypes: the dtypes it is meant for (``None``: every dtype of the contract); an
            extreme value such as ``finfo(float32).max`` is declared once per dtype.
        gradcheck: the function is smooth at this point on the scale of finite differences,
            so ``gradcheck`` (and ``gradgradcheck`` when small) applies; ``False`` at exact
            zeros with an infinite derivative, at huge or subnormal values, at ``±inf``.
        meta: on the ``meta`` device the call returns a ``meta`` result; ``False`` when it
            needs values (declare the error it raises there in ``error_inputs``).
    """

    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    dtypes: tuple[torch.dtype, ...] | None = None
    gradcheck: bool = True
    meta: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "kwargs", _frozen(self.kwargs))

    def runs_in(self, dtype: torch.dtype | None) -> bool:
        return self.dtypes is None or dtype in self.dtypes


@dataclass(frozen=True)
class ErrorInput:
    """A call that must raise ``exception`` with a message matching ``match`` (``re.search``)
    that names ``argument``. Its arguments are used as written (no conversion)."""

    sample: Sample
    exception: type[Exception]
    match: str
    argument: str


@dataclass(frozen=True)
class NanPolicy:
    """What NaN and ±inf inputs give (stated in the function's docstring, "NaN and inf:").

    Attributes:
        raises: arguments where a NaN is a ``ValueError`` naming them while value checks are
            on; with the contract's ``unchecked`` keywords it propagates. A NaN in any other
            floating argument propagates: the result holds a NaN.
        special: samples holding ±inf (or NaN) whose result is declared by ``oracle``.
        oracle: computes the declared result of a special sample from the same arguments,
            independently of the function (e.g. ``torch.softmax``, mpmath with limits).
    """

    raises: tuple[str, ...] = ()
    special: tuple[Sample, ...] = ()
    oracle: Callable[..., Any] | None = None


@dataclass(frozen=True)
class FunctionContract:
    """The declaration of one public function.

    Attributes:
        function: the public object (``dltheory.<chapter>.reference.<name>``).
        samples: typical and edge-case calls; ``samples[0]`` is a typical input without
            zeros (the NaN policy is tested on it). Cover exact zeros, extreme and subnormal
            values, and every layout, ``dim``, ``keepdim`` and ``reduction``.
        error_inputs: bad calls and the errors they raise.
        differentiable: the arguments (by name) gradients flow to, targets and parameters
            included; ``()`` for functions that are not differentiable (integer or shape-only).
        dtypes: the floating dtypes of the tensor arguments; others must raise ``TypeError``.
            ``()`` for functions without floating tensor inputs (labels, sizes, shapes).
        nan_policy: see :class:`NanPolicy`.
        unchecked: keywords that turn value checks off (``{"validate": False}``), used where
            inputs leave the checked domain on purpose (finite differences, upcast copies).
        random: the function draws random numbers; every sample must pass a generator.
        second_order: also ``gradgradcheck`` (on samples with at most ``SMALL`` elements).
    """

    function: Callable[..., Any]
    samples: tuple[Sample, ...]
    error_inputs: tuple[ErrorInput, ...] = ()
    differentiable: tuple[str, ...] = ()
    dtypes: tuple[torch.dtype, ...] = FLOATING
    nan_policy: NanPolicy = NanPolicy()
    unchecked: Mapping[str, Any] = field(default_factory=dict)
    random: bool = False
    second_order: bool = True

    SMALL = 24

    def __post_init__(self) -> None:
        object.__setattr__(self, "samples", tuple(self.samples))
        object.__setattr__(self, "error_inputs", tuple(self.error_inputs))
        object.__setattr__(self, "unchecked", _frozen(self.unchecked))
        if not self.samples:
            raise ValueError(f"{self.name}: declare at least one sample")
        params = self.signature.parameters
        named = (*self.differentiable, *self.nan_policy.raises, *self.unchecked)
        unknown = [n for n in named if n not in params]
        if unknown:
            raise ValueError(f"{self.name}: {unknown} are not parameters of the function")
        if any(d not in FLOATING for d in self.dtypes):
            raise ValueError(f"{self.name}: dtypes must be among {FLOATING}")
        for sample in (*self.samples, *self.nan_policy.special):
            self.bind(sample)  # a TypeError here is a typo in the declaration
            has_generator = any(isinstance(v, torch.Generator) for v in _values(sample))
            if self.random and not has_generator:
                raise ValueError(
                    f"{self.name}: random, but sample {sample.name!r} has no generator"
                )

    @property
    def name(self) -> str:
        """``<chapter>.<function>``, e.g. ``classification.softmax``."""
        chapter = self.function.__module__.split(".")[1]
        return f"{chapter}.{self.function.__name__}"

    @property
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.function)

    def bind(self, sample: Sample, *args: Any, **kwargs: Any) -> inspect.BoundArguments:
        """Bind a sample's arguments (or ``args``/``kwargs`` materialized from it)."""
        if not args and not kwargs:
            args, kwargs = sample.args, dict(sample.kwargs)
        return self.signature.bind(*args, **kwargs)


def _values(sample: Sample) -> list[Any]:
    return [*sample.args, *sample.kwargs.values()]


def materialize(value: Any, dtype: torch.dtype | None, device: torch.device | str) -> Any:
    """A fresh copy of a sample value for ``dtype`` and ``device`` (module notes)."""
    if isinstance(value, torch.Tensor):
        target = dtype if dtype is not None and value.is_floating_point() else value.dtype
        return value.detach().to(device=device, dtype=target, copy=True)
    if isinstance(value, torch.Generator):
        where = "cpu" if torch.device(device).type == "meta" else device
        return torch.Generator(device=where).manual_seed(value.initial_seed())
    if isinstance(value, tuple | list):
        return type(value)(materialize(v, dtype, device) for v in value)
    if isinstance(value, Mapping):
        return {k: materialize(v, dtype, device) for k, v in value.items()}
    return value
