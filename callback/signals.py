"""Signals the WeChat callback sends (receivers live in the apps above it)."""

from django.dispatch import Signal

# Sent when WeChat reports a freepublish job's outcome (the PUBLISHJOBFINISH event).
# kwargs: app_id, account_code, publish_id, status (int, 0 = published), article_id
# (str or ""), fail_idx (list of ints), article_urls (list of str).
publish_job_finished = Signal()

# Sent when WeChat reports the end of a mass send (the MASSSENDJOBFINISH event).
# kwargs: app_id, account_code, msg_id (str), status (str: "send success", "send fail"
# or "err(<code>)"), total_count, filter_count, sent_count, error_count (ints).
mass_send_finished = Signal()

# Sent when WeChat reports a template message's delivery (the TEMPLATESENDJOBFINISH event).
# kwargs: app_id, account_code, openid, msg_id (str), status (WeChat's text: "success",
# "failed:user block", "failed: system failed").
template_send_finished = Signal()
