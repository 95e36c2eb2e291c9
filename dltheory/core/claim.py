"""The claim record: one checkable statement of the notes and the legs that check it.

A :class:`Claim` is plain data. Its legs name functions by convention rather than holding
them, so that building the registry imports neither SymPy nor Hypothesis:

* the symbolic leg of claim ``<chapter>.<slug>`` is ``dltheory.<chapter>.symbolic.<slug_>``,
  a function returning a :class:`Derivation`;
* the numeric leg is ``dltheory.<chapter>.numeric.<slug_>(device, dtype)``, which raises
  ``AssertionError`` when the reference disagrees with its oracle;
* the property leg is ``dltheory.<chapter>.properties.<slug_>()``, returning a
  :class:`ForAll` or :class:`Exists` (strategy plus predicate),

where ``slug_`` is the slug with ``-`` replaced by ``_``. A leg that is absent carries the
reason why (:class:`NotApplicable`).
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = [
    "Chapter",
    "Claim",
    "Derivation",
    "Exists",
    "ForAll",
    "Kind",
    "NotApplicable",
    "NumericLeg",
    "PropertyLeg",
    "Step",
    "SymbolicLeg",
]

T = TypeVar("T")


class Kind(enum.StrEnum):
    """What sort of statement a claim is."""

    THEOREM = "theorem"
    IDENTITY = "identity"
    DEFINITION = "definition"
    ERRATUM = "erratum"


@dataclass(frozen=True)
class NotApplicable:
    """A leg the claim deliberately does not have, with the reason."""

    reason: str


@dataclass(frozen=True)
class SymbolicLeg:
    """A SymPy derivation.

    ``general`` says whether the derivation holds for every size (``scope`` then reads like
    ``"general q"``) or only for the fixed sizes it names (``"for q = 2, 3, 4"``).
    """

    scope: str
    general: bool = True


@dataclass(frozen=True)
class NumericLeg:
    """A comparison of the reference implementation with an independent oracle."""

    oracle: str
    dtypes: tuple[str, ...] = ("float64", "float32", "bfloat16", "float16")


@dataclass(frozen=True)
class PropertyLeg:
    """A Hypothesis property, stated in words and (optionally) LaTeX for the report and docs."""

    description: str
    latex: str | None = None


@dataclass(frozen=True)
class Step:
    """One line of a derivation: what was done, and the resulting SymPy object."""

    text: str
    expr: Any


@dataclass(frozen=True)
class Derivation:
    """What a symbolic leg returns.

    Each residual is an expression that must simplify to ``0``, or a fact (a SymPy relation,
    or the ``bool`` of an assumption query such as ``expr.is_positive``) that must be true;
    only then is the claim proved. For an erratum the derivation *disproves* the statement
    as written: ``witness`` substitutes values at which a residual is nonzero (or false).
    """

    steps: Sequence[Step]
    residuals: Sequence[Any]
    witness: dict[str, Any] | None = None


@dataclass(frozen=True)
class ForAll(Generic[T]):
    """``predicate(x)`` holds for every ``x`` the strategy draws."""

    strategy: Any  # hypothesis.strategies.SearchStrategy[T]
    predicate: Callable[[T], bool]


@dataclass(frozen=True)
class Exists(Generic[T]):
    """Some ``x`` the strategy draws satisfies ``predicate(x)`` (a witness is searched for)."""

    strategy: Any
    predicate: Callable[[T], bool]


Leg = SymbolicLeg | NumericLeg | PropertyLeg | NotApplicable


@dataclass(frozen=True)
class Claim:
    """One checkable statement of the notes.

    Attributes:
        id: ``"<chapter>.<slug>"``, stable; used as pytest id, report key and docs anchor.
        title: a short human title.
        statement: the statement in LaTeX (for an erratum: as the notes write it).
        source: the section of the notes it comes from.
        kind: theorem, identity, definition or erratum.
        code: names of the reference functions (in ``dltheory.<chapter>.reference``) it checks.
        symbolic, numeric, property: the legs, or :class:`NotApplicable` with a reason.
        corrects: for an erratum, the id of the claim that states the corrected version.
        note: optional remark for the docs (how the statement was read, what is assumed).
    """

    id: str
    title: str
    statement: str
    source: str
    kind: Kind
    symbolic: SymbolicLeg | NotApplicable
    numeric: NumericLeg | NotApplicable
    property: PropertyLeg | NotApplicable
    code: tuple[str, ...] = ()
    corrects: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        chapter, _, slug = self.id.partition(".")
        if not chapter or not slug or "." in slug:
            raise ValueError(f"claim id must look like '<chapter>.<slug>', got {self.id!r}")
        if (self.kind is Kind.ERRATUM) != (self.corrects is not None):
            raise ValueError(f"{self.id}: an erratum (and only an erratum) names `corrects`")
        if self.kind is Kind.ERRATUM and not isinstance(self.property, PropertyLeg):
            raise ValueError(f"{self.id}: an erratum needs a property leg that refutes it")
        if all(isinstance(leg, NotApplicable) for leg in self.legs.values()):
            raise ValueError(f"{self.id}: a claim needs at least one runnable leg")

    @builtins.property  # the field `property` shadows the builtin here
    def chapter(self) -> str:
        return self.id.partition(".")[0]

    @builtins.property
    def slug(self) -> str:
        return self.id.partition(".")[2]

    @builtins.property
    def function_name(self) -> str:
        """The name of this claim's leg functions in the chapter's leg modules."""
        return self.slug.replace("-", "_")

    @builtins.property
    def legs(self) -> dict[str, Leg]:
        return {"symbolic": self.symbolic, "numeric": self.numeric, "property": self.property}

    @builtins.property
    def expected_outcome(self) -> str:
        return "refuted_as_expected" if self.kind is Kind.ERRATUM else "verified"

    @builtins.property
    def test_id(self) -> str:
        return f"tests/test_claims.py::test_claim[{self.id}]"

    @builtins.property
    def code_locations(self) -> list[str]:
        return [f"dltheory/{self.chapter}/reference.py:{name}" for name in self.code]


@dataclass(frozen=True)
class Chapter:
    """A chapter of the notes with its claims, in the order the notes state them.

    ``order`` is the section number in the notes (``4`` for classification, ``13.6`` for
    information theory) and sorts chapters in the report and on the site.
    """

    name: str
    title: str
    source: str
    order: float
    summary: str
    claims: tuple[Claim, ...]
