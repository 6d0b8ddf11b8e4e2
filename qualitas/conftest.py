import pytest
from django.test import TransactionTestCase

from qualitas.accounts.services import apply_roles
from qualitas.framework.context import change_context
from qualitas.testing.database import append_only_suspended

pytest_plugins = ["qualitas.testing.browser", "qualitas.testing.smtp"]

_teardown = TransactionTestCase._fixture_teardown


def _fixture_teardown(self):
    # Transactional tests empty every table afterwards, the append-only audit tables included.
    with append_only_suspended():
        _teardown(self)


TransactionTestCase._fixture_teardown = _fixture_teardown


@pytest.fixture(autouse=True)
def _roles(db):
    """Role groups exist in every test database (migrate applies them; flushes remove them)."""
    apply_roles()


@pytest.fixture(autouse=True)
def _fresh_context():
    with change_context(reason=""):
        yield
