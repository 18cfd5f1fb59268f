"""Admin form of webhook endpoints: the account choice limited to the user's
accounts, the signing secret write-only (a blank field keeps the stored one)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from content.models import ChannelAccount
from content.permissions import editable, scope_for_user
from content.secrets import Secret
from content.viewsets import ScopedModelForm


class WebhookEndpointForm(ScopedModelForm):
    secret_new = forms.CharField(
        label=_("签名密钥"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("HMAC-SHA256 签名用;留空保持不变"),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        account = self.fields.get("account")
        if account is not None and for_user is not None:
            account.queryset = editable(ChannelAccount.objects.all(), scope_for_user(for_user)).order_by("code")
        state = _("已设置,留空保持不变") if self.instance.pk and self.instance.secret else _("未设置")
        self.fields["secret_new"].help_text = state

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("secret_new"):
            # Set before model validation, which requires a secret on enabled endpoints.
            self.instance.secret = Secret(cleaned["secret_new"])
        return cleaned

    def _update_errors(self, errors):
        # The model names its secret ``secret``; the form shows it as ``secret_new``.
        if hasattr(errors, "error_dict") and "secret" in errors.error_dict:
            errors.error_dict["secret_new"] = errors.error_dict.pop("secret")
        super()._update_errors(errors)
