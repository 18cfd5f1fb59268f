"""The contract: graphql/schema.graphql is the printed schema, and every
persisted query in graphql/queries/ is valid against it."""

from pathlib import Path

import pytest
from django.conf import settings
from graphql import build_schema, parse, print_schema, validate

from api import persisted
from cms.schema import schema

CONTRACT = Path(settings.BASE_DIR) / "graphql"
REGENERATE = "python manage.py graphql_schema --schema cms.schema.schema --out graphql/schema.graphql"


def test_exported_schema_is_the_contract():
    exported = (CONTRACT / "schema.graphql").read_text(encoding="utf-8")
    assert print_schema(schema.graphql_schema) == exported, f"schema changed: run `{REGENERATE}` and review the diff"


@pytest.mark.parametrize("query", sorted(persisted.registry().values(), key=lambda q: q.name), ids=lambda q: q.name)
def test_persisted_query_is_valid_against_the_contract(query):
    contract = build_schema((CONTRACT / "schema.graphql").read_text(encoding="utf-8"))
    assert validate(contract, parse(query.text)) == []


def test_every_front_end_has_example_queries():
    names = {q.name for q in persisted.registry().values()}
    for front_end in ("wechat_", "miniprogram_", "sms_", "web_"):
        assert any(name.startswith(front_end) for name in names), front_end


def test_persisted_queries_are_registered_by_the_sha256_of_their_file():
    import hashlib

    for path in (CONTRACT / "queries").glob("*.graphql"):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert persisted.lookup(digest).name == path.stem


def test_the_contract_folder_is_not_a_python_package():
    # a graphql/__init__.py would shadow graphql-core for every import of "graphql"
    assert not list(CONTRACT.rglob("__init__.py"))


def test_the_issue_queries_are_in_the_schema():
    fields = set(schema.graphql_schema.query_type.fields)
    assert {
        "organisations", "channelAccounts", "packages", "businesses", "packageComparison", "article", "articles",
        "menu", "smsTemplates", "keywordReplies", "templateMessages", "changes", "bundle",
    } <= fields
