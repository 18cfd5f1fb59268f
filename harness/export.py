"""Legacy exports for tests and benchmarks, written by the project's own builder
(``importing.samples``, ``manage.py make_sample``): a bare clone needs nothing beside it.
Django must be set up (tests and the bench scripts do it) before ``make_export``."""

import json
from pathlib import Path


def make_export(out_dir, scale="small", dirty=False):
    """Write a legacy export into ``out_dir`` (unless one is there) and return the folder."""
    from importing.samples.builder import build

    out = Path(out_dir)
    if not (out / "export.json").is_file():
        build(out, scale, dirty=dirty)
    return out


def read(export_dir):
    """The records of an export (its ``export.json``)."""
    return json.loads((Path(export_dir) / "export.json").read_text(encoding="utf-8"))


def record(data, list_name, code):
    """The record ``code`` of the list ``list_name`` of an export's data."""
    return next(r for r in data[list_name] if r.get("code") == code)
