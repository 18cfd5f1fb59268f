"""Publishing editorial records the way the admin does, inside tests that never commit."""

from django.test import TestCase

from content.models import SmsCommand


def committed():
    """Run the on-commit callbacks (change log, renditions, reply tables) at the end of the block."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def publish(item):
    """Save a revision of ``item`` and publish it; ``item`` is reloaded from the live row."""
    with committed():
        item.save_revision().publish()
    item.refresh_from_db()
    return item


def unpublish(item):
    with committed():
        item.unpublish()
    item.refresh_from_db()
    return item


def bind_command(account, command, template, brand=None):
    """Bind a command on an account for ``brand`` (None: the default reply; publishing
    a template binds its own commands already)."""
    with committed():
        return SmsCommand.objects.update_or_create(
            account=account, command=command, brand=brand, defaults={"template": template}
        )[0]


def account_form(account, **changes):
    """The channel account's admin edit form as a browser posts it (every required
    field with its stored value), with ``changes``; secrets left blank keep theirs."""
    data = {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "organisation": account.organisation_id,
        "app_id": account.app_id,
        "service_number": account.service_number,
        "signature": account.signature,
        "opt_out_text": account.opt_out_text,
        "max_segments": account.max_segments,
        "official_kind": account.official_kind,
        "enabled": "on" if account.enabled else "",
    }
    return {**data, **changes}
