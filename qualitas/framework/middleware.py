import uuid

from qualitas.framework.context import ChangeContext, _current


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is trusted only when a proxy sets it (see deploy/nginx).
    forwarded = request.META.get("HTTP_X_REAL_IP") if request.META.get("QUALITAS_TRUST_PROXY") else None
    return forwarded or request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Opens the change context for one request: a request id, the client address, the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4()
        request.id = request_id
        token = _current.set(ChangeContext(request_id=request_id, request=request, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = str(request_id)
        return response
