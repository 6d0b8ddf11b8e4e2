"""Forms parse and check the shape of input; the services in ``services.py`` apply the rules
(password policy, permissions, uniqueness) and raise errors that ``add_service_errors`` puts on
the right field."""

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import password_validators_help_texts

from qualitas.accounts import services
from qualitas.accounts.models import Company, User
from qualitas.accounts.roles import ROLE_NAMES, ROLES
from qualitas.framework.forms import RecordForm, StyledFormMixin


class CompanyForm(RecordForm):
    class Meta:
        model = Company
        fields = ("name", "code", "kind", "address", "country", "email", "phone", "website", "notes")


def add_service_errors(form, error, fields=None):
    """Put a service's ValidationError on the form: keys that name a field (or map to one through
    ``fields``) go there, everything else to the top of the form."""
    fields = fields or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            name = fields.get(key, key)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def password_policy_help():
    return " ".join(password_validators_help_texts())


class LoginForm(StyledFormMixin, forms.Form):
    email = forms.CharField(label="E-mail", max_length=254)
    password = forms.CharField(label="Password", max_length=4096, strip=False, widget=forms.PasswordInput)


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class PasswordForm(StyledFormMixin, forms.Form):
    """Re-enter the password to confirm a sensitive change."""

    password = forms.CharField(
        label="Your password", max_length=4096, strip=False, widget=forms.PasswordInput
    )


def new_password_field(label):
    """A field for choosing a password: not stripped, and marked for password managers."""
    return forms.CharField(
        label=label,
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class NewPasswordForm(StyledFormMixin, forms.Form):
    new_password1 = new_password_field("New password")
    new_password2 = new_password_field("Confirm new password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_policy_help()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The two passwords do not match.")
        return cleaned


class ChangePasswordForm(NewPasswordForm):
    old_password = forms.CharField(
        label="Current password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ("old_password", "new_password1", "new_password2")


class PasswordResetRequestForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254)


class ProfileForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    department = forms.CharField(label="Department", max_length=100, required=False)
    job_title = forms.CharField(label="Job title", max_length=100, required=False)


class SignUpForm(StyledFormMixin, forms.Form):
    """Sign-up: the e-mail comes from the invitation, or is typed when sign-up is open."""

    email = forms.EmailField(label="E-mail", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=200)
    password = new_password_field("Password")
    password_confirm = new_password_field("Confirm password")

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if invitation is not None:
            del self.fields["email"]
        self.fields["password"].help_text = password_policy_help()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", "The two passwords do not match.")
        return cleaned


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class InvitationForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254)
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        required=False,
        help_text="Customers see only their company's records.",
    )
    roles = RoleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You can grant only roles whose permissions you hold yourself.",
    )
    message = forms.CharField(
        label="Personal note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.restrict(inviter, "view").filter(is_archived=False)
        grantable = [group.pk for group in services.grantable_roles(inviter)]
        self.fields["roles"].queryset = Group.objects.filter(pk__in=grantable).order_by("name")
        self.fields["roles"].widget.attrs["class"] = "form-check-input"


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="What the token is for.")
    expires_in_days = forms.IntegerField(
        label="Valid for (days)", min_value=1, max_value=services.API_TOKEN_MAX_DAYS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_in_days"].initial = settings.QUALITAS_API_TOKEN_DEFAULT_DAYS


class UserForm(RecordForm):
    """An administrator's edit of a person. Parses input only: ``services.update_user`` applies
    it and refuses roles the editor cannot grant. ``is_active`` is not here: deactivation is an
    action with a reason."""

    roles = RoleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You can grant or remove only roles whose permissions you hold yourself.",
    )

    class Meta(RecordForm.Meta):
        model = User
        fields = ("full_name", "company", "department", "job_title")

    def __init__(self, *args, editor=None, **kwargs):
        super().__init__(*args, **kwargs)
        companies = Company.objects.filter(is_archived=False)
        if editor is not None:
            companies = Company.objects.restrict(editor, "view").filter(is_archived=False)
        if self.instance.company_id:
            companies = companies | Company.objects.filter(pk=self.instance.company_id)
        self.fields["company"].queryset = companies.distinct().order_by("name")
        self.fields["company"].help_text = "Customers see only their company's records."
        self.fields["roles"].queryset = Group.objects.filter(name__in=ROLE_NAMES).order_by("name")
        self.fields["roles"].widget.attrs["class"] = "form-check-input"
        if self.instance.pk and not self.is_bound:
            self.initial["roles"] = list(
                self.instance.groups.filter(name__in=ROLE_NAMES).values_list("pk", flat=True)
            )

    def role_rows(self):
        """``(checkbox, description)`` per role, for the page."""
        descriptions = {role.name: role.description for role in ROLES}
        return [(choice, descriptions.get(choice.choice_label, "")) for choice in self["roles"]]

    def service_data(self):
        """The cleaned values as ``services.update_user`` takes them."""
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "company": data.get("company"),
            "department": data.get("department", ""),
            "job_title": data.get("job_title", ""),
            "roles": list(data.get("roles") or ()),
        }
