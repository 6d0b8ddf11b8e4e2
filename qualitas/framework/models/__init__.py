from qualitas.framework.fields import ChoiceSetField
from qualitas.framework.models.base import (
    ArchivableModel,
    AuditedModel,
    NumberedModel,
    PrimaryModel,
    VersionedModel,
    VersionedNumberedModel,
)
from qualitas.framework.models.querysets import AuditedQuerySet
from qualitas.framework.scoping import RestrictedQuerySet

__all__ = (
    "ArchivableModel",
    "AuditedModel",
    "AuditedQuerySet",
    "ChoiceSetField",
    "NumberedModel",
    "PrimaryModel",
    "RestrictedQuerySet",
    "VersionedModel",
    "VersionedNumberedModel",
)
