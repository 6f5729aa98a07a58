#!/usr/bin/env bash
# Start a local Redis (Debian redis-server) on 127.0.0.1:${REDIS_PORT:-6379}, no persistence, for
# the Redis + PostgreSQL outbox test (tests/jobs/test_worker_crash.py). Idempotent.
set -euo pipefail
PORT=${REDIS_PORT:-6379}
if redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; then
  echo "==> Redis on 127.0.0.1:$PORT"
  exit 0
fi
command -v redis-server >/dev/null || { echo "redis.sh: redis-server is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
  --logfile "${TMPDIR:-/tmp}/dangjian-redis-$PORT.log" --pidfile "${TMPDIR:-/tmp}/dangjian-redis-$PORT.pid" >/dev/null
for _ in $(seq 50); do
  redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG && { echo "==> Redis on 127.0.0.1:$PORT"; exit 0; }
  sleep 0.1
done
echo "redis.sh: Redis did not answer on 127.0.0.1:$PORT" >&2
exit 1
