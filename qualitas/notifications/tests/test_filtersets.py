import datetime

from django.utils import timezone

from qualitas.notifications import services
from qualitas.notifications.filtersets import DeliveryFilterSet
from qualitas.notifications.models import Delivery
from qualitas.testing.factories import make_user
from qualitas.testing.filtersets import FilterSetTests


class TestDeliveryFilterSet(FilterSetTests):
    filterset = DeliveryFilterSet

    def make_records(self):
        self.ann = make_user(email="ann@acme.example")
        self.ben = make_user(email="ben@bolt.example")
        [queued] = services.notify("approval.request", [self.ann], "Approve SOP-1")
        [failing] = services.notify("task.overdue", [self.ben], "CAPA-7 overdue")
        services.set_preferences(self.ann, {"task.reminder": "daily"})
        [waiting] = services.notify("task.reminder", [self.ann], "Calibrate G-12")
        digest = services.send_digests(now=timezone.now() + datetime.timedelta(days=2))[0]
        sent = services.notify("quality.alert", [self.ben], "Pasteuriser low")[0].delivery
        records = {
            "queued": queued.delivery,
            "failing": failing.delivery,
            "digest": digest,
            "sent": sent,
        }
        now = timezone.now()
        Delivery.objects.filter(pk=failing.delivery_id).update(
            status="retrying",
            attempts=3,
            last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
            next_attempt_at=now + datetime.timedelta(days=3),
        )
        Delivery.objects.filter(pk=sent.pk).update(
            status="sent",
            attempts=1,
            sent_at=now - datetime.timedelta(days=5),
            message_id="<abc@qms.example>",
        )
        Delivery.objects.filter(pk=queued.delivery_id).update(
            status="cancelled", cancel_reason="Duplicate request"
        )
        assert waiting.delivery_id is None or waiting.delivery_id == digest.pk
        for delivery in records.values():
            delivery.refresh_from_db()
        return records

    def cases(self, records):
        today = timezone.localdate()
        return [
            ({"status": ["retrying"]}, ["failing"]),
            ({"status": ["queued", "sent"]}, ["digest", "sent"]),
            ({"kind": ["task.overdue", "digest.daily"]}, ["digest", "failing"]),
            ({"digest": ["daily"]}, ["digest"]),
            ({"recipient": [self.ann.pk]}, ["digest", "queued"]),
            ({"to_address": "BOLT"}, ["failing", "sent"]),
            ({"subject": "capa"}, ["failing"]),
            ({"q": "mailbox"}, ["failing"]),
            ({"q": "sop-1"}, ["queued"]),
            ({"last_error": "550"}, ["failing"]),
            ({"attempts_min": 2}, ["failing"]),
            ({"next_attempt_before": today.isoformat()}, ["queued", "sent"]),
            ({"sent_after": (today - datetime.timedelta(days=6)).isoformat()}, ["sent"]),
            ({"sent_before": (today - datetime.timedelta(days=6)).isoformat()}, []),
            ({"message_id": "<abc@qms.example>"}, ["sent"]),
            ({"cancel_reason": "duplicate"}, ["queued"]),
        ]
