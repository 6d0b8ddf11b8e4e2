from django.urls import include, path

from qualitas.core.views import (
    AccessLogViews,
    AttachmentArchiveView,
    AttachmentDownloadView,
    AttachmentPreviewView,
    AttachmentUploadView,
    CommentEditView,
    CommentRemoveView,
    DomainEventViews,
    IntegrityView,
    JobCancelView,
    JobProgressView,
    JobResultView,
    JobViews,
    ObjectChangeViews,
)

app_name = "core"

audit_patterns = [
    path("integrity/", IntegrityView.as_view(), name="audit_integrity"),
    *ObjectChangeViews.urls(),
    *DomainEventViews.urls(),
    *AccessLogViews.urls(),
]

urlpatterns = [
    path("audit/", include(audit_patterns)),
    # Before JobViews' own URLs, whose last pattern routes <pk>/<name>/ to record tabs.
    path("jobs/<int:pk>/progress/", JobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:pk>/cancel/", JobCancelView.as_view(), name="job_cancel"),
    path("jobs/<int:pk>/result/", JobResultView.as_view(), name="job_result"),
    path("jobs/<int:pk>/files/<int:file_pk>/", JobResultView.as_view(), name="job_file"),
    *JobViews.urls(),
    # Attachments of any record (its Attachments tab lists them) and comments (its Comments tab).
    path("files/add/<str:label>/<str:pk>/", AttachmentUploadView.as_view(), name="attachment_upload"),
    path("files/<int:pk>/", AttachmentDownloadView.as_view(), name="attachment_download"),
    path("files/<int:pk>/preview/", AttachmentPreviewView.as_view(), name="attachment_preview"),
    path("files/<int:pk>/archive/", AttachmentArchiveView.as_view(), name="attachment_archive"),
    path(
        "files/<int:pk>/restore/",
        AttachmentArchiveView.as_view(operation="restore"),
        name="attachment_restore",
    ),
    path("comments/<int:pk>/edit/", CommentEditView.as_view(), name="comment_edit"),
    path("comments/<int:pk>/remove/", CommentRemoveView.as_view(), name="comment_remove"),
]
