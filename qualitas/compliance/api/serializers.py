from rest_framework import serializers

from qualitas.compliance.models import Clause, Standard
from qualitas.framework.api.serializers import RecordSerializer


class StandardSerializer(RecordSerializer):
    base = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Standard
        fields = (
            *RecordSerializer.record_fields,
            "code",
            "name",
            "edition",
            "title",
            "publisher",
            "summary",
            "base",
        )


class ClauseSerializer(RecordSerializer):
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True)
    base_clause = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Clause
        fields = (
            *RecordSerializer.record_fields,
            "key",
            "standard",
            "number",
            "title",
            "summary",
            "parent",
            "base_clause",
            "origin",
            "level",
            "is_heading",
            "is_withdrawn",
        )


class EvidenceRecordSerializer(serializers.Serializer):
    id = serializers.CharField()
    display = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    date = serializers.DateTimeField(allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    """One record type's evidence for a clause, counted over what the requesting user may see."""

    record_type = serializers.CharField(help_text="app_label.model_name")
    name = serializers.CharField(help_text="The record type's plural name.")
    count = serializers.IntegerField()
    latest = serializers.DateTimeField(allow_null=True)
    declared_on = serializers.CharField(
        allow_null=True, help_text="The ISO 9001 clause the evidence is declared on, when inherited."
    )
    tagged = serializers.BooleanField(help_text="The records tag the clause themselves.")
    permitted = serializers.BooleanField(help_text="Whether you may see records of this type.")
    list_url = serializers.CharField(allow_blank=True)
    records = EvidenceRecordSerializer(many=True)


class ClauseCoverageSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    level = serializers.IntegerField()
    is_heading = serializers.BooleanField()
    status = serializers.CharField()
    record_types = serializers.IntegerField()
    count = serializers.IntegerField()
    latest = serializers.DateTimeField(allow_null=True)
    covered = serializers.IntegerField(help_text="Clauses with evidence here and below.")
    total = serializers.IntegerField(help_text="Clauses with requirements here and below.")


class CoverageSerializer(serializers.Serializer):
    standard = serializers.CharField()
    covered = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    clauses = ClauseCoverageSerializer(many=True)
