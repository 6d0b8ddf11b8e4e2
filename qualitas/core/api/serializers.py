"""Serializers of the three logs. They are read-only: the API never writes to the audit trail."""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from qualitas.core.models import AccessLog, DomainEvent, ObjectChange


class LogSerializer(serializers.ModelSerializer):
    """``url`` is the entry's page; ``model`` names the record type as ``app_label.model``."""

    url = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_model(self, obj) -> str | None:
        if obj.content_type_id is None:
            return None
        return ".".join(obj.content_type.natural_key())

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields


class ObjectChangeSerializer(LogSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    sequence = serializers.SerializerMethodField(
        help_text="The entry's place in the hash chain, once sealed."
    )

    class Meta:
        model = ObjectChange
        fields = (
            "id",
            "url",
            "time",
            "action",
            "action_display",
            "user",
            "user_name",
            "request_id",
            "ip",
            "model",
            "content_type",
            "object_id",
            "object_repr",
            "changes",
            "reason",
            "entry_hash",
            "sequence",
        )

    def get_fields(self):
        fields = super().get_fields()
        # A record's history is open to whoever sees the record (a customer, for instance); the
        # client addresses of the people who changed it are only for those who read the trail.
        if self.context.get("hide_ip"):
            fields.pop("ip", None)
        return fields

    def get_sequence(self, obj) -> int | None:
        try:
            return obj.link.seq
        except ObjectDoesNotExist:
            return None


class DomainEventSerializer(LogSerializer):
    class Meta:
        model = DomainEvent
        fields = (
            "id",
            "url",
            "time",
            "name",
            "user",
            "user_name",
            "request_id",
            "model",
            "content_type",
            "object_id",
            "object_repr",
            "message",
            "data",
        )


class AccessLogSerializer(LogSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = AccessLog
        fields = (
            "id",
            "url",
            "time",
            "kind",
            "kind_display",
            "user",
            "user_name",
            "ip",
            "model",
            "content_type",
            "object_id",
            "object_repr",
            "detail",
        )


class VerificationSerializer(serializers.Serializer):
    """The result of ``audit.verify()`` (see ``VerifyResult.as_dict``)."""

    ok = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="Sealed entries whose hashes were recomputed.")
    unsealed = serializers.IntegerField(help_text="Entries written but not yet linked into the chain.")
    head_seq = serializers.IntegerField()
    head_hash = serializers.CharField()
    first_broken_entry = serializers.IntegerField(allow_null=True)
    first_broken_seq = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField(allow_blank=True)
