"""The clause catalogue's integrity, and spot checks of each standard's clause numbering.

The references for the numbering are the standards themselves: ISO 9001:2015, ISO 22000:2018,
IATF 16949:2016 (1st edition, October 2016) and AS9100D (SAE AS9100 Rev. D, September 2016),
clauses 4 to 10 each. Only numbers and short generic headings are compared here.
"""

import ast
import importlib
from dataclasses import replace
from pathlib import Path

import pytest

from qualitas.compliance.catalogue import (
    MODULES,
    TOP_LEVEL,
    Catalogue,
    CatalogueError,
    _check,
    build,
    load,
    sort_key,
)
from qualitas.compliance.choices import ClauseOriginChoices

CATALOGUE = load()
CODES = ("iso9001", "iso22000", "iatf16949", "as9100d")


def numbers(code):
    return [clause.number for clause in CATALOGUE.clauses_of(code)]


def spec(key):
    return CATALOGUE.by_key[key]


# --- Integrity ---------------------------------------------------------------------------------


def test_the_four_standards_are_in_the_catalogue():
    assert [standard.code for standard in CATALOGUE.standards] == list(CODES)
    assert CATALOGUE.standard("iatf16949").base == "iso9001"
    assert CATALOGUE.standard("as9100d").base == "iso9001"
    assert CATALOGUE.standard("iso22000").base is None


def test_keys_are_unique_and_well_formed():
    keys = [clause.key for clause in CATALOGUE.clauses]
    assert len(keys) == len(set(keys))
    for clause in CATALOGUE.clauses:
        assert clause.key == f"{clause.standard}:{clause.number}"
        assert all(part.isdigit() for part in clause.number.split("."))


def test_every_parent_exists_in_the_same_standard():
    for clause in CATALOGUE.clauses:
        if clause.level == 1:
            assert clause.parent_key is None
        else:
            assert clause.parent_key in CATALOGUE.by_key, clause.key
            assert CATALOGUE.by_key[clause.parent_key].standard == clause.standard
            assert CATALOGUE.by_key[clause.parent_key].level == clause.level - 1


@pytest.mark.parametrize("code", CODES)
def test_every_standard_has_clauses_4_to_10_as_headings(code):
    top = [clause for clause in CATALOGUE.clauses_of(code) if clause.level == 1]
    assert [clause.number for clause in top] == list(TOP_LEVEL)
    assert all(clause.is_heading for clause in top)


@pytest.mark.parametrize("code", CODES)
def test_clauses_are_in_document_order(code):
    listed = numbers(code)
    as_tuples = [tuple(int(part) for part in number.split(".")) for number in listed]
    assert as_tuples == sorted(as_tuples)


def test_the_sort_key_puts_10_after_9():
    assert sort_key("7.1.10") > sort_key("7.1.9")
    assert sort_key("10") > sort_key("9.3.3")
    assert sort_key("7.1.5.2") == "0007.0001.0005.0002"
    assert sorted(["10.1", "9.1", "7.1.10", "7.1.9", "7.1"], key=sort_key) == [
        "7.1",
        "7.1.9",
        "7.1.10",
        "9.1",
        "10.1",
    ]
    for bad in ("7.a", "", "7..1", "12345"):
        with pytest.raises(CatalogueError):
            sort_key(bad)


def test_every_clause_has_a_title_and_a_one_line_summary():
    for clause in CATALOGUE.clauses:
        assert clause.title.strip() and clause.summary.strip(), clause.key
        assert "\n" not in clause.summary, clause.key
        assert clause.summary.endswith((".", ")")), clause.key


def test_headings_are_the_clauses_whose_requirements_are_in_their_sub_clauses():
    # ISO 9001:2015 7.1.5 has only 7.1.5.1 and 7.1.5.2 under it: a heading.
    assert spec("iso9001:7.1.5").is_heading
    # ISO 9001:2015 8.5.1 has its own requirements; IATF 16949 adds 8.5.1.1-8.5.1.7 below it
    # and AS9100D 8.5.1.1-8.5.1.3, but the ISO 9001 text stays a requirement there.
    assert not spec("iso9001:8.5.1").is_heading
    assert not spec("iatf16949:8.5.1").is_heading
    assert not spec("as9100d:8.5.1").is_heading
    # IATF 16949 7.1.5.3 (laboratory requirements) only groups 7.1.5.3.1 and 7.1.5.3.2 ...
    assert spec("iatf16949:7.1.5.3").is_heading
    # ... while 8.4.2.4 (supplier monitoring) has text of its own besides 8.4.2.4.1.
    assert not spec("iatf16949:8.4.2.4").is_heading
    # Every leaf is a requirement.
    parents = {clause.parent_key for clause in CATALOGUE.clauses}
    assert all(not clause.is_heading for clause in CATALOGUE.clauses if clause.key not in parents)


