"""The clause catalogue: the clause structure of each supported standard, as data.

One module per standard holds its clause numbers, a short title and a one-line summary of the
evidence an auditor looks for, all in our own words (the standards' text is copyrighted; only
clause numbers and short generic headings are reproduced). ``load()`` turns the modules into
``ClauseSpec`` rows; ``services.sync_catalogue()`` writes them into the database.

Sector standards (IATF 16949, AS9100D) build on ISO 9001:2015. Their catalogue is the whole
ISO 9001 structure plus their own clauses, so that an auditor of the sector standard sees the
structure they audit. Each sector clause records where it comes from (``origin``):

- ``iso9001``: the ISO 9001 requirement, taken over unchanged;
- ``supplemented``: the ISO 9001 requirement with text the sector standard adds to it;
- ``sector``: a clause only the sector standard has (e.g. IATF 16949 7.1.5.1.1).

Inherited clauses link to their ISO 9001 clause (``base_key``): evidence declared for
``iso9001:7.1.5.2`` counts for ``iatf16949:7.1.5.2`` and ``as9100d:7.1.5.2`` too.

A parent is derived from the number ("7.1.5.2" -> "7.1.5"). A clause with sub-clauses is a
heading when its requirements are written in the sub-clauses; coverage counts the others. A
sector standard's extension of an ISO 9001 clause that has requirements of its own keeps them
(IATF 16949 8.5.1 has the ISO 9001 text and 8.5.1.1-8.5.1.7), and a sector module lists the
parents of its own clauses that carry text of their own in ``REQUIREMENT_HEADINGS``.
"""

import functools
import importlib
from dataclasses import dataclass, field

from qualitas.compliance.choices import ClauseOriginChoices

#: The catalogue modules, base standards first (sector standards inherit from them).
MODULES = (
    "qualitas.compliance.catalogue.iso9001_2015",
    "qualitas.compliance.catalogue.iso22000_2018",
    "qualitas.compliance.catalogue.iatf16949_2016",
    "qualitas.compliance.catalogue.as9100d",
)

#: Every standard has these top-level clauses (the high-level structure of ISO management
#: system standards: clause 4 Context to clause 10 Improvement).
TOP_LEVEL = ("4", "5", "6", "7", "8", "9", "10")


class CatalogueError(Exception):
    """The catalogue data is inconsistent (a duplicate number, a missing parent, ...)."""


@dataclass(frozen=True)
class StandardSpec:
    code: str
    name: str
    edition: str
    title: str
    publisher: str
    summary: str
    base: str | None = None  # the code of the standard it builds on

    @property
    def label(self):
        return f"{self.name}:{self.edition}" if self.edition.isdigit() else self.name


@dataclass(frozen=True)
class ClauseSpec:
    standard: str
    number: str
    title: str
    summary: str
    origin: str
    is_heading: bool
    base_key: str | None = None
    parent_number: str | None = field(default=None)

    @property
    def key(self):
        return clause_key(self.standard, self.number)

    @property
    def parent_key(self):
        return clause_key(self.standard, self.parent_number) if self.parent_number else None

    @property
    def level(self):
        return clause_level(self.number)

    @property
    def sort_key(self):
        return sort_key(self.number)


@dataclass(frozen=True)
class Catalogue:
    standards: tuple[StandardSpec, ...]
    clauses: tuple[ClauseSpec, ...]

    @functools.cached_property
    def by_key(self):
        return {clause.key: clause for clause in self.clauses}

    @functools.cached_property
    def keys(self):
        return frozenset(self.by_key)

    def standard(self, code):
        return next(standard for standard in self.standards if standard.code == code)

    def clauses_of(self, code):
        return [clause for clause in self.clauses if clause.standard == code]


def clause_key(standard, number):
    """The stable key of a clause: ``<standard code>:<clause number>``."""
    return f"{standard}:{number}"


def clause_level(number):
    return number.count(".") + 1


def parent_number(number):
    return number.rsplit(".", 1)[0] if "." in number else None


def sort_key(number):
    """A text that sorts clause numbers in document order: "7.1.10" after "7.1.9", "10" after "9".

    Each part is zero-padded to four digits: "7.1.5.2" -> "0007.0001.0005.0002".
    """
    parts = number.split(".")
    if not all(part.isdigit() and len(part) <= 4 for part in parts):
        raise CatalogueError(f"{number!r} is not a clause number (digits separated by dots)")
    return ".".join(part.zfill(4) for part in parts)


