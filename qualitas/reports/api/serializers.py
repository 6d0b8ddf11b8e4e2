from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.reverse import reverse

from qualitas.framework.records import REFERENCE_HELP, parse_reference, record_reference


class InspectionPackSerializer(serializers.Serializer):
    record = serializers.CharField(max_length=200, help_text=REFERENCE_HELP)

    def validate_record(self, value):
        try:
            parse_reference(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages)
        return value.strip()


class InspectionPackJobSerializer(serializers.Serializer):
    """The job that builds the pack. Follow it at ``api_url`` (status, progress, result URLs)."""

    job = serializers.IntegerField(source="pk", help_text="The job's id.")
    status = serializers.CharField(help_text="queued, running, succeeded, failed or cancelled.")
    record = serializers.SerializerMethodField(help_text="The packed record as app_label.model:id.")
    url = serializers.SerializerMethodField(help_text="The job's page, with its live progress bar.")
    api_url = serializers.SerializerMethodField(
        help_text="The job in the API: poll it until it has finished."
    )

    def get_record(self, job) -> str:
        return record_reference(job.record) if job.record is not None else ""

    def get_url(self, job) -> str:
        return job.get_absolute_url()

    def get_api_url(self, job) -> str:
        return reverse("job-detail", args=[job.pk], request=self.context.get("request"))