def test_no_summary_is_repeated_within_a_standard():
    # A copy-paste slip would give two clauses of one standard the same summary.
    for code in CODES:
        summaries = [clause.summary for clause in CATALOGUE.clauses_of(code)]
        repeated = {summary for summary in summaries if summaries.count(summary) > 1}
        assert not repeated, (code, repeated)


def test_catalogue_modules_are_plain_data():
    # The catalogue modules hold literals only: nothing computed, nothing imported beyond the spec.
    for name in MODULES:
        path = Path(importlib.import_module(name).__file__)
        tree = ast.parse(path.read_text())
        for node in tree.body:
            assert isinstance(node, ast.Expr | ast.ImportFrom | ast.Assign | ast.AnnAssign), (path, node)


# --- ISO 9001:2015 -----------------------------------------------------------------------------


def test_iso_9001_structure():
    listed = numbers("iso9001")
    # ISO 9001:2015 clause 4: 4.1-4.4 with 4.4.1 and 4.4.2.
    assert listed[:7] == ["4", "4.1", "4.2", "4.3", "4.4", "4.4.1", "4.4.2"]
    # 7.1 Resources: 7.1.1 to 7.1.6, with 7.1.5.1 and 7.1.5.2 under monitoring and measuring resources.
    assert [n for n in listed if n.startswith("7.1")] == [
        "7.1",
        "7.1.1",
        "7.1.2",
        "7.1.3",
        "7.1.4",
        "7.1.5",
        "7.1.5.1",
        "7.1.5.2",
        "7.1.6",
    ]
    # 8.5 Production and service provision: 8.5.1 to 8.5.6.
    assert [n for n in listed if n.startswith("8.5")] == ["8.5", *(f"8.5.{i}" for i in range(1, 7))]
    # 9.3 Management review: 9.3.1 general, 9.3.2 inputs, 9.3.3 outputs.
    assert [n for n in listed if n.startswith("9.3")] == ["9.3", "9.3.1", "9.3.2", "9.3.3"]
    # 10 Improvement: 10.1, 10.2 (10.2.1, 10.2.2), 10.3.
    assert [n for n in listed if n.startswith("10")] == ["10", "10.1", "10.2", "10.2.1", "10.2.2", "10.3"]
    assert len(listed) == 91
    assert spec("iso9001:7.1.5.2").title == "Measurement traceability"
    assert spec("iso9001:8.7").title == "Control of nonconforming outputs"


# --- ISO 22000:2018 ----------------------------------------------------------------------------


def test_iso_22000_structure():
    listed = numbers("iso22000")
    # 7.1.5 externally developed elements and 7.1.6 control of external providers.
    assert "7.1.5" in listed and "7.1.6" in listed and "7.1.5.1" not in listed
    # 8.2 PRPs, 8.3 traceability, 8.4 emergencies, 8.5 hazard control.
    assert [n for n in listed if n.count(".") == 1 and n.startswith("8.")] == [f"8.{i}" for i in range(1, 10)]
    # 8.5.4 hazard control plan: 8.5.4.1 to 8.5.4.5.
    assert [n for n in listed if n.startswith("8.5.4")] == ["8.5.4", *(f"8.5.4.{i}" for i in range(1, 6))]
    # 8.5.1.5 flow diagrams: 8.5.1.5.1 to 8.5.1.5.3 (the deepest level of the standard).
    assert [n for n in listed if n.startswith("8.5.1.5")] == [
        "8.5.1.5",
        "8.5.1.5.1",
        "8.5.1.5.2",
        "8.5.1.5.3",
    ]
    # 8.9: 8.9.1 to 8.9.5 (withdrawal/recall), 8.9.4 handling of potentially unsafe products.
    assert [n for n in listed if n.count(".") == 2 and n.startswith("8.9")] == [
        f"8.9.{i}" for i in range(1, 6)
    ]
    assert [n for n in listed if n.startswith("8.9.4.")] == ["8.9.4.1", "8.9.4.2", "8.9.4.3"]
    # 10: 10.1 nonconformity and corrective action, 10.2 continual improvement, 10.3 update.
    assert [n for n in listed if n.startswith("10")] == ["10", "10.1", "10.2", "10.3"]
    assert spec("iso22000:8.5.4").title.startswith("Hazard control plan")
    assert all(clause.origin == ClauseOriginChoices.OWN for clause in CATALOGUE.clauses_of("iso22000"))


# --- IATF 16949:2016 ---------------------------------------------------------------------------


def test_iatf_16949_holds_the_whole_iso_9001_structure():
    iso = numbers("iso9001")
    iatf = numbers("iatf16949")
    assert set(iso) <= set(iatf)
    for number in iso:
        inherited = spec(f"iatf16949:{number}")
        assert inherited.base_key == f"iso9001:{number}"
        assert inherited.origin == ClauseOriginChoices.ISO9001
        assert inherited.title == spec(f"iso9001:{number}").title


