"""/healthz answers while the process is up (liveness); /readyz answers 200 only when
every dependency of cms/readiness.py answered within HEALTH_CHECK_TIMEOUT_SECONDS,
else 503 naming what failed (readiness).

Each check runs in a thread of its own and the answer is whatever finished by the
deadline: a hanging S3 or Redis makes its check fail, not the request hang. A check
still running from an earlier round is not started again (no pile of stuck threads).
The answer is kept HEALTH_CACHE_SECONDS, so probes from every balancer cost one round.
Which check failed and why is shown to operators only: a staff session, an API token,
or a direct request from this host (not through a proxy); others get the status."""

import threading
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cms import readiness

LOCAL_ADDRESSES = {"127.0.0.1", "::1"}

_lock = threading.Lock()
_answer = {"until": 0.0, "checks": None}
_running = {}  # check name -> its thread, while it runs


def _run(check, box):
    started = time.monotonic()
    try:
        detail = check()
    except readiness.NotReady as exc:
        box.update(ok=False, error=str(exc))
    except Exception as exc:  # a driver's message may carry a URL with credentials: its type is enough
        box.update(ok=False, error=type(exc).__name__)
    else:
        box.update(ok=True, detail=detail)
    finally:
        box["ms"] = round((time.monotonic() - started) * 1000, 1)
        connections.close_all()  # this thread's connections only


def run_checks():
    """{name: {"ok", "detail" | "error", "ms"}} for every check, within the deadline."""
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    started, results = {}, {}
    for name, check in readiness.CHECKS.items():
        earlier = _running.get(name)
        if earlier is not None and earlier.is_alive():
            results[name] = {"ok": False, "error": "still running since an earlier check (hanging)"}
            continue
        box = {}
        thread = threading.Thread(target=_run, args=(check, box), name=f"readyz-{name}", daemon=True)
        thread.start()
        _running[name] = thread
        started[name] = (thread, box)
    deadline = time.monotonic() + timeout
    for name, (thread, box) in started.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            results[name] = {"ok": False, "error": f"no answer within {timeout:g} s", "ms": timeout * 1000}
        else:
            results[name] = box
    return {name: results[name] for name in readiness.CHECKS}


def current_checks():
    with _lock:
        if _answer["checks"] is None or time.monotonic() >= _answer["until"]:
            _answer["checks"] = run_checks()
            _answer["until"] = time.monotonic() + settings.HEALTH_CACHE_SECONDS
        return _answer["checks"]


def forget():
    """Drop the kept answer (tests; the next request checks again)."""
    with _lock:
        _answer["checks"] = None


def is_operator(request):
    if request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES and "HTTP_X_FORWARDED_FOR" not in request.META:
        return True
    try:
        from cms.callers.principal import bearer_token, principal_for_token

        token = bearer_token(request)
        if token is not None:
            principal_for_token(token)
            return True
        return request.user.is_active and request.user.is_staff
    except Exception:  # a bad token, or the database is away: no details
        return False


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = current_checks()
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "failing" if failing else "ok"}
    if is_operator(request):
        body.update(failing=failing, checks=checks)
    return JsonResponse(body, status=503 if failing else 200)
