"""Signals of the change log, for listeners that act on new versions (caches, webhooks)."""

from django.dispatch import Signal

# Sent after commit once change rows are written.
# kwargs: changes (list of publishing.changes.models.Change, version order).
changes_recorded = Signal()
