"""Legacy exports written by the operator's export generator.

The generator is not part of this repository yet: it is the one thing tests,
benchmarks and ``bin/`` still take from the shared folder beside the checkout
(``CMS_SHARED_DIR``, by default ``../shared`` relative to the repository root).
This module is the only place that knows where it is.

    python -m harness.export OUT_DIR [--scale small|full] [--dirty]
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def generator():
    """The path of ``make_legacy_export.py``; fails naming the variable that moves it."""
    shared = Path(os.environ.get("CMS_SHARED_DIR") or REPO.parent / "shared")
    path = shared / "tools" / "make_legacy_export.py"
    if not path.is_file():
        raise FileNotFoundError(f"legacy export generator not found at {path}: set CMS_SHARED_DIR to the shared folder")
    return path


def make_export(out_dir, scale="small", dirty=False):
    """Write a legacy export into ``out_dir`` (unless one is there) and return the folder."""
    out = Path(out_dir)
    if not (out / "export.json").is_file():
        command = [sys.executable, str(generator()), str(out), "--scale", scale] + (["--dirty"] if dirty else [])
        subprocess.run(command, check=True, capture_output=True)
    return out


def read(export_dir):
    """The records of an export (its ``export.json``)."""
    return json.loads((Path(export_dir) / "export.json").read_text(encoding="utf-8"))


def record(data, list_name, code):
    """The record ``code`` of the list ``list_name`` of an export's data."""
    return next(r for r in data[list_name] if r.get("code") == code)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write a legacy export (see harness/export.py).")
    parser.add_argument("out")
    parser.add_argument("--scale", default="small", choices=["small", "full"])
    parser.add_argument("--dirty", action="store_true")
    args = parser.parse_args()
    print(make_export(args.out, args.scale, args.dirty))
