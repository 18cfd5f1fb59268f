#!/usr/bin/env bash
# The image's entrypoint: one role per container (docs/operations.md, "Containers").
#   migrate   apply migrations (once per upgrade, before web/worker/beat restart)
#   check     Django's system checks with the deployment checklist
#   web       gunicorn on 0.0.0.0:8000
#   worker    a Celery worker (no beat)
#   beat      Celery beat, its state under /var/lib/cms (one per cluster)
#   anything else runs as given (e.g. `python manage.py createsuperuser`)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cms.settings.production}
case "${1:-web}" in
  migrate) exec "$PY" manage.py migrate --noinput ;;
  check) exec "$PY" manage.py check --deploy --fail-level ERROR ;;
  web) exec "$PY" -m gunicorn cms.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_WORKERS:-3}" \
         --graceful-timeout 30 --timeout 60 ;;
  worker) exec "$PY" -m celery -A cms worker --pool threads --concurrency "${WORKER_CONCURRENCY:-8}" --loglevel INFO ;;
  beat) exec "$PY" -m celery -A cms beat --schedule "${BEAT_SCHEDULE:-/var/lib/cms/celerybeat-schedule}" --loglevel INFO ;;
  *) exec "$@" ;;
esac
