from rest_framework import serializers

from qualitas.framework.api.serializers import RecordSerializer
from qualitas.notifications.choices import ModeChoices
from qualitas.notifications.models import Delivery, Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    record = serializers.SerializerMethodField()
    open_url = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "kind_label",
            "subject",
            "message",
            "url",
            "open_url",
            "record",
            "urgent",
            "email_mode",
            "created",
            "read_at",
            "is_read",
        )
        read_only_fields = fields

    def get_record(self, obj) -> dict | None:
        if not obj.content_type_id:
            return None
        content_type = obj.content_type
        return {
            "type": f"{content_type.app_label}.{content_type.model}",
            "id": obj.object_id,
            "display": obj.object_repr,
        }

    def get_open_url(self, obj) -> str:
        """Opening it marks it read and leads to ``url``."""
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class PreferenceSerializer(serializers.Serializer):
    """One notification kind with your e-mail mode for it."""

    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    urgent = serializers.BooleanField(read_only=True)
    mandatory = serializers.BooleanField(read_only=True, help_text="E-mail cannot be turned off.")
    modes = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The modes you may choose."
    )
    mode = serializers.ChoiceField(choices=ModeChoices.choices())
    is_default = serializers.BooleanField(
        read_only=True, help_text="The kind's default applies (no choice made)."
    )

    @staticmethod
    def represent(preference):
        kind = preference.kind
        return {
            "kind": kind.code,
            "label": kind.label,
            "description": kind.description,
            "urgent": kind.urgent,
            "mandatory": kind.mandatory,
            "modes": kind.modes,
            "mode": preference.mode,
            "is_default": preference.is_default,
        }


class DeliverySerializer(RecordSerializer):
    class Meta:
        model = Delivery
        fields = (
            "id",
            "url",
            "display",
            "recipient",
            "to_address",
            "kind",
            "digest",
            "subject",
            "status",
            "attempts",
            "created",
            "next_attempt_at",
            "sent_at",
            "last_error",
            "message_id",
            "cancel_reason",
        )
        read_only_fields = fields
