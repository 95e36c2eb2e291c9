r"""The claim record: one checkable statement of the notes, with the legs that check it.

A claim is written the way a mathlib theorem is: the statement and its proof stand together,
in the order of the text. A section module of a chapter (``dltheory/<chapter>/claims/<section>.py``)
declares a :class:`Section`, then for each claim its record followed by its legs::

    SECTION = Section("classification", "4 Softmax")

    sums_to_one = SECTION.claim(
        "softmax-sums-to-one",
        title="Softmax outputs sum to one",
        statement=r"\sum_i \operatorname{softmax}(\mathbf{o})_i = 1",
        kind=Kind.THEOREM,
        code=("softmax",),
    )


    @sums_to_one.symbolic_leg(scope="general q")
    def _() -> Derivation: ...


    @sums_to_one.numeric_leg(oracle="the identity, summed in float64")
    def _(impl, device, dtype) -> None: ...


    @sums_to_one.property_leg("the outputs sum to 1")
    def _(impl) -> ForAll: ...

The legs:

* **symbolic** ``fn() -> Derivation``: a SymPy derivation whose residuals must simplify to 0
  (or be true facts); it may cite proved claims as steps (:class:`Step` ``cites``), which the
  record lists in ``uses``;
* **numeric** ``fn(impl, device, dtype)``: compares the implementation under test with an
  independent oracle and raises ``AssertionError`` on disagreement;
* **property** ``fn(impl) -> ForAll | Exists``: a Hypothesis strategy and a predicate.

``impl`` gives the numeric and property legs the functions they check, by the names in the
record's ``code`` (``impl.softmax``). By default these are the chapter's reference functions;
``dltheory check`` passes someone else's. A leg reaches the code under test only through
``impl``. A leg a claim does not have is declared :class:`NotApplicable` with the reason.
"""

from __future__ import annotations

import builtins
import enum
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

__all__ = [
    "LEG_NAMES",
    "Chapter",
    "Claim",
    "Derivation",
    "Exists",
    "ForAll",
    "Kind",
    "NotApplicable",
    "NumericLeg",
    "PropertyLeg",
    "Section",
    "Step",
    "SymbolicLeg",
    "source_location",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

LEG_NAMES = ("symbolic", "numeric", "property")
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds dltheory/


class Kind(enum.StrEnum):
    """What sort of statement a claim is.

    ``erratum``: false as written; Hypothesis must refute it, and a corrected claim stands
    beside it. ``notation``: a slip of wording or notation (a reused letter, a misnamed
    symbol); nothing false is asserted, so there is nothing to refute: the record states the
    reading that fixes it and names the claim that states it correctly.
    """

    THEOREM = "theorem"
    IDENTITY = "identity"
    DEFINITION = "definition"
    ERRATUM = "erratum"
    NOTATION = "notation"


def source_location(path: str, line: int) -> str:
    """``path:line`` relative to the directory holding the ``dltheory`` package."""
    try:
        relative = Path(path).resolve().relative_to(_PACKAGE_ROOT)
    except ValueError:
        relative = Path(path)
    return f"{relative.as_posix()}:{line}"


def _function_location(fn: Callable[..., Any]) -> str:
    code = fn.__code__  # the first line is the decorator line: where the leg starts to read
    return source_location(code.co_filename, code.co_firstlineno)


@dataclass(frozen=True)
class NotApplicable:
    """A leg the claim deliberately does not have, with the reason."""

    reason: str


@dataclass(frozen=True)
class SymbolicLeg:
    """A SymPy derivation.

    ``general`` says whether it holds for every size (``scope`` then reads like
    ``"general q"``) or only for the fixed sizes it names (``"for q = 2, 3, 4"``).
    """

    scope: str
    general: bool = True
    run: Callable[[], Derivation] = field(default=lambda: _missing(), repr=False, compare=False)

    @builtins.property
    def location(self) -> str:
        return _function_location(self.run)


@dataclass(frozen=True)
class NumericLeg:
    """A comparison of the implementation under test with an independent oracle."""

    oracle: str
    dtypes: tuple[str, ...] = ("float64", "float32", "bfloat16", "float16")
    run: Callable[[Any, str, Any], None] = field(
        default=lambda impl, device, dtype: _missing(), repr=False, compare=False
    )

    @builtins.property
    def location(self) -> str:
        return _function_location(self.run)


@dataclass(frozen=True)
class PropertyLeg:
    """A Hypothesis property, stated in words and (optionally) LaTeX for the report and docs."""

    description: str
    latex: str | None = None
    run: Callable[[Any], ForAll | Exists] = field(
        default=lambda impl: _missing(), repr=False, compare=False
    )

    @builtins.property
    def location(self) -> str:
        return _function_location(self.run)


def _missing() -> Any:
    raise RuntimeError("this leg has no function")


Leg = SymbolicLeg | NumericLeg | PropertyLeg | NotApplicable


@dataclass(frozen=True)
class Step:
    """One line of a derivation: what was done, and the resulting SymPy object.

    ``cites`` names proved claims the step uses instead of deriving them again (each must be
    in the record's ``uses``); the docs link them, and the runner fails the claim if one of
    them fails.
    """

    text: str
    expr: Any
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derivation:
    """What a symbolic leg returns.

    Each residual is an expression that must simplify to ``0``, or a fact (a SymPy relation,
    or the ``bool`` of an assumption query such as ``expr.is_positive``) that must be true;
    only then is the claim proved. ``compared`` says, per residual, what it compares (for
    the docs: "sum of the components minus 1"); a residual SymPy already reduced to 0 or True
    as it was built is otherwise shown without content. For an erratum the derivation
    *disproves* the statement as written: ``witness`` substitutes values at which a residual
    is nonzero (or false), and ``witness_symbols`` says what each of its symbols stands for
    (markdown with LaTeX, keyed by the symbol's name as ``str`` gives it; one key such as
    ``"V"`` covers a family of indexed symbols ``V[0, 1]``, ...), so that the errata page
    defines every symbol it shows.
    """

    steps: Sequence[Step]
    residuals: Sequence[Any]
    witness: dict[Any, Any] | None = None
    compared: Sequence[str] = ()
    witness_symbols: Mapping[str, str] = field(default_factory=dict)

    def undefined_witness_symbols(self) -> list[str]:
        """The witness's symbols that ``witness_symbols`` does not define."""
        return [
            str(k)
            for k in (self.witness or {})
            if str(k) not in self.witness_symbols
            and str(k).split("[")[0] not in self.witness_symbols
        ]

    @builtins.property
    def cited(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for step in self.steps for c in step.cites))


