"""One error body for the whole API:

    {"status": 400, "code": "invalid", "detail": "Invalid input.", "errors": {"field": ["message"]}}

``errors`` is always there (``{}`` when the error concerns no field), so clients read one shape.
400 bad input (with field errors), 401 not authenticated, 403 forbidden, 404 not found,
405 method not allowed, 409 illegal state transition or conflicting write, 413 body too large.
Every exception raised in an API view ends here, so bad input never reaches the client as an HTML
page or a 500.
"""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from qualitas.framework.actions import TransitionNotAllowed


def _field_errors(detail):
    """DRF's nested error detail as ``{"field": ["message", ...]}``; nested serializers keep
    their structure (a dict per field, a list of dicts for ``many=True``)."""
    if isinstance(detail, dict):
        return {str(key): _field_value(value) for key, value in detail.items()}
    return {"non_field_errors": _field_value(detail)}


def _field_value(value):
    if isinstance(value, dict):
        return _field_errors(value)
    items = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(item, dict) for item in items):
        return [_field_errors(item) if isinstance(item, dict) else str(item) for item in items]
    return [str(item) for item in items]


def _body(status_code, code, detail, errors=None):
    # The request's writes are undone, as DRF does for its own exceptions (matters under
    # ATOMIC_REQUESTS; explicit atomic blocks in the viewsets roll back on their own).
    set_rollback()
    body = {"status": status_code, "code": code, "detail": detail, "errors": errors or {}}
    return Response(body, status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        return _body(status.HTTP_409_CONFLICT, "transition_not_allowed", str(exc), {"blockers": exc.blockers})
    if isinstance(exc, RequestDataTooBig):
        return _body(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "too_large", "The request body is too large.")
    if isinstance(exc, SuspiciousOperation):
        # Too many fields, malformed multipart and the like: the client's fault, never a 500.
        return _body(status.HTTP_400_BAD_REQUEST, "bad_request", "The request could not be read.")
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return _body(status.HTTP_400_BAD_REQUEST, "invalid", "Invalid input.", errors)
    if isinstance(exc, OverflowError):
        # A number too large for the database column (SQLite raises before the query runs), e.g.
        # ?customer=100000000000000000000: the client's input, not a server fault.
        return _body(status.HTTP_400_BAD_REQUEST, "invalid", "A number in the request is out of range.")
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
    status_code = response.status_code
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when no authentication class offers a WWW-Authenticate challenge
        # (session-only); "not signed in" is a 401 all the same.
        status_code = status.HTTP_401_UNAUTHORIZED
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    body = _body(status_code, code if isinstance(code, str) else "error", str(detail))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            body[header] = response[header]
    return body
