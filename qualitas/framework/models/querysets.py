"""The queryset every Qualitas record uses: scoping (``restrict``) plus audited bulk writes."""

from django.db import transaction

from qualitas.core import audit
from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.scoping import RestrictedQuerySet, permission_name

__all__ = ("AuditedQuerySet", "RestrictedQuerySet", "permission_name")


class AuditedQuerySet(RestrictedQuerySet):
    """Bulk writes that keep the audit trail: one ObjectChange per affected row, same transaction."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            rows = list(self.select_for_update() if self._can_lock() else self)
            if not rows:
                return 0
            befores = [audit.snapshot(row) for row in rows]
            count = super().update(**kwargs)
            fresh = {
                row.pk: row
                for row in self.model._base_manager.using(self.db).filter(pk__in=[r.pk for r in rows])
            }
            ordered = [fresh[row.pk] for row in rows]
            audit.record_bulk(
                ordered,
                ChangeActionChoices.UPDATE,
                befores=befores,
                afters=[audit.snapshot(r) for r in ordered],
            )
            return count

    update.queryset_only = True  # type: ignore[attr-defined]

    def delete(self):
        with transaction.atomic(using=self.db):
            rows = list(self)
            befores = [audit.snapshot(row) for row in rows]
            # Record first: the ids are still known.
            audit.record_bulk(rows, ChangeActionChoices.DELETE, befores=befores, afters=[None] * len(rows))
            return super().delete()

    delete.queryset_only = True  # type: ignore[attr-defined]

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if any(obj.pk is None for obj in created):
                raise RuntimeError("Audited bulk_create needs a database that returns primary keys.")
            audit.record_bulk(
                created,
                ChangeActionChoices.CREATE,
                befores=[None] * len(created),
                afters=[audit.snapshot(obj) for obj in created],
            )
            for obj in created:
                obj._audit_before = audit.snapshot(obj)
            return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            stored = {
                row.pk: row
                for row in self.model._base_manager.using(self.db).filter(pk__in=[o.pk for o in objs])
            }
            befores = [audit.snapshot(stored[obj.pk]) for obj in objs]
            count = super().bulk_update(objs, fields, *args, **kwargs)
            afters = [audit.snapshot(obj) for obj in objs]
            audit.record_bulk(objs, ChangeActionChoices.UPDATE, befores=befores, afters=afters)
            for obj, after in zip(objs, afters, strict=True):
                obj._audit_before = after
            return count

    def _can_lock(self):
        return self.db and transaction.get_connection(self.db).features.has_select_for_update
