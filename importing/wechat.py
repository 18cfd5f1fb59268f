"""WeChat keyword auto-replies and template-message definitions."""

from django.utils.translation import gettext as _

from content.models import AutoReply, ChannelAccount, TemplateMessage

from .editorial import EditorialList, value
from .ownership import sole_province


class KeywordRepliesList(EditorialList):
    """A keyword reply has no code: its owner and keyword are its identity. The owner
    is an official account (``account``) or, for a rule shared with every official
    account of an organisation and below, the organisation (``org``)."""

    list_name = "keyword_replies"
    model = AutoReply
    identity = ("account_id", "organisation_id", "kind", "keyword")
    identity_field = "keyword"
    depends_on = ("organisations", "channel_accounts")
    field_names = {"reply_text": "reply.text", "reply_type": "reply.type", "account": "account", "organisation": "org"}

    def label(self, record):
        owner = record.get("account") or (f"org={record['org']}" if record.get("org") else "-")
        return f"{owner}:{record.get('keyword')}"

    def _owner(self, record, errors):
        """(account id, organisation id): exactly one of them."""
        has_account, has_org = record.get("account") not in (None, ""), record.get("org") not in (None, "")
        if has_account and has_org:
            errors.add("org", _("account 和 org 只能填写一个(org 表示组织的共享规则)"))
            return None, None
        if not has_account and not has_org:
            errors.add("account", _("必须填写 account(公众号)或 org(共享规则的组织)"))
            return None, None
        if has_org:
            return None, self.ctx.ref("organisations", record.get("org"), "org", errors)
        account_id = self.ctx.ref("channel_accounts", record.get("account"), "account", errors)
        facts = self.ctx.facts.get("channel_accounts", {}).get(record.get("account"))
        if account_id and facts and facts["type"] != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
            errors.add("account", _("关键词回复只能属于微信公众号"))
        return account_id, None

    def read(self, record, errors):
        account_id, organisation_id = self._owner(record, errors)
        reply = record.get("reply")
        if not isinstance(reply, dict):
            errors.add("reply", _("缺少回复内容"))
            reply = {}
        if reply.get("type", "text") != AutoReply.ReplyType.TEXT:
            errors.add("reply.type", _("不支持的回复类型 %(type)r") % {"type": reply.get("type")})
        values = {
            "account_id": account_id,
            "organisation_id": organisation_id,
            "kind": AutoReply.Kind.KEYWORD,
            "keyword": value(AutoReply, "keyword", record.get("keyword"), "keyword", errors),
            "match": value(AutoReply, "match", record.get("match"), "match", errors),
            "reply_type": AutoReply.ReplyType.TEXT,
            "reply_text": value(AutoReply, "reply_text", reply.get("text"), "reply.text", errors),
        }
        if not values["keyword"]:
            errors.add("keyword", _("不能为空"))
        return values, {}, {}


class TemplateMessagesList(EditorialList):
    """Definitions have no owner in the export: the province owns them."""

    list_name = "template_messages"
    model = TemplateMessage
    field_names = {"organisation": "code"}

    def read(self, record, errors):
        fields = record.get("fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
            errors.add("fields", _("格式不正确"))
            fields = []
        tree = self.ctx.facts["organisations"]
        province = sole_province({code: f["level"] for code, f in tree.items()})
        if province is None:
            errors.add("code", _("找不到唯一的省公司来拥有模板消息"))
        values = {
            "code": value(TemplateMessage, "code", record.get("code"), "code", errors),
            "title": value(TemplateMessage, "title", record.get("title"), "title", errors),
            "fields": fields,
            "organisation_id": self.ctx.ref("organisations", province, "code", errors) if province else None,
        }
        if "template_id_short" in record:
            # Only when the export has it: a re-import keeps the number an editor entered.
            values["template_id_short"] = value(
                TemplateMessage, "template_id_short", record["template_id_short"], "template_id_short", errors
            )
        return values, {}, {}
