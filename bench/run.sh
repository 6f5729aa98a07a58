#!/usr/bin/env bash
# Province-scale benchmarks on PostgreSQL (see bench/README.md).
#   bash bench/run.sh                 start PG, create + migrate dangjian_bench, load once, run both benchmarks
#   FRACTION=0.25 bash bench/run.sh   load a quarter of the cities instead (faster)
# The load runs only into an empty database; drop it to reload: su postgres -c "dropdb dangjian_bench"
set -euo pipefail
cd "$(dirname "$0")/.."
export DANGJIAN_DB=postgres PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGDATABASE=${PGDATABASE:-dangjian_bench}
export PGUSER=${PGUSER:-dangjian} PGPASSWORD=${PGPASSWORD:-dangjian} DJANGO_SETTINGS_MODULE=dangjian.settings.dev
PY=.venv/bin/python

bash scripts/pg.sh
"$PY" manage.py migrate --noinput -v 0
if "$PY" manage.py shell -c 'from dangjian.core.models import Organization; raise SystemExit(0 if Organization.objects.exists() else 1)'; then
  echo "==> $PGDATABASE already loaded"
else
  echo "==> loading the province (fraction ${FRACTION:-1.0}); progress below"
  "$PY" -u manage.py demo_data --scale province --fraction "${FRACTION:-1.0}"
fi
echo "==> bench/member_list.py"
"$PY" bench/member_list.py "$@"
echo "==> bench/rollup_counts.py"
"$PY" bench/rollup_counts.py "$@"
