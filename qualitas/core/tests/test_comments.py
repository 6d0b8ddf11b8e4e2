"""Threaded comments: the service (who may comment, edit, remove; threading; history)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from qualitas.core import comments
from qualitas.core.comments import add_comment, comment_thread, comments_for, edit_comment, remove_comment
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.core.service_models import Comment
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget():
    return Widget.objects.create(name="Bracket")


@pytest.fixture
def inspector():
    return make_user(role="QA Inspector", full_name="Ines Inspector")


@pytest.fixture
def manager():
    return make_user(role="QA Manager", full_name="Quinn Manager")


def test_comments_and_replies_read_as_a_thread(widget, inspector, manager):
    first = add_comment(widget, inspector, "Burr on the left edge.")
    second = add_comment(widget, manager, "Which batch?")
    reply = add_comment(widget, manager, "Deburr and re-measure.", parent=first)
    answer = add_comment(widget, inspector, "Done: 10.02 mm.", parent=reply)
    later = add_comment(widget, inspector, "Also the hinge side.", parent=first)

    assert [(comment.pk, depth) for comment, depth in comment_thread(widget)] == [
        (first.pk, 0),
        (reply.pk, 1),
        (answer.pk, 2),
        (later.pk, 1),
        (second.pk, 0),
    ]
    assert list(comments_for(widget)) == [first, second, reply, answer, later]
    assert first.record == widget and first.author == inspector
    assert first.get_absolute_url() == f"{widget.get_absolute_url()}comments/#comment-{first.pk}"


def test_a_comment_is_an_event_on_the_record(widget, inspector):
    comment = add_comment(widget, inspector, "x" * 200)
    event = DomainEvent.objects.get(name="comment.added")
    assert (event.content_type.model, event.object_id, event.user_id) == (
        "widget",
        str(widget.pk),
        inspector.pk,
    )
    assert event.message == f"Comment: {'x' * 117}..." and event.data == {"comment": comment.pk}
    created = ObjectChange.objects.get(content_type__model="comment", object_id=str(comment.pk))
    assert created.changes["body"] == [None, "x" * 200] and created.user_id == inspector.pk


def test_who_may_comment(widget, inspector):
    for role in (
        "QA Manager",
        "QA Inspector",
        "Production Manager",
        "Document Controller",
        "Food Safety Team Leader",
    ):
        assert comments.may_comment(make_user(role=role), widget), role
    auditor = make_user(role="Auditor")
    assert not comments.may_comment(auditor, widget)
    with pytest.raises(PermissionDenied):
        add_comment(widget, auditor, "I should not write here.")
    # A customer never comments on another company's record (it does not exist for them).
    customer = make_user(role="Customer", company=make_company(kind="customer"))
    customer.user_permissions.add(*_permissions("add_comment", "view_widget"))
    customer = type(customer).objects.get(pk=customer.pk)
    theirs = Widget.objects.create(name="Theirs", customer=make_company(kind="customer"))
    assert not comments.may_comment(customer, theirs)
    assert not Comment.objects.exists()


def test_bad_comments_are_refused_by_field(widget, inspector):
    with pytest.raises(ValidationError) as error:
        add_comment(widget, inspector, "   ")
    assert error.value.message_dict == {"body": ["Write something to comment."]}
    with pytest.raises(ValidationError) as error:
        add_comment(widget, inspector, "x" * 10_001)
    assert error.value.message_dict == {"body": ["A comment may be at most 10000 characters."]}
    elsewhere = add_comment(Widget.objects.create(name="Hinge"), inspector, "On the hinge.")
    with pytest.raises(ValidationError) as error:
        add_comment(widget, inspector, "A reply across records", parent=elsewhere)
    assert error.value.message_dict == {"parent": ["You can only reply to a comment on the same record."]}
    assert Comment.objects.count() == 1


def test_the_author_edits_and_the_earlier_text_stays_in_the_trail(widget, inspector, manager):
    comment = add_comment(widget, inspector, "Measured 10.2 mm.")
    with pytest.raises(PermissionDenied):
        edit_comment(comment, manager, "Changed by someone else")

    edit_comment(comment, inspector, "Measured 10.02 mm.")

    comment.refresh_from_db()
    assert comment.body == "Measured 10.02 mm." and comment.edited is not None
    change = ObjectChange.objects.filter(content_type__model="comment", object_id=str(comment.pk)).latest(
        "id"
    )
    assert change.action == "update"
    assert change.changes["body"] == ["Measured 10.2 mm.", "Measured 10.02 mm."]


def test_removing_archives_and_keeps_the_thread(widget, inspector, manager):
    comment = add_comment(widget, inspector, "Wrong record, sorry.")
    reply = add_comment(widget, manager, "No problem.", parent=comment)
    other = make_user(role="QA Inspector")
    with pytest.raises(PermissionDenied):
        remove_comment(comment, other, REASON)
    remove_comment(comment, inspector, REASON)
    comment.refresh_from_db()
    assert comment.is_archived and comment.archive_reason == REASON
    assert [c.pk for c, _depth in comment_thread(widget)] == [comment.pk, reply.pk]
    with pytest.raises(ValidationError):
        add_comment(widget, manager, "A reply to a removed comment", parent=comment)
    # Someone holding core.change_comment (QA Manager) removes other people's comments.
    remove_comment(reply, manager, "Off topic")
    assert not comments.may_edit(inspector, comment)


def _permissions(*codenames):
    return Permission.objects.filter(codename__in=codenames)
