"""Claims run in worker processes: ``dltheory verify --jobs N``.

Each worker is a fresh (spawned) Python process with ``torch`` limited to its share of the
CPU threads; it keeps its own cache of results, so a claim that several others use runs once
per worker that needs it. A claim's result travels back as plain data (its id, outcome, legs,
time and failed dependencies) and becomes a :class:`~dltheory.core.runner.ClaimResult` of the
parent's registry again. Hypothesis runs derandomized under the ``ci`` profile, so outcomes do
not depend on which worker ran a claim, or on how many there are.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import pickle
from collections.abc import Generator, Sequence
from typing import Any

from dltheory.core.claim import Claim
from dltheory.core.runner import ClaimResult, LegResult

__all__ = ["default_jobs", "run_claims", "run_in_workers", "threads_per_worker"]

#: what a worker keeps between the claims it runs: the Hypothesis settings, every result
_WORKER: dict[str, Any] = {}

_Portable = tuple[str, str, dict[str, LegResult], float, list[str]]


def default_jobs() -> int:
    """The worker count ``--jobs`` defaults to: one per CPU the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def threads_per_worker(workers: int) -> int:
    """torch threads for each of ``workers`` processes sharing this machine: its share of the
    CPUs (a thread per CPU in each would oversubscribe them)."""
    return max(1, default_jobs() // workers)


def _start_worker(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def _portable_details(details: dict[str, Any]) -> dict[str, Any]:
    """``details`` if it pickles, else with every value that is not a plain scalar as text
    (a counterexample may hold objects with closures, which do not pickle)."""
    try:
        pickle.dumps(details)
    except Exception:
        plain = (str, int, float, bool, type(None))
        return {k: v if isinstance(v, plain) else str(v) for k, v in details.items()}
    return details


def _run_by_id(claim_id: str, device: str, legs: tuple[str, ...], profile: str) -> _Portable:
    from dltheory.core.profiles import load_profile
    from dltheory.core.registry import get_claim
    from dltheory.core.runner import run_claim

    if _WORKER.get("profile") != profile:
        _WORKER.update(profile=profile, settings=load_profile(profile), results={})
    results: dict[str, ClaimResult] = _WORKER["results"]
    if claim_id not in results:
        results[claim_id] = run_claim(
            get_claim(claim_id),
            device=device,
            legs=legs,
            settings=_WORKER["settings"],
            dependency_results=results,
        )
    result = results[claim_id]
    legs_out = {
        name: LegResult(leg.status, leg.seconds, _portable_details(leg.details))
        for name, leg in result.legs.items()
    }
    return claim_id, result.outcome, legs_out, result.seconds, list(result.failed_dependencies)


def run_in_workers(
    claims: Sequence[Claim],
    jobs: int,
    *,
    device: str,
    legs: Sequence[str],
    profile: str,
) -> Generator[ClaimResult, None, None]:
    """Run ``claims`` in ``jobs`` worker processes; yield each result as it finishes (in the
    order they finish). Closing the iterator (or Ctrl-C in the caller) cancels the claims not
    yet started."""
    by_id = {claim.id: claim for claim in claims}
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(threads_per_worker(jobs),),
    )
    try:
        futures = [
            pool.submit(_run_by_id, claim.id, device, tuple(legs), profile) for claim in claims
        ]
        for future in concurrent.futures.as_completed(futures):
            claim_id, outcome, leg_results, seconds, failed = future.result()
            yield ClaimResult(by_id[claim_id], outcome, leg_results, seconds, failed)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_claims(
    claims: Sequence[Claim],
    jobs: int,
    *,
    device: str,
    legs: Sequence[str],
    profile: str,
) -> list[ClaimResult]:
    """Every claim's result in the order of ``claims``: in ``jobs`` worker processes, or in this
    one when ``jobs`` is 1 (a claim that others use then runs once)."""
    if jobs > 1:
        running = run_in_workers(claims, jobs, device=device, legs=legs, profile=profile)
        done = {result.claim.id: result for result in running}
        return [done[claim.id] for claim in claims]
    from dltheory.core.profiles import load_profile
    from dltheory.core.runner import run_claim

    settings = load_profile(profile)
    results: dict[str, ClaimResult] = {}
    for claim in claims:
        if claim.id not in results:
            results[claim.id] = run_claim(
                claim, device=device, legs=legs, settings=settings, dependency_results=results
            )
    return [results[claim.id] for claim in claims]
