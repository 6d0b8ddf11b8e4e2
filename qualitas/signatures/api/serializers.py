from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from qualitas.framework.records import parse_reference
from qualitas.framework.registry import get_entry
from qualitas.signatures.choices import MeaningChoices
from qualitas.signatures.models import Signature
from qualitas.signatures.services import MAX_COMMENT


class SignatureSerializer(serializers.ModelSerializer):
    """A signature as stored, with the record it belongs to and whether that record's current
    content still matches the signed content."""

    url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()
    meaning_display = serializers.CharField(source="get_meaning_display", read_only=True)
    record = serializers.SerializerMethodField(help_text="The signed record as app_label.model:id.")
    record_url = serializers.SerializerMethodField(help_text="The signed record's page.")
    matches_current = serializers.SerializerMethodField(
        help_text="True while the record's current content hashes to content_hash; false after it "
        "changed; null when the record no longer exists."
    )

    class Meta:
        model = Signature
        fields = (
            "id",
            "url",
            "display",
            "signer",
            "printed_name",
            "signer_email",
            "meaning",
            "meaning_display",
            "comment",
            "signed_at",
            "record",
            "record_url",
            "object_repr",
            "content_hash",
            "content",
            "matches_current",
            "session_rule",
            "ip",
            "request_id",
        )
        read_only_fields = fields

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_display(self, obj) -> str:
        return str(obj)

    def get_record(self, obj) -> str:
        return f"{obj.record_label}:{obj.object_id}"

    def get_record_url(self, obj) -> str:
        model = ContentType.objects.get_for_id(obj.content_type_id).model_class()
        entry = get_entry(model) if model is not None else None
        if entry is None or entry.views is None:
            return ""
        path = entry.views.url("detail", obj.object_id)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_matches_current(self, obj) -> bool | None:
        return obj.matches_current


class SignRequestSerializer(serializers.Serializer):
    """Sign a record. Which of ``email`` and ``otp`` are needed follows 21 CFR 11.200: with an API
    token (no session) every signing needs ``email`` and ``password``, and ``otp`` when the
    signer has an authenticator."""

    record = serializers.CharField(help_text="The record to sign, as app_label.model:id (testapp.widget:12).")
    meaning = serializers.ChoiceField(choices=MeaningChoices.choices())
    email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
    password = serializers.CharField(
        required=False, allow_blank=True, max_length=4096, trim_whitespace=False, default="", write_only=True
    )
    otp = serializers.CharField(required=False, allow_blank=True, max_length=20, default="", write_only=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_COMMENT, default="")

    def validate_record(self, value):
        try:
            return parse_reference(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages)
