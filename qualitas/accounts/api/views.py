from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from qualitas.accounts import services
from qualitas.accounts.api.serializers import (
    ApiTokenSerializer,
    CompanySerializer,
    InvitationSerializer,
    LoginAttemptSerializer,
    NewTokenSerializer,
    TokenRequestSerializer,
    UserSerializer,
)
from qualitas.accounts.authentication import ApiTokenAuthentication
from qualitas.accounts.choices import LoginChannelChoices
from qualitas.accounts.filtersets import (
    CompanyFilterSet,
    InvitationFilterSet,
    LoginAttemptFilterSet,
    UserFilterSet,
)
from qualitas.accounts.models import ApiToken, Company, Invitation, LoginAttempt, User
from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet, RecordViewSet
from qualitas.framework.middleware import client_ip


class CompanyViewSet(RecordViewSet):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    ordering_fields = ("name", "code", "kind", "country", "created")


class UserViewSet(RecordViewSet):
    """People are read here. The only writes are the state-machine actions
    ``POST /users/<id>/actions/deactivate/`` and ``.../reactivate/`` (with a reason); people are
    created by invitation and edited on the web page."""

    queryset = User.objects.prefetch_related("groups")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ("full_name", "email", "date_joined", "last_login")
    http_method_names = ["get", "head", "options", "post"]

    def initial(self, request, *args, **kwargs):
        # POST reaches the actions only: creating (and archiving) people is not offered here.
        if request.method == "POST" and self.action != "run_action":
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    # Not offered (``initial`` refuses them first); declared so that the schema leaves them out.
    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method)

    @extend_schema(exclude=True)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        raise exceptions.MethodNotAllowed(request.method)

    @extend_schema(exclude=True)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        raise exceptions.MethodNotAllowed(request.method)


class InvitationViewSet(ReadOnlyRecordViewSet):
    """Invitations are read here; they are sent from the web page, which e-mails the link."""

    queryset = Invitation.objects.select_related("company", "invited_by").prefetch_related("roles")
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilterSet
    ordering_fields = ("email", "created", "expires", "accepted_at")


class LoginAttemptViewSet(ReadOnlyRecordViewSet):
    """The sign-in log: every attempt on the web and the API."""

    queryset = LoginAttempt.objects.all()
    serializer_class = LoginAttemptSerializer
    filterset_class = LoginAttemptFilterSet
    ordering_fields = ("time", "id", "email", "ip", "reason")


class TokenViewSet(viewsets.ViewSet):
    """``POST /api/v1/auth/token/``: e-mail, password (and the TOTP code when enrolled) for a
    new API token. Counts toward the sign-in lockout like the login page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_authenticate_header(self, request):
        return ApiTokenAuthentication().authenticate_header(request)

    @extend_schema(request=TokenRequestSerializer, responses={201: NewTokenSerializer})
    def create(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = services.sign_in(
            values["email"],
            values["password"],
            ip=client_ip(request._request),
            channel=LoginChannelChoices.API,
            code=values.get("code") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        if result.outcome == "locked":
            raise exceptions.PermissionDenied(result.message, code="locked")
        if result.outcome == "enrolment_required":
            raise exceptions.PermissionDenied(result.message, code="two_factor_enrolment_required")
        if result.outcome == "code_required":
            raise exceptions.AuthenticationFailed(
                "This account uses two-factor authentication: send the current code in 'code'.",
                code="code_required",
            )
        if result.outcome == "two_factor_unreadable":
            raise exceptions.AuthenticationFailed(result.message, code="two_factor_unreadable")
        if result.outcome != "signed_in":
            raise exceptions.AuthenticationFailed(result.message, code="invalid_credentials")
        if services.password_change_required(result.user):
            raise exceptions.PermissionDenied(
                "Your password has expired or must be changed: sign in on the web and choose a new one "
                "before you create API tokens.",
                code="password_change_required",
            )
        name = values.get("name") or f"API sign-in {timezone.localtime():%Y-%m-%d %H:%M}"
        try:
            token, key = services.create_api_token(result.user, name, values.get("expires_in_days"))
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict)
        body = NewTokenSerializer(token).data
        body["key"] = key
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own API tokens: list, read and revoke (``POST .../revoke/`` or ``DELETE``)."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    filter_backends = []

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("-created", "-id")

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        try:
            token = services.revoke_api_token(token, request.user)
        except ValidationError as error:
            return Response(
                {"status": 409, "code": "already_revoked", "detail": " ".join(error.messages)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self.get_serializer(token).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        response = self.revoke(request, pk)
        if response.status_code != status.HTTP_200_OK:
            return response
        return Response(status=status.HTTP_204_NO_CONTENT)
