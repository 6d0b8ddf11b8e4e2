from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from qualitas.reports import services
from qualitas.reports.api.serializers import InspectionPackJobSerializer, InspectionPackSerializer


class InspectionPackViewSet(viewsets.ViewSet):
    """Inspection packs: ``POST {"record": "app_label.model:id"}`` starts the job that builds the
    record's PDF and ZIP and answers 202 with the job. A record you may not view is a 404."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        request=InspectionPackSerializer,
        responses={202: InspectionPackJobSerializer},
        operation_id="inspection_packs_create",
    )
    def create(self, request):
        serializer = InspectionPackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = services.resolve_record(request.user, serializer.validated_data["record"])
        job = services.request_inspection_pack(request.user, obj)
        data = InspectionPackJobSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["api_url"]})
