"""Template ids obtained from WeChat: when a definition is published, each official
account it is sent from gets the template id of the definition's library template
(template/api_add_template), reused when the account already holds it.

An id is reused when WeChat still lists it for the account (get_all_private_template)
and it was obtained for the definition's current library number and keywords; an id
typed by hand before ids were obtained (kept by the migration) is adopted the same way
if the account still has it. Anything else is added anew. A failure is written on the
account's row (``bind_error``), which the definition's page shows; the other accounts
are bound regardless."""

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from content.models import TemplateMessage, TemplateMessageMapping
from wechat.client import client_for_account
from wechat.errors import WeChatError
from wechat.models import TemplateBinding

log = logging.getLogger("notices")


def keyword_names(definition):
    """The keywords a category template is added with: the fields' labels, in order."""
    return [str(f.get("label", "")) for f in definition.fields or [] if isinstance(f, dict)]


def bind_definition(definition_id):
    """Obtain (or confirm) the template id of every account of a live definition;
    returns {account code: template id or the reason it has none}."""
    definition = TemplateMessage.objects.filter(pk=definition_id, live=True).first()
    if definition is None:
        return {}
    outcome = {}
    mappings = TemplateMessageMapping.objects.filter(definition=definition).select_related("account")
    for mapping in mappings.order_by("account__code"):
        try:
            template_id = bind_account(definition, mapping)
        except (WeChatError, ValidationError) as exc:
            reason = exc.reason if isinstance(exc, WeChatError) else "; ".join(exc.messages)
            reason = f"获取模板ID失败:{reason}"[:255]
            log.warning("template %s on %s: %s", definition.code, mapping.account.code, reason)
            TemplateMessageMapping.objects.filter(pk=mapping.pk).update(bind_error=reason)
            outcome[mapping.account.code] = reason
        else:
            outcome[mapping.account.code] = template_id
    return outcome


def bind_account(definition, mapping):
    """The account's template id for the definition, obtained or reused; stored on the mapping."""
    short = (definition.template_id_short or "").strip()
    if not short:
        raise ValidationError(f"模板消息 {definition.code} 没有填写模板库编号")
    keywords = keyword_names(definition)
    account = mapping.account
    with client_for_account(account) as client:
        held = {t.get("template_id") for t in client.list_templates()}
        template_id = _reusable(definition, mapping, account.app_id, short, keywords, held)
        if template_id is None:
            template_id = client.add_template(short, keywords if short.isdigit() else ())
    TemplateBinding.objects.update_or_create(
        app_id=account.app_id, code=definition.code, defaults={"template_id_short": short, "template_id": template_id}
    )
    TemplateMessageMapping.objects.filter(pk=mapping.pk).update(
        wechat_template_id=template_id,
        bound_short=short,
        bound_keywords=keywords,
        bound_at=timezone.now(),
        bind_error="",
    )
    return template_id


def _reusable(definition, mapping, app_id, short, keywords, held):
    current = mapping.wechat_template_id
    # Obtained for this number and these keywords, or typed by hand before ids were obtained.
    same = (mapping.bound_short, mapping.bound_keywords) == (short, keywords) or not mapping.bound_short
    if current and current in held and same:
        return current
    binding = TemplateBinding.objects.filter(app_id=app_id, code=definition.code, template_id_short=short).first()
    if binding and binding.template_id in held and not (mapping.bound_short and mapping.bound_keywords != keywords):
        return binding.template_id
    return None
