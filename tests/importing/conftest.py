"""Legacy exports for the import tests, written by the shared generator once per
session, and a helper to derive edited copies of them."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from importing.runner import import_export


def _generator():
    path = Path(settings.SHARED_DIR) / "tools" / "make_legacy_export.py"
    if not path.is_file():
        pytest.fail(f"legacy export generator not found at {path}: set CMS_SHARED_DIR to the shared folder")
    return path


def _make(out, *args):
    subprocess.run([sys.executable, str(_generator()), str(out), "--scale", "small", *args], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    return _make(tmp_path_factory.mktemp("export") / "small")


@pytest.fixture(scope="session")
def dirty_export(tmp_path_factory):
    return _make(tmp_path_factory.mktemp("export") / "dirty", "--dirty")


def read(export_dir):
    return json.loads((Path(export_dir) / "export.json").read_text(encoding="utf-8"))


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


def record(data, list_name, code):
    return next(r for r in data[list_name] if r.get("code") == code)


@pytest.fixture
def run_import(db, settings, tmp_path):
    """Import an export with uploaded files kept under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(export_dir, **kwargs):
        return import_export(export_dir, **kwargs)

    return run
