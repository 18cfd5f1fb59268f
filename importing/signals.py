"""Signals of the legacy import.

Records are written in bulk, so Wagtail's per-record ``published`` signal is not
sent for them; receivers that rebuild derived data (bundles, caches) listen here.
kwargs: report (the ImportReport of the committed run) and changed ({model: set of
primary keys created or updated}; menus publish through the menus app, which
signals its own versions)."""

from django.dispatch import Signal

legacy_import_finished = Signal()
