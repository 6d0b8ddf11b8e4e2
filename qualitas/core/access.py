"""The access log: who viewed, downloaded or exported what."""

from django.contrib.contenttypes.models import ContentType

from qualitas.core.choices import AccessKindChoices
from qualitas.core.models import AccessLog
from qualitas.framework.context import current_context


def _write(kind, content_type, object_id="", object_repr="", detail=""):
    context = current_context()
    user = context.current_user()
    has_user = user is not None and getattr(user, "pk", None)
    return AccessLog.objects.create(
        kind=kind,
        user=user if has_user else None,
        user_name=(getattr(user, "full_name", "") or user.get_username()) if has_user else "",
        ip=context.ip,
        content_type=content_type,
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        detail=detail[:300],
    )


def record_view(obj):
    return _write(AccessKindChoices.VIEW, ContentType.objects.get_for_model(type(obj)), obj.pk, obj)


def record_download(obj, detail=""):
    return _write(
        AccessKindChoices.DOWNLOAD, ContentType.objects.get_for_model(type(obj)), obj.pk, obj, detail
    )


def record_export(model, detail=""):
    return _write(AccessKindChoices.EXPORT, ContentType.objects.get_for_model(model), detail=detail)
