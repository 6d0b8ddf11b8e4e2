from rest_framework import serializers

from qualitas.framework.api.serializers import RecordSerializer
from qualitas.inspections import validation
from qualitas.inspections.models import (
    ErrorType,
    MeasurementDefinition,
    MeasurementResult,
    QualityReport,
    ReportDefect,
    SamplingDecision,
    SamplingRule,
    SamplingRuleSet,
    SamplingState,
)


def with_stored(serializer, attrs):
    """The values sent over the stored record's (a PATCH sends only what changes)."""
    instance = serializer.instance
    concrete = {field.name for field in serializer.Meta.model._meta.concrete_fields}
    names = concrete & set(serializer.Meta.fields) - set(RecordSerializer.record_fields)
    data = {name: getattr(instance, name) for name in names} if instance is not None else {}
    data.update(attrs)
    return data


def raise_problems(problems):
    if problems:
        raise serializers.ValidationError(
            {name or "non_field_errors": [message] for name, message in problems.items()}
        )


class MeasurementDefinitionSerializer(RecordSerializer):
    lsl = serializers.FloatField(read_only=True, allow_null=True, help_text="The lower limit in force.")
    usl = serializers.FloatField(read_only=True, allow_null=True, help_text="The upper limit in force.")

    class Meta:
        model = MeasurementDefinition
        fields = (
            *RecordSerializer.record_fields,
            "step",
            "name",
            "code",
            "kind",
            "classification",
            "unit",
            "nominal",
            "lower_tolerance",
            "upper_tolerance",
            "lower_limit",
            "upper_limit",
            "lsl",
            "usl",
            "decimals",
            "is_required",
            "sequence",
            "method",
            *RecordSerializer.archive_fields,
        )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        raise_problems(validation.definition_problems(with_stored(self, attrs)))
        return attrs


class ErrorTypeSerializer(RecordSerializer):
    class Meta:
        model = ErrorType
        fields = (
            *RecordSerializer.record_fields,
            "part_type",
            "code",
            "name",
            "classification",
            "description",
            *RecordSerializer.archive_fields,
        )


class QualityReportSerializer(RecordSerializer):
    """What was measured is recorded once (``inspections.services``); only the notes change."""

    class Meta:
        model = QualityReport
        fields = (
            *RecordSerializer.record_fields,
            "number",
            "status",
            "part",
            "step",
            "work_order",
            "inspector",
            "equipment",
            "inspected_at",
            "notes",
            *RecordSerializer.archive_fields,
        )
        read_only_fields = tuple(name for name in fields if name != "notes")


class MeasurementResultSerializer(RecordSerializer):
    class Meta:
        model = MeasurementResult
        fields = (
            *RecordSerializer.record_fields,
            "report",
            "definition",
            "value",
            "attribute_ok",
            "is_pass",
            "recorded_at",
        )
        read_only_fields = fields


class ReportDefectSerializer(RecordSerializer):
    class Meta:
        model = ReportDefect
        fields = (*RecordSerializer.record_fields, "report", "error_type", "quantity", "location", "note")
        read_only_fields = fields


class SamplingRuleSetSerializer(RecordSerializer):
    class Meta:
        model = SamplingRuleSet
        fields = (
            *RecordSerializer.record_fields,
            "name",
            "part_type",
            "process",
            "step",
            "priority",
            "is_active",
            "fallback",
            "fallback_threshold",
            "fallback_window",
            "fallback_parts",
            "fallback_hours",
            "description",
            *RecordSerializer.archive_fields,
        )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        raise_problems(validation.rule_set_problems(with_stored(self, attrs), instance=self.instance))
        return attrs


class SamplingRuleSerializer(RecordSerializer):
    class Meta:
        model = SamplingRule
        fields = (
            *RecordSerializer.record_fields,
            "rule_set",
            "kind",
            "n",
            "m",
            "percentage",
            "sequence",
            *RecordSerializer.archive_fields,
        )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        raise_problems(validation.rule_problems(with_stored(self, attrs)))
        return attrs


class SamplingStateSerializer(RecordSerializer):
    class Meta:
        model = SamplingState
        fields = (
            *RecordSerializer.record_fields,
            "work_order",
            "step",
            "rule_set",
            "active_rule_set",
            "parts_seen",
            "parts_seen_in_set",
            "inspections_required",
            "inspections_done",
            "defects_found",
            "recent_results",
            "in_fallback",
            "fallback_started_at",
            "fallback_parts_left",
            "fallback_until",
        )
        read_only_fields = fields


class SamplingDecisionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = SamplingDecision
        fields = (
            "id",
            "url",
            "part",
            "step",
            "work_order",
            "rule_set",
            "rule",
            "sequence",
            "must_inspect",
            "in_fallback",
            "reason",
            "decided_at",
        )
        read_only_fields = fields

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request and path else path


# --- The bulk endpoint --------------------------------------------------------------------------


class BulkResultSerializer(serializers.Serializer):
    """For the schema: the value is checked against its characteristic by the service."""

    definition = serializers.IntegerField()
    value = serializers.JSONField(required=False, help_text="A number, for numeric characteristics.")
    unit = serializers.CharField(required=False, help_text="Checked against the characteristic's unit.")
    attribute_ok = serializers.JSONField(required=False, help_text="true / false, for attribute checks.")


class BulkDefectSerializer(serializers.Serializer):
    error_type = serializers.IntegerField()
    quantity = serializers.IntegerField(required=False, default=1)
    location = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class BulkReportSerializer(serializers.Serializer):
    part = serializers.IntegerField(required=False, help_text="The part's id, or give serial_number.")
    serial_number = serializers.CharField(required=False)
    step = serializers.IntegerField()
    equipment = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    inspected_at = serializers.DateTimeField(required=False, allow_null=True)
    results = BulkResultSerializer(many=True, required=False)
    defects = BulkDefectSerializer(many=True, required=False)


class BulkRequestSerializer(serializers.Serializer):
    reports = BulkReportSerializer(many=True)


class BulkRecordedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    part = serializers.IntegerField()
    step = serializers.IntegerField()
    nonconformance = serializers.CharField(allow_null=True, help_text="The number of the NCR it opened.")


class BulkResponseSerializer(serializers.Serializer):
    reports = BulkRecordedSerializer(many=True)
