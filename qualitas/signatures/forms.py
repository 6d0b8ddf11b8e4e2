"""The signing forms. They collect the components; ``services`` checks them.

The fields follow ``services.requirements``: the e-mail address and the authenticator code appear
only when the signing needs them, so the person sees what §11.200 asks of this signing.
"""

from django import forms

from qualitas.framework.forms import StyledFormMixin
from qualitas.signatures.choices import MeaningChoices
from qualitas.signatures.services import MAX_COMMENT


class SignatureFieldsForm(StyledFormMixin, forms.Form):
    """The signer's components and a comment: shown on action pages that need a signature."""

    email = forms.CharField(
        label="Your e-mail address",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label="Password",
        max_length=4096,
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label="Authenticator code",
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        help_text="The current 6-digit code from your authenticator app.",
    )
    comment = forms.CharField(
        label="Comment",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Stored with the signature and shown beside it.",
    )

    def __init__(self, *args, requirements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        if requirements is not None:
            if not requirements.email:
                del self.fields["email"]
            if not requirements.otp:
                del self.fields["otp"]
            # Required in the form too (the service says so again, with the same words, for the API).
            for name in ("email", "password", "otp"):
                if name in self.fields:
                    self.fields[name].required = True
                    self.fields[name].error_messages["required"] = _REQUIRED[name]

    def components(self):
        data = self.cleaned_data
        return {
            "email": data.get("email", ""),
            "password": data.get("password", ""),
            "otp": data.get("otp", ""),
            "comment": data.get("comment", ""),
        }


_REQUIRED = {
    "email": "Enter your e-mail address: this signature needs your identification as well as your password.",
    "password": "Enter your password to sign.",
    "otp": "Enter the 6-digit code from your authenticator app.",
}


class SignForm(SignatureFieldsForm):
    """The Sign form on a record's Signatures tab: a meaning and the components."""

    meaning = forms.ChoiceField(
        label="Meaning",
        choices=[("", "Choose what your signature means")] + MeaningChoices.choices(),
        help_text="Shown with your signature wherever the record is shown or printed.",
    )
    field_order = ("meaning", "email", "password", "otp", "comment")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        self.fields["meaning"].error_messages["required"] = "Choose what your signature means."
