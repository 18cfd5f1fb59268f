"""Signals that connect the parts of publishing without importing each other."""

from django.dispatch import Signal

# Sent by the WeChat callback when WeChat reports a freepublish job's outcome
# (the PUBLISHJOBFINISH event). kwargs: app_id, publish_id, status (int, 0 = published),
# article_id (str or ""), fail_idx (list of ints).
publish_job_finished = Signal()

# Sent (after commit) when a publication reaches done, failed or cancelled.
# kwargs: publication_id, state.
publication_finished = Signal()
