"""gunicorn's configuration: `gunicorn -c cms/gunicorn.conf.py cms.wsgi:application`.

Access and error lines go to standard output in the project's format (cms/logs.py:
UTC time with zone, level, logger, process, request id; LOG_FORMAT=json alike), so
gunicorn's own lines, its access log and Django's lines read the same. Command-line
options (-w, -b) still override what is set here."""

import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cms.logs import logging_config  # noqa: E402 (the checkout on the path first)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Behind the proxy: trust its X-Forwarded-* from the local host only (gunicorn's default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
# Client, request line, status, bytes, milliseconds, referrer, user agent, and the
# request id the app returned (the same id its own lines of the request carry).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "text"))
