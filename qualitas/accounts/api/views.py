from qualitas.accounts.api.serializers import CompanySerializer, UserSerializer
from qualitas.accounts.filtersets import CompanyFilterSet, UserFilterSet
from qualitas.accounts.models import Company, User
from qualitas.framework.api.viewsets import RecordViewSet


class CompanyViewSet(RecordViewSet):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    ordering_fields = ("name", "code", "kind", "country", "created")


class UserViewSet(RecordViewSet):
    queryset = User.objects.prefetch_related("groups")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ("full_name", "email", "date_joined", "last_login")
    http_method_names = ["get", "head", "options"]
