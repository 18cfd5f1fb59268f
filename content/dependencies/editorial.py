"""Content's own live items that need other items: a reply answering with an article,
a news group holding articles, an article relating packages, a package ordered by an
SMS command a template answers. Registered by ContentConfig.ready(); one or two
queries each, whatever the number of leaving items."""

from django.db.models import Q
from django.db.models.functions import Upper

from content import dependencies, kinds
from content.dependencies import Dependent, Item

Kind = kinds.Kind


def replies_answering_with(needed):
    """Live keyword, welcome, click and default replies whose answer is a leaving article."""
    from content.models import AutoReply

    rows = AutoReply.objects.filter(
        live=True,
        reply_type=AutoReply.ReplyType.ARTICLE,
        reply_article_id__in=list(needed),
    ).values_list("pk", "reply_article_id", "kind", "keyword", "event_key")
    labels = dict(AutoReply.Kind.choices)
    for pk, article_id, kind, keyword, event_key in rows:
        label = keyword or event_key or str(labels.get(kind, kind))
        where = f"({labels.get(kind, kind)}{'「' + keyword + '」' if keyword else ''})"
        yield Dependent(
            str(article_id), Item(Kind.AUTO_REPLY, str(pk), str(pk), label), where
        )


def news_groups_holding(needed):
    """Live news groups with a leaving article in one of their positions."""
    from content.models import NewsGroupEntry

    rows = NewsGroupEntry.objects.filter(
        group__live=True, article_id__in=list(needed)
    ).values_list("article_id", "group_id", "group__code", "group__title")
    for article_id, group_id, code, title in rows:
        yield Dependent(
            str(article_id), Item(Kind.NEWS_GROUP, str(group_id), code, title)
        )


def articles_relating(needed):
    """Live articles that relate a leaving package."""
    from content.models import Article

    through = Article.related_packages.through
    rows = through.objects.filter(
        article__live=True, package_id__in=list(needed)
    ).values_list("package_id", "article_id", "article__code", "article__title")
    for package_id, article_id, code, title in rows:
        yield Dependent(
            str(package_id),
            Item(Kind.ARTICLE, str(article_id), code, title),
            "(相关套餐)",
        )


def packages_ordered_by(needed):
    """Live packages whose order or cancel command is bound to a leaving SMS template:
    the SMS hall answers that command with the template."""
    from content.models import Package, SmsCommand

    by_command = {}
    for command, template_id in SmsCommand.objects.filter(
        template_id__in=list(needed)
    ).values_list("command", "template_id"):
        by_command.setdefault(command.upper(), set()).add(str(template_id))
    if not by_command:
        return
    rows = (
        Package.objects.filter(live=True)
        .annotate(
            order_upper=Upper("order_command"), cancel_upper=Upper("cancel_command")
        )
        .filter(
            Q(order_upper__in=list(by_command)) | Q(cancel_upper__in=list(by_command))
        )
        .values_list("pk", "code", "name", "order_upper", "cancel_upper")
    )
    for pk, code, name, order, cancel in rows:
        for label, command in (("订购指令", order), ("退订指令", cancel)):
            for template_id in sorted(by_command.get(command, ())):
                yield Dependent(
                    template_id,
                    Item(Kind.PACKAGE, str(pk), code, name),
                    f"{label} {command}",
                )


def register():
    dependencies.register(Kind.ARTICLE, replies_answering_with)
    dependencies.register(Kind.ARTICLE, news_groups_holding)
    dependencies.register(Kind.PACKAGE, articles_relating)
    dependencies.register(Kind.SMS_TEMPLATE, packages_ordered_by)
