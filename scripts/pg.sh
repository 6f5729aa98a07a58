#!/usr/bin/env bash
# Start PostgreSQL 15 (Debian cluster 15/main) on 127.0.0.1:5432 with a `dangjian` role.
# Root cannot run postgres itself: Debian's pg_ctlcluster switches to the postgres user.
# Idempotent. Role `dangjian` is LOGIN SUPERUSER because pytest-django creates test databases.
set -euo pipefail
VER=15 CLUSTER=main PORT=${PGPORT:-5432}
PGUSER_NAME=${PGUSER:-dangjian} PGPASS=${PGPASSWORD:-dangjian} PGDB=${PGDATABASE:-dangjian}

say() { printf '==> %s\n' "$*"; }

if ! pg_lsclusters -h 2>/dev/null | awk -v v=$VER -v c=$CLUSTER '$1==v && $2==c {f=1} END {exit !f}'; then
  say "pg_createcluster $VER $CLUSTER (port $PORT)"
  pg_createcluster --port="$PORT" $VER $CLUSTER -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi
conf=/etc/postgresql/$VER/$CLUSTER/postgresql.conf
port=$(pg_conftool -s $VER $CLUSTER "$conf" show port 2>/dev/null || echo "$PORT")
if [[ $port != "$PORT" ]]; then
  pg_conftool $VER $CLUSTER "$conf" set port "$PORT"
  pg_ctlcluster $VER $CLUSTER stop 2>/dev/null || true
fi
status=$(pg_lsclusters -h | awk -v v=$VER -v c=$CLUSTER '$1==v && $2==c {print $4}')
if [[ $status != online ]]; then
  say "pg_ctlcluster $VER $CLUSTER start"
  pg_ctlcluster $VER $CLUSTER start
fi
for _ in $(seq 60); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "pg.sh: PostgreSQL is not accepting connections on 127.0.0.1:$PORT" >&2; exit 1; }

# The superuser psql connects over the local socket as postgres to the postgres database: the caller's
# PGDATABASE/PGHOST/PGUSER/... (meant for the application role, and naming a database that may not exist
# yet) must not reach it, or its checks connect to the missing database and the script exits.
psql_su() { env -u PGDATABASE -u PGHOST -u PGHOSTADDR -u PGUSER -u PGPASSWORD -u PGSERVICE -u PGOPTIONS \
  su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PORT -d postgres $*"; }
if [[ $(psql_su "-Atc \"SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'\"") != 1 ]]; then
  say "create role $PGUSER_NAME"
  psql_su "-c \"CREATE ROLE $PGUSER_NAME LOGIN SUPERUSER PASSWORD '$PGPASS'\""
elif ! PGPASSWORD=$PGPASS psql -X -q -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
  say "reset role $PGUSER_NAME"
  psql_su "-c \"ALTER ROLE $PGUSER_NAME LOGIN SUPERUSER PASSWORD '$PGPASS'\""
fi
if [[ $(psql_su "-Atc \"SELECT 1 FROM pg_database WHERE datname='$PGDB'\"") != 1 ]]; then
  say "create database $PGDB"
  psql_su "-c \"CREATE DATABASE $PGDB OWNER $PGUSER_NAME ENCODING 'UTF8' TEMPLATE template0\""
fi
PGPASSWORD=$PGPASS psql -X -q -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" -d "$PGDB" -Atc 'SELECT 1' >/dev/null
say "PostgreSQL $VER on 127.0.0.1:$PORT (role $PGUSER_NAME, database $PGDB)"
