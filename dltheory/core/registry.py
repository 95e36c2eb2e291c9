"""Find every chapter and claim.

A chapter is a subpackage ``dltheory.<name>`` with a ``claims`` module that defines
``CHAPTER`` (a :class:`~dltheory.core.claim.Chapter`). Chapters are discovered, not listed,
so adding one touches no shared file. Importing a ``claims`` module is cheap: records are
data, and their legs are looked up only when run (:func:`leg_function`).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable

from dltheory.core.claim import Chapter, Claim, Kind

__all__ = ["LEG_MODULES", "all_claims", "chapters", "get_claim", "leg_function", "select"]

#: where each leg's function lives inside a chapter package
LEG_MODULES = {"symbolic": "symbolic", "numeric": "numeric", "property": "properties"}


@functools.cache
def chapters() -> tuple[Chapter, ...]:
    """All chapters, in the order of the notes, after checking the registry is consistent."""
    import dltheory

    found = []
    for info in pkgutil.iter_modules(dltheory.__path__):
        if not info.ispkg or info.name == "core":
            continue
        try:
            module = importlib.import_module(f"dltheory.{info.name}.claims")
        except ModuleNotFoundError as exc:
            if exc.name == f"dltheory.{info.name}.claims":
                continue
            raise
        chapter = module.CHAPTER
        if chapter.name != info.name:
            raise RuntimeError(f"dltheory.{info.name}.claims names its chapter {chapter.name!r}")
        found.append(chapter)
    result = tuple(sorted(found, key=lambda c: c.order))
    _check(result)
    return result


def _check(all_chapters: Iterable[Chapter]) -> None:
    by_id: dict[str, Claim] = {}
    for chapter in all_chapters:
        for claim in chapter.claims:
            if claim.chapter != chapter.name:
                raise RuntimeError(f"{claim.id} is registered in chapter {chapter.name!r}")
            if claim.id in by_id:
                raise RuntimeError(f"duplicate claim id {claim.id}")
            by_id[claim.id] = claim
    for claim in by_id.values():
        if claim.corrects is None:
            continue
        target = by_id.get(claim.corrects)
        if target is None:
            raise RuntimeError(f"{claim.id} corrects unknown claim {claim.corrects}")
        if target.kind is Kind.ERRATUM:
            raise RuntimeError(f"{claim.id} corrects {target.id}, which is itself an erratum")


def all_claims() -> tuple[Claim, ...]:
    return tuple(claim for chapter in chapters() for claim in chapter.claims)


def get_claim(claim_id: str) -> Claim:
    for claim in all_claims():
        if claim.id == claim_id:
            return claim
    raise KeyError(claim_id)


def select(chapter: str | None = None, claim_ids: Iterable[str] = ()) -> tuple[Claim, ...]:
    """Claims of ``chapter`` (all chapters if None), restricted to ``claim_ids`` if given.

    Raises:
        ValueError: an unknown chapter or claim id (the message lists the known ones).
    """
    names = [c.name for c in chapters()]
    if chapter is not None and chapter not in names:
        raise ValueError(f"unknown chapter {chapter!r}; chapters are: {', '.join(names)}")
    claims = [c for c in all_claims() if chapter is None or c.chapter == chapter]
    wanted = list(claim_ids)
    if wanted:
        known = {c.id for c in all_claims()}
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise ValueError(
                f"unknown claim id(s): {', '.join(unknown)} (see `dltheory list` for all ids)"
            )
        claims = [c for c in claims if c.id in wanted]
    return tuple(claims)


def leg_function(claim: Claim, leg: str) -> Callable:
    """The function that runs ``leg`` of ``claim`` (imports the leg module on first use)."""
    module = importlib.import_module(f"dltheory.{claim.chapter}.{LEG_MODULES[leg]}")
    try:
        return getattr(module, claim.function_name)
    except AttributeError:
        raise LookupError(
            f"{claim.id}: no function {claim.function_name}() in {module.__name__}"
        ) from None
