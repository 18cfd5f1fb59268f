"""SMS commands per brand: which template answers a command on an SMS account for
a customer of a brand. A template binds its commands for each of its brands (适用品牌),
or as the command's default when it names none; one template per (account, command,
brand). ``pick`` is the resolution rule (the brand's own reply, else the default):
the simulator, GraphQL and the bundle's gateway all answer through it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from content.models import Brand, ChannelAccount, SmsCommand

DEFAULT = "default"


def brand_code(brand):
    """A Brand, a brand code or None (no brand known: the default answers)."""
    if isinstance(brand, Brand):
        return brand.code
    return brand or None


def pick(choices, brand):
    """The one rule: ``choices`` maps a brand code (None: the default) to what answers;
    the brand's own answer wins, else the default, else None."""
    code = brand_code(brand)
    if code is not None and code in choices:
        return choices[code]
    return choices.get(None)


def resolve(account, command, brand=None):
    """The LIVE template answering ``command`` on ``account`` for a customer of
    ``brand``, or None (one query). A brand reply whose template was unpublished
    leaves its customers the default rather than nothing."""
    command = str(command).strip().upper()
    return resolve_all(account, [command], brand).get(command)


def resolve_all(account, commands, brand=None):
    """{command: LIVE template} of ``commands`` on ``account`` for ``brand``, one query."""
    code = brand_code(brand)
    rows = (
        SmsCommand.objects.filter(
            account=account, command__in=list(commands), template__live=True
        )
        .filter(
            Q(brand__isnull=True) | Q(brand__code=code)
            if code
            else Q(brand__isnull=True)
        )
        .select_related("template", "brand")
    )
    choices = {}
    for binding in rows:
        choices.setdefault(binding.command, {})[
            binding.brand.code if binding.brand_id else None
        ] = binding.template
    return {command: pick(by_brand, code) for command, by_brand in choices.items()}


def command_entries(rows):
    """{command: {"default": template code or None, "brands": {brand code: template
    code}}} from (command, brand code or None, template code) rows: what a gateway
    resolves with ``pick``'s rule."""
    out = {}
    for command, brand, template in rows:
        entry = out.setdefault(command, {DEFAULT: None, "brands": {}})
        if brand is None:
            entry[DEFAULT] = template
        else:
            entry["brands"][brand] = template
    return {command: out[command] for command in sorted(out)}


def command_map(account_id, templates, commands=None):
    """The account's command entries for bindings to ``templates`` (a queryset), in one query."""
    rows = SmsCommand.objects.filter(
        account_id=account_id, template__in=templates.values("pk")
    )
    if commands is not None:
        rows = rows.filter(command__in=commands)
    return command_entries(
        rows.order_by("command", "brand__code").values_list(
            "command", "brand__code", "template__code"
        )
    )


def binding_brands(template):
    """The brand ids a template's commands are bound for; [None] (the default) when it
    names no brand. Reads the form's unsaved choice too (a parental relation)."""
    return sorted({b.pk for b in template.brands.all()}) or [None]


def _brand_label(brand):
    return brand.name if brand is not None else _("默认")


def clashes(account, template_pk, commands, brand_ids, lock=False):
    """Messages for each (command, brand) of ``commands`` × ``brand_ids`` another
    template already answers on ``account``."""
    if not commands:
        return []
    wanted = Q(brand__isnull=True) if None in brand_ids else Q(pk__in=[])
    named = [b for b in brand_ids if b is not None]
    if named:
        wanted |= Q(brand_id__in=named)
    taken = SmsCommand.objects.filter(wanted, account=account, command__in=commands)
    if template_pk is not None:
        taken = taken.exclude(template_id=template_pk)
    if lock:
        taken = taken.select_for_update(of=("self",))
    return [
        _("指令 %(command)s(%(brand)s)在账号 %(account)s 已绑定模板 %(template)s")
        % {
            "command": b.command,
            "brand": _brand_label(b.brand),
            "account": account.code,
            "template": b.template.code,
        }
        for b in taken.select_related("template", "brand").order_by(
            "command", "brand__code"
        )
    ]


@transaction.atomic
def bind_commands(template, account, commands, brand_ids=None):
    """Make ``commands`` the commands ``template`` answers on ``account``, for
    ``brand_ids`` (default: the template's own brands, or the default reply).

    Refuses (ValidationError on ``commands``) a (command, brand) another template of
    the account answers; returns the template's bindings on the account."""
    if account is None or account.type != ChannelAccount.Type.SMS:
        raise ValidationError({"account": _("只能在短信营业厅账号上绑定指令")})
    if template.pk is None:
        raise ValidationError(
            {
                "commands": _("模板 %(code)s 须先保存再绑定指令")
                % {"code": template.code}
            }
        )
    from content.services.sms import normalise_commands

    wanted_commands, problems = normalise_commands(commands)
    if problems:
        raise ValidationError({"commands": problems})
    brand_ids = binding_brands(template) if brand_ids is None else list(brand_ids)
    taken = clashes(account, template.pk, wanted_commands, brand_ids, lock=True)
    if taken:
        raise ValidationError({"commands": taken})
    wanted = {(c, b) for c in wanted_commands for b in brand_ids}
    mine = SmsCommand.objects.filter(account=account, template=template)
    stale = [
        pk
        for pk, c, b in mine.values_list("pk", "command", "brand_id")
        if (c, b) not in wanted
    ]
    SmsCommand.objects.filter(pk__in=stale).delete()
    existing = set(mine.values_list("command", "brand_id"))
    try:
        with transaction.atomic():
            SmsCommand.objects.bulk_create(
                [
                    SmsCommand(
                        account=account, command=c, brand_id=b, template=template
                    )
                    for c, b in sorted(
                        wanted - existing, key=lambda cb: (cb[0], cb[1] or 0)
                    )
                ]
            )
    except IntegrityError:
        raise ValidationError(
            {
                "commands": _("指令已被其他模板同时绑定,请刷新后重试(账号 %(account)s)")
                % {"account": account.code}
            }
        )
    return list(mine.order_by("command", "brand__code"))


def sync_command_bindings(template):
    """Bind the template's own ``commands`` (for its brands) on the account serving its organisation."""
    from content.services.sms import rules_for

    account = rules_for(template).account
    # A template moved to an organisation served by another account leaves the old one.
    stale = SmsCommand.objects.filter(template_id=template.pk)
    stale = stale.exclude(account=account) if account is not None else stale
    stale.delete()
    if account is None:
        return []
    return bind_commands(template, account, template.commands)
