from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from qualitas.framework.api.viewsets import BaseRecordViewSet
from qualitas.framework.records import get_record
from qualitas.signatures import services
from qualitas.signatures.api.serializers import SignatureSerializer, SignRequestSerializer
from qualitas.signatures.content import annotate_matches
from qualitas.signatures.filtersets import SignatureFilterSet
from qualitas.signatures.models import Signature


class SignatureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseRecordViewSet):
    """Signatures of the records the user may see (``?record=app_label.model:id``, ``meaning``,
    ``signer`` and more). ``POST`` signs a record; signatures are never changed or removed."""

    queryset = Signature.objects.all()
    serializer_class = SignatureSerializer
    filterset_class = SignatureFilterSet
    ordering_fields = ("signed_at", "id", "printed_name", "meaning", "object_repr")
    http_method_names = ["get", "head", "options", "post"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # Each record's current hash once per page, not once per signature.
        return annotate_matches(page) if page is not None else None

    @extend_schema(request=SignRequestSerializer, responses={201: SignatureSerializer})
    def create(self, request):
        """Sign a record: 201 with the signature; 400 with field errors for a missing or wrong
        component (nothing is signed; wrong ones count toward the sign-in lockout); 404 for a
        record the user may not see."""
        data = SignRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        label, object_id = values["record"]
        obj = get_record(request.user, label, object_id)
        signature = services.sign(
            request.user,
            obj,
            values["meaning"],
            password=values["password"],
            otp=values["otp"],
            comment=values["comment"],
            email=values["email"],
            request=request,
        )
        return Response(self.get_serializer(signature).data, status=status.HTTP_201_CREATED)
