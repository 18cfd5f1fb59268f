"""The project's apps, read from the one list that names them all: the import-linter
contract's root packages in pyproject.toml (a new app that is not there fails the
layer check), so source scans never miss an app added later."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = tuple(sorted(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]))
