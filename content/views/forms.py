"""Admin forms of the content models. Validation itself lives in the services
(called from each model's clean()); these forms limit choices to the editor's
organisations and present structured lists as plain lines."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField

from content.models import ChannelAccount, Organisation, Package
from content.permissions import editable, scope_for_user, visible
from content.viewsets import OrganisationOwnedForm
from content.views.fields import LinesField, ParameterDeclarationsField, TemplateFieldsField, WordListField


def _editable_orgs(user):
    scope = scope_for_user(user)
    qs = Organisation.objects.order_by("code")
    return qs if scope.everything else qs.filter(pk__in=scope.editable)


class EditorialForm(OrganisationOwnedForm):
    """Makes the form's many-to-many choices visible to the model's clean() (which
    runs before they are saved) and keeps errors on fields the form does not show."""

    def clean(self):
        cleaned = super().clean()
        for field in self.instance._meta.get_fields():
            if isinstance(field, ParentalManyToManyField) and field.name in cleaned:
                setattr(self.instance, field.name, cleaned[field.name])
        return cleaned

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            moved = {}
            for field, messages in list(errors.error_dict.items()):
                if field != NON_FIELD_ERRORS and field not in self.fields:
                    label = self.instance._meta.get_field(field).verbose_name if hasattr(self.instance, field) else field
                    moved.setdefault(NON_FIELD_ERRORS, []).extend(
                        ValidationError(f"{label}: {m}") for e in messages for m in e.messages
                    )
                    del errors.error_dict[field]
            for field, messages in moved.items():
                errors.error_dict.setdefault(field, []).extend(messages)
        super()._update_errors(errors)


class ArticleForm(EditorialForm):
    channels = forms.MultipleChoiceField(
        label=_("目标渠道"), required=True, choices=ChannelAccount.Type.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "图文发往哪些类型的渠道。公众号是推送渠道:只发到本单位及下发单位的公众号,不会发到上级单位的公众号;"
            "小程序、短信营业厅、网上营业厅由上级单位的账号按地区和品牌提供。发布确认页和渠道预览列出将收到的账号。"
        ),
        error_messages={"required": _("目标渠道:请至少选择一个渠道")},
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None:
            return
        scope = scope_for_user(for_user)
        if "shared_to" in self.fields:
            below = Organisation.objects.exclude(level=Organisation.Level.PROVINCE).order_by("code")
            if not scope.everything:
                below = below.filter(pk__in=scope.editable).exclude(pk=for_user.editor_profile.organisation_id)
            self.fields["shared_to"].queryset = below
        if "related_packages" in self.fields:
            self.fields["related_packages"].queryset = visible(Package.objects.order_by("code"), scope)


class SoldItemForm(EditorialForm):
    highlights = LinesField(label=_("卖点"), help_text=_("每行一条卖点"), rows=3)
    channels = forms.MultipleChoiceField(
        label=_("销售渠道"), required=False, choices=ChannelAccount.Type.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("只在所选类型的渠道销售,例如仅线上:勾选网上营业厅与微信小程序。不勾选为全部渠道。"),
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "sale_orgs" in self.fields:
            self.fields["sale_orgs"].queryset = _editable_orgs(for_user)


class SmsTemplateForm(EditorialForm):
    parameters = ParameterDeclarationsField(label=_("参数声明"))
    commands = WordListField(label=_("绑定指令"), help_text=_("以逗号或空格分隔,如 CXTC, C123"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "text" in self.fields:
            self.fields["text"].widget.attrs.update({"rows": 5, "data-sms-text": ""})
        self.fields["parameters"].widget.attrs["data-sms-parameters"] = ""

    def _post_clean(self):
        # The model's clean() checks command clashes per brand: give it the brands chosen
        # in this form (a parental relation, in memory; ClusterForm assigns it only on save).
        if "brands" in self.fields and "brands" in getattr(self, "cleaned_data", {}):
            self.instance.brands.set(list(self.cleaned_data["brands"]))
        super()._post_clean()


class AutoReplyForm(EditorialForm):
    """A rule of one account, or (choosing an organisation instead) a shared rule of
    every official account of that organisation and below."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "account" in self.fields:
            accounts = ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT).order_by("code")
            self.fields["account"].queryset = editable(accounts, scope_for_user(for_user))
        if "organisation" in self.fields:
            # Exactly one owner: a new rule starts as an account's, not preset to the editor's organisation.
            self.fields["organisation"].initial = None
            self.fields["organisation"].required = False


