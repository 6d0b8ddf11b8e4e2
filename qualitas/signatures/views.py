"""The Signatures tab of every record (its signatures and the Sign form) and the signature log."""

import contextlib

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.shortcuts import redirect
from django.utils.http import urlencode

from qualitas.framework.records import takes_record_services, visible
from qualitas.framework.ui.panels import Panel
from qualitas.framework.ui.tabs import Tab, register_tab
from qualitas.framework.views.generic import ModelViews, RecordTabView
from qualitas.signatures import services
from qualitas.signatures.filtersets import SignatureFilterSet
from qualitas.signatures.forms import SignForm
from qualitas.signatures.models import Signature
from qualitas.signatures.tables import SignatureTable

SIGN_PERMISSION = "signatures.add_signature"


def add_signing_errors(form, error):
    """Put a ``SigningError`` on the form: named fields get their messages, the rest go on top."""
    for name, messages_ in error.errors.items():
        form.add_error(name if name in form.fields else None, messages_)


# --- The Signatures tab -------------------------------------------------------------------------


class SignaturesTab(RecordTabView):
    tab_name = "signatures"
    template_name = "signatures/signatures_tab.html"

    def can_sign(self, obj):
        return self.request.user.has_perm(SIGN_PERMISSION) and not getattr(obj, "is_archived", False)

    def get_context(self, obj):
        signatures = services.signatures_for(obj)
        return {
            "signatures": signatures,
            "changed_count": sum(1 for signature in signatures if not signature.matches_current),
            "can_sign": self.can_sign(obj),
            "log_url": f"{SignatureViews.url('list')}?{urlencode({'record': f'{obj._meta.label_lower}:{obj.pk}'})}",
        }

    def get(self, request, pk):
        self.require("view")
        obj = self.get_object()
        form = (
            SignForm(requirements=services.requirements(request.user, request))
            if self.can_sign(obj)
            else None
        )
        return self.render_tab(obj, form=form)

    def post(self, request, pk):
        self.require("view")
        obj = self.get_object()
        if not request.user.has_perm(SIGN_PERMISSION):
            raise PermissionDenied("You do not have permission to sign records.")
        form = SignForm(request.POST, requirements=services.requirements(request.user, request))
        if form.is_valid():
            try:
                signature = services.sign(
                    request.user, obj, form.cleaned_data["meaning"], request=request, **form.components()
                )
            except services.SigningError as error:
                add_signing_errors(form, error)
            else:
                messages.success(
                    request,
                    f"You signed {obj} ({signature.get_meaning_display()}) as {signature.printed_name}.",
                )
                return redirect(f"{obj.get_absolute_url()}{self.tab_name}/")
        return self.render_tab(obj, status=400, form=form)


register_tab(
    Tab(
        name="signatures",
        label="Signatures",
        url_suffix="signatures/",
        view=SignaturesTab,
        weight=70,
        applies_to=takes_record_services,
    )
)


# --- The signature log --------------------------------------------------------------------------


class SignaturePanel(Panel):
    """One signature as an auditor reads it: who, when (UTC), what it means, the record, whether
    the record still matches, and the signed content with its hash."""

    template_name = "signatures/panels/signature.html"

    def context(self, obj, request):
        record = obj.record
        record_url = ""
        if record is not None and hasattr(record, "get_absolute_url") and visible(request.user, record):
            record_url = record.get_absolute_url()
        return {"signature": obj, "record": record, "record_url": record_url}


class SignedContentPanel(Panel):
    """The canonical content the hash covers: readable, then exactly as hashed."""

    template_name = "signatures/panels/signed_content.html"

    def context(self, obj, request):
        model = ContentType.objects.get_for_id(obj.content_type_id).model_class()
        rows = []
        for name, value in obj.signed_content.get("fields", {}).items():
            label = name.replace("_", " ")
            if model is not None:
                with contextlib.suppress(FieldDoesNotExist):
                    label = str(model._meta.get_field(name).verbose_name)
            rows.append((label, value))
        return {"signature": obj, "rows": rows}


class SignatureViews(ModelViews):
    """Every signature, read-only: signatures are made on a record's Signatures tab, by actions
    and by approvals, never edited."""

    model = Signature
    table = SignatureTable
    filterset = SignatureFilterSet
    can_create = can_edit = False
    panels = (SignaturePanel("Signature"), SignedContentPanel("Signed content"))

    @classmethod
    def get_panels(cls, obj):
        # A signature is its own record: no created/updated panel.
        return list(cls.panels)
