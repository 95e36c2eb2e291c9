"""The contract suite's data model, on toy functions that are not public: what later chapters
rely on (random functions with a generator argument, tuple results, functions without floating
inputs) runs through the generic checks of :mod:`tests.test_contracts`, and declarations are
checked when they are made."""

from __future__ import annotations

import pytest
import torch

from dltheory.core.contracts import FunctionContract, Sample, materialize
from tests.test_contracts import _check_call, _differentiable_call


def _toy_dropout(input, p=0.5, *, generator):
    """Dropout returning ``(output, mask)``: random, with a tuple result."""
    keep = torch.rand(input.shape, generator=generator, device=input.device) >= p
    mask = keep.to(input.dtype)
    return input * mask / (1 - p), keep


def _toy_output_size(n, k, stride=1):
    """A shape-only function: integers in, an integer out."""
    if not all(isinstance(v, int) for v in (n, k, stride)):
        raise TypeError("n, k and stride must be ints")
    return (n - k) // stride + 1


def test_a_generator_stands_for_its_seed():
    g = torch.Generator().manual_seed(7)
    first, second = materialize(g, None, "cpu"), materialize(g, None, "cpu")
    assert torch.equal(torch.rand(5, generator=first), torch.rand(5, generator=second))
    assert torch.equal(torch.rand(5, generator=g), torch.rand(5, generator=g.manual_seed(7)))


def test_random_functions_with_tuple_results_run_through_the_checks():
    s = Sample((torch.randn(4, 3, dtype=torch.float64),), {"generator": torch.Generator()})
    c = FunctionContract(_toy_dropout, samples=(s,), differentiable=("input",), random=True)
    for dtype in c.dtypes:
        out = _check_call(c, s, dtype, "cpu")  # the same seed each call: rounding is exact
        assert len(out) == 2 and out[1].dtype == torch.bool
    f, inputs = _differentiable_call(c, s, torch.float64)
    assert torch.autograd.gradcheck(f, inputs) and torch.autograd.gradgradcheck(f, inputs)
    no_generator = Sample((s.args[0],), {"generator": None})
    with pytest.raises(ValueError, match=r"random, but sample .* has no generator"):
        FunctionContract(_toy_dropout, samples=(no_generator,), random=True)


def test_functions_without_floating_inputs_declare_no_dtypes():
    c = FunctionContract(_toy_output_size, samples=(Sample((32, 3), {"stride": 2}),), dtypes=())
    assert _check_call(c, c.samples[0], None, "cpu") == []
    assert c.name == "test_contract_data_model._toy_output_size"


def test_declarations_are_checked_when_made():
    x = Sample((torch.zeros(2),))
    with pytest.raises(TypeError):
        FunctionContract(_toy_output_size, samples=(Sample((1, 2), {"strides": 2}),), dtypes=())
    with pytest.raises(ValueError, match="not parameters"):
        FunctionContract(_toy_dropout, samples=(x,), differentiable=("inputs",))
    with pytest.raises(ValueError, match="at least one sample"):
        FunctionContract(_toy_dropout, samples=())
