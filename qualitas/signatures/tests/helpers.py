"""Factories for the signature tests: widgets (the test-only record type), signers and signatures."""

import itertools

from qualitas.accounts.models import User
from qualitas.signatures.choices import SessionRuleChoices
from qualitas.signatures.services import VerifiedSigner, record_signature
from qualitas.testing.factories import PASSWORD, make_user
from qualitas.testing.records import permission
from qualitas.testing.testapp.choices import WidgetStatusChoices
from qualitas.testing.testapp.models import Widget

_numbers = itertools.count(1)

#: What a person who signs widgets holds: see them, sign them, read signatures.
SIGNER_PERMISSIONS = ("view", "signatures.add_signature", "signatures.view_signature")


def make_widget(company=None, status=WidgetStatusChoices.DRAFT, **fields):
    fields.setdefault("name", f"Bracket {next(_numbers)}")
    fields.setdefault("specification", "Steel, 3 mm")
    fields.setdefault("quantity", 5)
    return Widget.objects.create(customer=company, status=status, **fields)


def grant(user, *names):
    """``user`` again, fresh from the database, with the permissions ``names`` (``view`` means
    the widget's; full names otherwise)."""
    user.user_permissions.add(*(permission(Widget, name) for name in names))
    return User.objects.get(pk=user.pk)


def make_signer(*names, **fields):
    return grant(make_user(**fields), *(names or SIGNER_PERMISSIONS))


def make_signature(obj=None, user=None, meaning="approved", comment="", company=None):
    """A signature made the way a verified signer makes one (components checked elsewhere)."""
    obj = obj or make_widget(company=company)
    user = user or make_user()
    signer = VerifiedSigner(user=user, rule=SessionRuleChoices.NO_SESSION, ip="192.0.2.7")
    return record_signature(signer, obj, meaning, comment)


def components(user, **extra):
    """What a signer outside a session types: e-mail and password (plus ``otp`` if given)."""
    return {"email": user.email, "password": PASSWORD, **extra}
