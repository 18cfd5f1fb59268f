"""One registry of the kinds of item (content/kinds.py): the change log, publish
batches, renditions, the ``publish`` command, the GraphQL feed and bundles all
take their kinds and codes from it, and no second table of kinds creeps back."""

import ast
import importlib
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from content import kinds
from content.models import Article, AutoReply, ChannelAccount, SmsTemplate
from menus.models import Menu
from publishing.changes import documents
from publishing.changes.bundle import build_bundle
from publishing.changes.models import Change
from publishing.models import PublishBatch
from publishing.services.batches import kind_of as batch_kind_of
from renditions import services as renditions
from renditions.sources import kind_of as rendition_kind_of
from tests.support.factories import (
    AutoReplyFactory,
    SmsAccountFactory,
    SmsTemplateFactory,
)
from tests.support.source import parse

ROOT = Path(__file__).resolve().parents[2]
APPS = ("api", "callback", "cms", "content", "importing", "media", "menus", "notices", "publishing", "renditions", "wechat")
CODES = {kind.code for kind in kinds.KINDS}
OLD_CODES = {"template", "autoreply"}
NAMES = {str(kind.label) for kind in kinds.KINDS} | {kind.document_key for kind in kinds.KINDS}


def codes(kind_list):
    return [kind.code for kind in kind_list]


def test_the_codes_are_the_public_ones_of_the_change_feed():
    assert codes(kinds.KINDS) == [
        "article", "package", "business", "sms_template", "sms_command", "auto_reply", "template_message",
        "news_group", "menu",
    ]
    assert [kind.document_key for kind in kinds.KINDS] == [
        "articles", "packages", "businesses", "smsTemplates", "smsCommands", "autoReplies", "templateMessages",
        "newsGroups", "menus",
    ]
    assert kinds.EVERY_CHANNEL == set(ChannelAccount.Type.values)


def test_every_kind_has_the_model_its_app_registered():
    for kind in kinds.KINDS:
        assert kinds.kind_of(kind.model) is kind
    assert kinds.get("menu").model is Menu  # registered by the menus app, which content cannot import
    assert kinds.editorial_models() == tuple(kind.model for kind in kinds.KINDS if kind.editorial)
    with pytest.raises(LookupError):
        kinds.get("template")


def test_the_change_log_stores_every_kind_of_the_registry():
    assert Change.Kind is kinds.Kind
    assert Change.Kind.values == codes(kinds.KINDS)
    assert Change._meta.get_field("kind").choices == [(kind.code, kind.label) for kind in kinds.KINDS]


def test_publish_batches_store_the_registry_codes_of_pushed_kinds():
    assert PublishBatch.Kind.values == codes(kinds.pushed())
    assert PublishBatch._meta.get_field("kind").choices == [(kind.code, kind.label) for kind in kinds.pushed()]
    assert not OLD_CODES & set(PublishBatch.Kind.values)
    # the same code as the change log for the same item
    assert batch_kind_of(SmsTemplate()) == Change.Kind.SMS_TEMPLATE == "sms_template"
    assert batch_kind_of(AutoReply()) == Change.Kind.AUTO_REPLY == "auto_reply"


def test_renditions_support_the_kinds_the_registry_renders():
    assert set(renditions.SUPPORTED) == set(codes(kinds.rendered()))
    assert renditions.SUPPORTED["sms_template"] == {ChannelAccount.Type.SMS}
    assert renditions.SUPPORTED["article"] == set(ChannelAccount.Type.values)
    assert rendition_kind_of(Article()) == "article"
    with pytest.raises(TypeError):
        rendition_kind_of(AutoReply())


def test_the_publish_command_accepts_the_registry_codes_and_its_old_template():
    from publishing.management.commands.publish import Command

    parser = Command().create_parser("manage.py", "publish")
    (kind_argument,) = [action for action in parser._actions if action.dest == "kind"]
    assert list(kind_argument.choices) == [*codes(kinds.pushed()), "template"]


@pytest.mark.django_db
@pytest.mark.parametrize("argument", ["template", "sms_template"])
def test_the_publish_command_pushes_an_sms_template_by_either_name(matrix, monkeypatch, argument):
    # given a published SMS template
    template = SmsTemplateFactory(organisation=matrix["province"])
    pushed = []
    from publishing import services

    monkeypatch.setattr(services, "publish_item", lambda item, **kwargs: pushed.append(item))
    # when the command is given its code under the old or the registry's name
    call_command("publish", argument, template.code)
    # then that template is pushed
    assert pushed == [template]


@pytest.mark.django_db
def test_the_publish_command_finds_an_auto_reply_by_its_id(matrix, monkeypatch):
    reply = AutoReplyFactory(account=matrix["account_branch1"])
    pushed = []
    from publishing import services

    monkeypatch.setattr(services, "publish_item", lambda item, **kwargs: pushed.append(item))
    call_command("publish", "auto_reply", str(reply.pk))
    assert pushed == [reply]


def test_the_graphql_change_kind_enum_is_the_registry():
    from cms.schema import schema

    enum = schema.graphql_schema.get_type("ChangeKind")
    assert {name: value.value.value for name, value in enum.values.items()} == {code.upper(): code for code in CODES}


