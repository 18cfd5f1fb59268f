"""Celery task of the import: completes the side effects committed imports owe
(``importing.outbox``); queued after each import commits and run by beat."""

from celery import shared_task

from importing import outbox


@shared_task(name="importing.complete_side_effects", ignore_result=True)
def complete_side_effects():
    return outbox.drain()
