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
