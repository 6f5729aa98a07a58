#!/usr/bin/env bash
# The whole check, as `make test` runs it (after scripts/setup.sh):
#   1. pytest on SQLite            4. manage.py check --deploy (production settings)
#   2. pytest on PostgreSQL 15     5. makemigrations --check
#   3. browser tests (e2e)         6. ruff
#                                  7. import contracts (lint-imports: layers, no app cycle)
# Every step runs even when an earlier one failed; the summary at the end names the failures
# and the exit status is non-zero if any step failed. pytest exit 5 ("no tests collected") is a
# failure, except for the e2e step while tests/e2e holds no test_*.py files.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1

LOGDIR=$(mktemp -d -t dangjian-tests.XXXXXX)
declare -a NAMES=() RESULTS=() TIMES=() DETAILS=()
failed=0

record() { # name rc seconds detail
  NAMES+=("$1"); TIMES+=("$3"); DETAILS+=("$4")
  if [[ $2 == 0 ]]; then RESULTS+=("ok"); else RESULTS+=("FAIL"); failed=1; fi
}

pytest_summary() { # last "N passed, ..." line of a pytest log
  grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped|deselected)|no tests ran' "$1" | tail -1 | sed -E 's/^=+ //; s/ =+$//; s/ in [0-9.]+s.*$//'
}

run_pytest() { # name allow_empty(0|1) env... -- pytest args...
  local name=$1 allow_empty=$2; shift 2
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done; shift
  local log="$LOGDIR/${name// /_}.log" start=$SECONDS rc
  printf '\n==> %s: pytest' "$name"; printf ' %q' "$@"; printf '\n'
  env "${envs[@]}" "$PY" -m pytest "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local detail; detail=$(pytest_summary "$log")
  if [[ $rc == 5 && $allow_empty == 1 ]]; then
    rc=0; detail="no e2e tests yet (tests/e2e has no test_*.py)"
  elif [[ $rc == 5 ]]; then
    detail="no tests collected (exit 5)"
  elif [[ $rc != 0 ]]; then
    detail="${detail:-pytest exit $rc} (exit $rc)"
  fi
  record "$name" "$rc" $((SECONDS - start)) "$detail"
}

run_cmd() { # name command...
  local name=$1; shift
  local log="$LOGDIR/${name// /_}.log" start=$SECONDS rc
  printf '\n==> %s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local detail; detail=$(grep -v '^\s*$' "$log" | tail -1 | cut -c1-100)
  record "$name" "$rc" $((SECONDS - start)) "$detail"
}

total_start=$SECONDS

# 1. SQLite (in-memory test database)
run_pytest "pytest sqlite" 0 DANGJIAN_DB=sqlite -- -q -m "not e2e"

# 2. PostgreSQL 15
# (with a local Redis for the Redis + PostgreSQL worker-crash test, tests/jobs/test_worker_crash.py)
pg_start=$SECONDS
bash scripts/redis.sh || echo "run_tests.sh: Redis did not start; the Redis + PostgreSQL outbox test will fail"
if bash scripts/pg.sh; then
  run_pytest "pytest postgres" 0 DANGJIAN_DB=postgres PGHOST=127.0.0.1 PGPORT=5432 PGUSER=dangjian PGPASSWORD=dangjian \
    PGDATABASE="${DANGJIAN_TEST_PGDATABASE:-dangjian}" DANGJIAN_REQUIRE_REDIS=1 \
    DANGJIAN_TEST_REDIS_URL="${DANGJIAN_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}" -- -q -m "not e2e"
else
  record "pytest postgres" 1 $((SECONDS - pg_start)) "scripts/pg.sh could not start PostgreSQL"
fi

# 3. Browser tests (Playwright + Debian chromium)
e2e_empty=1
[[ -n $(find tests/e2e -name 'test_*.py' -print -quit 2>/dev/null) ]] && e2e_empty=0
run_pytest "pytest e2e" "$e2e_empty" DANGJIAN_DB=sqlite -- -q -m e2e

# 4. Deployment checklist with the production profile
deploy_var=$(mktemp -d -t dangjian-deploy.XXXXXX)
run_cmd "check --deploy" env DJANGO_SETTINGS_MODULE=dangjian.settings.production \
  DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  DANGJIAN_HOSTS=dangjian.example.org DANGJIAN_VAR_DIR="$deploy_var" \
  "$PY" manage.py check --deploy --fail-level WARNING
rm -rf "$deploy_var"

# 5. Models and migrations agree
run_cmd "makemigrations --check" env DJANGO_SETTINGS_MODULE=dangjian.settings.test \
  "$PY" manage.py makemigrations --check --dry-run

# 6. Lint
run_cmd "ruff" .venv/bin/ruff check .

# 7. Walls between the apps ([tool.importlinter] in pyproject.toml; docs/decisions.md §33)
run_cmd "import contracts" .venv/bin/lint-imports --no-cache

# --- summary ------------------------------------------------------------------------------
printf '\n%s\n' "==================== make test summary ===================="
for i in "${!NAMES[@]}"; do
  printf '%-4s  %-24s %5ss  %s\n' "${RESULTS[$i]}" "${NAMES[$i]}" "${TIMES[$i]}" "${DETAILS[$i]}"
done
printf '%s\n' "------------------------------------------------------------"
# One closing line over every pytest run (the plain "N passed, N failed" form CI reads); a step
# that failed outside pytest (deploy check, migrations, lint) counts as one failure.
sum_of() { for f in "$LOGDIR"/pytest_*.log; do [[ -f $f ]] && pytest_summary "$f"; done | grep -oE "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
n_passed=$(sum_of passed); n_failed=$(( $(sum_of failed) + $(sum_of error) ))
for i in "${!NAMES[@]}"; do
  [[ ${NAMES[$i]} != pytest* && ${RESULTS[$i]} == FAIL ]] && n_failed=$((n_failed + 1))
done
if ((failed)); then
  printf 'FAILED (%ss); logs in %s\n' $((SECONDS - total_start)) "$LOGDIR"
  printf 'tests: %s passed, %s failed\n' "$n_passed" "$n_failed"
  exit 1
fi
printf 'ALL PASSED (%ss)\n' $((SECONDS - total_start))
printf 'tests: %s passed, %s failed\n' "$n_passed" "$n_failed"
rm -rf "$LOGDIR"
