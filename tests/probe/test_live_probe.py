"""The standing probe: the suite's hostile inputs sent to a live server over HTTP.
Every answer is checked the same way (conftest.answer_problems): no 5xx, no secret
(app secrets, webhook keys, callback tokens, API tokens or their digests), no
sibling branch's data, answered within a bounded time. The admin's cross-branch
walk is tests/content/test_admin_url_walk.py (also marked ``probe``); run all
probes alone with ``pytest -m probe``."""

import json
import time

import pytest
from graphql.type import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
)

from callback.crypto import signature
from callback.messages import MAX_BODY_BYTES
from graphql import build_client_schema, get_introspection_query
from tests.callback.test_hostile import BILLION_LAUGHS, EXTERNAL_DTD, EXTERNAL_ENTITY

from .conftest import CALLBACK_TOKEN, MARK, ORIGINAL_ID

pytestmark = [pytest.mark.probe, pytest.mark.django_db(transaction=True)]

# Text PostgreSQL cannot store: a NUL, a lone surrogate (sent as JSON's "\ud800").
BAD_TEXTS = {"nul": "a\u0000b", "lone surrogate": "a\ud800b"}


def schema_of(world):
    """The schema as a client sees it, by introspection over HTTP."""
    response = world.graphql({"query": get_introspection_query()})
    assert response.status_code == 200
    return build_client_schema(response.json()["data"])


def selection(type_, depth=0):
    """Every argument-less field of ``type_`` down to a few levels (unions: their members' scalars)."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if depth >= 3:
        return "{ __typename }"
    if isinstance(named, GraphQLObjectType):
        parts = ["__typename"]
        for name, field in named.fields.items():
            if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
                continue
            inner = selection(field.type, depth + 1)
            parts.append(f"{name} {inner}".strip())
        return "{ " + " ".join(parts) + " }"
    members = getattr(named, "types", ())
    spreads = [f"... on {member.name} {selection(member, depth + 1)}" for member in members]
    return "{ __typename " + " ".join(spreads) + " }"


def type_name(type_):
    if isinstance(type_, GraphQLNonNull):
        return type_name(type_.of_type) + "!"
    if isinstance(type_, GraphQLList):
        return f"[{type_name(type_.of_type)}]"
    return type_.name


def sample(field_name, arg_name, type_, world, sibling):
    """A plausible value of an argument: the sibling branch's codes when ``sibling``."""
    named = get_named_type(type_)
    codes = {name: record.code for name, record in world.sibling.items() if hasattr(record, "code")}
    if arg_name == "code":
        value = codes.get(field_name, f"{MARK}-X") if sibling else "NOPE-1"
    elif arg_name == "codes":
        value = [codes["package"], "NOPE-1"] if sibling else ["NOPE-1", "NOPE-2"]
    elif arg_name == "account":
        value = "wx-sx-02" if sibling else "wx-sx-01"
    elif arg_name in ("organisation",):
        value = "SX-02" if sibling else "SX-01"
    elif arg_name == "package":
        value = codes["package"] if sibling else "NOPE-1"
    elif isinstance(named, GraphQLEnumType):
        value = next(iter(named.values))
    elif named.name in ("Int",):
        value = 5
    elif named.name in ("BigInt",):
        value = 0
    elif named.name == "Boolean":
        value = False
    elif named.name == "Date":
        value = "2026-01-01"
    elif isinstance(named, GraphQLInputObjectType):
        return None
    else:
        value = "x"
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList) and not isinstance(value, list):
        value = [value]
    return value


def operation(name, field, values):
    """A query of one root field with every argument in ``values`` passed as a variable."""
    declared = ", ".join(f"${arg}: {type_name(field.args[arg].type)}" for arg in values)
    passed = ", ".join(f"{arg}: ${arg}" for arg in values)
    head = f"query({declared}) " if values else ""
    return f"{head}{{ {name}{f'({passed})' if passed else ''} {selection(field.type)} }}"


def root_fields(world):
    return sorted(schema_of(world).query_type.fields.items())


def test_bad_tokens_get_a_typed_401_and_nothing_else(world):
    cases = {
        "none": ("", "UNAUTHENTICATED"),
        "malformed": ("not-a-token", "UNAUTHENTICATED"),
        "unknown": (world.token[:-4] + "abcd", "UNAUTHENTICATED"),
        "revoked": (world.revoked_token, "TOKEN_REVOKED"),
        "expired": (world.expired_token, "TOKEN_EXPIRED"),
    }
    for name, (token, code) in cases.items():
        response = world.graphql({"query": "{ viewer { name accounts { code } } }"}, token=token)
        payload = response.json()
        assert response.status_code == 401, (name, payload)
        assert set(payload) == {"errors"}, (name, payload)
        assert payload["errors"][0]["extensions"]["code"] in {code, "UNAUTHENTICATED", "TOKEN_REVOKED"}, (name, payload)


def test_sibling_ids_of_every_kind_on_every_root_field_show_nothing(world):
    # every root field, its arguments naming the sibling branch's records, accounts and organisation
    asked = []
    for name, field in root_fields(world):
        values = {arg: sample(name, arg, a.type, world, sibling=True) for arg, a in field.args.items()}
        values = {arg: value for arg, value in values.items() if value is not None and arg not in ("after", "before")}
        response = world.graphql({"query": operation(name, field, values), "variables": values})
        payload = response.json()
        if "data" in payload and payload["data"] is not None:
            assert MARK not in json.dumps(payload["data"], ensure_ascii=False), (name, payload)
        asked.append(name)
    assert {"article", "package", "business", "smsTemplate", "keywordReplies", "templateMessages", "bundle",
            "changes", "menu", "packageComparison"} <= set(asked)
    # the ids are real: the sibling's own front end reads them
    response = world.graphql({"query": f'{{ package(code: "{MARK}-PKG") {{ code }} }}'}, token=world.sibling_token)
    assert response.json()["data"]["package"] == {"code": f"{MARK}-PKG"}


