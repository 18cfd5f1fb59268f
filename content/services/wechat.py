"""WeChat passive replies and template-message definitions: the one validator
each, shared by the admin form and the importer."""

import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from content.models import Article, AutoReply, ChannelAccount, TemplateMessageMapping
from content.permissions import scope_for_org, visible

# WeChat refuses passive text replies over 2048 bytes.
MAX_TEXT_REPLY_BYTES = 2048
FIELD_KEY_RE = re.compile(r"^[a-z][a-z_]*\d*$")
TEMPLATE_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
# Field types of WeChat template / subscription messages.
FIELD_TYPES = (
    "thing", "number", "letter", "symbol", "character_string", "time", "date", "amount",
    "phone_number", "car_number", "name", "phrase", "const", "keyword", "first", "remark",
)
MAX_FIELDS = 20
MAX_LABEL_CHARS = 20


def _same_owner(reply):
    """The other rules of the reply's account, or of its organisation's shared set."""
    if reply.account_id:
        return AutoReply.objects.filter(account_id=reply.account_id).exclude(pk=reply.pk)
    return AutoReply.objects.filter(organisation_id=reply.organisation_id).exclude(pk=reply.pk)


def _owner(reply, errors):
    """(account, organisation whose library the reply draws on, owner code), or Nones
    with an error on the field at fault: exactly one of account and organisation."""
    account = reply.account if reply.account_id else None
    organisation = reply.organisation if reply.organisation_id else None
    if account is None and organisation is None:
        errors["account"].append(_("必须选择公众号,或选择共享组织(共享规则)"))
        return None, None, None
    if account is not None and organisation is not None:
        errors["organisation"].append(
            _("公众号的规则不能同时设共享组织:请只选公众号 %(account)s 或只选共享组织 %(org)s")
            % {"account": account.code, "org": organisation.code}
        )
        return None, None, None
    if account is not None:
        if account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
            errors["account"].append(_("账号 %(code)s 不是微信公众号") % {"code": account.code})
            return None, None, None
        return account, account.organisation, _("公众号 %(code)s") % {"code": account.code}
    return None, organisation, _("组织 %(code)s 的共享规则") % {"code": organisation.code}


def validate_auto_reply(reply):
    """Raise ValidationError({field: [...]}) for a reply rule that cannot work."""
    errors = defaultdict(list)
    _account, library_org, owner = _owner(reply, errors)

    kind = reply.kind
    if kind not in AutoReply.Kind.values:
        errors["kind"].append(_("未知类型 %(kind)s") % {"kind": kind})
    if reply.match not in AutoReply.Match.values:
        errors["match"].append(_("未知匹配方式 %(match)s") % {"match": reply.match})
    keyword = (reply.keyword or "").strip()
    event_key = (reply.event_key or "").strip()
    if kind == AutoReply.Kind.KEYWORD:
        if not keyword:
            errors["keyword"].append(_("关键词回复必须填写关键词"))
        elif owner is not None and _same_owner(reply).filter(
            kind=kind, keyword__iexact=keyword, match=reply.match
        ).exists():
            errors["keyword"].append(
                _("%(owner)s 已有%(match)s关键词“%(keyword)s”的回复")
                % {"owner": owner, "match": AutoReply.Match(reply.match).label, "keyword": keyword}
            )
    elif keyword:
        errors["keyword"].append(_("只有关键词回复可以填写关键词"))
    if kind == AutoReply.Kind.CLICK:
        if not event_key:
            errors["event_key"].append(_("菜单点击回复必须填写事件KEY"))
        elif len(event_key.encode("utf-8")) > 128:
            errors["event_key"].append(_("事件KEY不能超过128字节"))
        elif owner is not None and _same_owner(reply).filter(kind=kind, event_key=event_key).exists():
            errors["event_key"].append(
                _("%(owner)s 已有事件KEY %(key)s 的回复") % {"owner": owner, "key": event_key}
            )
    elif event_key:
        errors["event_key"].append(_("只有菜单点击回复可以填写事件KEY"))
    if kind in (AutoReply.Kind.SUBSCRIBE, AutoReply.Kind.DEFAULT) and owner is not None:
        if _same_owner(reply).filter(kind=kind).exists():
            errors["kind"].append(_("%(owner)s 已有%(kind)s") % {"owner": owner, "kind": AutoReply.Kind(kind).label})

    _validate_reply_content(reply, library_org, owner, errors)
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def _validate_reply_content(reply, library_org, owner, errors):
    """The article or image must be one the owning organisation may use: its own,
    shared down to it, or (images) of an organisation above it."""
    if reply.reply_type == AutoReply.ReplyType.TEXT:
        text = (reply.reply_text or "").strip()
        if not text:
            errors["reply_text"].append(_("文本回复必须填写回复文本"))
        elif len(text.encode("utf-8")) > MAX_TEXT_REPLY_BYTES:
            errors["reply_text"].append(
                _("回复文本超过%(max)d字节(微信限制)") % {"max": MAX_TEXT_REPLY_BYTES}
            )
    elif reply.reply_type == AutoReply.ReplyType.ARTICLE:
        if not reply.reply_article_id:
            errors["reply_article"].append(_("图文回复必须选择图文"))
        elif library_org is not None:
            readable = visible(Article.objects.filter(pk=reply.reply_article_id), scope_for_org(library_org))
            if not readable.exists():
                errors["reply_article"].append(
                    _("图文 %(id)s 不在%(owner)s 所属组织的素材库中")
                    % {"id": reply.reply_article.code, "owner": owner}
                )
    elif reply.reply_type == AutoReply.ReplyType.IMAGE:
        if not reply.reply_image_id:
            errors["reply_image"].append(_("图片回复必须选择图片"))
        elif library_org is not None:
            image_org = reply.reply_image.organisation_id
            if image_org is not None and image_org not in {library_org.pk, *library_org.ancestor_ids()}:
                errors["reply_image"].append(
                    _("图片 %(image)s 不属于%(owner)s 所属组织或其上级")
                    % {"image": reply.reply_image.code or reply.reply_image_id, "owner": owner}
                )
    else:
        errors["reply_type"].append(_("未知回复类型 %(type)s") % {"type": reply.reply_type})


