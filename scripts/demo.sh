#!/usr/bin/env bash
# `make demo`: migrate, load the county demo data into an empty database, collect static files
# (DEBUG is off, WhiteNoise serves STATIC_ROOT) and run gunicorn on 127.0.0.1:8000 with a background
# worker (manage.py run_worker) beside it; both stop together.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-dangjian.settings.dev}
PY=.venv/bin/python
BIND=${DANGJIAN_BIND:-127.0.0.1:8000}

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py createcachetable -v 0
if "$PY" manage.py shell -v 0 --no-imports -c 'from dangjian.demo.generator import database_is_empty; raise SystemExit(0 if database_is_empty() else 1)'; then
  echo "==> empty database: manage.py demo_data --scale county"
  "$PY" manage.py demo_data --scale county
else
  echo "==> the database already holds data: demo accounts as printed when it was loaded (\`manage.py demo_data --reset\` reloads)"
fi
"$PY" manage.py collectstatic --noinput -v 0
# The background worker (outbox delivery, exports, periodic jobs) runs beside gunicorn and stops with it.
"$PY" manage.py run_worker --workers 2 &
WORKER_PID=$!
stop_worker() { kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; }
trap stop_worker EXIT
trap 'exit 130' INT TERM
echo "==> background worker started (pid $WORKER_PID)"
echo "==> 智慧党建 demo: http://${BIND}/   (Ctrl-C stops it)"
.venv/bin/gunicorn dangjian.wsgi -b "$BIND" -w 2 --access-logfile - --error-logfile -
