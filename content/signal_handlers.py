"""Signal handlers of the content app, wired in ContentConfig.ready()."""

import logging

from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)


def approval_workflow_after_migrate(sender, **kwargs):
    # Runs once per migrate, after the content app's post_migrate (its tables
    # and Wagtail's exist by then).
    if getattr(sender, "label", None) != "content":
        return
    from content.workflows import ensure_approval_workflow

    ensure_approval_workflow()


def bind_published_commands(sender, instance, **kwargs):
    """A published SMS template answers its commands on the serving account."""
    from content.services.sms import sync_command_bindings

    try:
        sync_command_bindings(instance)
    except ValidationError as e:
        # Validation at save time reserves the commands, so a clash here means a
        # concurrent edit won; the published text still stands, the clash is logged.
        logger.error("SMS template %s published with unbound commands: %s", instance.code, e.messages)


def register():
    from django.db.models.signals import post_migrate
    from wagtail.signals import published

    from content.models import SmsTemplate

    post_migrate.connect(approval_workflow_after_migrate, dispatch_uid="content.approval_workflow")
    published.connect(bind_published_commands, sender=SmsTemplate, dispatch_uid="content.bind_sms_commands")
