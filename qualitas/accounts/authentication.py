"""``ApiTokenAuthentication``: ``Authorization: Token <key>`` for the REST API."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from qualitas.accounts import services
from qualitas.framework.middleware import client_ip

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    """Accepts active personal API tokens; unknown, revoked and expired ones get 401 with the
    reason. Requests without a ``Token`` header fall through to the next class (the session)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: send 'Authorization: Token <key>' with the key and nothing else."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: the key has characters it cannot have."
            )
        try:
            token = services.authenticate_api_token(key, ip=client_ip(request._request))
        except services.ApiTokenRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected))
        return token.user, token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes ``ApiTokenAuthentication``."""

    target_class = "qualitas.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal API token: "Token <key>". Create one at /accounts/api-tokens/ '
            "or with POST /api/v1/auth/token/.",
        }
