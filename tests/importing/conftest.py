"""Legacy exports for the import tests, written once per session (harness.export),
and a helper to derive edited copies of them."""

import json
import shutil

import pytest

from harness.export import make_export, read
from importing.runner import import_export


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    return make_export(tmp_path_factory.mktemp("export") / "small")


@pytest.fixture(scope="session")
def dirty_export(tmp_path_factory):
    return make_export(tmp_path_factory.mktemp("export") / "dirty", dirty=True)


@pytest.fixture
def edit_export(tmp_path):
    """edit_export(source, change) -> a copy of ``source`` whose data ``change(data)`` edited."""
    counter = iter(range(1000))

    def edit(source, change):
        target = tmp_path / f"edited-{next(counter)}"
        shutil.copytree(source, target)
        data = read(target)
        change(data)
        (target / "export.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return target

    return edit


@pytest.fixture
def run_import(db, settings, tmp_path):
    """Import an export with uploaded files kept under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(export_dir, **kwargs):
        return import_export(export_dir, **kwargs)

    return run
