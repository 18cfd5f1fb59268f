"""Fixtures of the rendition tests: a legacy export written once per session, its
records created on demand in each test's database, uploads in a temporary folder."""

import pytest

from harness.export import make_export
from harness.sample import Sample


@pytest.fixture(scope="session")
def legacy_export(tmp_path_factory):
    return make_export(tmp_path_factory.mktemp("legacy-export"), scale="small", dirty=True)


@pytest.fixture
def media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    return settings.MEDIA_ROOT


@pytest.fixture
def sample(db, legacy_export, media_root):
    return Sample(legacy_export)
