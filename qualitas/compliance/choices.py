from qualitas.framework.choices import ChoiceSet


class ClauseOriginChoices(ChoiceSet):
    """Where a clause's requirement comes from (see catalogue/__init__.py)."""

    OWN = "own"
    ISO9001 = "iso9001"
    SUPPLEMENTED = "supplemented"
    SECTOR = "sector"

    CHOICES = [
        (OWN, "Clause of this standard", "secondary"),
        (ISO9001, "ISO 9001 requirement", "light"),
        (SUPPLEMENTED, "ISO 9001 requirement with additions", "info"),
        (SECTOR, "Sector-specific clause", "primary"),
    ]


class EvidenceStatusChoices(ChoiceSet):
    """A clause's evidence in this installation, as the viewing user may see it."""

    EVIDENCE = "evidence"
    NO_RECORDS = "no_records"
    NO_EVIDENCE = "no_evidence"
    HEADING = "heading"

    CHOICES = [
        (EVIDENCE, "Evidence", "success"),
        (NO_RECORDS, "No records yet", "warning"),
        (NO_EVIDENCE, "No evidence", "danger"),
        (HEADING, "Heading", "secondary"),
    ]
