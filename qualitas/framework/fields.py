from django.db import models


class ChoiceSetField(models.CharField):
    """A CharField whose choices come from a ChoiceSet; pages and exports read its labels and colours."""

    def __init__(self, *args, choice_set=None, **kwargs):
        self.choice_set = choice_set
        if choice_set is not None:
            kwargs["choices"] = choice_set.choices()
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
