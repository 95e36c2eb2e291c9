"""Find every chapter and claim, and check that the records fit together.

A chapter is a subpackage ``dltheory.<name>`` with a ``claims`` package whose ``__init__``
defines ``CHAPTER`` (a :class:`~dltheory.core.claim.Chapter`) and whose section modules each
define ``SECTION`` (a :class:`~dltheory.core.claim.Section`). Chapters are discovered, not
listed, so adding one touches no shared file. Section modules import SymPy and Hypothesis at
the top; the chapter packages users import (``dltheory.classification``) do not.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable

from dltheory.core.claim import Chapter, Claim, Kind, NotApplicable, Section

__all__ = [
    "all_claims",
    "chapter_claims",
    "chapters",
    "dependencies",
    "get_claim",
    "resolve_claim_id",
    "select",
]

_NOT_CITABLE = (Kind.ERRATUM, Kind.NOTATION)


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


@functools.cache
def chapter_claims(chapter: Chapter) -> tuple[Claim, ...]:
    """The claims of ``chapter``: its section modules' claims, in the order of the notes."""
    claims: list[Claim] = []
    for section_name in chapter.sections:
        module = importlib.import_module(f"dltheory.{chapter.name}.claims.{section_name}")
        section = getattr(module, "SECTION", None)
        if not isinstance(section, Section):
            raise RuntimeError(f"{module.__name__} defines no SECTION = Section(...)")
        if section.chapter != chapter.name:
            raise RuntimeError(f"{module.__name__}: its Section names chapter {section.chapter!r}")
        claims.extend(section.claims)
    return tuple(claims)


def _check(all_chapters: Iterable[Chapter]) -> None:
    by_id: dict[str, Claim] = {}
    for chapter in all_chapters:
        for claim in chapter_claims(chapter):
            if claim.chapter != chapter.name:
                raise RuntimeError(f"{claim.id} is registered in chapter {chapter.name!r}")
            if claim.id in by_id:
                raise RuntimeError(f"duplicate claim id {claim.id}")
            by_id[claim.id] = claim
    for claim in by_id.values():
        legs = claim.legs  # raises when a leg is neither attached nor declared not applicable
        if claim.kind is Kind.ERRATUM and isinstance(legs["property"], NotApplicable):
            raise RuntimeError(f"{claim.id}: an erratum needs a property leg that refutes it")
        if claim.kind is not Kind.NOTATION and all(
            isinstance(leg, NotApplicable) for leg in legs.values()
        ):
            raise RuntimeError(f"{claim.id}: a claim needs at least one runnable leg")
        bare = [name.rpartition(".")[2] for name in claim.functions]
        if len(set(bare)) != len(bare):
            raise RuntimeError(f"{claim.id}: two functions in `code` share a name: {bare}")
        if claim.corrects is not None:
            target = by_id.get(claim.corrects)
            if target is None:
                raise RuntimeError(f"{claim.id} corrects unknown claim {claim.corrects}")
            if target.kind in _NOT_CITABLE:
                raise RuntimeError(f"{claim.id} corrects {target.id}, which is not a claim")
        for used in claim.uses:
            target = by_id.get(used)
            if target is None:
                raise RuntimeError(f"{claim.id} uses unknown claim {used}")
            if target.kind in _NOT_CITABLE:
                raise RuntimeError(f"{claim.id} uses {used}, a {target.kind.value}")
    _check_acyclic(by_id)


def _check_acyclic(by_id: dict[str, Claim]) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(claim_id: str, path: list[str]) -> None:
        if state.get(claim_id) == 2:
            return
        if state.get(claim_id) == 1:
            cycle = [*path[path.index(claim_id) :], claim_id]
            raise RuntimeError(f"claims use each other in a cycle: {' -> '.join(cycle)}")
        state[claim_id] = 1
        for used in by_id[claim_id].uses:
            visit(used, [*path, claim_id])
        state[claim_id] = 2

    for claim_id in by_id:
        visit(claim_id, [])


def all_claims() -> tuple[Claim, ...]:
    return tuple(claim for chapter in chapters() for claim in chapter_claims(chapter))


def get_claim(claim_id: str) -> Claim:
    for claim in all_claims():
        if claim.id == claim_id:
            return claim
    raise KeyError(claim_id)


def dependencies(claim: Claim) -> tuple[Claim, ...]:
    """Every claim ``claim`` uses, directly or through others, dependencies first."""
    ordered: dict[str, Claim] = {}

    def visit(current: Claim) -> None:
        for used_id in current.uses:
            if used_id not in ordered:
                used = get_claim(used_id)
                visit(used)
                ordered[used_id] = used

    visit(claim)
    return tuple(ordered.values())


def resolve_claim_id(text: str) -> str:
    """A full claim id from ``text``: a full id, or a slug that names exactly one claim.

    Raises:
        ValueError: no claim has that id or slug, or the slug is ambiguous (the message
            lists the candidates).
    """
    claims = all_claims()
    if any(c.id == text for c in claims):
        return text
    matches = [c.id for c in claims if c.slug == text]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"claim {text!r} is ambiguous; use one of: {', '.join(matches)}")
    near = [c.id for c in claims if text in c.id][:5]
    hint = f"; did you mean {', '.join(near)}?" if near else " (see `dltheory list` for all ids)"
    raise ValueError(f"unknown claim id {text!r}{hint}")


def select(chapter: str | None = None, claim_ids: Iterable[str] = ()) -> tuple[Claim, ...]:
    """Claims of ``chapter`` (all chapters if None), restricted to ``claim_ids`` if given.

    ``claim_ids`` may use the short form (the slug) where it is unique.

    Raises:
        ValueError: an unknown chapter or claim id (the message lists the known ones).
    """
    names = [c.name for c in chapters()]
    if chapter is not None and chapter not in names:
        raise ValueError(f"unknown chapter {chapter!r}; chapters are: {', '.join(names)}")
    claims = [c for c in all_claims() if chapter is None or c.chapter == chapter]
    wanted = [resolve_claim_id(i) for i in claim_ids]
    if wanted:
        claims = [c for c in claims if c.id in wanted]
    return tuple(claims)