@dataclass(frozen=True)
class ForAll(Generic[T]):
    """``predicate(x)`` holds for every ``x`` the strategy draws.

    ``names`` labels what the strategy draws in reports: one name for a single value, one per
    element when it draws a tuple (``names=("p", "q")`` shows ``p = ..., q = ...``).
    """

    strategy: Any  # hypothesis.strategies.SearchStrategy[T]
    predicate: Callable[[T], bool]
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exists(Generic[T]):
    """Some ``x`` the strategy draws satisfies ``predicate(x)`` (a witness is searched for)."""

    strategy: Any
    predicate: Callable[[T], bool]
    names: tuple[str, ...] = ()


@dataclass(eq=False)
class Claim:
    """One checkable statement of the notes, and its legs.

    Attributes:
        id: ``"<chapter>.<slug>"``, stable; the pytest id, report key and docs anchor.
        title: a short human title.
        statement: the statement in LaTeX (for an erratum or a notation note: as the notes
            write it).
        source: the section of the notes it comes from.
        kind: theorem, identity, definition, erratum or notation.
        code: the functions its numeric and property legs check, by reference name
            (``"softmax"`` in the claim's own chapter, ``"classification.softmax"`` in
            another); the legs receive exactly these through ``impl``.
        uses: ids of proved claims its derivation cites instead of re-deriving them.
        corrects: for an erratum or a notation note, the claim that states it correctly.
        note: how the statement is read, what is assumed (for a notation note: the reading
            that fixes it).
        location: ``path:line`` of the record.
        symbolic, numeric, property: the legs (:class:`NotApplicable` with a reason where the
            claim has none); attached by the ``*_leg`` decorators.
    """

    id: str
    title: str
    statement: str
    source: str
    kind: Kind
    code: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    corrects: str | None = None
    note: str = ""
    location: str = ""
    symbolic: SymbolicLeg | NotApplicable | None = None
    numeric: NumericLeg | NotApplicable | None = None
    property: PropertyLeg | NotApplicable | None = None

    def __post_init__(self) -> None:
        chapter, _, slug = self.id.partition(".")
        if not chapter or not slug or "." in slug:
            raise ValueError(f"claim id must look like '<chapter>.<slug>', got {self.id!r}")
        needs_corrects = self.kind in (Kind.ERRATUM, Kind.NOTATION)
        if needs_corrects != (self.corrects is not None):
            raise ValueError(
                f"{self.id}: an erratum or notation note (and only those) names `corrects`"
            )
        if self.kind is Kind.NOTATION:
            if not self.note.strip():
                raise ValueError(f"{self.id}: a notation note states the reading that fixes it")
            for name in LEG_NAMES:
                if getattr(self, name) is None:
                    setattr(self, name, NotApplicable("a notation note asserts nothing to check"))
        self.code = tuple(self.code)
        self.uses = tuple(self.uses)

    # -- attaching legs -------------------------------------------------------------------

    def _attach(self, name: str, leg: Leg) -> None:
        if self.kind is Kind.NOTATION:
            raise ValueError(f"{self.id}: a notation note has no legs")
        if getattr(self, name) is not None:
            raise ValueError(f"{self.id}: the {name} leg is declared twice")
        setattr(self, name, leg)

    def symbolic_leg(self, scope: str, *, general: bool = True) -> Callable[[F], F]:
        """Decorator: ``fn() -> Derivation`` is this claim's symbolic leg."""

        def attach(fn: F) -> F:
            self._attach("symbolic", SymbolicLeg(scope, general, fn))
            return fn

        return attach

    def numeric_leg(
        self, oracle: str, *, dtypes: tuple[str, ...] = NumericLeg.dtypes
    ) -> Callable[[F], F]:
        """Decorator: ``fn(impl, device, dtype)`` is this claim's numeric leg."""

        def attach(fn: F) -> F:
            self._attach("numeric", NumericLeg(oracle, tuple(dtypes), fn))
            return fn

        return attach

    def property_leg(self, description: str, *, latex: str | None = None) -> Callable[[F], F]:
        """Decorator: ``fn(impl) -> ForAll | Exists`` is this claim's property leg."""

        def attach(fn: F) -> F:
            self._attach("property", PropertyLeg(description, latex, fn))
            return fn

        return attach

    # -- derived facts --------------------------------------------------------------------

    @builtins.property
    def chapter(self) -> str:
        return self.id.partition(".")[0]

    @builtins.property
    def slug(self) -> str:
        return self.id.partition(".")[2]

    @builtins.property
    def legs(self) -> dict[str, Leg]:
        """The three legs; raises if one was neither attached nor declared not applicable."""
        legs = {name: getattr(self, name) for name in LEG_NAMES}
        missing = [name for name, leg in legs.items() if leg is None]
        if missing:
            raise ValueError(
                f"{self.id} ({self.location}): no {' / '.join(missing)} leg; attach one or "
                "declare it NotApplicable(reason)"
            )
        return legs

    @builtins.property
    def functions(self) -> tuple[str, ...]:
        """``code`` as qualified names ``<chapter>.<function>``."""
        return tuple(name if "." in name else f"{self.chapter}.{name}" for name in self.code)

    @builtins.property
    def expected_outcome(self) -> str:
        if self.kind is Kind.ERRATUM:
            return "refuted_as_expected"
        if self.kind is Kind.NOTATION:
            return "noted"
        return "verified"

    @builtins.property
    def test_id(self) -> str:
        return f"tests/test_claims.py::test_claim[{self.id}]"

    @builtins.property
    def code_locations(self) -> list[str]:
        return [
            f"dltheory/{name.partition('.')[0]}/reference.py:{name.partition('.')[2]}"
            for name in self.functions
        ]


