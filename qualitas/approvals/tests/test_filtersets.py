import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qualitas.accounts.models import Company
from qualitas.approvals import services
from qualitas.approvals.filtersets import (
    ApprovalRequestFilterSet,
    ApprovalTemplateFilterSet,
    DelegationFilterSet,
)
from qualitas.approvals.models import Delegation
from qualitas.approvals.tests.helpers import approver, make_author, make_template, make_widget
from qualitas.testing.factories import PASSWORD
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.testapp.models import Widget


class TestApprovalTemplateFilterSet(FilterSetTests):
    filterset = ApprovalTemplateFilterSet

    def make_records(self):
        release = make_template("release", name="Standard release", description="One QA Manager approves")
        ppap = make_template("ppap", name="PPAP submission", description="Customer part approval")
        ppap.record_types.set([ContentType.objects.get_for_model(Widget)])
        old = make_template("old", name="Old release", is_active=False)
        return {"release": release, "ppap": ppap, "old": old}

    def cases(self, records):
        widget_type = ContentType.objects.get_for_model(Widget).pk
        company_type = ContentType.objects.get_for_model(Company).pk
        return [
            ({"q": "release"}, ["release", "old"]),
            ({"q": "customer"}, ["ppap"]),
            ({"code": "PPAP"}, ["ppap"]),
            ({"name": "submission"}, ["ppap"]),
            ({"description": "qa manager"}, ["release"]),
            ({"is_active": "false"}, ["old"]),
            ({"is_active": "true"}, ["release", "ppap"]),
            ({"record_type": [widget_type]}, ["ppap"]),
            ({"record_type": [company_type]}, []),
        ]


class TestApprovalRequestFilterSet(FilterSetTests):
    filterset = ApprovalRequestFilterSet

    def make_records(self):
        template = make_template("release", steps=[{"name": "QA", "roles": ["QA Manager"]}])
        other = make_template("other", steps=[{"name": "QA", "roles": ["QA Manager"]}])
        qa = approver()
        author, second_author = make_author(), make_author()
        bracket = services.start_approval(
            make_widget(name="Bracket"), template, requested_by=author, note="Rev B"
        )
        shaft = services.start_approval(make_widget(name="Shaft"), other, requested_by=second_author)
        services.respond(shaft, qa, "approve", password=PASSWORD, email=qa.email)
        lever = services.start_approval(make_widget(name="Lever"), template, requested_by=author)
        services.cancel_approval(lever, author, "Wrong drawing attached")
        step = bracket.active_step()
        step.due_at = timezone.now() - datetime.timedelta(hours=1)
        step.save()
        for request in (bracket, shaft, lever):
            request.refresh_from_db()
        self.authors = (author, second_author)
        self.templates = (template, other)
        return {"bracket": bracket, "shaft": shaft, "lever": lever}

    def cases(self, records):
        bracket, shaft = records["bracket"], records["shaft"]
        today = timezone.localdate().isoformat()
        widget_type = ContentType.objects.get_for_model(Widget).pk
        return [
            ({"q": "shaft"}, ["shaft"]),
            ({"q": "rev b"}, ["bracket"]),
            ({"number": bracket.number}, ["bracket"]),
            ({"status": ["pending"]}, ["bracket"]),
            ({"status": ["approved", "cancelled"]}, ["shaft", "lever"]),
            ({"template": [self.templates[1].pk]}, ["shaft"]),
            ({"requested_by": self.authors[1].pk}, ["shaft"]),
            ({"record_type": [widget_type]}, ["bracket", "shaft", "lever"]),
            ({"object_id": shaft.object_id}, ["shaft"]),
            ({"object_repr": "lever"}, ["lever"]),
            ({"note": "rev"}, ["bracket"]),
            ({"current_step": 1}, ["bracket"]),
            ({"content_hash": shaft.content_hash}, ["shaft"]),
            ({"completed_after": today}, ["shaft", "lever"]),
            ({"completed_before": today}, ["shaft", "lever"]),
            ({"cancel_reason": "drawing"}, ["lever"]),
            ({"overdue": "true"}, ["bracket"]),
            ({"overdue": "false"}, ["shaft", "lever"]),
        ]


class TestDelegationFilterSet(FilterSetTests):
    filterset = DelegationFilterSet

    def make_records(self):
        today = timezone.localdate()
        day = datetime.timedelta(days=1)
        self.people = {
            name: approver(full_name=name) for name in ("Ann Away", "Ben Back", "Cy Cover", "Di Deputy")
        }
        p = self.people
        now = Delegation.objects.create(
            delegator=p["Ann Away"],
            delegate=p["Cy Cover"],
            starts=today - day,
            ends=today + day,
            reason="Leave",
        )
        later = Delegation.objects.create(
            delegator=p["Ben Back"], delegate=p["Di Deputy"], starts=today + 10 * day, ends=today + 12 * day
        )
        past = Delegation.objects.create(
            delegator=p["Ann Away"],
            delegate=p["Di Deputy"],
            starts=today - 20 * day,
            ends=today - 15 * day,
            reason="Training course",
        )
        self.today = today
        return {"now": now, "later": later, "past": past}

    def cases(self, records):
        p, today, day = self.people, self.today, datetime.timedelta(days=1)
        return [
            ({"q": "ann"}, ["now", "past"]),
            ({"q": "training"}, ["past"]),
            ({"delegator": [p["Ben Back"].pk]}, ["later"]),
            ({"delegate": [p["Di Deputy"].pk]}, ["later", "past"]),
            ({"starts": today.isoformat()}, ["later"]),
            ({"ends": (today - 10 * day).isoformat()}, ["past"]),
            ({"in_force_on": today.isoformat()}, ["now"]),
            ({"in_force_on": (today + 11 * day).isoformat()}, ["later"]),
            ({"reason": "leave"}, ["now"]),
        ]
