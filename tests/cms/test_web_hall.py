"""The reference web hall's server side (cms/web_hall.py): served only with
WEB_HALL_DEMO, never in production even when asked; its config names the allow-list's
documents; and the slots and navigation documents kept in queries-pending/ are valid
against the schema once it has the fields the GraphQL contract with the slots work
promises (docs/web-hall.md)."""

from pathlib import Path

import pytest
from django.conf import settings

from api import persisted
from graphql import build_schema, extend_schema, parse, validate
from tests.cms.test_production_refusals import _run

ROOT = Path(settings.BASE_DIR)
HALL = "/demo/web-hall/"
PENDING = ROOT / "frontends" / "web-hall" / "queries-pending"

# The contract shared with the promotion-slots work, as its issue states it.
CONTRACT_TYPES = """
enum PromotionTarget { ARTICLE PACKAGE BUSINESS LINK }
type PromotionSlot { code: String!  title: String!  channel: ChannelType!  organisation: String!  entries: [PromotionEntry!]! }
type PromotionEntry {
  position: Int!  title: String!  subtitle: String!  target: PromotionTarget!
  url: String!
  article: Article  package: Package  business: Business
  image: PromotionImage
  brands: [String!]!  regions: [String!]!  startsAt: DateTime  endsAt: DateTime
}
type PromotionImage { url: String!  width: Int!  height: Int!  alt: String! }
"""
CONTRACT_SLOTS = (
    "extend type Query { slots(channel: ChannelType!, code: String, brand: String, organisation: String): "
    "[PromotionSlot!]! }"
)
CONTRACT_MENU = "extend type MenuItem { shelfKind: String!  family: String! }"


def contract_schema():
    """The exported schema with whatever of the contract it does not have yet."""
    schema = build_schema(
        (ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8")
    )
    extension = []
    if "slots" not in schema.query_type.fields:
        extension += [CONTRACT_TYPES, CONTRACT_SLOTS]
    if "shelfKind" not in schema.get_type("MenuItem").fields:
        extension.append(CONTRACT_MENU)
    return extend_schema(schema, parse("\n".join(extension))) if extension else schema


@pytest.mark.parametrize(
    "path", sorted(PENDING.glob("*.graphql")), ids=lambda p: p.stem
)
def test_pending_web_hall_queries_are_valid_against_the_contract(path):
    assert validate(contract_schema(), parse(path.read_text(encoding="utf-8"))) == []


def test_a_pending_query_is_not_in_the_allow_list_while_it_waits():
    registered = {query.name for query in persisted.registry().values()}
    for path in PENDING.glob("*.graphql"):
        assert path.stem not in registered, (
            f"{path.stem} is registered now: delete its copy in queries-pending/"
        )


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
    ):
        assert config["queries"][name] == persisted.by_name(name).sha256
    page = client.get(HALL)
    assert (
        page["Content-Type"].startswith("text/html")
        and "script-src 'self'" in page["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_nothing_is_served_with_the_demo_off(client, settings):
    settings.WEB_HALL_DEMO = False
    for path in ("", "config.json", "app.js"):
        assert client.get(f"{HALL}{path}").status_code == 404


def test_production_never_serves_the_demo_even_when_asked(tmp_path):
    show = "import django; django.setup(); from django.conf import settings as s; print(s.WEB_HALL_DEMO, repr(s.WEB_HALL_DEMO_TOKEN))"
    result = _run(
        ["-c", show], tmp_path, WEB_HALL_DEMO="1", WEB_HALL_DEMO_TOKEN="leaked"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "''"]
