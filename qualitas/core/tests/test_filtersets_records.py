"""AttachmentFilterSet and CommentFilterSet through the generic filterset tests."""

from django.core.files.uploadedfile import SimpleUploadedFile

from qualitas.core.attachments import attach
from qualitas.core.comments import add_comment, edit_comment
from qualitas.core.filtersets import AttachmentFilterSet, CommentFilterSet
from qualitas.core.tests import samples
from qualitas.testing.factories import make_user
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.testapp.models import Widget


class TestAttachmentFilterSet(FilterSetTests):
    filterset = AttachmentFilterSet

    def make_records(self):
        self.ada, self.bob = make_user(full_name="Ada"), make_user(full_name="Bob")
        self.bracket, self.hinge = Widget.objects.create(name="Bracket"), Widget.objects.create(name="Hinge")
        return {
            "photo": attach(
                self.bracket,
                SimpleUploadedFile("burr.png", samples.image("PNG")),
                user=self.ada,
                description="Burr on edge",
            ),
            "cert": attach(self.bracket, SimpleUploadedFile("certificate.pdf", samples.pdf()), user=self.bob),
            "notes": attach(
                self.hinge,
                SimpleUploadedFile("notes.txt", b"x" * 5000),
                user=self.ada,
                description="Readings",
            ),
        }

    def cases(self, records):
        return [
            ({"record": f"testapp.widget:{self.bracket.pk}"}, ["cert", "photo"]),
            ({"record": "testapp.nothing:1"}, []),
            ({"content_type": "testapp.widget", "object_id": str(self.hinge.pk)}, ["notes"]),
            ({"q": "burr"}, ["photo"]),
            ({"q": "readings"}, ["notes"]),
            ({"name": "certif"}, ["cert"]),
            ({"mime_type": "image/png"}, ["photo"]),
            ({"sha256": records["notes"].sha256.upper()}, ["notes"]),
            ({"size": "4000"}, ["cert", "notes"]),
            ({"description": "edge"}, ["photo"]),
            ({"file": records["cert"].file.name}, ["cert"]),
            ({"uploaded_by": self.ada.pk}, ["notes", "photo"]),
        ]


class TestCommentFilterSet(FilterSetTests):
    filterset = CommentFilterSet

    def make_records(self):
        self.ada, self.bob = (
            make_user(role="QA Inspector", full_name="Ada"),
            make_user(role="QA Manager", full_name="Bob"),
        )
        self.bracket, self.hinge = Widget.objects.create(name="Bracket"), Widget.objects.create(name="Hinge")
        question = add_comment(self.bracket, self.ada, "Which batch had the burr?")
        answer = add_comment(self.bracket, self.bob, "Batch 42.", parent=question)
        edit_comment(answer, self.bob, "Batch 42, shift B.")
        other = add_comment(self.hinge, self.bob, "Hinge looks fine.")
        return {"question": question, "answer": answer, "other": other}

    def cases(self, records):
        return [
            ({"record": f"testapp.widget:{self.bracket.pk}"}, ["answer", "question"]),
            ({"content_type": "testapp.widget", "object_id": str(self.hinge.pk)}, ["other"]),
            ({"q": "burr"}, ["question"]),
            ({"body": "shift b"}, ["answer"]),
            ({"author": self.bob.pk}, ["answer", "other"]),
            ({"parent": records["question"].pk}, ["answer"]),
            ({"is_reply": "true"}, ["answer"]),
            ({"is_reply": "false"}, ["other", "question"]),
            ({"edited": "true"}, ["answer"]),
            ({"edited": "false"}, ["other", "question"]),
        ]
