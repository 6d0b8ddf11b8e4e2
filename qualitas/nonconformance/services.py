"""Nonconformance services: opening an NCR from a failed quality report (called explicitly by
``inspections.services``, never by a signal), opening one by hand, and the NCR analysis figures.

Opening from a report quarantines the part in the same transaction. When the part has already
used up its rework attempts at the step, the NCR is opened escalated and the QA managers are told.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from qualitas.approvals.choices import QuorumChoices
from qualitas.approvals.models import ApprovalStep, ApprovalTemplate
from qualitas.core.events import emit
from qualitas.inspections.choices import CharacteristicClassChoices
from qualitas.notifications import services as notifications
from qualitas.production.actions import QuarantinePart
from qualitas.production.choices import PartStatusChoices

from .actions import NCR_ASSIGNED, escalate
from .choices import NonConformanceSourceChoices, ReworkOutcomeChoices, SeverityChoices
from .models import NonConformance, ReworkAttempt

#: A failed characteristic's classification gives the NCR's severity.
SEVERITY_OF_CLASS = {
    "critical": SeverityChoices.CRITICAL,
    "major": SeverityChoices.MAJOR,
    "minor": SeverityChoices.MINOR,
}


def worst_classification(report):
    """The most serious classification among the failing characteristics and defects of ``report``."""
    classes = {result.definition.classification for result in report.results.all() if not result.is_pass}
    classes |= {defect.error_type.classification for defect in report.defects.all()}
    for classification in (
        CharacteristicClassChoices.CRITICAL,
        CharacteristicClassChoices.MAJOR,
        CharacteristicClassChoices.MINOR,
    ):
        if classification in classes:
            return classification
    return CharacteristicClassChoices.MINOR


def describe_failure(report):
    """Lines naming each failed characteristic with its value and limits, and each defect."""
    lines = []
    for result in report.results.select_related("definition"):
        if result.is_pass:
            continue
        definition = result.definition
        if result.value is not None:
            limits = " – ".join(
                f"{limit:.{definition.decimals}f}" if limit is not None else "open"
                for limit in (definition.lsl, definition.usl)
            )
            lines.append(
                f"{definition}: {result.value:.{definition.decimals}f} {definition.unit} (limits {limits} {definition.unit})".replace(
                    "  ", " "
                )
            )
        else:
            lines.append(f"{definition}: not OK")
    for defect in report.defects.select_related("error_type"):
        where = f" at {defect.location}" if defect.location else ""
        lines.append(f"Defect {defect.error_type} × {defect.quantity}{where}")
    return lines


def open_from_report(report, user=None, request=None):
    """Open an NCR for a failed quality report and quarantine its part. Returns the NCR."""
    part = report.part
    step = report.step
    work_order = part.work_order
    lines = describe_failure(report)
    names = [line.split(":")[0] for line in lines]
    customer = work_order.order_line.order.customer if work_order.order_line_id else None
    with transaction.atomic():
        failed_attempts = list(ReworkAttempt.objects.filter(part=part, outcome=ReworkOutcomeChoices.PENDING))
        for attempt in failed_attempts:
            attempt.outcome = ReworkOutcomeChoices.FAILED
            attempt.finished_at = timezone.now()
            attempt.save()
        ncr = NonConformance(
            title=f"{part} failed {step}: {', '.join(names)}"[:300],
            source=NonConformanceSourceChoices.INSPECTION,
            severity=SEVERITY_OF_CLASS[worst_classification(report)],
            description="\n".join([f"Quality report {report.number} failed.", *lines]),
            part=part,
            quality_report=report,
            part_type=part.part_type,
            work_order=work_order,
            step=step,
            customer=customer,
        )
        limit = part.part_type.max_rework_attempts
        worn = (
            ReworkAttempt.objects.filter(part=part)
            .values("step__name")
            .annotate(count=Count("pk"))
            .filter(count__gte=limit)
            .order_by("-count", "step__name")
            .first()
        )
        if worn is not None:
            escalate(
                ncr,
                f"{part} has been reworked {worn['count']} time{'s' if worn['count'] != 1 else ''} at "
                f"“{worn['step__name']}” (maximum {limit}) and failed {step} again.",
            )
        ncr.save()
        emit(
            "nonconformance.opened_from_inspection",
            obj=ncr,
            message=f"{ncr.number} opened: {report.number} failed at {step}",
            data={"report": report.number, "part": part.serial_number},
        )
        if part.status in QuarantinePart.source:
            QuarantinePart(part, user, request=request).execute(
                reason=f"{ncr.number}: failed inspection at {step}", outcome="fail"
            )
        notify_opened(ncr)
    return ncr


def open_nonconformance(ncr):
    """Save an NCR raised by hand (page or API) and tell its assignee, or the QA managers."""
    with transaction.atomic():
        ncr.save()
        notify_opened(ncr)
    return ncr


def notify_opened(ncr):
    recipients = [ncr.assignee] if ncr.assignee_id else ["QA Manager"]
    notifications.notify(
        NCR_ASSIGNED.code,
        recipients,
        subject=f"{ncr.number}: {ncr.title}"[:200],
        message=ncr.description[:1000],
        obj=ncr,
    )


def is_quarantined(part):
    return part.status == PartStatusChoices.QUARANTINED


def seed_review_board_template():
    """The material review board's approval template (``settings.QUALITAS_MRB_APPROVAL_TEMPLATE``)
    for repair and use-as-is dispositions: one step that a QA Manager or a Production Manager
    answers within two days, escalated to the QA managers. Idempotent; for demo data and new
    installations, which may change it."""
    qa_manager = Group.objects.get(name="QA Manager")
    production_manager = Group.objects.get(name="Production Manager")
    with transaction.atomic():
        template, created = ApprovalTemplate.objects.get_or_create(
            code=settings.QUALITAS_MRB_APPROVAL_TEMPLATE,
            defaults={
                "name": "Material review board",
                "description": "Repair and use-as-is dispositions of nonconforming product are approved "
                "with a signature by quality or production management.",
            },
        )
        if created:
            template.record_types.set([ContentType.objects.get_for_model(NonConformance)])
            step = ApprovalStep.objects.create(
                template=template,
                order=1,
                name="Material review board",
                quorum=QuorumChoices.ANY,
                due_within=datetime.timedelta(days=2),
                escalate_to=qa_manager,
                instructions="Check the deviation against the drawing and the customer's requirements.",
            )
            step.approver_roles.set([qa_manager, production_manager])
    return template
