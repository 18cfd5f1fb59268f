"""Which kinds of item the CMS publishes, and the codes everything else knows them by.

One table: the change log, the GraphQL change feed, bundles, publish batches, the
``publish`` command, channel renditions, reach and the admin all ask it, so a kind
is added (or a code spelled) in one place. tests/content/test_kinds.py fails when
another table of kinds appears beside it.

The codes are public: the change log stores them, the GraphQL ``ChangeKind`` enum
and the bundle documents expose them. Each kind's model is registered by the app
that owns it, in its ``AppConfig.ready`` (content registers its own, menus
registers the menu), so this module never imports an app above content."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.organisations import ChannelAccount

WECHAT_OFFICIAL_ACCOUNT = ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT
WECHAT_MINIPROGRAM = ChannelAccount.Type.WECHAT_MINIPROGRAM
SMS = ChannelAccount.Type.SMS
WEB = ChannelAccount.Type.WEB
EVERY_CHANNEL = frozenset(ChannelAccount.Type.values)


@dataclass(frozen=True, eq=False)  # one instance per kind
class ItemKind:
    """One kind of item.

    ``channels``: the account types an item of this kind can reach and be rendered
    for; ``None`` means every type, narrowed by the item's own ``channels`` when it
    has them. ``bundled_on``: the account types whose bundle carries it."""

    code: str
    label: str
    document_key: str  # key in a bundle document, and the GraphQL field name
    code_field: str = "code"  # the field a front end knows an item by ("pk": it has none)
    editorial: bool = False  # an editorial snippet: drafts, workflow, organisation scoped
    pushed: bool = True  # published items are pushed to their accounts in publish batches
    rendered: bool = False  # has channel renditions
    channels: frozenset | None = None
    bundled_on: frozenset = EVERY_CHANNEL

    @property
    def model(self):
        try:
            return _models[self.code]
        except KeyError:
            raise LookupError(f"no model registered for the kind {self.code!r}") from None

    def item_code(self, item):
        """The code a front end knows ``item`` by (its id when it has no code)."""
        code = getattr(item, self.code_field, None)
        return str(code) if code else str(item.pk)


KINDS = (
    ItemKind("article", _("图文"), "articles", editorial=True, rendered=True,
             # An article reaches SMS accounts (it has an SMS rendering), but an SMS
             # hall's bundle does not carry articles.
             bundled_on=frozenset({WECHAT_OFFICIAL_ACCOUNT, WECHAT_MINIPROGRAM, WEB})),
    ItemKind("package", _("资费套餐"), "packages", editorial=True, rendered=True),
    ItemKind("business", _("增值业务"), "businesses", editorial=True, rendered=True),
    ItemKind("sms_template", _("短信模板"), "smsTemplates", editorial=True, rendered=True,
             channels=frozenset({SMS}), bundled_on=frozenset({SMS})),
    # A command bound to a published template on an SMS account; not published on its own.
    ItemKind("sms_command", _("短信指令"), "smsCommands", code_field="command", pushed=False,
             channels=frozenset({SMS}), bundled_on=frozenset({SMS})),
    ItemKind("auto_reply", _("自动回复"), "autoReplies", code_field="pk", editorial=True,
             channels=frozenset({WECHAT_OFFICIAL_ACCOUNT}), bundled_on=frozenset({WECHAT_OFFICIAL_ACCOUNT})),
    ItemKind("template_message", _("模板消息"), "templateMessages", editorial=True,
             channels=frozenset({WECHAT_OFFICIAL_ACCOUNT}), bundled_on=frozenset({WECHAT_OFFICIAL_ACCOUNT})),
    # Up to eight live articles sent as one WeChat message (content.models.groups).
    ItemKind("news_group", _("图文组合"), "newsGroups", editorial=True,
             channels=frozenset({WECHAT_OFFICIAL_ACCOUNT}), bundled_on=frozenset({WECHAT_OFFICIAL_ACCOUNT})),
    # Promotion slots (营销位): the channel is the slot's own (its ``channels``).
    ItemKind("slot", _("营销位"), "slots", editorial=True),
    # Published as menu versions by the menus app; every account's bundle has "menus".
    ItemKind("menu", _("菜单"), "menus"),
)
BY_CODE = {kind.code: kind for kind in KINDS}

_models = {}  # code -> model, filled by the owning apps' ready()
_kinds_by_model = {}


def _text_choices(name, kinds):
    return models.TextChoices(name, [(kind.code.upper(), (kind.code, kind.label)) for kind in kinds])


# Django choices: ``Kind.ARTICLE == "article"``; the change log stores every kind,
# publish batches the kinds that are pushed.
Kind = _text_choices("Kind", KINDS)
PushedKind = _text_choices("PushedKind", [kind for kind in KINDS if kind.pushed])


def register_model(code, model):
    """Called by the app owning ``model`` in its ``ready()``: items of ``model`` are ``code``."""
    kind = BY_CODE[code]
    if _models.get(code, model) is not model:
        raise ValueError(f"the kind {code!r} already has the model {_models[code].__name__}")
    _models[code] = model
    _kinds_by_model[model] = kind


def get(code):
    """The kind with this code; LookupError for an unknown code."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise LookupError(f"unknown kind {code!r}") from None


def kind_of(item_or_model):
    """The kind of an item (or model), or None when it is not one of the kinds."""
    model = item_or_model if isinstance(item_or_model, type) else type(item_or_model)
    return _kinds_by_model.get(model)


def item_code(item):
    """The code a front end knows an item of any kind by."""
    return kind_of(item).item_code(item)


def label(code):
    kind = BY_CODE.get(code)
    return kind.label if kind is not None else code


def editorial():
    """Kinds edited as snippets in the admin (drafts, workflow), in registry order."""
    return [kind for kind in KINDS if kind.editorial]


def editorial_models():
    return tuple(kind.model for kind in editorial())


def pushed():
    return [kind for kind in KINDS if kind.pushed]


def rendered():
    return [kind for kind in KINDS if kind.rendered]


def bundled_on(account_type):
    """Kinds whose documents an account of this type receives in its bundle."""
    return [kind for kind in KINDS if account_type in kind.bundled_on]
