"""Re-checking the templates an SMS account serves after its rules change.

An account's signature, opt-out text and segment limit are part of every template
it sends (``sms.account_rule_problems``). Changing them is saved, never refused:
a signature change is usually mandated and cannot wait for every branch to
shorten its texts; instead the templates that now break are listed (admin page
after saving, ``manage.py sms_recheck``) for their owners to fix. Listed
templates keep answering until fixed. The stored rows are checked: what is live,
and templates never published."""

from dataclasses import dataclass

from content.models import SmsTemplate
from content.services.sms import (
    _rules_of,
    account_rule_problems,
    parse_declarations,
    rules_for_organisations,
)

RULE_FIELDS = ("signature", "opt_out_text", "max_segments")


@dataclass(frozen=True)
class BrokenTemplate:
    template: SmsTemplate
    problems: list


def rules_changed(before, account):
    """True when ``account``'s rule fields differ from ``before`` ({field: value})."""
    return any(before.get(name) != getattr(account, name) for name in RULE_FIELDS)


def rule_values(account):
    return {name: getattr(account, name) for name in RULE_FIELDS}


def served_organisations(account):
    """Ids of the organisations whose templates ``account`` sends (it is their nearest
    enabled SMS account), two queries."""
    return sorted(
        org_id
        for org_id, rules in rules_for_organisations().items()
        if rules.account is not None and rules.account.pk == account.pk
    )


def broken_templates(account, templates=None):
    """Every template ``account`` serves that its rules, as they are on the instance
    (saved or not: a proposed change can be tried), break; three queries whatever
    the number of templates. ``templates`` narrows the queryset (isolation)."""
    rules = _rules_of(account)
    qs = SmsTemplate.objects.all() if templates is None else templates
    qs = (
        qs.filter(organisation_id__in=served_organisations(account))
        .select_related("organisation")
        .order_by("code")
    )
    out = []
    for template in qs.iterator(chunk_size=2000):
        params, problems = parse_declarations(template.parameters)
        found = account_rule_problems(template, rules, None if problems else params)
        if found:
            out.append(BrokenTemplate(template, found))
    return out
