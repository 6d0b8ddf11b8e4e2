"""Detail-page tabs beyond the overview. Apps register tabs that apply to every record type
(history, attachments, comments, signatures, approvals).

A tab with a ``view`` is served for every record type it applies to at
``<record url><url_suffix>`` (``ModelViews`` routes ``<prefix>/<pk>/<tab name>/`` to it), so an app
that adds a tab writes one view, not one per model:

    class AttachmentsTab(RecordTabView):
        tab_name = "attachments"
        template_name = "core/attachments_tab.html"

        def get_context(self, obj):
            return {"attachments": attachments_for(obj)}

    register_tab(Tab("attachments", "Attachments", "attachments/", view=AttachmentsTab, weight=40))

Register tabs in the app's ``views.py``: the framework imports every app's views at start-up.
"""

from dataclasses import dataclass


@dataclass
class Tab:
    name: str
    label: str
    url_suffix: str
    #: A callable (model) -> bool deciding whether the tab applies to a model.
    applies_to: object = None
    weight: int = 100
    #: A ``RecordTabView`` subclass serving the tab (None for tabs with their own routes, e.g. history).
    view: type | None = None


_tabs: list[Tab] = []


def register_tab(tab):
    _tabs.append(tab)
    _tabs.sort(key=lambda t: t.weight)


def tabs_for(model):
    return [tab for tab in _tabs if tab.applies_to is None or tab.applies_to(model)]


def get_tab(model, name):
    """The registered tab called ``name`` that applies to ``model`` and has a view, or None."""
    return next((tab for tab in tabs_for(model) if tab.name == name and tab.view is not None), None)
