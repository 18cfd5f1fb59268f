"""Signal handlers: they only schedule jobs after commit, passing ids."""

from publishing.services.dispatch import enqueue


def definition_published(sender, instance, **kwargs):
    """A published definition obtains its template id on each of its accounts."""
    from notices.tasks import bind_definition

    enqueue(bind_definition, instance.pk)


def template_send_finished(sender, app_id, msg_id, status, **kwargs):
    from notices.tasks import record_outcome

    enqueue(record_outcome, app_id, str(msg_id), str(status))
