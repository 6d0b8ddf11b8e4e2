"""ChoiceSets: the values of a choice field with their labels and colours, declared once."""

from typing import Any


class ChoiceSetMeta(type):
    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)
        cls._choices = list(attrs.get("CHOICES", []))
        cls._labels = {value: label for value, label, *_ in cls._choices}
        cls._colors = {value: (rest[0] if rest else "secondary") for value, _, *rest in cls._choices}
        return cls

    def __iter__(cls):
        return iter(cls.choices())

    def __contains__(cls, value):
        return value in cls._labels


class ChoiceSet(metaclass=ChoiceSetMeta):
    """Subclass with constants and ``CHOICES = [(value, label, colour), ...]``.

    Colours are Bootstrap contextual names (primary, success, warning, danger, info, secondary,
    dark) so that badges look the same everywhere.
    """

    CHOICES: list[tuple[Any, ...]] = []

    @classmethod
    def choices(cls):
        return [(value, label) for value, label, *_ in cls._choices]

    @classmethod
    def values(cls):
        return [value for value, *_ in cls._choices]

    @classmethod
    def label(cls, value):
        return cls._labels.get(value, value)

    @classmethod
    def color(cls, value):
        return cls._colors.get(value, "secondary")
