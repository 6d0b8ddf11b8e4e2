import datetime
import uuid

from django.utils import timezone

from qualitas.framework.context import change_context
from qualitas.signatures.choices import SessionRuleChoices
from qualitas.signatures.filtersets import SignatureFilterSet
from qualitas.signatures.services import VerifiedSigner, record_signature
from qualitas.signatures.tests.helpers import make_widget
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.filtersets import FilterSetTests


class TestSignatureFilterSet(FilterSetTests):
    filterset = SignatureFilterSet

    def make_records(self):
        self.quinn = make_user(full_name="Quinn Manager", email="quinn@dairy.example")
        self.sam = make_user(full_name="Sam Inspector", email="sam@plant.example")
        self.bracket = make_widget(name="Bracket", specification="Steel")
        # Any registered record type can be signed: a company too.
        self.acme = make_company(name="Acme Dairy")
        self.request_id = uuid.uuid4()
        return {
            "authored": self.sign(self.bracket, self.quinn, "authored", "First issue", "198.51.100.1"),
            "approved": self.sign(
                self.bracket,
                self.sam,
                "approved",
                "",
                "198.51.100.2",
                rule=SessionRuleChoices.CONTINUOUS,
                request_id=self.request_id,
            ),
            "company": self.sign(self.acme, self.sam, "verified", "Address checked", None),
        }

    def sign(self, obj, user, meaning, comment, ip, rule=SessionRuleChoices.NO_SESSION, request_id=None):
        signer = VerifiedSigner(user=user, rule=rule, ip=ip)
        with change_context(request_id=request_id or uuid.uuid4()):
            return record_signature(signer, obj, meaning, comment)

    def cases(self, records):
        today = timezone.localdate()
        yesterday = (today - datetime.timedelta(days=1)).isoformat()
        tomorrow = (today + datetime.timedelta(days=1)).isoformat()
        everything = ["authored", "approved", "company"]
        return [
            ({"q": "quinn"}, ["authored"]),
            ({"q": "acme"}, ["company"]),
            ({"q": "checked"}, ["company"]),
            ({"record": f"testapp.widget:{self.bracket.pk}"}, ["authored", "approved"]),
            ({"record": f"accounts.company:{self.acme.pk}"}, ["company"]),
            ({"meaning": ["approved", "verified"]}, ["approved", "company"]),
            ({"signer": [self.sam.pk]}, ["approved", "company"]),
            ({"printed_name": "manager"}, ["authored"]),
            ({"signer_email": "plant.example"}, ["approved", "company"]),
            ({"signed_after": today.isoformat()}, everything),
            ({"signed_after": tomorrow}, []),
            ({"signed_before": yesterday}, []),
            ({"signed_before": today.isoformat()}, everything),
            ({"content_type": "accounts.company"}, ["company"]),
            ({"object_id": str(self.bracket.pk), "content_type": "testapp.widget"}, ["authored", "approved"]),
            ({"object_repr": "bracket"}, ["authored", "approved"]),
            ({"comment": "first"}, ["authored"]),
            ({"content_hash": records["approved"].content_hash[:12].upper()}, ["authored", "approved"]),
            ({"content": "steel"}, ["authored", "approved"]),
            ({"content": "Acme Dairy"}, ["company"]),
            ({"session_rule": ["continuous"]}, ["approved"]),
            ({"ip": "198.51.100.2"}, ["approved"]),
            ({"request_id": str(self.request_id)}, ["approved"]),
        ]