@pytest.mark.parametrize(
    "number, title",
    [
        ("4.3.2", "Customer-specific requirements"),
        ("4.4.1.2", "Product safety"),
        ("6.1.2.3", "Contingency plans"),
        ("7.1.5.1.1", "Measurement systems analysis"),
        ("7.1.5.2.1", "Calibration and verification records"),
        ("7.2.3", "Internal auditor competency"),
        ("8.3.3.3", "Special characteristics"),
        ("8.5.1.1", "Control plan"),
        ("8.5.1.5", "Total productive maintenance"),
        ("8.5.6.1.1", "Temporary change of process controls"),
        ("8.7.1.3", "Control of suspect product"),
        ("9.2.2.3", "Manufacturing process audit"),
        ("10.2.3", "Problem solving"),
        ("10.2.4", "Error-proofing"),
        ("10.2.5", "Warranty management systems"),
    ],
)
def test_iatf_16949_automotive_clauses(number, title):
    # IATF 16949:2016 clause numbers and their (short, generic) subjects.
    clause = spec(f"iatf16949:{number}")
    assert clause.title == title
    assert clause.origin == ClauseOriginChoices.SECTOR
    assert clause.base_key is None


def test_iatf_16949_automotive_clauses_hang_under_their_iso_9001_clause():
    assert spec("iatf16949:7.1.5.1.1").parent_key == "iatf16949:7.1.5.1"
    assert spec("iatf16949:7.1.5.1").base_key == "iso9001:7.1.5.1"
    assert spec("iatf16949:10.2.3").parent_key == "iatf16949:10.2"
    sector = [
        clause for clause in CATALOGUE.clauses_of("iatf16949") if clause.origin == ClauseOriginChoices.SECTOR
    ]
    assert len(sector) == 104


# --- AS9100D ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, title",
    [
        ("8.1.1", "Operational risk management"),
        ("8.1.2", "Configuration management"),
        ("8.1.3", "Product safety"),
        ("8.1.4", "Prevention of counterfeit parts"),
        ("8.3.4.1", "Verification and validation testing"),
        ("8.5.1.1", "Control of equipment, tools and software programs"),
        ("8.5.1.2", "Validation and control of special processes"),
        ("8.5.1.3", "Production process verification"),
    ],
)
def test_as9100d_aerospace_clauses(number, title):
    clause = spec(f"as9100d:{number}")
    assert clause.title == title
    assert clause.origin == ClauseOriginChoices.SECTOR


def test_as9100d_additions_to_iso_9001_clauses():
    # AS9100D adds text to ISO 9001 clauses, among them 7.1.5.2 (equipment register and recall),
    # 8.4.3 (flow-down to suppliers), 8.5.5 (post-delivery) and 7.3 (awareness).
    for number in ("7.1.5.2", "7.3", "8.4.3", "8.5.2", "8.5.5", "10.2.1"):
        clause = spec(f"as9100d:{number}")
        assert clause.origin == ClauseOriginChoices.SUPPLEMENTED
        assert clause.base_key == f"iso9001:{number}"
        assert clause.summary.startswith(spec(f"iso9001:{number}").summary)
        assert "AS9100D adds:" in clause.summary
    assert spec("as9100d:7.2").origin == ClauseOriginChoices.ISO9001
    assert len(numbers("as9100d")) == len(numbers("iso9001")) + 9


# --- The loader's own checks -------------------------------------------------------------------


def test_a_missing_parent_is_refused():
    standard = CATALOGUE.standard("iso9001")
    clauses = [
        *CATALOGUE.clauses_of("iso9001"),
        replace(spec("iso9001:7.1.5.2"), number="7.9.1", parent_number="7.9"),
    ]
    with pytest.raises(CatalogueError, match=r"iso9001:7.9.1: its parent 7.9 is not in the catalogue"):
        _check(standard, clauses)


def test_a_duplicate_number_is_refused():
    standard = CATALOGUE.standard("iso9001")
    clauses = [*CATALOGUE.clauses_of("iso9001"), spec("iso9001:7.2")]
    with pytest.raises(CatalogueError, match="clause 7.2 is listed twice"):
        _check(standard, clauses)


def test_a_missing_top_level_clause_is_refused():
    standard = CATALOGUE.standard("iso22000")
    clauses = [clause for clause in CATALOGUE.clauses_of("iso22000") if not clause.number.startswith("10")]
    with pytest.raises(CatalogueError, match=r"lacks the top-level clauses \['10'\]"):
        _check(standard, clauses)


def test_a_sector_standard_must_come_after_its_base():
    with pytest.raises(CatalogueError, match="builds on iso9001, which must be listed first"):
        build(modules=("qualitas.compliance.catalogue.iatf16949_2016",))


def test_the_catalogue_is_read_once():
    assert load() is load()
    assert isinstance(load(), Catalogue)
    assert len(CATALOGUE.keys) == len(CATALOGUE.clauses) == 500
