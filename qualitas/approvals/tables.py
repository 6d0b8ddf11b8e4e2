from qualitas.approvals.models import ApprovalRequest, ApprovalTemplate, Delegation
from qualitas.framework.tables import BooleanColumn, ChoiceColumn, Column, Table


class ApprovalTemplateTable(Table):
    name = Column(linkify=True)
    code = Column()
    description = Column()
    is_active = BooleanColumn(verbose_name="Active")
    updated = Column(verbose_name="Changed")

    class Meta:
        model = ApprovalTemplate
        default_order = ("name",)


class ApprovalRequestTable(Table):
    number = Column(linkify=True)
    object_repr = Column(verbose_name="Record")
    template = Column(accessor="template.name", verbose_name="Template")
    requested_by = Column(accessor="requested_by.full_name", verbose_name="Requested by")
    status = ChoiceColumn()
    current_step = Column(verbose_name="Step")
    created = Column(verbose_name="Requested")
    completed_at = Column(verbose_name="Completed")

    class Meta:
        model = ApprovalRequest
        default_order = ("-created", "-id")


class DelegationTable(Table):
    delegator = Column(accessor="delegator.full_name", verbose_name="Who is away", linkify=False)
    delegate = Column(accessor="delegate.full_name", verbose_name="Delegate")
    starts = Column(verbose_name="From")
    ends = Column(verbose_name="Until")
    reason = Column()
    created = Column(linkify=True, verbose_name="Recorded")

    class Meta:
        model = Delegation
        default_order = ("-starts", "-id")
