from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qualitas.approvals import services
from qualitas.approvals.choices import DecisionChoices
from qualitas.approvals.models import (
    ApprovalRequest,
    ApprovalResponse,
    ApprovalStep,
    ApprovalTemplate,
    Delegation,
    StepInstance,
)
from qualitas.framework.api.serializers import RecordSerializer
from qualitas.framework.records import record_model


def as_drf_error(error):
    """A Django ValidationError from a service as DRF's, keeping the field names."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


@extend_schema_field(OpenApiTypes.STR)
class RecordTypeField(serializers.Field):
    """A record type as ``app_label.model_name`` (``documents.document``)."""

    default_error_messages = {"unknown": "Unknown record type “{value}”: use app_label.model_name."}

    def to_representation(self, value):
        return f"{value.app_label}.{value.model}"

    def to_internal_value(self, data):
        model = record_model(data) if isinstance(data, str) else None
        if model is None or not services.is_approvable(model):
            self.fail("unknown", value=data)
        return ContentType.objects.get_for_model(model)


class RecordTypesField(serializers.ListField):
    child = RecordTypeField()

    def to_representation(self, data):
        return [self.child.to_representation(content_type) for content_type in data.all()]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ("id", "full_name", "email")
        read_only_fields = fields


# --- Templates ----------------------------------------------------------------------------------


class ApprovalStepSerializer(serializers.ModelSerializer):
    approver_roles = serializers.SlugRelatedField(
        many=True, slug_field="name", queryset=Group.objects.all(), required=False
    )
    approver_users = serializers.PrimaryKeyRelatedField(
        many=True, queryset=get_user_model().objects.filter(is_active=True), required=False
    )
    escalate_to = serializers.SlugRelatedField(
        slug_field="name", queryset=Group.objects.all(), required=False, allow_null=True
    )
    due_within = serializers.DurationField(
        required=False,
        allow_null=True,
        help_text="ISO 8601 or Django's format, e.g. “2 00:00:00” for two days, “04:00:00” for four hours.",
    )

    class Meta:
        model = ApprovalStep
        fields = (
            "id",
            "order",
            "name",
            "instructions",
            "approver_roles",
            "approver_users",
            "quorum",
            "required_approvals",
            "due_within",
            "escalate_to",
        )
        # Unique per template, checked by the service with a readable message.
        validators = []


class ApprovalTemplateSerializer(RecordSerializer):
    record_types = RecordTypesField(
        required=False,
        help_text="Record types (app_label.model_name) the template is offered for; empty for every type.",
    )
    steps = ApprovalStepSerializer(
        many=True,
        required=False,
        help_text="The steps, in order. Writing them replaces the steps (matched by order).",
    )

    class Meta:
        model = ApprovalTemplate
        fields = (
            *RecordSerializer.record_fields,
            "code",
            "name",
            "description",
            "record_types",
            "is_active",
            "steps",
            *RecordSerializer.archive_fields,
        )

    def create(self, validated_data):
        return self._save(ApprovalTemplate(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, template, data):
        record_types = data.pop("record_types", None)
        steps = data.pop("steps", None)
        for name, value in data.items():
            setattr(template, name, value)
        try:
            with transaction.atomic():
                template.full_clean()
                template.save()
                if record_types is not None:
                    template.record_types.set(record_types)
                if steps is not None:
                    services.replace_steps(template, steps)
        except DjangoValidationError as error:
            raise as_drf_error(error)
        return template


# --- Requests -----------------------------------------------------------------------------------


class ApprovalResponseSerializer(serializers.ModelSerializer):
    approver = PersonSerializer(read_only=True)
    on_behalf_of = PersonSerializer(read_only=True)
    signature = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalResponse
        fields = ("id", "approver", "on_behalf_of", "decision", "comment", "responded_at", "signature")
        read_only_fields = fields

    def get_signature(self, obj) -> dict:
        signature = obj.signature
        return {
            "id": signature.pk,
            "printed_name": signature.printed_name,
            "meaning": signature.meaning,
            "signed_at": serializers.DateTimeField().to_representation(signature.signed_at),
            "content_hash": signature.content_hash,
        }


class StepInstanceSerializer(serializers.ModelSerializer):
    approvers = PersonSerializer(many=True, read_only=True)
    approver_roles = serializers.SlugRelatedField(many=True, slug_field="name", read_only=True)
    escalate_to = serializers.SlugRelatedField(slug_field="name", read_only=True)
    responses = ApprovalResponseSerializer(many=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = StepInstance
        fields = (
            "order",
            "name",
            "instructions",
            "quorum",
            "required_approvals",
            "approver_roles",
            "approvers",
            "status",
            "due_at",
            "is_overdue",
            "activated_at",
            "resolved_at",
            "escalated_at",
            "escalate_to",
            "responses",
        )
        read_only_fields = fields


class ApprovalRequestSerializer(RecordSerializer):
    record_type = RecordTypeField(source="content_type")
    object_id = serializers.CharField(max_length=64)
    template = serializers.SlugRelatedField(slug_field="code", queryset=ApprovalTemplate.objects.all())
    requested_by = PersonSerializer(read_only=True)
    record_url = serializers.SerializerMethodField()
    steps = StepInstanceSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = (
            "id",
            "url",
            "display",
            "number",
            "record_type",
            "object_id",
            "object_repr",
            "record_url",
            "template",
            "requested_by",
            "note",
            "status",
            "current_step",
            "content_hash",
            "created",
            "completed_at",
            "cancel_reason",
            "steps",
        )
        read_only_fields = (
            "number",
            "object_repr",
            "status",
            "current_step",
            "content_hash",
            "created",
            "completed_at",
            "cancel_reason",
        )
        # "One open approval per record" is the service's rule, with a message that names the request.
        validators = []

    def get_record_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.record_url
        return request.build_absolute_uri(path) if request and path else path


class RespondSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DecisionChoices.choices())
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        max_length=4096, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    otp = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="The TOTP code, when enrolled."
    )
    email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="The signer's e-mail address (identification), required outside a signed-in session.",
    )
    on_behalf_of = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Respond for this approver (a delegation)."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True)


class InboxStepSerializer(serializers.ModelSerializer):
    """An open step awaiting the user, with its request."""

    request = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    respond_url = serializers.SerializerMethodField()

    class Meta:
        model = StepInstance
        fields = (
            "id",
            "order",
            "name",
            "quorum",
            "required_approvals",
            "due_at",
            "is_overdue",
            "activated_at",
            "request",
            "respond_url",
        )
        read_only_fields = fields

    def get_request(self, obj) -> dict:
        approval = obj.request
        return {
            "id": approval.pk,
            "number": approval.number,
            "record_type": f"{approval.content_type.app_label}.{approval.content_type.model}",
            "object_id": approval.object_id,
            "object_repr": approval.object_repr,
            "template": approval.template.code,
            "requested_by": PersonSerializer(approval.requested_by).data,
            "created": serializers.DateTimeField().to_representation(approval.created),
        }

    def get_respond_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/approval-requests/{obj.request_id}/respond/"
        return request.build_absolute_uri(path) if request else path


# --- Delegations --------------------------------------------------------------------------------


class DelegationSerializer(RecordSerializer):
    delegator = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="Who is away; yourself when left out (others need approvals.change_delegation).",
    )
    delegate = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    is_in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = Delegation
        fields = (
            *RecordSerializer.record_fields,
            "delegator",
            "delegate",
            "starts",
            "ends",
            "reason",
            "is_in_force",
            *RecordSerializer.archive_fields,
        )

    def create(self, validated_data):
        user = self.context["request"].user
        try:
            return services.create_delegation(user, **validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error)

    def update(self, instance, validated_data):
        user = self.context["request"].user
        try:
            return services.update_delegation(instance, user, **validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error)
