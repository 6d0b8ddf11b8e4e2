from rest_framework import serializers

from qualitas.accounts.models import Company, User
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
