from rest_framework import serializers

from qualitas.accounts.choices import InvitationStatusChoices
from qualitas.accounts.models import ApiToken, Company, Invitation, LoginAttempt, User
from qualitas.accounts.services import API_TOKEN_MAX_DAYS
from qualitas.framework.api.serializers import RecordSerializer


class CompanySerializer(RecordSerializer):
    class Meta:
        model = Company
        fields = (
            *RecordSerializer.record_fields,
            "name",
            "code",
            "kind",
            "address",
            "country",
            "email",
            "phone",
            "website",
            "notes",
            *RecordSerializer.archive_fields,
        )


class UserSerializer(RecordSerializer):
    roles = serializers.SlugRelatedField(source="groups", many=True, read_only=True, slug_field="name")

    class Meta:
        model = User
        fields = (
            "id",
            "url",
            "display",
            "email",
            "full_name",
            "company",
            "department",
            "job_title",
            "is_active",
            "roles",
            "last_login",
            "date_joined",
        )
        read_only_fields = fields


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "name",
            "prefix",
            "created",
            "expires",
            "revoked_at",
            "last_used",
            "last_used_ip",
            "is_active",
        )
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="The current TOTP code (or a recovery code) when the user has two-factor authentication.",
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=API_TOKEN_MAX_DAYS)


class NewTokenSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once: store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ("key", *ApiTokenSerializer.Meta.fields)
        read_only_fields = fields


class InvitationSerializer(RecordSerializer):
    status = serializers.ChoiceField(choices=InvitationStatusChoices.choices(), read_only=True)
    roles = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Invitation
        fields = (
            *RecordSerializer.record_fields,
            "email",
            "status",
            "company",
            "roles",
            "message",
            "invited_by",
            "expires",
            "accepted_at",
            "accepted_user",
            *RecordSerializer.archive_fields,
        )
        read_only_fields = fields


class LoginAttemptSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = LoginAttempt
        fields = (
            "id",
            "url",
            "time",
            "email",
            "user",
            "ip",
            "channel",
            "success",
            "reason",
            "reason_display",
            "user_agent",
        )
        read_only_fields = fields

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path
