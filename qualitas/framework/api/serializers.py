import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


class RecordSerializer(serializers.ModelSerializer):
    """Base serializer: ``id``, ``url`` (the page), ``display`` and the read-only record fields.

    A state machine's field is always read-only: transitions go through ``/actions/<name>/``.
    The model's ``clean()`` runs on the values sent, as it does for forms, so that a record rule is
    written once (in the model) and holds on the page and in the API alike.
    """

    url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()

    record_fields = ("id", "url", "display", "created", "created_by", "updated", "updated_by")
    archive_fields = ("is_archived", "archived_at", "archive_reason")

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request and path else path

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        fields = super().get_fields()
        machine = getattr(self.Meta.model, "state_machine", None)
        if machine is not None and machine.field in fields:
            fields[machine.field].read_only = True
        for name in ("created", "created_by", "updated", "updated_by", *self.archive_fields):
            if name in fields:
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(candidate, name, value)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise serializers.ValidationError(error.message_dict)
            raise serializers.ValidationError({"non_field_errors": error.messages})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True)
