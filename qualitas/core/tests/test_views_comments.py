"""The Comments tab of every record: the thread, commenting and replying, editing and removing."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from qualitas.core.comments import add_comment
from qualitas.core.service_models import Comment
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


class TestCommentViews:
    model = Comment

    @pytest.fixture(autouse=True)
    def _setup(self, client):
        self.client = client
        self.widget = Widget.objects.create(name="Bracket")
        self.url = f"{self.widget.get_absolute_url()}comments/"
        self.inspector = make_user(role="QA Inspector", full_name="Ines Inspector")
        self.manager = make_user(role="QA Manager", full_name="Quinn Manager")
        self.client.force_login(self.inspector)

    def test_the_tab_shows_the_thread(self):
        first = add_comment(self.widget, self.manager, "Burr on the left edge.\nSee photo.")
        reply = add_comment(self.widget, self.inspector, "Deburred.", parent=first)
        response = self.client.get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index(f'id="comment-{first.pk}"') < html.index(f'id="comment-{reply.pk}"')
        assert 'data-depth="1"' in html and "Burr on the left edge.<br>See photo." in html
        assert "Quinn Manager" in html and 'name="parent"' in html
        assert f'href="{self.url}"' in self.client.get(self.widget.get_absolute_url()).content.decode()

    def test_comment_and_reply(self):
        response = self.client.post(self.url, {"body": "Measured 10.02 mm."})
        comment = Comment.objects.get()
        assert response.status_code == 302 and response["Location"] == f"{self.url}#comment-{comment.pk}"
        assert (comment.author, comment.body, comment.parent) == (self.inspector, "Measured 10.02 mm.", None)
        response = self.client.post(self.url, {"body": "Within tolerance.", "parent": comment.pk})
        assert response.status_code == 302
        assert Comment.objects.get(parent=comment).body == "Within tolerance."

    def test_an_empty_comment_shows_the_error_and_writes_nothing(self):
        response = self.client.post(self.url, {"body": "   "})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        assert not Comment.objects.exists()

    def test_a_reply_to_a_comment_of_another_record_is_refused(self):
        elsewhere = add_comment(Widget.objects.create(name="Hinge"), self.manager, "On the hinge.")
        response = self.client.post(self.url, {"body": "Reply", "parent": elsewhere.pk})
        assert response.status_code == 400
        assert "The comment you replied to is not on this record." in response.content.decode()
        assert Comment.objects.count() == 1

    def test_an_auditor_reads_but_does_not_comment(self):
        add_comment(self.widget, self.manager, "For the auditor to read.")
        self.client.force_login(make_user(role="Auditor"))
        html = self.client.get(self.url).content.decode()
        assert "For the auditor to read." in html and "You can read the comments" in html
        assert 'name="body"' not in html
        assert self.client.post(self.url, {"body": "Auditor note"}).status_code == 403
        assert Comment.objects.count() == 1

    def test_another_customers_record_does_not_exist(self):
        theirs = Widget.objects.create(name="Theirs", customer=make_company(kind="customer"))
        comment = add_comment(theirs, self.manager, "Internal")
        customer = make_user(role="Customer", company=make_company(kind="customer"))
        customer.user_permissions.add(*Permission.objects.filter(codename__in=["view_widget", "add_comment"]))
        self.client.force_login(customer)
        assert self.client.get(f"{theirs.get_absolute_url()}comments/").status_code == 404
        assert self.client.post(f"{theirs.get_absolute_url()}comments/", {"body": "Hello"}).status_code == 404
        assert (
            self.client.post(
                reverse("core:comment_remove", args=[comment.pk]), {"reason": REASON}
            ).status_code
            == 404
        )
        assert self.client.get(reverse("core:comment_edit", args=[comment.pk])).status_code == 404

    def test_the_author_edits(self):
        comment = add_comment(self.widget, self.inspector, "Measured 10.2 mm.")
        edit_url = reverse("core:comment_edit", args=[comment.pk])
        assert 'name="body"' in self.client.get(edit_url).content.decode()
        response = self.client.post(edit_url, {"body": ""})
        assert response.status_code == 400 and "This field is required." in response.content.decode()
        response = self.client.post(edit_url, {"body": "Measured 10.02 mm."})
        assert response.status_code == 302 and response["Location"] == comment.get_absolute_url()
        comment.refresh_from_db()
        assert comment.body == "Measured 10.02 mm." and comment.edited is not None
        assert "edited" in self.client.get(self.url).content.decode()
        self.client.force_login(self.manager)
        assert self.client.post(edit_url, {"body": "Not mine"}).status_code == 403
        comment.refresh_from_db()
        assert comment.body == "Measured 10.02 mm."

    def test_remove_with_a_reason(self):
        comment = add_comment(self.widget, self.inspector, "Posted on the wrong record.")
        remove_url = reverse("core:comment_remove", args=[comment.pk])
        other = make_user(role="QA Inspector")
        self.client.force_login(other)
        assert self.client.post(remove_url, {"reason": REASON}).status_code == 403
        self.client.force_login(self.inspector)
        assert self.client.post(remove_url, {"reason": ""}).status_code == 400
        assert self.client.post(remove_url, {"reason": "Wrong record"}).status_code == 302
        html = self.client.get(self.url).content.decode()
        assert "Comment removed by Ines Inspector" in html and "Wrong record" in html
        assert "Posted on the wrong record." not in html
