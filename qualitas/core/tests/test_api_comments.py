"""The comments API: comment and reply, list by record, the author edits, removal, permissions."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from qualitas.core.comments import add_comment
from qualitas.core.service_models import Comment
from qualitas.testing.api import assert_error
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.queries import assert_constant_and_pinned
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

LIST = "/api/v1/comments/"


class TestCommentAPI:
    model = Comment

    @pytest.fixture(autouse=True)
    def _setup(self):
        self.client = APIClient()
        self.widget = Widget.objects.create(name="Bracket")
        self.record = f"testapp.widget:{self.widget.pk}"
        self.inspector = make_user(role="QA Inspector", full_name="Ines Inspector")
        self.client.force_authenticate(self.inspector)

    def test_comment_reply_and_list(self):
        response = self.client.post(LIST, {"record": self.record, "body": "Burr on the edge."}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        comment = Comment.objects.get()
        assert (body["id"], body["record"], body["parent"], body["author"]) == (
            comment.pk,
            self.record,
            None,
            self.inspector.pk,
        )
        assert body["author_name"] == "Ines Inspector" and body["body"] == "Burr on the edge."
        assert (
            body["url"] == f"http://testserver{self.widget.get_absolute_url()}comments/#comment-{comment.pk}"
        )
        response = self.client.post(
            LIST, {"record": self.record, "body": "Deburred.", "parent": comment.pk}, format="json"
        )
        assert response.status_code == 201 and response.json()["parent"] == comment.pk
        add_comment(Widget.objects.create(name="Hinge"), self.inspector, "Elsewhere")
        rows = self.client.get(LIST, {"record": self.record}).json()["results"]
        assert [row["body"] for row in rows] == ["Burr on the edge.", "Deburred."]

    def test_bad_comments_are_400_by_field(self):
        errors = assert_error(
            self.client.post(LIST, {"record": self.record, "body": ""}, format="json"), 400
        )["errors"]
        assert list(errors) == ["body"]
        errors = assert_error(
            self.client.post(LIST, {"record": "testapp.widget:99999", "body": "x"}, format="json"), 400
        )["errors"]
        assert list(errors) == ["record"]
        elsewhere = add_comment(Widget.objects.create(name="Hinge"), self.inspector, "On the hinge.")
        errors = assert_error(
            self.client.post(
                LIST, {"record": self.record, "body": "x", "parent": elsewhere.pk}, format="json"
            ),
            400,
        )["errors"]
        assert errors == {"parent": ["You can only reply to a comment on the same record."]}
        assert Comment.objects.count() == 1

    def test_who_may_comment(self):
        self.client.force_authenticate(make_user(role="Auditor"))
        assert_error(self.client.post(LIST, {"record": self.record, "body": "x"}, format="json"), 403)
        self.client.force_authenticate(None)
        assert_error(self.client.post(LIST, {"record": self.record, "body": "x"}, format="json"), 401)
        assert not Comment.objects.exists()

    def test_customers_see_only_their_own_records_comments(self):
        company = make_company(kind="customer")
        ours = Widget.objects.create(name="Ours", customer=company)
        on_ours = add_comment(ours, self.inspector, "About your part")
        add_comment(self.widget, self.inspector, "Internal")
        customer = make_user(role="Customer", company=company)
        customer.user_permissions.add(Permission.objects.get(codename="view_widget"))
        self.client.force_authenticate(type(customer).objects.get(pk=customer.pk))
        rows = self.client.get(LIST).json()["results"]
        assert [row["id"] for row in rows] == [on_ours.pk]

    def test_the_author_edits_others_cannot(self):
        comment = add_comment(self.widget, self.inspector, "Measured 10.2 mm.")
        url = f"{LIST}{comment.pk}/"
        response = self.client.patch(url, {"body": "Measured 10.02 mm."}, format="json")
        assert response.status_code == 200 and response.json()["body"] == "Measured 10.02 mm."
        assert response.json()["edited"] is not None
        errors = assert_error(self.client.patch(url, {"record": "testapp.widget:1"}, format="json"), 400)[
            "errors"
        ]
        assert errors == {"record": ["Only the text of a comment can be changed."]}
        self.client.force_authenticate(make_user(role="QA Manager"))
        assert_error(self.client.patch(url, {"body": "Not mine"}, format="json"), 403)
        comment.refresh_from_db()
        assert comment.body == "Measured 10.02 mm."

    def test_remove(self):
        comment = add_comment(self.widget, self.inspector, "Wrong record")
        url = f"{LIST}{comment.pk}/archive/"
        self.client.force_authenticate(make_user(role="QA Inspector"))
        assert_error(self.client.post(url, {"reason": REASON}, format="json"), 403)
        self.client.force_authenticate(self.inspector)
        assert "reason" in assert_error(self.client.post(url, {}, format="json"), 400)["errors"]
        response = self.client.post(url, {"reason": REASON}, format="json")
        assert response.status_code == 200
        assert response.json()["is_archived"] is True and response.json()["body"] == ""
        assert_error(self.client.delete(f"{LIST}{comment.pk}/"), 405)

    def test_list_query_count(self):
        def make_rows(total):
            while Comment.objects.count() < total:
                add_comment(Widget.objects.create(name="W"), self.inspector, "A comment")

        assert_constant_and_pinned(
            self, "api core.comment list", make_rows, lambda: self.client.get(LIST, {"page_size": 100})
        )
