"""Versioned records: a new version copies the record into the same lineage, is not current until
it is released with make_current(), and every step is audited."""

import pytest

from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.context import change_context
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import last_change
from qualitas.testing.testapp.choices import WidgetStatusChoices
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_user(full_name="Vera Version")


@pytest.fixture
def released():
    widget = Widget.objects.create(
        name="Bracket", customer=make_company(), quantity=5, specification="Steel", status="approved"
    )
    return Widget.objects.get(pk=widget.pk)


def test_a_new_record_is_version_one_and_current(released):
    assert released.version == 1 and released.is_current and released.previous_version is None
    assert list(released.versions()) == [released]


def test_create_new_version_copies_the_record_into_its_lineage(released, author):
    with change_context(user=author):
        draft = released.create_new_version(specification="Stainless steel")
    draft.refresh_from_db()
    assert draft.pk != released.pk
    assert draft.lineage == released.lineage
    assert draft.version == 2 and draft.previous_version == released
    assert not draft.is_current
    # Copied fields, the requested change, and the reset ones (status, author, timestamps).
    assert (draft.name, draft.customer_id, draft.quantity) == (
        released.name,
        released.customer_id,
        released.quantity,
    )
    assert draft.specification == "Stainless steel"
    assert draft.status == WidgetStatusChoices.DRAFT
    assert draft.created_by == author and draft.created > released.created
    # The released version is untouched and still current.
    released.refresh_from_db()
    assert released.is_current and released.specification == "Steel"
    assert last_change(draft).action == ChangeActionChoices.CREATE
    assert last_change(draft).user == author


def test_versions_are_numbered_after_the_latest_even_from_an_old_one(released):
    second = released.create_new_version()
    third = released.create_new_version()
    assert (second.version, third.version) == (2, 3)
    assert third.previous_version == released
    assert [v.version for v in released.versions()] == [1, 2, 3]
    assert list(third.versions()) == list(released.versions())


def test_make_current_releases_one_version_and_retires_the_others(released, author):
    draft = released.create_new_version(specification="Stainless steel")
    with change_context(user=author, reason="Release revision 2"):
        draft.make_current()
    released.refresh_from_db()
    draft.refresh_from_db()
    assert draft.is_current and not released.is_current
    assert [v.pk for v in released.versions() if v.is_current] == [draft.pk]
    for version, (before, after) in ((released, (True, False)), (draft, (False, True))):
        entry = last_change(version)
        assert entry.action == ChangeActionChoices.UPDATE
        assert entry.changes["is_current"] == [before, after]
        assert entry.reason == "Release revision 2" and entry.user == author


def test_make_current_twice_writes_nothing_more(released):
    draft = released.create_new_version()
    draft.make_current()
    entries = draft.history.count()
    draft.make_current()
    assert draft.history.count() == entries


def test_lineages_are_separate(released):
    other = Widget.objects.create(name="Hinge")
    assert other.lineage != released.lineage
    released.create_new_version().make_current()
    other.refresh_from_db()
    assert other.is_current


def test_a_new_version_keeps_the_record_number(released):
    draft = released.create_new_version()
    assert draft.number == released.number
    assert (draft.version, released.version) == (2, 1)
