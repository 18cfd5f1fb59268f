"""Which content models the change log follows, and the key a front end knows them by."""

from content.models import Article, AutoReply, Business, Package, SmsCommand, SmsTemplate, TemplateMessage
from publishing.changes.models import Change

Kind = Change.Kind

EDITORIAL_KINDS = {
    Article: Kind.ARTICLE,
    Package: Kind.PACKAGE,
    Business: Kind.BUSINESS,
    SmsTemplate: Kind.SMS_TEMPLATE,
    AutoReply: Kind.AUTO_REPLY,
    TemplateMessage: Kind.TEMPLATE_MESSAGE,
}
MODELS_BY_KIND = {kind: model for model, kind in EDITORIAL_KINDS.items()}
MODELS_BY_KIND[Kind.SMS_COMMAND] = SmsCommand

# The key of each kind in a bundle document (the GraphQL field names).
DOCUMENT_KEYS = {
    Kind.ARTICLE: "articles",
    Kind.PACKAGE: "packages",
    Kind.BUSINESS: "businesses",
    Kind.SMS_TEMPLATE: "smsTemplates",
    Kind.SMS_COMMAND: "smsCommands",
    Kind.AUTO_REPLY: "autoReplies",
    Kind.TEMPLATE_MESSAGE: "templateMessages",
    Kind.MENU: "menus",
}


def kind_of(model):
    return EDITORIAL_KINDS.get(model)


def item_code(item):
    """The code a front end knows an item by; keyword replies have none, so their id."""
    if isinstance(item, SmsCommand):
        return item.command
    code = getattr(item, "code", None)
    return code if code else str(item.pk)
