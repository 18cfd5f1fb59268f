"""The reference web hall's server side (cms/web_hall.py): served only with
WEB_HALL_DEMO, never in production even when asked; its config names the allow-list's
documents, the home page's slots and navigation among them (docs/web-hall.md)."""

from pathlib import Path

import pytest
from django.conf import settings

from api import persisted
from tests.cms.test_production_refusals import _run

ROOT = Path(settings.BASE_DIR)
HALL = "/demo/web-hall/"


@pytest.mark.django_db
def test_the_config_names_the_registered_documents_and_the_demo_token(client, settings):
    settings.WEB_HALL_DEMO = True
    settings.WEB_HALL_DEMO_TOKEN = "demo-token"
    answer = client.get(f"{HALL}config.json")
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    config = answer.json()
    assert config["graphql"] == "/graphql/" and config["token"] == "demo-token"
    for name in (
        "viewer",
        "web_packages",
        "web_package_comparison",
        "web_article",
        "web_package_page",
        "search",
        "suggest",
        "miniprogram_articles",
        "web_slots",
        "web_navigation",
    ):
        assert config["queries"][name] == persisted.by_name(name).sha256
    page = client.get(HALL)
    assert (
        page["Content-Type"].startswith("text/html")
        and "script-src 'self'" in page["Content-Security-Policy"]
    )
    # the page's scripts are ES modules: a browser runs them only with a JavaScript type
    for script in ("app.js", "hall.js", "home.js"):
        assert client.get(f"{HALL}{script}")["Content-Type"].startswith(
            "text/javascript"
        )


@pytest.mark.django_db
def test_nothing_is_served_with_the_demo_off(client, settings):
    settings.WEB_HALL_DEMO = False
    for path in ("", "config.json", "app.js", "hall.js", "home.js"):
        assert client.get(f"{HALL}{path}").status_code == 404


def test_production_never_serves_the_demo_even_when_asked(tmp_path):
    show = "import django; django.setup(); from django.conf import settings as s; print(s.WEB_HALL_DEMO, repr(s.WEB_HALL_DEMO_TOKEN))"
    result = _run(
        ["-c", show], tmp_path, WEB_HALL_DEMO="1", WEB_HALL_DEMO_TOKEN="leaked"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "''"]
