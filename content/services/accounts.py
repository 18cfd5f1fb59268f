"""Channel-account rules and secret handling."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from content.models.organisations import ChannelAccount
from content.secrets import Secret

REQUIRED_BY_TYPE = {
    ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT: ("app_id",),
    ChannelAccount.Type.WECHAT_MINIPROGRAM: ("app_id",),
    ChannelAccount.Type.SMS: ("service_number", "signature"),
    ChannelAccount.Type.WEB: ("base_url",),
}


def validate_account(account):
    errors = {}
    for field in REQUIRED_BY_TYPE.get(account.type, ()):
        if not getattr(account, field):
            errors[field] = _("%(type)s 账号必须填写此项") % {"type": account.get_type_display()}
    if account.type == ChannelAccount.Type.SMS and account.signature:
        sig = account.signature
        if not (sig.startswith("【") and sig.endswith("】") and len(sig) > 2):
            errors["signature"] = _("短信签名须为【】括起的文字,例如【中国移动】")
    if account.max_segments is not None and not 1 <= account.max_segments <= 10:
        errors["max_segments"] = _("最大短信条数须在1到10之间")
    if errors:
        raise ValidationError(errors)


def set_secret(account, field, value):
    """Set one secret of an account (encrypted at rest); an empty value clears it."""
    if field not in ChannelAccount.SECRET_FIELDS:
        raise ValidationError({"field": _("未知的密钥字段 %(field)s,可选:%(choices)s") % {
            "field": field, "choices": ", ".join(ChannelAccount.SECRET_FIELDS)}})
    if field == "encoding_aes_key" and value and len(value) != 43:
        raise ValidationError({field: _("EncodingAESKey 必须是43个字符")})
    setattr(account, field, Secret(value or ""))
    account.save(update_fields=[field])
