"""The rules of a news group (图文组合), one place for the form, the model, the
approval step and the push: one to eight distinct articles, each live and
reachable by the group's organisation (its own, or shared down to it)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from content.models import Article
from content.models.groups import MAX_GROUP_ARTICLES

FIELD = "entries"


def reachable_articles(org_id):
    """Articles a group of this organisation may hold: its own and those shared down to it."""
    from django.db.models import Q

    return Article.objects.filter(Q(organisation_id=org_id) | Q(shared_to__id=org_id)).distinct()


def group_problems(group, articles):
    """Readable reasons ``articles`` (in order) cannot be ``group``'s message; [] when fine."""
    name = group.code or group.title or _("图文组合")
    if not articles:
        return [_("图文组合 %(group)s 的「图文」至少要有 1 篇") % {"group": name}]
    problems = []
    if len(articles) > MAX_GROUP_ARTICLES:
        problems.append(
            _("图文组合 %(group)s 的「图文」最多 %(max)s 篇,现有 %(count)s 篇")
            % {"group": name, "max": MAX_GROUP_ARTICLES, "count": len(articles)}
        )
    seen = set()
    reachable = set()
    if group.organisation_id:
        reachable = set(reachable_articles(group.organisation_id).filter(
            pk__in=[a.pk for a in articles]).values_list("pk", flat=True))
    for position, article in enumerate(articles, start=1):
        where = {"group": name, "n": position, "article": article.code}
        if article.pk in seen:
            problems.append(_("图文组合 %(group)s 第 %(n)s 篇「图文」%(article)s 重复") % where)
        seen.add(article.pk)
        if not article.live:
            problems.append(_("图文组合 %(group)s 第 %(n)s 篇「图文」%(article)s 尚未发布") % where)
        if group.organisation_id and article.pk not in reachable:
            problems.append(_("图文组合 %(group)s 第 %(n)s 篇「图文」%(article)s 不属于本组织,也未下发给本组织") % where)
    return problems


@dataclass(frozen=True)
class GroupProblem:
    """A broken group rule as an edit-page / approval check (content.checks): it blocks publishing."""

    message: str
    blocking: bool = True
    channel: str = "wechat_official_account"

    def __str__(self):
        return self.message


def group_checks(item):
    """The ``editorial_item_checks`` of a news group (saved, or a revision's in-memory copy)."""
    from content.models import NewsGroup

    if not isinstance(item, NewsGroup):
        return []
    return [GroupProblem(message) for message in group_problems(item, item.ordered_articles())]


def validate_group(group):
    """ValidationError on the ``entries`` field when the group's saved or in-memory articles break a rule."""
    problems = group_problems(group, group.ordered_articles())
    if problems:
        raise ValidationError({FIELD: problems})
