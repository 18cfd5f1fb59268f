"""Admin forms of the organisation matrix."""

from django import forms
from django.utils.translation import gettext_lazy as _

from content.models.organisations import ChannelAccount, Organisation
from content.services.accounts import set_secret
from content.viewsets import OrganisationOwnedForm


class ChannelAccountForm(OrganisationOwnedForm):
    """Secrets are write-only: the form never shows them, a blank field keeps the
    stored value, and a new value replaces it encrypted."""

    app_secret_new = forms.CharField(label=_("AppSecret"), required=False, widget=forms.PasswordInput(render_value=False))
    callback_token_new = forms.CharField(label=_("回调Token"), required=False, widget=forms.PasswordInput(render_value=False))
    encoding_aes_key_new = forms.CharField(
        label=_("EncodingAESKey"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    webhook_key_new = forms.CharField(label=_("Webhook密钥"), required=False, widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ChannelAccount.SECRET_FIELDS:
            state = _("已设置,留空保持不变") if self.instance.pk and self.instance.secret_is_set(field) else _("未设置")
            if self.instance.pk and not self.instance.secret_is_readable(field):
                state = _("无法用当前的 CMS_SECRETS_KEY 解密:请重新设置,或请运维把原密钥加回 CMS_SECRETS_KEY_FALLBACKS")
            self.fields[f"{field}_new"].help_text = state

    def clean_encoding_aes_key_new(self):
        value = self.cleaned_data.get("encoding_aes_key_new", "")
        if value and len(value) != 43:
            raise forms.ValidationError(_("EncodingAESKey 必须是43个字符"))
        return value

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit:
            for field in ChannelAccount.SECRET_FIELDS:
                value = self.cleaned_data.get(f"{field}_new")
                if value:
                    set_secret(instance, field, value)
        return instance


class OrganisationForm(OrganisationOwnedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            self.fields["parent"].queryset = Organisation.objects.exclude(level=Organisation.Level.OUTLET)
