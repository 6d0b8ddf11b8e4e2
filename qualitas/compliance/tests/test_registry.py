"""The registry of record types that give evidence: what is declared today, inheritance from
ISO 9001 to IATF 16949 and AS9100D, and clear errors for wrong declarations."""

import pytest
from django.core import checks

from qualitas.accounts.models import Company, User
from qualitas.compliance import services
from qualitas.compliance.checks import check_clause_catalogue
from qualitas.compliance.models import Clause
from qualitas.core.models import AccessLog, ObjectChange
from qualitas.equipment.models import Equipment
from qualitas.inspections.models import QualityReport
from qualitas.nonconformance.models import NonConformance
from qualitas.production.models import CustomerOrder, Part, PartType, Process, WorkOrder
from qualitas.testing.testapp.models import Widget


def source(model):
    return next(source for source in services.evidence_sources() if source.model is model)


def test_the_record_types_declared_today():
    assert {source.model for source in services.evidence_sources()} == {
        Company,
        User,
        ObjectChange,
        AccessLog,
        Equipment,
        CustomerOrder,
        PartType,
        Process,
        WorkOrder,
        Part,
        QualityReport,
        NonConformance,
    }
    assert source(Part).keys == ("iso9001:8.5.2",)
    assert source(QualityReport).keys == ("iso9001:8.6", "iatf16949:8.6.2", "as9100d:8.6")
    assert source(NonConformance).keys == (
        "iso9001:8.7.1",
        "iso9001:8.7.2",
        "iso22000:8.9.4.3",
        "as9100d:8.7.1",
    )
    assert source(User).keys == ("iso9001:5.3", "iso22000:5.3.1")
    assert source(User).filters == {"is_active": True}
    assert source(Company).keys == ("iso9001:8.4.1", "iso22000:7.1.6")
    assert source(Company).filters == {"kind": "supplier"}
    assert source(ObjectChange).keys == ("iso9001:7.5.3.2", "iso22000:7.5.3.2")
    assert source(ObjectChange).date_field == "time"
    assert source(AccessLog).keys == ("iso9001:7.5.3.1", "iso22000:7.5.3.1")


def test_the_declarations_pass_the_system_check():
    assert services.check_sources(services.declared_sources()) == []
    assert check_clause_catalogue() == []


def test_evidence_for_an_iso_9001_clause_counts_for_the_sector_clauses_that_take_it_over():
    users = source(User)
    assert services.declarations_for("iso9001:5.3") == [(users, None)]
    assert services.declarations_for("iatf16949:5.3") == [(users, "iso9001:5.3")]
    assert services.declarations_for("as9100d:5.3") == [(users, "iso9001:5.3")]
    assert services.declarations_for("iso22000:5.3.1") == [(users, None)]
    # ISO 22000 does not build on ISO 9001: nothing flows into it.
    assert services.declarations_for("iso22000:7.5.3.1") == [(source(AccessLog), None)]
    assert services.declarations_for("iso9001:9.2.2") == []
    assert services.clause_keys_of(users) == ["iso9001:5.3", "iso22000:5.3.1", "iatf16949:5.3", "as9100d:5.3"]


def test_an_unknown_clause_key_is_a_clear_error(declare):
    declare(Widget, evidence_for=("iso9001:7.1.5.2", "iso9001:7.1.99"))
    with pytest.raises(services.EvidenceDeclarationError) as error:
        services.evidence_sources()
    message = str(error.value)
    assert (
        "testapp.Widget declares evidence for 'iso9001:7.1.99', which is not a clause in the catalogue"
        in message
    )
    assert "7.1.5.2" not in message.replace("iso9001:7.1.99", "")


def test_the_system_check_names_the_model_and_the_key(declare):
    declare(Widget, evidence_for=("iso9000:7.1.5.2",))
    errors = check_clause_catalogue()
    assert len(errors) == 1
    assert isinstance(errors[0], checks.Error) and errors[0].id == "compliance.E002"
    assert "testapp.Widget" in errors[0].msg and "'iso9000:7.1.5.2'" in errors[0].msg


@pytest.mark.parametrize(
    "attributes, problem",
    [
        (
            {"evidence_for": ("iso9001:7.1.5",)},
            "testapp.Widget declares evidence for 'iso9001:7.1.5', a heading whose requirements are in its sub-clauses",
        ),
        ({"evidence_for": "iso9001:7.2"}, "testapp.Widget.evidence_for must be a tuple of clause keys"),
        (
            {"evidence_for": ("iso9001:7.2",), "evidence_date_field": "calibrated_on"},
            "testapp.Widget.evidence_date_field names 'calibrated_on', which is not a field of testapp.Widget",
        ),
        (
            {"evidence_for": ("iso9001:7.2",), "evidence_date_field": "name"},
            "testapp.Widget.evidence_date_field names 'name', which is not a date or time field",
        ),
        (
            {"clause_field": "customer"},
            "testapp.Widget.clause_field names 'customer', which does not point at compliance.Clause",
        ),
    ],
)
def test_wrong_declarations_are_refused(declare, attributes, problem):
    declare(Widget, **attributes)
    with pytest.raises(services.EvidenceDeclarationError, match="Wrong clause evidence declarations"):
        services.evidence_sources()
    problems = services.check_sources(services.declared_sources())
    assert any(text.startswith(problem) for text in problems), problems


def test_a_model_tagging_clauses_itself_is_registered(declare):
    # Clause.parent stands in for a documents' clause-tag relation (issue 4 adds one).
    declare(Clause, clause_field="parent")
    tagging = source(Clause)
    assert tagging.tags_clauses and tagging.keys == ()
    assert services.check_sources([tagging]) == []
