from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
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
    customer_scope = "pk"

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
