from rest_framework import serializers


class RecordSerializer(serializers.ModelSerializer):
    """Base serializer: ``id``, ``url`` (the page), ``display`` and the read-only record fields.

    A state machine's field is always read-only: transitions go through ``/actions/<name>/``.
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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True)
