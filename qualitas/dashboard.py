"""What the home dashboard shows a user: real figures, each through the user's own scoping."""

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company, User
from qualitas.approvals import services as approvals
from qualitas.core import services as audit_services
from qualitas.core.models import DomainEvent, ObjectChange


@dataclass
class Tile:
    title: str
    value: str
    detail: str
    url: str
    tone: str = "primary"


def tiles(user):
    result = []
    if user.has_perm("approvals.add_approvalresponse"):
        waiting = approvals.inbox(user)
        overdue = waiting.filter(due_at__lt=timezone.now()).count()
        result.append(
            Tile(
                "Needs my approval",
                str(waiting.count()),
                f"{overdue} overdue" if overdue else "none overdue",
                reverse("approvals:inbox"),
                "danger" if overdue else "primary",
            )
        )
    if user.has_perm("core.view_objectchange"):
        latest = audit_services.recent_verifications(limit=1)
        if latest:
            data = latest[0].data
            result.append(
                Tile(
                    "Audit trail",
                    "Intact" if data.get("ok") else "Broken",
                    f"{data.get('checked', 0)} entries at the last check, {latest[0].time:%d %b %Y %H:%M} UTC",
                    reverse("core:audit_integrity"),
                    "success" if data.get("ok") else "danger",
                )
            )
        else:
            result.append(
                Tile(
                    "Audit trail",
                    "Not verified yet",
                    "Run a verification to anchor the chain.",
                    reverse("core:audit_integrity"),
                    "warning",
                )
            )
    companies = Company.objects.restrict(user).filter(is_archived=False)
    if user.has_perm("accounts.view_company"):
        counts = dict(companies.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
        detail = ", ".join(
            f"{counts.get(kind, 0)} {label.lower()}" for kind, label in CompanyKindChoices.choices()
        )
        result.append(Tile("Companies", str(sum(counts.values())), detail, reverse("accounts:company_list")))
    if user.has_perm("accounts.view_user"):
        people = User.objects.restrict(user)
        active = people.filter(is_active=True).count()
        result.append(
            Tile(
                "People", str(active), f"{people.count() - active} deactivated", reverse("accounts:user_list")
            )
        )
    return result


def recent_events(user, limit=10):
    return DomainEvent.objects.restrict(user).select_related("content_type")[:limit]


def recent_changes(user, limit=10):
    return ObjectChange.objects.restrict(user).select_related("content_type")[:limit]
