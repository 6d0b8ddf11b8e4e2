from qualitas.framework.choices import ChoiceSet


class WidgetStatusChoices(ChoiceSet):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"
    OBSOLETE = "obsolete"

    CHOICES = [
        (DRAFT, "Draft", "secondary"),
        (REVIEW, "In review", "warning"),
        (APPROVED, "Approved", "success"),
        (OBSOLETE, "Obsolete", "dark"),
    ]
