"""Shared pytest setup: the Hypothesis profile, the device option and the `claim` marker."""

from __future__ import annotations

import pytest
import torch

from dltheory.core.profiles import load_profile

# ci (derandomized, no deadline) unless HYPOTHESIS_PROFILE says otherwise
HYPOTHESIS_SETTINGS = load_profile()


def pytest_addoption(parser):
    parser.addoption(
        "--device",
        default="cpu",
        help="device for the claims' numeric legs (cpu or cuda); API tests use every "
        "available device regardless",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "claim(id, ...): the claim(s) a test exercises (checked by test_traceability)"
    )


@pytest.fixture(scope="session")
def device(pytestconfig) -> str:
    name = pytestconfig.getoption("--device")
    if name.startswith("cuda") and not torch.cuda.is_available():
        pytest.fail("--device cuda given but CUDA is not available", pytrace=False)
    return name


@pytest.fixture(scope="session")
def hypothesis_settings():
    return HYPOTHESIS_SETTINGS


DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