class TemplateMessageForm(EditorialForm):
    fields = TemplateFieldsField(label=_("字段"), rows=5)

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        mappings = self.formsets.get("account_mappings") if hasattr(self, "formsets") else None
        if for_user is None or mappings is None:
            return
        accounts = editable(
            ChannelAccount.objects.filter(type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT).order_by("code"),
            scope_for_user(for_user),
        )
        # Rows only: the blank new-row form is rebuilt on every access, and the scoped
        # viewset's formset narrows it (content.viewsets.limit_choices).
        for form in mappings.forms:
            if "account" in form.fields:
                form.fields["account"].queryset = accounts

    def clean(self):
        cleaned = super().clean()
        from content.services.wechat import validate_template_mapping

        mappings = self.formsets.get("account_mappings")
        if mappings is None:
            return cleaned
        seen = set()
        for form in mappings.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or not form.cleaned_data.get("account"):
                continue
            account = form.cleaned_data["account"]
            if account.pk in seen:
                form.add_error("account", _("公众号 %(account)s 重复映射") % {"account": account.code})
                continue
            seen.add(account.pk)
            form.instance.account = account
            try:
                validate_template_mapping(form.instance, definition=self.instance)
            except ValidationError as e:
                for field, messages in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
        return cleaned


class NewsGroupForm(EditorialForm):
    """The group's articles come from an inline formset: its rows (in order, without
    the deleted ones) are checked with the group rules before anything is saved."""

    def clean(self):
        cleaned = super().clean()
        from content.services.groups import group_problems

        entries = self.formsets.get("entries") if hasattr(self, "formsets") else None
        if entries is None or not all(form.is_valid() for form in entries.forms):
            return cleaned
        rows = [
            form.cleaned_data for form in entries.forms
            if form.cleaned_data.get("article") and not form.cleaned_data.get("DELETE")
        ]
        rows.sort(key=lambda row: row.get("ORDER") if row.get("ORDER") is not None else 10**6)
        # The model's fields are set after clean(): the rules name the group by what was typed.
        self.instance.code = cleaned.get("code") or self.instance.code
        self.instance.title = cleaned.get("title") or self.instance.title
        if cleaned.get("organisation") is not None:
            self.instance.organisation = cleaned["organisation"]
        for problem in group_problems(self.instance, [row["article"] for row in rows]):
            self.add_error(None, problem)
        return cleaned


class PromotionSlotForm(EditorialForm):
    """The slot's entries come from an inline formset: its rows (in order, without the
    deleted ones) are checked with the slot rules (content.services.promotions),
    which need the slot's channel and organisation, before anything is saved."""

    def clean(self):
        cleaned = super().clean()
        from content.services.promotions import slot_problems

        entries = self.formsets.get("entries") if hasattr(self, "formsets") else None
        if entries is None or not all(form.is_valid() for form in entries.forms):
            return cleaned
        forms_kept = [form for form in entries.forms if form.has_changed() or form.instance.pk]
        forms_kept = [form for form in forms_kept if not form.cleaned_data.get("DELETE")]
        forms_kept.sort(key=lambda f: f.cleaned_data.get("ORDER") if f.cleaned_data.get("ORDER") is not None else 10**6)
        # The model's fields are set after clean(): the rules name the slot by what was typed.
        for name in ("code", "channel", "organisation"):
            if cleaned.get(name):
                setattr(self.instance, name, cleaned[name])
        for problem in slot_problems(self.instance, [form.instance for form in forms_kept]):
            self.add_error(None, problem)
        return cleaned
