"""Fixtures of the core tests: files go to a temporary media folder, never to var/media."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root):
    """Every file under the media folder, relative to it."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