class Section:
    """One section of the notes: the claims of a section module, in the order of the text.

    A section module defines ``SECTION = Section(chapter, source)`` and creates each claim
    with :meth:`claim`, which records where the record stands in the file.
    """

    def __init__(self, chapter: str, source: str) -> None:
        self.chapter = chapter
        self.source = source
        self.claims: list[Claim] = []

    def claim(
        self,
        slug: str,
        *,
        title: str,
        statement: str,
        kind: Kind,
        source: str | None = None,
        code: Sequence[str] = (),
        uses: Sequence[str] = (),
        corrects: str | None = None,
        note: str = "",
        symbolic: NotApplicable | None = None,
        numeric: NotApplicable | None = None,
        property: NotApplicable | None = None,
    ) -> Claim:
        """Create and register the claim ``<chapter>.<slug>``.

        ``source`` defaults to the section's; ``uses`` and ``corrects`` take full claim ids.
        Legs the claim does not have are passed here as :class:`NotApplicable`; the others
        are attached below the record with the ``*_leg`` decorators.
        """
        caller = sys._getframe(1)
        created = Claim(
            id=f"{self.chapter}.{slug}",
            title=title,
            statement=statement,
            source=source or self.source,
            kind=kind,
            code=tuple(code),
            uses=tuple(uses),
            corrects=corrects,
            note=note,
            location=source_location(caller.f_code.co_filename, caller.f_lineno),
            symbolic=symbolic,
            numeric=numeric,
            property=property,
        )
        self.claims.append(created)
        return created


@dataclass(frozen=True)
class Chapter:
    """A chapter of the notes: its section modules, in the order of the notes.

    Defined in ``dltheory/<name>/claims/__init__.py`` as ``CHAPTER``. ``sections`` names the
    modules of ``dltheory.<name>.claims`` (each defines ``SECTION``); ``order`` is the section
    number in the notes (``4`` for classification, ``13.6`` for information theory) and sorts
    chapters in the report and on the site.
    """

    name: str
    title: str
    source: str
    order: float
    summary: str
    sections: tuple[str, ...]