def _own_clauses(code, rows, requirement_headings=frozenset()):
    numbers = [number for number, *_ in rows]
    with_children = {parent_number(number) for number in numbers} - {None}
    return [
        _row_spec(code, row, ClauseOriginChoices.OWN, with_children, requirement_headings) for row in rows
    ]


def _row_spec(code, row, origin, with_children, requirement_headings):
    """The clause of one ``(number, title, summary)`` row of a catalogue module: a heading when
    clauses sit below it, unless its module lists it among the REQUIREMENT_HEADINGS."""
    number, title, summary = row
    return ClauseSpec(
        standard=code,
        number=number,
        title=title,
        summary=summary,
        origin=origin,
        is_heading=number in with_children and number not in requirement_headings,
        parent_number=parent_number(number),
    )


def _sector_clauses(code, base_clauses, module):
    """The base standard's clauses (unchanged or supplemented) plus the sector's own clauses."""
    supplements = getattr(module, "SUPPLEMENTS", {})
    requirement_headings = frozenset(getattr(module, "REQUIREMENT_HEADINGS", ()))
    own_rows = module.CLAUSES
    base_numbers = {clause.number for clause in base_clauses}
    unknown = sorted(set(supplements) - base_numbers)
    if unknown:
        raise CatalogueError(f"{code}: SUPPLEMENTS names clauses the base standard lacks: {unknown}")
    clashes = sorted({number for number, *_ in own_rows} & base_numbers)
    if clashes:
        raise CatalogueError(f"{code}: its own clauses repeat base clause numbers: {clashes}")
    numbers = [clause.number for clause in base_clauses] + [number for number, *_ in own_rows]
    with_children = {parent_number(number) for number in numbers} - {None}
    clauses = []
    for base in base_clauses:
        addition = supplements.get(base.number)
        clauses.append(
            ClauseSpec(
                standard=code,
                number=base.number,
                title=base.title,
                summary=f"{base.summary} {module.STANDARD.name} adds: {addition}"
                if addition
                else base.summary,
                origin=ClauseOriginChoices.SUPPLEMENTED if addition else ClauseOriginChoices.ISO9001,
                # A base requirement keeps its own text when the sector standard adds sub-clauses.
                is_heading=base.is_heading,
                base_key=base.key,
                parent_number=base.parent_number,
            )
        )
    clauses.extend(
        _row_spec(code, row, ClauseOriginChoices.SECTOR, with_children, requirement_headings)
        for row in own_rows
    )
    return clauses


def _check(standard, clauses):
    seen = set()
    for clause in clauses:
        if clause.number in seen:
            raise CatalogueError(f"{standard.code}: clause {clause.number} is listed twice")
        seen.add(clause.number)
        sort_key(clause.number)  # raises for a malformed number
        if not clause.title.strip() or not clause.summary.strip():
            raise CatalogueError(f"{clause.key} needs a title and a summary")
    for clause in clauses:
        if clause.parent_number and clause.parent_number not in seen:
            raise CatalogueError(f"{clause.key}: its parent {clause.parent_number} is not in the catalogue")
    missing = [number for number in TOP_LEVEL if number not in seen]
    if missing:
        raise CatalogueError(f"{standard.code} lacks the top-level clauses {missing}")


def build(modules=MODULES):
    """Read the catalogue modules into a ``Catalogue`` (checked; raises ``CatalogueError``)."""
    standards = []
    clauses_by_standard = {}
    for name in modules:
        module = importlib.import_module(name)
        standard = module.STANDARD
        if standard.base:
            if standard.base not in clauses_by_standard:
                raise CatalogueError(f"{standard.code} builds on {standard.base}, which must be listed first")
            clauses = _sector_clauses(standard.code, clauses_by_standard[standard.base], module)
        else:
            clauses = _own_clauses(standard.code, module.CLAUSES)
        _check(standard, clauses)
        clauses.sort(key=lambda clause: clause.sort_key)
        standards.append(standard)
        clauses_by_standard[standard.code] = clauses
    if len({standard.code for standard in standards}) != len(standards):
        raise CatalogueError("two catalogue modules declare the same standard code")
    return Catalogue(
        standards=tuple(standards),
        clauses=tuple(clause for standard in standards for clause in clauses_by_standard[standard.code]),
    )


@functools.cache
def load():
    """The catalogue of every supported standard (read once per process)."""
    return build()
