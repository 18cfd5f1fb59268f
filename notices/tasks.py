"""Celery tasks of template messages: thin wrappers over the services, given ids
only, acknowledged late (a send a dead worker held runs again; WeChat drops the
duplicate by its client_msg_id)."""

from celery import shared_task

JOB = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="notices.bind_definition", **JOB)
def bind_definition(definition_id):
    from notices.binding import bind_definition as bind

    return bind(definition_id)


@shared_task(name="notices.deliver", **JOB)
def deliver(send_id):
    from notices.delivery import deliver as run

    return run(send_id)


@shared_task(name="notices.record_outcome", **JOB)
def record_outcome(app_id, msg_id, status, tries=0):
    from notices.delivery import record_outcome as record

    return record(app_id, msg_id, status, tries)


@shared_task(name="notices.sweep", ignore_result=True)
def sweep():
    from notices.delivery import sweep as run

    return run()
