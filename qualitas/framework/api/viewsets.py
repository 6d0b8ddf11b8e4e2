"""The base API viewsets: scoped querysets, filters, ordering, export, history, and for editable
records archive, restore and state-machine actions.

``RecordViewSet`` serves ordinary records; ``ReadOnlyRecordViewSet`` serves record types that are
only read through the API (the audit logs), with the same scoping, filtering, ordering and export.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from qualitas.core import access, audit
from qualitas.core.api.serializers import ObjectChangeSerializer
from qualitas.framework.actions import SIGNATURE_FIELDS
from qualitas.framework.api.serializers import ReasonSerializer
from qualitas.framework.exports import FORMATS, export
from qualitas.framework.registry import get_entry, register_model


class ActionRequestSerializer(serializers.Serializer):
    """The body of ``POST /<records>/<id>/actions/<name>/`` (for the schema)."""

    reason = serializers.CharField(required=False, help_text="Required by actions that say so.")
    password = serializers.CharField(
        required=False, write_only=True, help_text="Actions that need an electronic signature."
    )
    email = serializers.CharField(
        required=False, help_text="The signer's e-mail: needed for a signature made with an API token."
    )
    otp = serializers.CharField(
        required=False, write_only=True, help_text="The authenticator code, when the signer has one."
    )
    comment = serializers.CharField(required=False, help_text="Stored with the signature.")


class BaseRecordViewSet(viewsets.GenericViewSet):
    """Scoping through ``restrict()``, detail lookups that ignore list filters, and CSV/XLSX export
    of exactly the filtered rows. Not used directly: see the two viewsets below."""

    model = None
    #: The ``restrict()`` action for each viewset action; unknown actions are scoped as "view".
    restrict_action = {"list": "view", "retrieve": "view", "export": "view"}
    #: The model permission each custom action needs, when it differs from the HTTP method's.
    action_permissions = {"export": "view"}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.queryset is not None:
            cls.model = cls.queryset.model
            register_model(cls.model, serializer=cls.serializer_class, api_viewset=cls)

    @property
    def permission_action(self):
        return self.action_permissions.get(self.action)

    def initial(self, request, *args, **kwargs):
        # A method the endpoint does not offer is 405 for everyone, before permissions are read
        # (otherwise a write to a read-only log would be reported as a missing permission).
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if self.queryset is None:
            return None
        action_name = self.restrict_action.get(self.action, "view")
        # Start from the declared queryset so that its select_related/prefetch_related are kept.
        return (
            self.queryset.all()
            .restrict(self.request.user, action_name)
            .order_by(*(self.queryset.query.order_by or self.queryset.model._meta.ordering or ["pk"]))
        )

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=FORMATS, description="csv or xlsx")],
        responses={(200, "text/csv"): bytes},
    )
    @action(detail=False, methods=["get"], url_path="export", url_name="export")
    def export(self, request):
        entry = get_entry(self.queryset.model)
        if entry is None or entry.table is None:
            raise NotFound("This record type has no export.")
        fmt = request.query_params.get("format", "csv")
        if fmt not in FORMATS:
            raise ValidationError({"format": [f"Choose one of: {', '.join(FORMATS)}."]})
        queryset = self.filter_queryset(self.get_queryset())
        access.record_export(self.queryset.model, detail=request.query_params.urlencode()[:300])
        return export(entry.table(queryset, order=request.query_params.get("sort")), fmt)

    def get_object(self):
        queryset = self.filter_queryset_for_object(self.get_queryset())
        # DRF's get_object_or_404: an id of the wrong type ("abc") is a 404, not a 500.
        obj = get_object_or_404(queryset, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def filter_queryset_for_object(self, queryset):
        # Detail lookups ignore list filters (e.g. "active only") but keep scoping.
        return queryset


class ReadOnlyRecordViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, BaseRecordViewSet):
    """List, retrieve and export; nothing is written through it."""

    http_method_names = ["get", "head", "options"]


def _refuse_create(self, request, *args, **kwargs):
    raise MethodNotAllowed(request.method)


class RecordViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    BaseRecordViewSet,
):
    """Records are never deleted through the API: they are archived with a reason.

    ``can_create = False`` for records made elsewhere (parts by their work order, reports by the
    station): a POST to the list is 405 and the schema leaves the create operation out."""

    can_create = True

    restrict_action = {
        **BaseRecordViewSet.restrict_action,
        "create": "add",
        "update": "change",
        "partial_update": "change",
        "archive": "change",
        "restore": "change",
        "run_action": "view",
        "history": "view",
    }
    action_permissions = {
        **BaseRecordViewSet.action_permissions,
        "archive": "change",
        "restore": "change",
        "run_action": "view",
        "history": "view",
    }

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.can_create:
            cls.create = extend_schema(exclude=True)(_refuse_create)

    def initial(self, request, *args, **kwargs):
        if not self.can_create and request.method == "POST" and self.action == "create":
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        if getattr(serializer.instance, "is_archived", False):
            raise ValidationError(
                {"non_field_errors": ["Archived records cannot be changed; restore it first."]}
            )
        with transaction.atomic():
            serializer.save()

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._archive_or_restore("archive")

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._archive_or_restore("restore")

    def _archive_or_restore(self, operation):
        obj = self.get_object()
        if not hasattr(obj, operation):
            raise NotFound()
        data = ReasonSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        getattr(obj, operation)(data.validated_data["reason"])
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        request=ActionRequestSerializer, parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)]
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[\w-]+)")
    def run_action(self, request, pk=None, name=None):
        """Run a state-machine action. ``reason`` where the action requires one; for an action
        that needs an electronic signature, the signer's ``password`` (always), ``email`` and
        ``otp`` (with an API token: every time, ``otp`` when enrolled) and an optional
        ``comment``. A wrong or missing component is 400 with field errors and writes nothing
        but the failed attempt, which counts toward the sign-in lockout."""
        obj = self.get_object()
        machine = getattr(self.queryset.model, "state_machine", None)
        action_class = machine.get_action(name) if machine else None
        if action_class is None:
            raise NotFound(f"No action {name!r} on {self.queryset.model._meta.verbose_name}.")
        data = request.data if hasattr(request.data, "items") else {}
        reason = data.get("reason", "")
        runner = action_class(obj, request.user, request=request)
        if runner.form_class is not None:
            # Permission and blockers first, as on the page: a refused action reads no body.
            runner.check(reason)
            form = runner.get_form(data)
            if not form.is_valid():
                raise ValidationError(form.errors)
            extra = form.cleaned_data
        else:
            extra = None
        if runner.required_signature():
            signature = {}
            errors = {}
            for key in SIGNATURE_FIELDS:
                value = data.get(key, "")
                if value is None:
                    value = ""
                if not isinstance(value, str):
                    errors[key] = ["Send this as text."]
                signature[key] = value
            if errors:
                raise ValidationError(errors)
            params = {k: v for k, v in data.items() if k != "reason" and k not in SIGNATURE_FIELDS}
            runner.execute(reason=reason, signature=signature, **(params if extra is None else extra))
        else:
            params = {k: v for k, v in data.items() if k != "reason"}
            runner.execute(reason=reason, **(params if extra is None else extra))
        return Response(self.get_serializer(obj).data)

    @extend_schema(responses=ObjectChangeSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The record's audit trail, newest first. Visible to whoever may see the record."""
        obj = self.get_object()
        entries = audit.history(obj).select_related("content_type", "link").order_by("-time", "-id")
        page = self.paginate_queryset(entries)
        context = {
            **self.get_serializer_context(),
            "hide_ip": not request.user.has_perm("core.view_objectchange"),
        }
        serializer = ObjectChangeSerializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)
