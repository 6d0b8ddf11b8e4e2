from qualitas.framework.choices import ChoiceSet


class CompanyKindChoices(ChoiceSet):
    INTERNAL = "internal"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"

    CHOICES = [
        (INTERNAL, "Internal", "primary"),
        (CUSTOMER, "Customer", "success"),
        (SUPPLIER, "Supplier", "info"),
    ]


class InvitationStatusChoices(ChoiceSet):
    """Computed from the invitation's dates; never stored."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"

    CHOICES = [
        (PENDING, "Pending", "primary"),
        (ACCEPTED, "Accepted", "success"),
        (EXPIRED, "Expired", "secondary"),
        (REVOKED, "Revoked", "warning"),
    ]


class LoginAttemptReasonChoices(ChoiceSet):
    SIGNED_IN = "signed_in"
    CODE_REQUIRED = "code_required"
    ENROLMENT_REQUIRED = "enrolment_required"
    UNKNOWN_EMAIL = "unknown_email"
    BAD_PASSWORD = "bad_password"
    BAD_CODE = "bad_code"
    INACTIVE = "inactive"
    LOCKED = "locked"
    RATE_LIMITED = "rate_limited"
    TWO_FACTOR_UNREADABLE = "two_factor_unreadable"

    CHOICES = [
        (SIGNED_IN, "Signed in", "success"),
        (CODE_REQUIRED, "Password accepted, code requested", "info"),
        (ENROLMENT_REQUIRED, "Password accepted, two-factor enrolment required", "info"),
        (UNKNOWN_EMAIL, "Unknown e-mail address", "danger"),
        (BAD_PASSWORD, "Wrong password", "danger"),
        (BAD_CODE, "Wrong two-factor code", "danger"),
        (INACTIVE, "Account inactive", "danger"),
        (LOCKED, "Refused: locked", "warning"),
        (RATE_LIMITED, "Refused: too many requests", "warning"),
        (TWO_FACTOR_UNREADABLE, "Two-factor secret unreadable (secret key changed?)", "danger"),
    ]

    #: Failures that count toward a lockout. Refusals (locked, rate limited) do not: they would
    #: extend a lock for as long as someone keeps knocking. An unreadable two-factor secret counts:
    #: recovery codes are still checked then, and guessing them must stay limited.
    COUNTED = (UNKNOWN_EMAIL, BAD_PASSWORD, BAD_CODE, INACTIVE, TWO_FACTOR_UNREADABLE)


class LoginChannelChoices(ChoiceSet):
    WEB = "web"
    API = "api"
    #: The password (and code) re-entered to sign a record electronically (qualitas.signatures).
    SIGNATURE = "signature"

    CHOICES = [
        (WEB, "Web", "primary"),
        (API, "API", "info"),
        (SIGNATURE, "Electronic signature", "warning"),
    ]


class LockKindChoices(ChoiceSet):
    ACCOUNT = "account"
    ADDRESS = "address"

    CHOICES = [
        (ACCOUNT, "Account", "danger"),
        (ADDRESS, "Network address", "warning"),
    ]


class UserStatusChoices(ChoiceSet):
    """``User.is_active`` read as a state: deactivation and reactivation are actions."""

    ACTIVE = True
    INACTIVE = False

    CHOICES = [
        (ACTIVE, "Active", "success"),
        (INACTIVE, "Inactive", "secondary"),
    ]
