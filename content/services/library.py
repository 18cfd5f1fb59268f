"""The material library: article rules, sharing down to branches, and local copies
that remember their origin."""

import re
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.log_actions import log

from content import memo
from content.models import Article, ChannelAccount, Organisation
from content.permissions import scope_for_org, scope_for_user, visible
from content.services.html import sanitize_html

EMBED_IMAGE_RE = re.compile(r"<embed\b[^>]*\bembedtype=\"image\"[^>]*>", re.IGNORECASE)
EMBED_ID_RE = re.compile(r"\bid=\"(\d+)\"")
# Markup the sanitizer removes that an importer may prefer to refuse outright.
UNSAFE_RE = re.compile(r"<\s*script\b|\son[a-z]+\s*=|javascript\s*:|<\s*iframe\b|<\s*style\b", re.IGNORECASE)
CODE_MAX = Article._meta.get_field("code").max_length


def _readable_org_ids(org):
    """Organisations whose images and packages an organisation may use: itself and its ancestors."""
    return {org.pk, *org.ancestor_ids()}


def has_unsafe_markup(html):
    return bool(html and UNSAFE_RE.search(html))


def inline_image_ids(html):
    return [int(i) for tag in EMBED_IMAGE_RE.findall(html or "") for i in EMBED_ID_RE.findall(tag)]


def _check_image(errors, field, image, org, readable):
    if image.organisation_id is not None and image.organisation_id not in readable:
        errors[field].append(
            _("图片 %(image)s 属于 %(owner)s,%(org)s 不能使用")
            % {"image": image.code or image.pk, "owner": image.organisation.code, "org": org.code}
        )


def _images_by_pk(ids, images):
    if images is None:
        # Read ahead inside a content.memo block for many articles (share_article_images).
        asked, found = memo.once("library images", lambda: (frozenset(), {}))
        images = found if asked.issuperset(ids) else None
    if images is not None:
        return {pk: images[pk] for pk in ids if pk in images}
    return _load_images(ids)


def _load_images(ids):
    # The image model is configured (WAGTAILIMAGES_IMAGE_MODEL: media.LibraryImage), not imported:
    # media sits above content.
    return {i.pk: i for i in get_image_model().objects.filter(pk__in=ids).select_related("organisation")}


def share_article_images(articles):
    """Inside a content.memo block: the images ``validate_article`` reads for all of
    ``articles``, in one query."""
    ids = {pk for article in articles for pk in inline_image_ids(article.body)}
    ids |= {article.cover_image_id for article in articles if article.cover_image_id}
    memo.remember("library images", (frozenset(ids), _load_images(ids) if ids else {}))


