"""Shared pytest setup: the Hypothesis profile, the device option, the `claim` marker and the
slow tier (``--runslow``)."""

from __future__ import annotations

import os

import pytest
import torch

from dltheory.core.profiles import load_profile

# ci (derandomized, no deadline) unless HYPOTHESIS_PROFILE says otherwise
HYPOTHESIS_SETTINGS = load_profile()

# pytest -n N: each worker gets its share of the CPUs for torch's threads, as `dltheory verify
# --jobs N` gives its workers (N workers with a thread per CPU each would oversubscribe them)
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    from dltheory.core.parallel import threads_per_worker

    torch.set_num_threads(threads_per_worker(int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))


def pytest_addoption(parser):
    parser.addoption(
        "--runslow",
        action="store_true",
        help="also run the tests marked slow (the docs site in a browser, whole chapters "
        "checked against other implementations, real subprocess runs); CI runs them",
    )
    parser.addoption(
        "--device",
        default="cpu",
        help="device for the claims' numeric legs (cpu or cuda); API tests use every "
        "available device regardless",
    )


def pytest_collection_modifyitems(config, items):
    """Without ``--runslow``, the tests marked ``slow`` are deselected (not skipped: the
    summary says how many, with no line per test)."""
    if config.getoption("--runslow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


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
