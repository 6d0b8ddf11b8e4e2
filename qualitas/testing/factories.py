"""Small factories for tests: users in roles, companies."""

import itertools

from django.contrib.auth.models import Group

from qualitas.accounts.models import Company, User

PASSWORD = "Correct-Horse-Battery-9"
_counter = itertools.count(1)


def make_user(role=None, company=None, password=PASSWORD, **fields):
    number = next(_counter)
    fields.setdefault("email", f"user{number}@example.com")
    fields.setdefault("full_name", f"Test User {number}")
    user = User.objects.create_user(password=password, company=company, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


def make_company(**fields):
    number = next(_counter)
    fields.setdefault("name", f"Company {number}")
    return Company.objects.create(**fields)
