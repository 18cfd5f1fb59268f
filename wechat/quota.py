"""Accounts paused on WeChat's daily quota (45009).

Hammering an exhausted quota only fails more calls and can get an account
restricted, so the first 45009 pauses every WeChat call of the account until the
quota resets (midnight Beijing time), logs an error and sends
``daily_quota_exceeded`` for dashboards and alerts. Jobs check ``paused_until``
before they start; the client refuses calls of a paused account without sending."""

import logging
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.dispatch import Signal

from .models import AccountPause

log = logging.getLogger("wechat.alerts")

# Sent with app_id, endpoint, paused_until, reason.
daily_quota_exceeded = Signal()

BEIJING = ZoneInfo("Asia/Shanghai")
# Workers look the pause up at most this often per account.
CHECK_INTERVAL = 5.0

_checked = {}
_checked_lock = threading.Lock()


def quota_reset_after(moment):
    """The next midnight in Beijing after ``moment``: when WeChat resets daily quotas."""
    local = moment.astimezone(BEIJING)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def pause_account(app_id, endpoint, reason, now=None):
    """Pause the account's WeChat calls until its quota resets; alert once."""
    until = quota_reset_after(now or datetime.now(BEIJING))
    record_pause(app_id, until, endpoint, reason)
    log.error("WeChat daily quota exhausted: account %s on %s (%s); paused until %s", app_id, endpoint, reason, until)
    daily_quota_exceeded.send(sender=AccountPause, app_id=app_id, endpoint=endpoint, paused_until=until, reason=reason)
    return until


def record_pause(app_id, until, endpoint, reason):
    """Store a pause without alerting again (e.g. after a rolled-back transaction lost it)."""
    AccountPause.objects.update_or_create(
        app_id=app_id, defaults={"paused_until": until, "endpoint": endpoint, "reason": reason[:255]}
    )
    _forget(app_id)


def resume_account(app_id):
    """Lift a pause early (e.g. after WeChat's clear_quota)."""
    AccountPause.objects.filter(app_id=app_id).delete()
    _forget(app_id)


def paused_until(app_id):
    """When the account's pause ends, or None if it is not paused (memoised briefly)."""
    now = time.monotonic()
    with _checked_lock:
        cached = _checked.get(app_id)
    if cached and now - cached[0] < CHECK_INTERVAL:
        until = cached[1]
    else:
        until = AccountPause.objects.filter(app_id=app_id).values_list("paused_until", flat=True).first()
        with _checked_lock:
            _checked[app_id] = (now, until)
    if until and until > datetime.now(BEIJING):
        return until
    return None


def _forget(app_id):
    with _checked_lock:
        _checked.pop(app_id, None)
