import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from qualitas.accounts import encryption
from qualitas.accounts.actions import UserStateMachine
from qualitas.accounts.choices import (
    CompanyKindChoices,
    InvitationStatusChoices,
    LockKindChoices,
    LoginAttemptReasonChoices,
    LoginChannelChoices,
)
from qualitas.core.models import AppendOnlyModel
from qualitas.framework.models import AuditedModel, AuditedQuerySet, ChoiceSetField, PrimaryModel


class Company(PrimaryModel):
    """An organisation: our own sites (internal), customers and suppliers."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=30, blank=True, help_text="Short code, e.g. an ERP account number.")
    kind = ChoiceSetField(choice_set=CompanyKindChoices, default=CompanyKindChoices.CUSTOMER)
    address = models.TextField(blank=True)
    country = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    customer_scope = "pk"
    # The register of suppliers is evidence of controlled external providers (clause library).
    evidence_for = ("iso9001:8.4.1", "iso22000:7.1.6")
    evidence_filter = {"kind": CompanyKindChoices.SUPPLIER}

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class UserQuerySet(AuditedQuerySet):
    pass


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        if password is None:
            user.set_unusable_password()
        user.save()
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin, AuditedModel):
    """A person who signs in with an e-mail address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    department = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin (Admin role).")
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed = models.DateTimeField(null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    audit_redact_fields = ("password",)
    audit_ignore_fields = ("last_login",)
    # Customers see the people of their own company.
    customer_scope = "company"
    # Active people holding roles are evidence of assigned responsibilities (clause library).
    evidence_for = ("iso9001:5.3", "iso22000:5.3.1")
    evidence_filter = {"is_active": True}
    # Deactivate and reactivate are actions with a reason; no form edits is_active.
    state_machine = UserStateMachine

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_names(self):
        return sorted(group.name for group in self.groups.all())

    @property
    def is_customer(self):
        """Customers are scoped to their own company's records everywhere."""
        if self.is_superuser:
            return False
        company = self.company
        return company is not None and company.kind == CompanyKindChoices.CUSTOMER

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed = timezone.now()
        self.must_change_password = False

    def check_password(self, raw_password):
        def upgrade_hash(raw):
            # A hasher upgrade (e.g. PBKDF2 to Argon2) is not a password change: the change date,
            # the forced-change flag and the password history stay as they are.
            self.password = make_password(raw)
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, upgrade_hash)

    @property
    def has_two_factor(self):
        """Whether the user has a confirmed TOTP device (one query unless prefetched)."""
        try:
            return self.totp_device is not None
        except TOTPDevice.DoesNotExist:
            return False


def invitation_expiry():
    return timezone.now() + datetime.timedelta(days=settings.QUALITAS_INVITATION_DAYS)


class Invitation(PrimaryModel):
    """An e-mailed invitation to sign up. Only the SHA-256 of its token is stored; archiving it
    revokes it."""

    record_services = False  # an account-administration message, not a quality record

    email = models.EmailField(verbose_name="E-mail")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires = models.DateTimeField(default=invitation_expiry)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    roles = models.ManyToManyField(Group, blank=True, related_name="+", help_text="Roles the new user gets.")
    message = models.TextField(blank=True, help_text="A personal note added to the e-mail.")
    invited_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="invitations_sent",
    )
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )

    audit_redact_fields = ("token_hash",)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Invitation for {self.email}"

    @property
    def status(self):
        if self.accepted_at is not None:
            return InvitationStatusChoices.ACCEPTED
        if self.is_archived:
            return InvitationStatusChoices.REVOKED
        if self.expires <= timezone.now():
            return InvitationStatusChoices.EXPIRED
        return InvitationStatusChoices.PENDING

    @property
    def is_usable(self):
        return self.status == InvitationStatusChoices.PENDING


