"""One error body for the whole API:

    {"status": 400, "code": "invalid", "detail": "Invalid input.", "errors": {"field": ["message"]}}

400 bad input (with field errors), 401 not authenticated, 403 forbidden, 404 not found,
409 illegal state transition or conflicting write, 413 body too large.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from qualitas.framework.actions import TransitionNotAllowed


def _field_errors(detail):
    if isinstance(detail, dict):
        return {
            key: _field_errors(value) if isinstance(value, dict) else [str(v) for v in _listify(value)]
            for key, value in detail.items()
        }
    return {"non_field_errors": [str(v) for v in _listify(detail)]}


def _listify(value):
    return value if isinstance(value, list) else [value]


def _body(status_code, code, detail, errors=None):
    body = {"status": status_code, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        return _body(status.HTTP_409_CONFLICT, "transition_not_allowed", str(exc), {"blockers": exc.blockers})
    if isinstance(exc, RequestDataTooBig):
        return _body(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "too_large", "The request body is too large.")
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _body(status.HTTP_400_BAD_REQUEST, "invalid", "Invalid input.", errors)
    if isinstance(exc, IntegrityError):
        return _body(status.HTTP_409_CONFLICT, "conflict", "The change conflicts with existing data.")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return _body(response.status_code, "invalid", "Invalid input.", _field_errors(exc.detail))
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    body = _body(response.status_code, code if isinstance(code, str) else "error", str(detail))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            body[header] = response[header]
    return body
