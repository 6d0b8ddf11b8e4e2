from qualitas.framework.choices import ChoiceSet


class ChangeActionChoices(ChoiceSet):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ARCHIVE = "archive"
    RESTORE = "restore"
    TRANSITION = "transition"

    CHOICES = [
        (CREATE, "Created", "success"),
        (UPDATE, "Updated", "primary"),
        (DELETE, "Deleted", "danger"),
        (ARCHIVE, "Archived", "warning"),
        (RESTORE, "Restored", "info"),
        (TRANSITION, "Status changed", "dark"),
    ]


class AccessKindChoices(ChoiceSet):
    VIEW = "view"
    DOWNLOAD = "download"
    EXPORT = "export"

    CHOICES = [
        (VIEW, "Viewed", "secondary"),
        (DOWNLOAD, "Downloaded", "primary"),
        (EXPORT, "Exported", "info"),
    ]


class JobStatusChoices(ChoiceSet):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    CHOICES = [
        (QUEUED, "Queued", "secondary"),
        (RUNNING, "Running", "primary"),
        (SUCCEEDED, "Succeeded", "success"),
        (FAILED, "Failed", "danger"),
        (CANCELLED, "Cancelled", "warning"),
    ]

    #: A job in one of these states is over: it is never run again.
    FINISHED = (SUCCEEDED, FAILED, CANCELLED)
