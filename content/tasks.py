"""Periodic content work run by Celery beat (with a broker) or cron (without)."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="content.publish_scheduled", ignore_result=True)
def publish_scheduled():
    """Wagtail's scheduled go-lives and expiries, for every snippet model with drafts:
    the same work as ``manage.py publish_scheduled``."""
    call_command("publish_scheduled")
