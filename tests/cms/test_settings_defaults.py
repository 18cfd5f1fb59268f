"""Settings defaults live in one place, cms/settings/base.py: production code reads
``settings.X``, never ``getattr(settings, "X", default)`` with a default of its own
that can drift from base.py (the callback's log writer once said 0 where base.py
said 250)."""

import ast
from pathlib import Path

from django.conf import settings

from tests.support.source import parse

ROOT = Path(__file__).resolve().parents[2]
APPS = ("api", "callback", "cms", "content", "importing", "media", "menus", "notices", "publishing", "renditions", "wechat")


def production_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and "settings" not in path.parts:
                yield path


def _is_settings(node):
    return isinstance(node, ast.Name) and node.id == "settings"


def settings_reads(path):
    """(line, name, has_default) of every ``settings.X`` and ``getattr(settings, "X"[, default])``."""
    for node in ast.walk(parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            if node.args and _is_settings(node.args[0]):
                name = node.args[1].value if isinstance(node.args[1], ast.Constant) else "?"
                yield node.lineno, name, len(node.args) > 2
        elif isinstance(node, ast.Attribute) and _is_settings(node.value) and node.attr.isupper():
            yield node.lineno, node.attr, False


def test_no_module_carries_a_settings_default_of_its_own():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in production_modules()
        for line, name, has_default in settings_reads(path)
        if has_default
    ]
    assert not offenders, (
        "define these in cms/settings/base.py (with their env default) and read settings.X: " + ", ".join(offenders)
    )


def test_every_setting_the_code_reads_is_defined():
    # Reading settings.X without a default is safe only when base.py (or Django) defines X.
    missing = sorted(
        {
            f"{path.relative_to(ROOT)}:{line} {name}"
            for path in production_modules()
            for line, name, _ in settings_reads(path)
            if name != "?" and not hasattr(settings, name)
        }
    )
    assert not missing, "settings read but defined nowhere: " + ", ".join(missing)


def test_the_callback_log_flushes_as_base_py_says():
    from callback.logbook import flush_seconds

    assert flush_seconds() == settings.WECHAT_CALLBACK_LOG_FLUSH_MS / 1000
