"""Electronic signatures (21 CFR Part 11): one append-only row per signing of one record.

How a signature is made and checked is in ``services.py``; the reading of §11.200 it follows is
written down in docs/architecture/electronic-signatures.md.
"""

import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from qualitas.core.models import AppendOnlyModel
from qualitas.framework.fields import ChoiceSetField
from qualitas.framework.registry import registered_models
from qualitas.signatures.choices import MeaningChoices, SessionRuleChoices
from qualitas.signatures.content import current_hashes

_UNSET = object()


class Signature(AppendOnlyModel):
    """The printed name, time and meaning of one signing, bound to a SHA-256 of the record's
    canonical content at that moment (§11.50, §11.70).

    ``content`` holds that canonical content exactly as hashed (keys sorted, no whitespace), so
    anyone can recompute ``content_hash`` from the row alone and see what was signed.
    """

    # No database constraint: the signature must outlive (and never be rewritten by) a user's removal.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    printed_name = models.CharField(max_length=200, help_text="The signer's full name when signing.")
    signer_email = models.CharField(max_length=254, verbose_name="Signer's e-mail")
    meaning = ChoiceSetField(choice_set=MeaningChoices, max_length=20)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField(default=timezone.now, verbose_name="Signed at (UTC)")
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="Record type"
    )
    object_id = models.CharField(max_length=64, verbose_name="Record id")
    object_repr = models.CharField(max_length=200, verbose_name="Record")
    content_hash = models.CharField(max_length=64, verbose_name="Content SHA-256")
    content = models.TextField(verbose_name="Signed content (canonical JSON)")
    session_rule = ChoiceSetField(
        choice_set=SessionRuleChoices, max_length=20, verbose_name="Components rule (§11.200)"
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP address")
    request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "signed_at"], name="signature_record"),
            models.Index(fields=["signed_at"], name="signature_time"),
        ]
        # Signatures are made (add) and read (view); nothing may change or remove one.
        default_permissions = ("view", "add")

    def __str__(self):
        return f"{self.printed_name}: {self.get_meaning_display()}, {self.object_repr}"

    def get_absolute_url(self):
        return reverse("signatures:signature_detail", args=[self.pk])

    def get_meaning_color(self):
        return MeaningChoices.color(self.meaning)

    def get_session_rule_color(self):
        return SessionRuleChoices.color(self.session_rule)

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        """A user sees the signatures of the records they may see, and no others: each record
        type's own ``restrict()`` decides (customers, document classification, ...).

        Decided in SQL when the queryset runs, so a queryset built before a signature was made
        still finds it. A record type the user sees in full costs one ``IN`` on the content type;
        only scoped record types add a subquery."""
        whole_types = []
        scoped = Q()
        for entry in registered_models():
            model = entry.model
            if issubclass(model, AppendOnlyModel):
                continue  # logs are never signed
            records = model.objects.restrict(user, "view")
            if records.query.is_empty():
                continue
            content_type_id = ContentType.objects.get_for_model(model).pk
            if not records.query.where:
                whole_types.append(content_type_id)
                continue
            visible_ids = (
                records.order_by()
                .annotate(signature_object_id=Cast("pk", output_field=CharField(max_length=64)))
                .values("signature_object_id")
            )
            scoped |= Q(content_type_id=content_type_id, object_id__in=visible_ids)
        condition = Q(content_type_id__in=sorted(whole_types)) | scoped if whole_types else scoped
        return queryset.filter(condition) if condition else queryset.none()

    # --- The signed record ------------------------------------------------------------------

    @property
    def record(self):
        """The signed record, or None when it no longer exists. Not scoped: callers that show it
        check the reader's access themselves (``qualitas.framework.records``)."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        if model is None:
            return None
        return model._base_manager.filter(pk=self.object_id).first()

    @property
    def record_label(self):
        content_type = ContentType.objects.get_for_id(self.content_type_id)
        return f"{content_type.app_label}.{content_type.model}"

    @property
    def signed_content(self):
        """The canonical content as a dict (``content`` is its exact text)."""
        return json.loads(self.content)

    @property
    def matches_current(self):
        """True while the record's current canonical content hashes to ``content_hash``; False
        after it changed; None when the record no longer exists. ``services.signatures_for``
        and ``content.annotate_matches`` set it for many signatures at once."""
        cached = getattr(self, "_matches_current", _UNSET)
        if cached is _UNSET:
            current = current_hashes([self]).get((self.content_type_id, self.object_id))
            cached = None if current is None else current == self.content_hash
            self._matches_current = cached
        return cached

    @matches_current.setter
    def matches_current(self, value):
        self._matches_current = value

    @property
    def short_hash(self):
        return self.content_hash[:12]
