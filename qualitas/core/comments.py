"""Threaded comments on any record.

    add_comment(record, user, "Measured again: 10.02 mm, within tolerance.")
    add_comment(record, user, "Agreed.", parent=first_comment)
    comments_for(record)          # every comment on the record, oldest first
    comment_thread(record)        # [(comment, depth), ...] in reading order

Who may comment: whoever may view the record and holds ``core.add_comment`` (every staff role
but the Auditor). A comment is edited only by its author; the earlier text stays in the audit
trail. Comments are removed by archiving them (their author, or whoever holds
``core.change_comment``); a removed comment keeps its place in the thread so that replies still
make sense.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qualitas.core.events import emit, register_event
from qualitas.core.service_models import Comment
from qualitas.core.services import acting_as
from qualitas.framework.records import visible

ADDED = register_event("comment.added", "A comment was added to a record")

MAX_LENGTH = 10_000
#: Replies deeper than this are shown at this depth (they keep their parent).
MAX_DEPTH = 4


def comments_for(obj, include_archived=True):
    """The record's comments, oldest first (unscoped: the caller has checked the record)."""
    queryset = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("author", "archived_by")
    return queryset if include_archived else queryset.filter(is_archived=False)


def comment_thread(obj):
    """The record's comments in reading order with their depth: each comment followed by its
    replies, oldest first at every level."""
    comments = list(comments_for(obj))
    children = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    ordered = []

    def walk(parent_id, depth):
        for comment in children.get(parent_id, ()):
            ordered.append((comment, min(depth, MAX_DEPTH)))
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return ordered


def may_comment(user, obj):
    return bool(
        getattr(user, "is_authenticated", False) and user.has_perm("core.add_comment") and visible(user, obj)
    )


def may_edit(user, comment):
    return bool(
        getattr(user, "is_authenticated", False)
        and not comment.is_archived
        and comment.author_id == user.pk
        and user.has_perm("core.add_comment")
    )


def may_remove(user, comment):
    if not getattr(user, "is_authenticated", False) or comment.is_archived:
        return False
    return comment.author_id == user.pk or user.has_perm("core.change_comment")


def _clean_body(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something to comment."]})
    if len(body) > MAX_LENGTH:
        raise ValidationError({"body": [f"A comment may be at most {MAX_LENGTH} characters."]})
    return body


def add_comment(obj, user, body, parent=None):
    """Add ``user``'s comment to the record ``obj`` (a reply when ``parent`` is given).

    Raises ``PermissionDenied`` when the user may not comment on the record and
    ``ValidationError`` (by field) for an empty body or a parent that belongs elsewhere."""
    if not may_comment(user, obj):
        raise PermissionDenied("You may not comment on this record.")
    body = _clean_body(body)
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
    if parent is not None:
        if parent.content_type_id != content_type.pk or parent.object_id != str(obj.pk):
            raise ValidationError({"parent": ["You can only reply to a comment on the same record."]})
        if parent.is_archived:
            raise ValidationError({"parent": ["That comment was removed; reply to the record instead."]})
    with acting_as(user), transaction.atomic():
        comment = Comment.objects.create(
            content_type=content_type, object_id=str(obj.pk), parent=parent, author=user, body=body
        )
        summary = body if len(body) <= 120 else f"{body[:117]}..."
        emit(ADDED, obj=obj, message=f"Comment: {summary}", data={"comment": comment.pk})
    return comment


def edit_comment(comment, user, body):
    """Change the text of one's own comment. The earlier text stays in the audit trail."""
    if not may_edit(user, comment):
        raise PermissionDenied("Only the author may edit this comment.")
    body = _clean_body(body)
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited = timezone.now()
    with acting_as(user):
        comment.save()
    return comment


def remove_comment(comment, user, reason):
    """Archive a comment (its author, or someone holding ``core.change_comment``)."""
    if not may_remove(user, comment):
        raise PermissionDenied("You may not remove this comment.")
    with acting_as(user):
        comment.archive(reason)
    return comment
