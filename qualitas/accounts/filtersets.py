import django_filters
from django import forms

from qualitas.accounts import keys
from qualitas.accounts.choices import CompanyKindChoices, LoginAttemptReasonChoices, LoginChannelChoices
from qualitas.accounts.models import Company, Invitation, LoginAttempt, User
from qualitas.framework.filtersets import ModelChoiceFilter, ModelMultipleChoiceFilter, RecordFilterSet

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class IPAddressFilter(django_filters.CharFilter):
    """An exact IP address; anything else is a form error, never a database error."""

    field_class = forms.GenericIPAddressField


class CompanyFilterSet(RecordFilterSet):
    search_fields = ("name", "code", "email", "country")
    kind = django_filters.MultipleChoiceFilter(choices=CompanyKindChoices.choices())

    class Meta:
        model = Company
        fields = ("name", "code", "kind", "country", "email", "phone", "website")


class UserFilterSet(RecordFilterSet):
    search_fields = ("full_name", "email", "department", "job_title")
    company = ModelMultipleChoiceFilter(queryset=Company.objects.all())
    role = django_filters.CharFilter(field_name="groups__name", label="Role")

    class Meta:
        model = User
        fields = ("email", "full_name", "company", "department", "job_title", "is_active")


class InvitationFilterSet(RecordFilterSet):
    search_fields = ("email", "message")
    company = ModelMultipleChoiceFilter(queryset=Company.objects.all())
    invited_by = ModelChoiceFilter(queryset=User.objects.all())
    accepted = django_filters.BooleanFilter(field_name="accepted_at", lookup_expr="isnull", exclude=True)
    token = django_filters.CharFilter(
        field_name="token_hash", method="filter_token", label="Token from a link", max_length=200
    )

    def filter_token(self, queryset, name, value):
        """The invitation a sign-up link belongs to: only the token's digest is stored."""
        value = value.strip().rstrip("/").rsplit("/", 1)[-1]
        return queryset.filter(token_hash=keys.digest(value)) if value else queryset

    class Meta:
        model = Invitation
        fields = (
            "email",
            "company",
            "roles",
            "message",
            "invited_by",
            "expires",
            "accepted_at",
            "accepted_user",
        )


class LoginAttemptFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="email", lookup_expr="icontains", label="E-mail")
    user = ModelChoiceFilter(queryset=User.objects.all())
    ip = IPAddressFilter(label="IP address")
    channel = django_filters.ChoiceFilter(choices=LoginChannelChoices.choices())
    success = django_filters.BooleanFilter()
    reason = django_filters.MultipleChoiceFilter(choices=LoginAttemptReasonChoices.choices())
    time_after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label="From", **DATE)
    time_before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label="To", **DATE)
    user_agent = django_filters.CharFilter(lookup_expr="icontains", label="Browser or client")

    class Meta:
        model = LoginAttempt
        # Every field has a filter above: e-mail (q), time (from/to), and the rest by name.
        fields = ()
