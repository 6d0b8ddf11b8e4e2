import pytest

from qualitas.compliance import services
from qualitas.compliance.tests.helpers import Declared


@pytest.fixture(autouse=True)
def _fresh_registry():
    """Tests may add evidence declarations (``declare``): each starts and ends with the real ones."""
    services.reset_registry()
    yield
    services.reset_registry()


@pytest.fixture
def declare(monkeypatch):
    """``declare(Widget, evidence_for=("iso9001:8.5.2",), evidence_date_field="due_date")``"""

    def _declare(model, **attributes):
        return Declared(monkeypatch, model, **attributes)

    return _declare
