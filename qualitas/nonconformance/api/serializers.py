from rest_framework import serializers

from qualitas.framework.api.serializers import RecordSerializer
from qualitas.inspections.api.serializers import raise_problems, with_stored
from qualitas.nonconformance import services, validation
from qualitas.nonconformance.models import NonConformance, ReworkAttempt


class NonConformanceSerializer(RecordSerializer):
    """An NCR raised by hand: its disposition, escalation and closure are read-only here and set by
    the actions (``POST /non-conformances/<id>/actions/decide/`` and so on)."""

    needs_review_board = serializers.BooleanField(read_only=True)

    class Meta:
        model = NonConformance
        fields = (
            *RecordSerializer.record_fields,
            "number",
            "title",
            "status",
            "source",
            "severity",
            "description",
            "part",
            "quality_report",
            "part_type",
            "work_order",
            "step",
            "supplier",
            "customer",
            "quantity",
            "assignee",
            "disposition",
            "rework_step",
            "disposition_notes",
            "disposition_decided_by",
            "disposition_decided_at",
            "concession_reference",
            "needs_review_board",
            "is_escalated",
            "escalation_reason",
            "resolution",
            "closed_at",
            *RecordSerializer.archive_fields,
        )
        # Opened from a failed report by the service only.
        read_only_fields = ("quality_report",)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        data = with_stored(self, attrs)
        filled = validation.complete_from_part(dict(data))
        raise_problems(validation.nonconformance_problems(filled))
        for name in ("part_type", "work_order", "customer"):
            if filled.get(name) != data.get(name):
                attrs[name] = filled[name]
        return attrs

    def create(self, validated_data):
        return services.open_nonconformance(NonConformance(**validated_data))


class ReworkAttemptSerializer(RecordSerializer):
    class Meta:
        model = ReworkAttempt
        fields = (
            *RecordSerializer.record_fields,
            "nonconformance",
            "part",
            "step",
            "attempt",
            "outcome",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields
