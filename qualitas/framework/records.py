"""Generic references to records of any type.

Attachments, comments, signatures, approvals, notifications and inspection packs belong to "any
record". They store the record as (content type, object id) and reach it through these helpers,
so that every one of them applies the record's own permission check and scoping:

    obj = get_record(request.user, "testapp.widget", 12)            # 404 unless the user may view it
    obj = get_record(request.user, "testapp.widget", 12, "change")  # ... or change it
    record_label(obj)                                               # "testapp.widget"

A record type the framework does not know (not registered through ``ModelViews`` or the API) is
not addressable: it answers 404 like a record that does not exist.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404

from qualitas.framework.models import PrimaryModel
from qualitas.framework.registry import get_entry

#: A record written as text, as forms, filters and the API take it: ``app_label.model:id``.
REFERENCE = re.compile(r"^\s*(?P<app>[A-Za-z_]\w*)\.(?P<model>[A-Za-z_]\w*):(?P<pk>[^\s:]{1,64})\s*$")
REFERENCE_HELP = "The record's type and id, for example testapp.widget:12."
REFERENCE_ERROR = "Give the record as app_label.model:id, e.g. testapp.widget:12."


def record_reference(obj):
    """``app_label.model:id`` of a record: the text form that ``parse_reference`` reads back."""
    return f"{record_label(obj)}:{obj.pk}"


def parse_reference(value):
    """``(label, pk)`` from ``testapp.Widget:12`` (the label lower-cased); ``ValidationError``
    when the text is not of that form."""
    match = REFERENCE.match(str(value or ""))
    if match is None:
        raise ValidationError(REFERENCE_ERROR, code="invalid")
    return f"{match['app']}.{match['model']}".lower(), match["pk"]


def resolve_reference(user, value, action="view"):
    """The record a reference names, if ``user`` may ``action`` it: ``ValidationError`` for a
    malformed reference, ``Http404`` for an unknown type or a record the user may not see."""
    label, pk = parse_reference(value)
    return get_record(user, label, pk, action)


def takes_record_services(model):
    """Whether attachments, comments, signatures, approvals and inspection packs apply to a record
    type: they do to the quality records (``PrimaryModel`` subclasses), not to the machinery's own
    records (logs, jobs, messages, reference data). A primary model that is configuration rather
    than a quality record opts out with ``record_services = False``."""
    return issubclass(model, PrimaryModel) and getattr(model, "record_services", True)


def record_label(obj_or_model):
    """``app_label.model_name`` of a record or a model."""
    return obj_or_model._meta.label_lower


def record_model(label):
    """The registered model for ``app_label.model_name``, or None."""
    try:
        app_label, model_name = str(label).lower().split(".", 1)
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except (ValueError, ContentType.DoesNotExist):
        return None
    if model is None or get_entry(model) is None:
        return None
    return model


def visible(user, obj, action="view"):
    """Whether ``user`` may ``action`` this record (model permission and row scoping)."""
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def get_record(user, label, pk, action="view"):
    """The record of type ``label`` with primary key ``pk`` if ``user`` may ``action`` it; else 404."""
    model = record_model(label)
    if model is None:
        raise Http404("No such record type")
    try:
        return model.objects.restrict(user, action).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such record")


def get_record_for_type(user, content_type, object_id, action="view"):
    """Like ``get_record`` for a stored (content type, object id) pair."""
    return get_record(user, f"{content_type.app_label}.{content_type.model}", object_id, action)
