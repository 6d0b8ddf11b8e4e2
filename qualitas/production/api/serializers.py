from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from qualitas.framework.api.serializers import RecordSerializer
from qualitas.production import services
from qualitas.production.models import (
    CustomerOrder,
    CustomerOrderLine,
    Part,
    PartType,
    Process,
    Step,
    StepEdge,
    StepTransition,
    WorkCenter,
    WorkOrder,
)

VERSION_FIELDS = ("version", "is_current", "lineage", "previous_version")


def as_drf_error(error):
    """A Django ValidationError from a service as DRF's, keeping the field names."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


def draft_routing_error(process):
    return f"{process} is {process.get_status_display().lower()}: revise it to change it."


class FixedOnUpdateMixin:
    """``fixed_on_update`` fields are written when the record is created and read-only after."""

    fixed_on_update: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, self.Meta.model):
            for name in self.fixed_on_update:
                fields[name].read_only = True
        return fields


class WorkCenterSerializer(RecordSerializer):
    class Meta:
        model = WorkCenter
        fields = (
            *RecordSerializer.record_fields,
            "code",
            "name",
            "description",
            *RecordSerializer.archive_fields,
        )


class CustomerOrderSerializer(RecordSerializer):
    class Meta:
        model = CustomerOrder
        fields = (
            *RecordSerializer.record_fields,
            "number",
            "customer",
            "customer_reference",
            "erp_id",
            "order_date",
            "due_date",
            "status",
            "notes",
            *RecordSerializer.archive_fields,
        )


class CustomerOrderLineSerializer(FixedOnUpdateMixin, RecordSerializer):
    fixed_on_update = ("order",)

    class Meta:
        model = CustomerOrderLine
        fields = (
            *RecordSerializer.record_fields,
            "order",
            "line_number",
            "part_type",
            "quantity",
            "due_date",
            *RecordSerializer.archive_fields,
        )


class PartTypeSerializer(FixedOnUpdateMixin, RecordSerializer):
    """A new design revision is ``POST /part-types/<id>/revise/``; ``revision`` is fixed after."""

    fixed_on_update = ("revision",)

    class Meta:
        model = PartType
        fields = (
            *RecordSerializer.record_fields,
            "part_number",
            "name",
            "revision",
            "serial_prefix",
            "serial_digits",
            "customer",
            "max_rework_attempts",
            "description",
            *VERSION_FIELDS,
            *RecordSerializer.archive_fields,
        )


class PartTypeRevisionSerializer(serializers.Serializer):
    revision = serializers.CharField(max_length=PartType._meta.get_field("revision").max_length)


class ProcessSerializer(RecordSerializer):
    """A routing. Only a draft can be changed; ``POST /processes/<id>/revise/`` makes a new draft
    of a released one."""

    class Meta:
        model = Process
        fields = (
            *RecordSerializer.record_fields,
            "number",
            "name",
            "part_type",
            "description",
            "status",
            "released_at",
            *VERSION_FIELDS,
            *RecordSerializer.archive_fields,
        )

    def validate(self, attrs):
        instance = self.instance
        if instance is not None and not instance.is_editable:
            raise serializers.ValidationError({"non_field_errors": [draft_routing_error(instance)]})
        part_type = attrs.get("part_type")
        if (
            instance is not None
            and instance.previous_version_id
            and part_type not in (None, instance.part_type)
        ):
            # Every version of a routing is a routing of the same part type.
            raise serializers.ValidationError(
                {"part_type": ["A revision keeps the part type of its routing."]}
            )
        return super().validate(attrs)


class StepSerializer(FixedOnUpdateMixin, RecordSerializer):
    """A step of a draft routing (``process`` is fixed once the step is made)."""

    fixed_on_update = ("process",)

    class Meta:
        model = Step
        fields = (
            *RecordSerializer.record_fields,
            "process",
            "name",
            "kind",
            "sequence",
            "work_center",
            "requires_qa",
            "estimated_duration",
            "setup_duration",
            "instructions",
            "position_x",
            "position_y",
            *RecordSerializer.archive_fields,
        )

    def validate(self, attrs):
        process = attrs.get("process") or getattr(self.instance, "process", None)
        if process is not None and not process.is_editable:
            raise serializers.ValidationError({"process": [draft_routing_error(process)]})
        return super().validate(attrs)


class StepEdgeSerializer(FixedOnUpdateMixin, RecordSerializer):
    """An edge of a draft routing; ``StepEdge.clean()`` (run by ``RecordSerializer``) refuses
    cycles, steps of another routing and a routing that is not a draft."""

    fixed_on_update = ("process",)

    class Meta:
        model = StepEdge
        fields = (
            *RecordSerializer.record_fields,
            "process",
            "source",
            "target",
            "condition",
            *RecordSerializer.archive_fields,
        )


class WorkOrderSerializer(FixedOnUpdateMixin, RecordSerializer):
    """Created by ``services.create_work_order``, which generates the parts; afterwards only the
    priority, due date, ERP id and notes change."""

    fixed_on_update = ("part_type", "process", "quantity", "order_line")

    class Meta:
        model = WorkOrder
        fields = (
            *RecordSerializer.record_fields,
            "number",
            "part_type",
            "process",
            "quantity",
            "order_line",
            "priority",
            "status",
            "due_date",
            "erp_id",
            "started_at",
            "completed_at",
            "notes",
            *RecordSerializer.archive_fields,
        )

    def create(self, validated_data):
        data = dict(validated_data)
        try:
            return services.create_work_order(
                data.pop("part_type"), data.pop("process"), data.pop("quantity"), **data
            )
        except DjangoValidationError as error:
            raise as_drf_error(error)


class PartSerializer(RecordSerializer):
    """Parts are made by their work order; only ``erp_id`` is written here."""

    class Meta:
        model = Part
        fields = (
            *RecordSerializer.record_fields,
            "serial_number",
            "work_order",
            "part_type",
            "current_step",
            "status",
            "step_entered_at",
            "erp_id",
            *RecordSerializer.archive_fields,
        )
        read_only_fields = ("serial_number", "work_order", "part_type")


class StepTransitionSerializer(serializers.ModelSerializer):
    """One entry of a part's step log (read-only)."""

    url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()

    class Meta:
        model = StepTransition
        fields = (
            "id",
            "url",
            "display",
            "time",
            "part",
            "kind",
            "from_step",
            "to_step",
            "status_before",
            "status_after",
            "outcome",
            "operator",
            "equipment",
            "note",
        )
        read_only_fields = fields

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_display(self, obj) -> str:
        return str(obj)
