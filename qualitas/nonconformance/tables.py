from qualitas.framework.tables import BooleanColumn, ChoiceColumn, Column, Table

from .models import NonConformance, ReworkAttempt


class NonConformanceTable(Table):
    number = Column(linkify=True)
    title = Column()
    status = ChoiceColumn()
    severity = ChoiceColumn()
    source = ChoiceColumn()
    part = Column(accessor="part.serial_number", verbose_name="Part")
    part_type = Column(accessor="part_type.part_number", verbose_name="Part type")
    disposition = ChoiceColumn()
    assignee = Column(accessor="assignee.full_name", verbose_name="Assignee")
    is_escalated = BooleanColumn(verbose_name="Escalated")
    created = Column(verbose_name="Opened")

    class Meta:
        model = NonConformance
        default_order = ("-number",)


class ReworkAttemptTable(Table):
    id = Column(linkify=True, verbose_name="Attempt id")
    nonconformance = Column(accessor="nonconformance.number", verbose_name="NCR")
    part = Column(accessor="part.serial_number", verbose_name="Part")
    step = Column(accessor="step.name", verbose_name="Step")
    attempt = Column()
    outcome = ChoiceColumn()
    started_at = Column()
    finished_at = Column()

    class Meta:
        model = ReworkAttempt
        default_order = ("-started_at", "-pk")