def validate_article(article, *, refuse_unsafe_html=False, images=None):
    """Raise ValidationError({field: [...]}); sanitizes the body in place.

    ``refuse_unsafe_html`` refuses a body holding script, event handlers or
    javascript: URLs instead of silently cleaning it (the importer's choice).
    ``images`` ({pk: image, its organisation loaded}) spares a caller validating
    many articles two queries per article."""
    errors = defaultdict(list)
    if not (article.title or "").strip():
        errors["title"].append(_("标题不能为空"))
    channels = article.channels
    if not isinstance(channels, list):
        errors["channels"].append(_("目标渠道必须是列表"))
    else:
        for channel in channels:
            if channel not in ChannelAccount.Type.values:
                errors["channels"].append(
                    _("未知渠道 %(channel)s,可选:%(choices)s")
                    % {"channel": channel, "choices": ", ".join(ChannelAccount.Type.values)}
                )
        if len(set(map(str, channels))) != len(channels):
            errors["channels"].append(_("目标渠道不能重复"))

    if refuse_unsafe_html and has_unsafe_markup(article.body):
        errors["body"].append(_("正文含有脚本、事件属性或 javascript: 链接"))
    elif article.body:
        article.body = sanitize_html(article.body)

    org = article.organisation if article.organisation_id else None
    if org is not None:
        readable = _readable_org_ids(org)
        if article.cover_image_id:
            image = _images_by_pk([article.cover_image_id], images).get(article.cover_image_id)
            if image is None:
                errors["cover_image"].append(_("封面图 %(id)s 不存在") % {"id": article.cover_image_id})
            else:
                _check_image(errors, "cover_image", image, org, readable)
        ids = inline_image_ids(article.body)
        if ids:
            found = _images_by_pk(ids, images)
            for image_id in ids:
                if image_id not in found:
                    errors["body"].append(_("正文引用的图片 %(id)s 不存在") % {"id": image_id})
                else:
                    _check_image(errors, "body", found[image_id], org, readable)
        # Related packages are references, not writes: legacy data links branch articles to
        # offers sold elsewhere, and the admin's chooser already offers only readable ones.
        for target in article.shared_to.all():
            if target.pk == org.pk or org.pk not in target.ancestor_ids():
                errors["shared_to"].append(
                    _("只能下发到 %(org)s 的下级组织,%(target)s 不是") % {"org": org.code, "target": target.code}
                )
    if article.origin_id is not None and article.pk is not None and article.origin_id == article.pk:
        errors["origin"].append(_("文章不能以自己为来源"))

    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def share_down(article, orgs):
    """Share an article to organisations below its owner; they read it, read-only."""
    orgs = list(orgs)
    problems = [
        _("只能下发到 %(org)s 的下级组织,%(target)s 不是") % {"org": article.organisation.code, "target": o.code}
        for o in orgs
        if o.pk == article.organisation_id or article.organisation_id not in o.ancestor_ids()
    ]
    if problems:
        raise ValidationError({"shared_to": problems})
    current = set(article.shared_to.values_list("pk", flat=True))
    new = [o for o in orgs if o.pk not in current]
    if new:
        Article.shared_to.through.objects.bulk_create(
            [Article.shared_to.through(article_id=article.pk, organisation_id=o.pk) for o in new]
        )
    return article


def _copy_code(article, org):
    base = f"{article.code}-{org.code}"[:CODE_MAX]
    code, n = base, 1
    while Article.objects.filter(code=code).exists():
        n += 1
        suffix = f"-{n}"
        code = base[: CODE_MAX - len(suffix)] + suffix
    return code


def origin_revision_id(article):
    """The revision a copy is taken from: the published one, else the latest draft."""
    return article.live_revision_id or article.latest_revision_id


@transaction.atomic
def make_local_copy(article, org, user):
    """A draft copy of a shared article owned by ``org``, remembering its origin."""
    if isinstance(org, str):
        org = Organisation.objects.get(code=org)
    article = Article.objects.select_related("live_revision").get(pk=article.pk)  # its current revisions
    if not visible(Article.objects.filter(pk=article.pk), scope_for_org(org)).exists():
        raise ValidationError(
            {"organisation": _("文章 %(code)s 未下发给 %(org)s,不能复制") % {"code": article.code, "org": org.code}}
        )
    user_scope = scope_for_user(user)
    if not (user_scope.everything or org.pk in user_scope.editable):
        raise PermissionDenied(_("%(user)s 不能为 %(org)s 建立文章") % {"user": user, "org": org.code})
    source = article.get_latest_revision_as_object() if not article.live_revision_id else article.live_revision.as_object()
    copy = Article(
        code=_copy_code(article, org),
        title=source.title,
        author=source.author,
        digest=source.digest,
        cover_image_id=source.cover_image_id,
        body=source.body,
        channels=list(source.channels or []),
        organisation=org,
        origin=article,
        origin_revision_id=origin_revision_id(article),
        live=False,
    )
    copy.related_packages = list(source.related_packages.all())
    copy.full_clean()
    copy.save()
    copy.save_revision(user=user, clean=False)
    log(instance=copy, action="wagtail.create", user=user, content_changed=True)
    return copy


def origin_changed(copy):
    """True when the origin has a newer revision than the one the copy was taken from."""
    if copy.origin_id is None:
        return False
    origin = copy.origin
    return origin_revision_id(origin) != copy.origin_revision_id
