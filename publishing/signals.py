"""Signals publishing sends (WeChat's publish-job event is declared by its sender, callback.signals)."""

from django.dispatch import Signal

# Sent (after commit) when a publication reaches done, failed or cancelled.
# kwargs: publication_id, state.
publication_finished = Signal()
