"""Helpers shared by the generic API, view and filterset tests: users with exact permissions,
customer scoping, "nothing was written" checks and reading exports back."""

import csv
import datetime
import io

from django.contrib.auth.models import Permission
from django.db import models
from django.urls import get_resolver
from openpyxl import load_workbook

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company, User
from qualitas.core import audit
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.framework.registry import get_entry
from qualitas.framework.scoping import permission_name
from qualitas.testing.factories import make_company, make_user

REASON = "Recorded by the test suite"


def load_urls():
    """Import the URLconf: importing it registers every app's ModelViews and API viewsets."""
    return get_resolver().url_patterns


# --- Users and permissions ----------------------------------------------------------------------


def permission(model, action):
    """The Permission row for ``view``/``add``/``change`` on ``model``, or a full ``app.codename``."""
    name = action if "." in action else permission_name(model, action)
    app_label, codename = name.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def user_with(model=None, actions=(), role=None, company=None, **fields):
    """A user holding exactly ``actions`` on ``model`` (plus ``role``'s permissions, if given).
    Returned fresh from the database, so no permission cache is stale."""
    user = make_user(role=role, company=company, **fields)
    if actions:
        user.user_permissions.add(*(permission(model, action) for action in actions))
    return User.objects.get(pk=user.pk)


def customer_company(**fields):
    fields.setdefault("kind", CompanyKindChoices.CUSTOMER)
    return make_company(**fields)


def customer_of(company, model=None, actions=()):
    """A Customer-role contact of ``company``, also holding ``actions`` on ``model``: the model
    permission is granted so that the test exercises the row scoping, not the role's grants."""
    return user_with(model, actions, role="Customer", company=company)


# --- Scoping ------------------------------------------------------------------------------------


def distinct_pk(*models_):
    """A primary key well above every existing row's in ``models_``."""
    highest = max(
        (m._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) for m in models_
    )
    return highest + 1000


def scope_value(obj, path):
    """Follow a ``customer_scope`` path (``customer``, ``order__customer``, ``pk``) in Python, not
    in SQL, so that the test does not reuse the code under test."""
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = value.pk if part == "pk" else getattr(value, part)
    return value.pk if isinstance(value, models.Model) else value


def rows_of_company(model, company):
    """Primary keys of every ``model`` row that belongs to customer ``company``, by the model's
    ``customer_scope``. A model without one shows customers nothing."""
    path = getattr(model, "customer_scope", None)
    if path is None:
        return set()
    return {obj.pk for obj in model._base_manager.all() if scope_value(obj, path) == company.pk}


def active_rows(model):
    """Primary keys of the rows a staff user's list shows by default: every row that is not
    archived."""
    queryset = model._base_manager.all()
    if hasattr(model, "is_archived"):
        queryset = queryset.filter(is_archived=False)
    return set(queryset.values_list("pk", flat=True))


# --- Writes -------------------------------------------------------------------------------------


class WriteCheck:
    """Counts of everything a refused request must not write: the model's rows, audit entries,
    domain events and access-log entries.

        check = WriteCheck(Company)
        ... refused request ...
        check.assert_nothing_written()
    """

    def __init__(self, model, obj=None):
        self.model = model
        self.obj = obj
        self.before = self._state()

    def _state(self):
        state = {
            "rows": self.model._base_manager.count(),
            "changes": ObjectChange.objects.count(),
            "events": DomainEvent.objects.count(),
        }
        if self.obj is not None:
            state["object"] = audit.snapshot(self.model._base_manager.get(pk=self.obj.pk))
        return state

    def assert_nothing_written(self):
        after = self._state()
        assert after == self.before, f"a refused request wrote something: {self.before} -> {after}"


def access_log_count(kind=None):
    queryset = AccessLog.objects.all()
    return queryset.filter(kind=kind).count() if kind else queryset.count()


def last_change(obj):
    return audit.history(obj).order_by("-id").first()


def assert_audited(obj, action, user, reason=None, fields=()):
    """The newest ObjectChange of ``obj`` is ``action`` by ``user`` (with ``reason``) and records
    a before/after pair for each of ``fields``."""
    entry = last_change(obj)
    assert entry is not None, f"no audit entry for {obj!r}"
    assert entry.action == action, f"the last audit entry is {entry.action!r}, expected {action!r}"
    assert entry.user_id == (user.pk if user is not None else None)
    if reason is not None:
        assert entry.reason == reason
    missing = [name for name in fields if name not in entry.changes]
    assert not missing, f"the audit entry does not record {missing}: {entry.changes}"
    return entry


# --- Exports ------------------------------------------------------------------------------------


def response_bytes(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response):
    text = response_bytes(response).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(response_bytes(response)), read_only=True)
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    # Trailing empty cells are not stored: pad every row to the header's width.
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows]


def export_header(model):
    table = get_entry(model).table
    return [str(column.verbose_name) for column in table(model.objects.none()).export_columns()]


def expected_export_rows(model, pks, order=None):
    """The rows the model's Table exports for exactly ``pks``, in the table's order."""
    table = get_entry(model).table(model._base_manager.filter(pk__in=pks), order=order)
    return [list(row) for row in table.export_rows()]


def as_csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return str(value)


def assert_csv_rows(response, model, expected_rows):
    rows = read_csv(response)
    assert rows[0] == export_header(model)
    assert rows[1:] == [[as_csv_cell(value) for value in row] for row in expected_rows]


def _same_cell(actual, expected):
    if isinstance(expected, datetime.datetime) and isinstance(actual, datetime.datetime):
        # Excel stores times as fractions of a day: allow the rounding of the last millisecond.
        return abs(actual - expected) < datetime.timedelta(seconds=1)
    if isinstance(expected, datetime.date) and isinstance(actual, datetime.datetime):
        return actual.date() == expected
    if expected in (None, "") and actual in (None, ""):
        return True
    if isinstance(expected, str) and expected[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return actual == "'" + expected
    return actual == expected


def assert_xlsx_rows(response, model, expected_rows):
    rows = read_xlsx(response)
    assert rows[0] == export_header(model)
    body = rows[1:]
    assert len(body) == len(expected_rows), f"{len(body)} rows exported, {len(expected_rows)} expected"
    for index, (actual, expected) in enumerate(zip(body, expected_rows, strict=True)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            assert _same_cell(a, e), f"row {index + 1}: {actual} != {expected}"


class RecordTestCase:
    """What the generic API and view tests share: the model, how records are made, and users."""

    model = None

    def make_object(self, company=None):
        raise NotImplementedError(f"{type(self).__name__} must build its records in make_object()")

    def customer_visible(self, company):
        """Primary keys a customer of ``company`` may see. Override for models with their own
        ``scope_queryset`` rules."""
        return rows_of_company(self.model, company)

    def login(self, *actions, **fields):
        user = user_with(self.model, actions, **fields)
        self.client.force_login(user)
        return user

    def login_customer(self, company, *actions):
        user = customer_of(company, self.model, actions)
        self.client.force_login(user)
        return user

    def scoped_objects(self):
        """Two customer companies with a record each, and a record of no customer."""
        # Customer companies get ids far from any other row's, so that a scope that compares
        # the wrong column cannot pass by coincidence.
        start = distinct_pk(Company, self.model)
        company_a, company_b = customer_company(pk=start), customer_company(pk=start + 1)
        in_a = self.make_object(company=company_a)
        in_b = self.make_object(company=company_b)
        other = self.make_object()
        return company_a, company_b, in_a, in_b, other
