"""The statistics library needs no database: replace the project's autouse role fixture."""

import pytest


@pytest.fixture(autouse=True)
def _roles():
    """Overrides qualitas/conftest.py's ``_roles`` (which requests ``db``) with a no-op."""