def validate_template_fields(fields):
    """The problems of a definition's field list (key, label, type), as messages."""
    if not isinstance(fields, list):
        return [_("字段必须是列表")]
    if not fields:
        return [_("至少需要一个字段")]
    problems, seen = [], set()
    if len(fields) > MAX_FIELDS:
        problems.append(_("字段最多%(max)d个") % {"max": MAX_FIELDS})
    for index, item in enumerate(fields, start=1):
        if not isinstance(item, dict):
            problems.append(_("第%(n)d个字段格式错误,须包含 key、label、type") % {"n": index})
            continue
        key, label, kind = item.get("key"), item.get("label"), item.get("type")
        shown = key if isinstance(key, str) and key else f"#{index}"
        if not isinstance(key, str) or not FIELD_KEY_RE.match(key):
            problems.append(_("字段 %(key)s 的 key 无效:小写字母开头,可含下划线,以数字结尾") % {"key": shown})
        elif key in seen:
            problems.append(_("字段 %(key)s 重复") % {"key": key})
        else:
            seen.add(key)
        if not isinstance(label, str) or not label.strip():
            problems.append(_("字段 %(key)s 缺少名称") % {"key": shown})
        elif len(label) > MAX_LABEL_CHARS:
            problems.append(_("字段 %(key)s 的名称超过%(max)d个字") % {"key": shown, "max": MAX_LABEL_CHARS})
        if kind not in FIELD_TYPES:
            problems.append(
                _("字段 %(key)s 的类型 %(type)s 未知,可选:%(choices)s")
                % {"key": shown, "type": kind, "choices": ", ".join(FIELD_TYPES)}
            )
    return problems


def validate_template_message(definition):
    errors = {}
    if not (definition.title or "").strip():
        errors["title"] = [_("标题不能为空")]
    short = (definition.template_id_short or "").strip()
    if short and not TEMPLATE_ID_RE.match(short):
        errors["template_id_short"] = [_("模板库编号 %(id)s 无效:只能含字母、数字、下划线和连字符") % {"id": short}]
    problems = validate_template_fields(definition.fields)
    if problems:
        errors["fields"] = problems
    if errors:
        raise ValidationError(errors)


def validate_template_mapping(mapping, definition=None):
    """An account's WeChat template id for a definition: an official account the
    definition's organisation reaches, a well-formed id, one per account."""
    definition = definition or mapping.definition
    errors = defaultdict(list)
    account = mapping.account if mapping.account_id else None
    if account is None:
        errors["account"].append(_("必须选择公众号"))
    elif account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        errors["account"].append(_("账号 %(code)s 不是微信公众号") % {"code": account.code})
    elif definition.organisation_id and definition.organisation_id not in {
        account.organisation_id, *account.organisation.ancestor_ids()
    }:
        errors["account"].append(
            _("公众号 %(account)s 不属于 %(org)s 或其下级") % {"account": account.code, "org": definition.organisation.code}
        )
    template_id = (mapping.wechat_template_id or "").strip()
    # Obtained from WeChat on publication (notices.binding): empty until then.
    if template_id and not TEMPLATE_ID_RE.match(template_id):
        errors["wechat_template_id"].append(_("微信模板ID %(id)s 无效:只能含字母、数字、下划线和连字符") % {"id": template_id or "-"})
    if account is not None and definition.pk and (
        TemplateMessageMapping.objects.filter(definition_id=definition.pk, account=account).exclude(pk=mapping.pk).exists()
    ):
        errors["account"].append(_("公众号 %(account)s 已有该模板的映射") % {"account": account.code})
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
