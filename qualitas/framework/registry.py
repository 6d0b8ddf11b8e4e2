"""The model registry: what the framework knows about each record type.

The generic views and API register models here; the meta-test walks it to make sure every
registered model has its filterset, table, API and view tests; navigation and the clause library
read it too.
"""

from dataclasses import dataclass, field

from qualitas.core.events import register_event


@dataclass
class ModelEntry:
    model: type
    table: type | None = None
    filterset: type | None = None
    form: type | None = None
    serializer: type | None = None
    views: type | None = None
    api_viewset: type | None = None
    extra: dict = field(default_factory=dict)


_models: dict[str, ModelEntry] = {}


def register_state_machine_events(model):
    """Every action writes a domain event; its name joins the vocabulary with the model."""
    machine = getattr(model, "state_machine", None)
    if machine is not None:
        for action in machine.actions:
            register_event(action.event or f"{model._meta.model_name}.{action.name}", action.label)


def register_model(model, **parts):
    entry = _models.setdefault(model._meta.label_lower, ModelEntry(model=model))
    register_state_machine_events(model)
    for name, value in parts.items():
        if value is not None:
            setattr(entry, name, value)
    return entry


def get_entry(model):
    return _models.get(model._meta.label_lower)


def registered_models():
    return [entry for _label, entry in sorted(_models.items())]