def test_nul_and_invalid_unicode_in_every_string_argument_are_refused(world):
    checked = []
    for bad, (name, field) in ((bad, root) for bad in sorted(BAD_TEXTS) for root in root_fields(world)):
        for arg_name, arg in field.args.items():
            if get_named_type(arg.type).name not in ("String", "ID"):
                continue
            values = {a: sample(name, a, other.type, world, sibling=False)
                      for a, other in field.args.items() if isinstance(other.type, GraphQLNonNull)}
            values = {a: v for a, v in values.items() if v is not None}
            is_list = isinstance(arg.type.of_type if isinstance(arg.type, GraphQLNonNull) else arg.type, GraphQLList)
            values[arg_name] = [BAD_TEXTS[bad]] if is_list else BAD_TEXTS[bad]
            response = world.graphql({"query": operation(name, field, values), "variables": values})
            payload = response.json()
            assert response.status_code == 400, (name, arg_name, payload)
            error = payload["errors"][0]
            assert error["extensions"]["code"] == "INVALID_ARGUMENT", (name, arg_name, payload)
            assert error["extensions"]["field"].startswith(f"variables.{arg_name}"), (name, arg_name, payload)
            checked.append(f"{name}.{arg_name}")
    assert len(checked) >= 20 and "article.code" in checked and "changes.account" in checked


def test_invalid_utf8_and_literals_are_refused(world):
    response = world.graphql(b'{"query": "{ package(code: \\"\xff\xfe\\") { code } }"}')
    assert response.status_code == 400
    response = world.graphql(b"{ package(code: \"\xff\") { code } }", content_type="application/graphql")
    assert response.status_code == 400
    response = world.graphql({"query": '{ package(code: "a\\u0000b") { code } }'})
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


def test_oversized_and_deeply_nested_bodies_are_refused(world):
    response = world.graphql({"query": "{ viewer { name } }" + " " * (1 << 20)})
    assert response.status_code == 413
    nested = {"query": "query($v: String) { viewer { name } }", "variables": {"v": "x"}}
    body = json.dumps(nested).replace('"x"', "[" * 30000 + "]" * 30000).encode()
    response = world.graphql(body)
    assert response.status_code == 400
    deep = "{ viewer " + "{ organisation " * 3000 + "{ code }" + " }" * 3001
    response = world.graphql({"query": deep}, Accept="application/graphql-response+json")
    assert response.status_code in (400, 413)
    # under application/json a document that does not parse is a 200 with only errors (GraphQL over HTTP)
    response = world.graphql({"query": deep}, Accept="application/json")
    assert response.status_code in (200, 413) and "data" not in response.json() and response.json()["errors"]
    response = world.graphql(b"[" * 32000 + b"]" * 32000)
    assert response.status_code == 400


def test_alias_and_fragment_bombs_at_the_limits(world, settings):
    limit = settings.GRAPHQL_MAX_ALIASES
    at = "{ " + " ".join(f"a{i}: articles(first: 100) {{ edges {{ node {{ code }} }} }}" for i in range(limit)) + " }"
    assert world.graphql({"query": at}).status_code == 200
    over = at.replace("{ a0:", f"{{ a{limit}: viewer {{ name }} a0:")
    response = world.graphql({"query": over})
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    bodies = "{" + " ".join(f"a{i}:articles(first:100){{edges{{node{{body}}}}}}" for i in range(245)) + "}"
    response = world.graphql({"query": bodies})
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    fragments = " ".join(f"fragment F{i} on Query {{ viewer {{ name }} ...F{i + 1} }}" for i in range(300))
    response = world.graphql({"query": "{ ...F0 } " + fragments + " fragment F300 on Query { viewer { kind } }"})
    assert response.status_code in (200, 400)
    doubling = " ".join(
        f"fragment D{i} on Organisation {{ p: parent {{ ...D{i + 1} }} q: parent {{ ...D{i + 1} }} }}" for i in range(40)
    )
    response = world.graphql({"query": "{ viewer { organisation { ...D0 } } } " + doubling
                              + " fragment D40 on Organisation { code }"})
    assert response.status_code == 400


HOSTILE_XML = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "external dtd": EXTERNAL_DTD,
    "oversized": "<xml><Content>" + "x" * (MAX_BODY_BYTES + 10) + "</Content></xml>",
    "not xml": "\x00\xff hello",
}


def test_hostile_xml_on_the_wechat_callback_is_refused(world):
    timestamp, nonce = str(int(time.time())), "42"
    params = {"timestamp": timestamp, "nonce": nonce, "signature": signature(CALLBACK_TOKEN, timestamp, nonce)}
    for name, body in HOSTILE_XML.items():
        body = body.replace("gh_1", ORIGINAL_ID).encode("utf-8", "surrogatepass")
        response = world.send("POST", "/wechat/wx-sx-01/", params=params, content=body,
                              headers={"Content-Type": "text/xml"})
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:200])
        # unsigned, and to the sibling's account: refused the same way
        response = world.send("POST", "/wechat/wx-sx-02/", content=body, headers={"Content-Type": "text/xml"},
                              params={"timestamp": timestamp, "nonce": nonce, "signature": "x"})
        assert 400 <= response.status_code < 500, (name, response.status_code)


def test_health_and_short_links_with_garbage(world):
    assert world.send("GET", "/healthz").status_code == 200
    for path in ("/s/%00", "/s/" + "x" * 5000, "/s/%ED%A0%80", "/wechat/%00/"):
        world.send("GET", path)