@pytest.mark.django_db
def test_a_bundle_has_one_key_per_kind_named_by_the_registry(matrix):
    sms = SmsAccountFactory(code="sms-sx", organisation=matrix["province"])
    for account in (matrix["account_province"], sms):
        bundle = build_bundle(account)
        keys = set(bundle) - {"format", "version", "generatedAt", "account"}
        assert keys == {kind.document_key for kind in kinds.KINDS}
    assert set(documents.BUILDERS) == set(codes(kinds.editorial()))


@pytest.mark.django_db
def test_the_migration_renames_stored_batch_kinds_both_ways(matrix):
    # given batches stored with the old codes
    migration = importlib.import_module("publishing.migrations.0002_publishbatch_kind_registry_codes")
    state = MigrationLoader(connection).project_state(("publishing", "0001_initial"))
    source_type = ContentType.objects.get_for_model(SmsTemplate)
    old = {}
    for kind in ("template", "autoreply", "article"):
        old[kind] = PublishBatch.objects.create(kind="article", source_type=source_type, source_id="1").pk
        PublishBatch.objects.filter(pk=old[kind]).update(kind=kind)  # what 0001 stored
    # when the migration runs
    migration.forwards(state.apps, None)
    # then they carry the registry's codes
    stored = dict(PublishBatch.objects.values_list("pk", "kind"))
    assert [stored[old[k]] for k in ("template", "autoreply", "article")] == ["sms_template", "auto_reply", "article"]
    # and going back restores the old ones
    migration.backwards(state.apps, None)
    stored = dict(PublishBatch.objects.values_list("pk", "kind"))
    assert [stored[old[k]] for k in ("template", "autoreply", "article")] == ["template", "autoreply", "article"]


# --- No second table of kinds -------------------------------------------------


def _production_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            # Settings are configuration keyed by the public codes (RENDITIONS_WEB_PATHS).
            if "/migrations/" in relative or relative.startswith("cms/settings/") or relative == "content/kinds.py":
                continue
            yield relative, parse(path.read_text(encoding="utf-8"))


def _name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_code(node):
    """A kind's code, spelled out ("article"), or named (ARTICLE, Kind.ARTICLE)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in CODES | OLD_CODES
    name = _name(node)
    return name is not None and name.lower() in CODES | OLD_CODES


def _tables_of_kinds(tree):
    models = {kind.model.__name__ for kind in kinds.KINDS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
            model_keys = [k for k in keys if _name(k) in models]
            # {Article: "article", ...}: a model-to-code table
            if len(model_keys) >= 2 and all(_is_code(v) for k, v in zip(node.keys, node.values) if k in model_keys):
                yield node.lineno, "a table from models to kind codes"
            spelled = {k.value for k in keys if isinstance(k, ast.Constant) and k.value in CODES | OLD_CODES}
            if len(spelled) >= 3:
                yield node.lineno, "a table keyed by spelled-out kind codes"
            # {Kind.ARTICLE: Article, ...}: a code-to-model table
            if sum(1 for k, v in zip(node.keys, node.values) if k is not None and _is_code(k) and _name(v) in models) >= 3:
                yield node.lineno, "a table from kind codes to models"
            # {ARTICLE: "图文", ...} or {Kind.ARTICLE: "articles", ...}
            named = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if len(set(named) & NAMES) >= 2:
                yield node.lineno, "a table of kind labels or document keys"
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            if len({_name(e) for e in node.elts} & models) >= 4:
                yield node.lineno, "a list of kind models"
            spelled = {e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in CODES | OLD_CODES}
            if len(spelled) >= 3:
                yield node.lineno, "a list of spelled-out kind codes"
        elif isinstance(node, ast.ClassDef):
            values = [stmt.value for stmt in node.body if isinstance(stmt, ast.Assign)]
            members = [
                value for value in values
                if isinstance(value, ast.Constant) and _is_code(value)
                or isinstance(value, ast.Tuple) and value.elts and _is_code(value.elts[0])
            ]
            if len(members) >= 3:
                yield node.lineno, f"choices of kinds ({node.name})"


def test_no_module_keeps_its_own_table_of_kinds():
    found = [
        f"{path}:{line}: {what}" for path, tree in _production_modules() for line, what in _tables_of_kinds(tree)
    ]
    assert found == [], "ask content.kinds instead of listing kinds again:\n" + "\n".join(found)


def test_the_guard_finds_the_tables_it_replaced():
    # the shapes the registry replaced are still caught
    for source in (
        'class Kind(TextChoices):\n    ARTICLE = "article", "a"\n    TEMPLATE = "template", "t"\n    MENU = "menu", "m"\n',
        "KIND_BY_MODEL = {Article: ARTICLE, Package: PACKAGE, Business: BUSINESS}\n",
        'SUPPORTED = {"article": 1, "package": 2, "business": 3}\n',
        "editorial = (Article, Package, Business, SmsTemplate, AutoReply, TemplateMessage)\n",
        'KIND_LABELS = {ARTICLE: "图文", PACKAGE: "资费套餐", BUSINESS: "增值业务"}\n',
        'DOCUMENT_KEYS = {Kind.ARTICLE: "articles", Kind.PACKAGE: "packages"}\n',
        "MODELS = {Change.Kind.ARTICLE: Article, Change.Kind.PACKAGE: Package, Change.Kind.BUSINESS: Business}\n",
    ):
        assert list(_tables_of_kinds(parse(source))), source
