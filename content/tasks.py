"""Periodic content work run by Celery beat (with a broker) or cron (without)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.management import call_command

# A run armed for a go-live time starts this much after it: Wagtail publishes what is
# strictly past due, and a worker's timer may fire a few milliseconds early.
ARMED_MARGIN = timedelta(seconds=0.2)
# ``arm(seconds)`` of the apps that start work ahead of a go-live time (releases: a
# scheduled release is prepared before its time), registered in their ready().
ARMERS = []


@shared_task(name="content.publish_scheduled", ignore_result=True)
def publish_scheduled(arm=True):
    """Wagtail's scheduled go-lives and expiries, for every snippet model with drafts:
    the same work as ``manage.py publish_scheduled``. Beat's run (``arm``) also arms a
    run at each go-live due before its next one, so none waits up to a whole tick."""
    call_command("publish_scheduled")
    if arm:
        arm_due(settings.CONTENT_PUBLISH_SCHEDULED_SECONDS)


def arm_due(seconds):
    """Send a run (one that arms nothing) for each go-live time in the next ``seconds``;
    then each of ``ARMERS`` sends what it starts ahead of those times."""
    from content.services.scheduled import due_within

    for when in due_within(seconds):
        publish_scheduled.apply_async(kwargs={"arm": False}, eta=when + ARMED_MARGIN)
    for arm in ARMERS:
        arm(seconds)