class PasswordHistory(AppendOnlyModel):
    """The hash of every password a user has had, newest last: the history validator reads it.

    Append-only like the audit logs; rows go only with the user (GDPR erasure)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        default_permissions = ()
        verbose_name_plural = "password history"

    def __str__(self):
        return f"password of {self.user_id} set {self.created:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return ""


class LoginAttempt(AppendOnlyModel):
    """One sign-in attempt, on the web or the API, successful or not."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    email = models.CharField(max_length=254, blank=True, verbose_name="E-mail tried")
    # No database constraint: the log must outlive (and never be rewritten by) a user's removal.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP address")
    channel = ChoiceSetField(choice_set=LoginChannelChoices, default=LoginChannelChoices.WEB, max_length=10)
    success = models.BooleanField(default=False)
    reason = ChoiceSetField(choice_set=LoginAttemptReasonChoices)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["email", "time"], name="loginattempt_email"),
            models.Index(fields=["ip", "time"], name="loginattempt_ip"),
        ]
        default_permissions = ("view",)
        verbose_name = "sign-in attempt"

    def __str__(self):
        return f"{self.get_reason_display()}: {self.email or '?'} from {self.ip or '?'}"

    def get_absolute_url(self):
        return reverse("accounts:loginattempt_detail", args=[self.pk])


class AccountLock(AuditedModel):
    """Sign-in refused for an e-mail address or a network address until ``locked_until``."""

    kind = ChoiceSetField(choice_set=LockKindChoices, max_length=10)
    email = models.CharField(max_length=254, blank=True, verbose_name="E-mail")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="locks")
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP address")
    failures = models.PositiveIntegerField(help_text="Failed attempts that caused the lock.")
    locked_until = models.DateTimeField(db_index=True)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created", "-id"]
        permissions = [("unlock_user", "Can unlock locked accounts and network addresses")]
        verbose_name = "sign-in lock"

    def __str__(self):
        target = self.email if self.kind == LockKindChoices.ACCOUNT else self.ip
        return f"{LockKindChoices.label(self.kind)} lock: {target}"

    @property
    def is_active(self):
        return self.unlocked_at is None and self.locked_until > timezone.now()

    @property
    def target(self):
        return self.email if self.kind == LockKindChoices.ACCOUNT else self.ip

    def get_absolute_url(self):
        return ""


class TOTPDevice(AuditedModel):
    """A confirmed TOTP authenticator (RFC 6238). ``last_used_step`` refuses replayed codes.

    The seed is stored encrypted (``encryption.py``): read it with ``get_secret()``, set it with
    ``set_secret()``."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(
        max_length=255,
        editable=False,
        help_text="The TOTP seed, encrypted with a key derived from SECRET_KEY.",
    )
    confirmed_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_step = models.BigIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_redact_fields = ("secret",)
    # Every sign-in moves these; the sign-in attempt log records the use.
    audit_ignore_fields = ("last_used_step", "last_used_at")

    class Meta:
        verbose_name = "two-factor device"

    def __str__(self):
        return f"Authenticator of {self.user}"

    def set_secret(self, secret):
        self.secret = encryption.encrypt(secret)

    def get_secret(self):
        """The seed in clear; raises ``encryption.DecryptionFailed`` when SECRET_KEY changed."""
        return encryption.decrypt(self.secret)

    def get_absolute_url(self):
        return ""


class RecoveryCode(AuditedModel):
    """A single-use two-factor recovery code, stored as its SHA-256."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, editable=False, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_redact_fields = ("code_hash",)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Recovery code of {self.user}"

    def get_absolute_url(self):
        return ""


def api_token_expiry():
    return timezone.now() + datetime.timedelta(days=settings.QUALITAS_API_TOKEN_DEFAULT_DAYS)


class ApiToken(AuditedModel):
    """A personal API key. The key is shown once; only its SHA-256 and a short prefix are kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the script that uses it.")
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The start of the key, to recognise it."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires = models.DateTimeField(default=api_token_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)

    audit_redact_fields = ("key_hash",)
    # Use is recorded at most once a minute and is not a change anyone signs off.
    audit_ignore_fields = ("last_used", "last_used_ip")

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self):
        return self.expires <= timezone.now()

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired

    def get_absolute_url(self):
        return ""
