import django_filters

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company, User
from qualitas.framework.filtersets import RecordFilterSet


class CompanyFilterSet(RecordFilterSet):
    search_fields = ("name", "code", "email", "country")
    kind = django_filters.MultipleChoiceFilter(choices=CompanyKindChoices.choices())

    class Meta:
        model = Company
        fields = ("name", "code", "kind", "country", "email", "phone", "website")


class UserFilterSet(RecordFilterSet):
    search_fields = ("full_name", "email", "department", "job_title")
    company = django_filters.ModelMultipleChoiceFilter(queryset=Company.objects.all())
    role = django_filters.CharFilter(field_name="groups__name", label="Role")

    class Meta:
        model = User
        fields = ("email", "full_name", "company", "department", "job_title", "is_active")
