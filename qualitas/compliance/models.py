"""The clause library: standards and their clauses, reference data kept in code.

Rows are written only by ``services.sync_catalogue()`` from ``catalogue/`` (after every migrate
and by ``manage.py sync_clauses``); every change it makes is audited like any other write. A
clause's ``key`` (``iso9001:7.1.5``) never changes, so other records may point at clauses
(documents carry clause tags). A clause that leaves the catalogue is marked withdrawn, never
deleted, so those references stay valid.
"""

from django.db import models
from django.urls import reverse

from qualitas.compliance.choices import ClauseOriginChoices
from qualitas.framework.models import AuditedModel, ChoiceSetField


class Standard(AuditedModel):
    """A management system standard in one edition (ISO 9001:2015, IATF 16949:2016 ...)."""

    code = models.SlugField(max_length=30, unique=True, help_text="The stable code, e.g. iso9001.")
    name = models.CharField(max_length=100, help_text="The standard's short name, e.g. ISO 9001.")
    edition = models.CharField(max_length=20, help_text="The edition, usually its year.")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=100)
    summary = models.TextField(blank=True)
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sector_standards",
        verbose_name="builds on",
        help_text="The standard whose requirements this one takes over (ISO 9001 for IATF 16949 and AS9100D).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}:{self.edition}" if self.edition.isdigit() else self.name

    def get_absolute_url(self):
        return reverse("compliance:standard_coverage", args=[self.code])


class Clause(AuditedModel):
    """One clause of a standard, e.g. ISO 9001:2015 7.1.5.2."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="clauses")
    number = models.CharField(max_length=20, help_text="The clause number, e.g. 7.1.5.2.")
    key = models.CharField(
        max_length=60, unique=True, help_text="<standard code>:<clause number>, never changes."
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="The evidence an auditor looks for, in our own words.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    base_clause = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sector_clauses",
        verbose_name="ISO 9001 clause",
        help_text="For IATF 16949 and AS9100D: the ISO 9001 clause this clause takes over.",
    )
    origin = ChoiceSetField(choice_set=ClauseOriginChoices, default=ClauseOriginChoices.OWN, max_length=20)
    level = models.PositiveSmallIntegerField(help_text="1 for clauses 4 to 10, 2 for 7.1, and so on.")
    sort_key = models.CharField(
        max_length=60, db_index=True, editable=False, help_text="Sorts 7.1.10 after 7.1.9."
    )
    is_heading = models.BooleanField(
        default=False, help_text="Its requirements are written in its sub-clauses, not in itself."
    )
    is_withdrawn = models.BooleanField(default=False, help_text="No longer in the catalogue.")

    class Meta:
        ordering = ["standard__name", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="clause_number_per_standard")
        ]

    def __str__(self):
        return f"{self.standard} {self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("compliance:clause_by_key", args=[self.key])

    @property
    def label(self):
        """The number and title, without the standard: "7.1.5.2 Measurement traceability"."""
        return f"{self.number} {self.title}"

    @property
    def origin_color(self):
        return ClauseOriginChoices.color(self.origin)
