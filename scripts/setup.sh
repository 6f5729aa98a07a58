#!/usr/bin/env bash
# Idempotent setup: Debian packages, Python venv, front-end packages, compiled messages.
# Safe to run again and again; every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 npm_config_fund=false npm_config_audit=false

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }
quiet() { # run a command; show its output only if it fails
  local log rc=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || rc=$?
  if ((rc)); then cat "$log" >&2; rm -f "$log"; die "failed ($rc): $*"; fi
  rm -f "$log"
}

# --- Debian packages --------------------------------------------------------------------
# "package probe": the probe (a command name or an absolute path) proves the package is there.
APT_WANTED=(
  "postgresql-15 /usr/lib/postgresql/15/bin/postgres"
  "postgresql-common /usr/bin/pg_ctlcluster"
  "chromium /usr/bin/chromium"
  "fonts-noto-cjk /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
  "gettext msgfmt"
  "make make"
  "nodejs node"
  "npm npm"
  "redis-server redis-server"
  "libpango-1.0-0 /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0"
  "libpangoft2-1.0-0 /usr/lib/x86_64-linux-gnu/libpangoft2-1.0.so.0"
)
# Debian's python3 needs python3-venv for `python3 -m venv` (a pyenv/other python has it built in).
if [[ $(readlink -f "$(command -v python3 || echo /usr/bin/python3)") == /usr/bin/python3* ]]; then
  APT_WANTED+=("python3-venv /usr/lib/python3.11/ensurepip/__init__.py")
fi
missing=()
for item in "${APT_WANTED[@]}"; do
  read -r pkg probe <<<"$item"
  if [[ $probe == /* ]]; then [[ -e $probe ]] && continue; else command -v "$probe" >/dev/null 2>&1 && continue; fi
  missing+=("$pkg")
done
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing Debian packages (${missing[*]}); run as root or install them"
  say "apt-get install ${missing[*]}"
  quiet apt-get update -qq
  quiet apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Python -----------------------------------------------------------------------------
PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  say "python venv .venv ($($PY --version))"
  rm -rf .venv
  "$PY" -m venv .venv
fi
req_stamp=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [[ $(cat .venv/.requirements-stamp 2>/dev/null) != "$req_stamp" ]]; then
  say "pip install -r requirements-dev.txt"
  quiet .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$req_stamp" > .venv/.requirements-stamp
fi

# --- front-end packages (npm) -> dangjian/static/vendor ---------------------------------
if [[ ! -f package-lock.json ]]; then
  say "npm install (creating package-lock.json)"
  quiet npm install --no-fund --no-audit --loglevel=error
fi
lock_stamp=$(sha256sum package-lock.json | cut -c1-16)
if [[ $(cat node_modules/.dangjian-stamp 2>/dev/null) != "$lock_stamp" ]]; then
  say "npm ci"
  quiet npm ci --no-fund --no-audit --loglevel=error
  echo "$lock_stamp" > node_modules/.dangjian-stamp
fi
VENDOR=dangjian/static/vendor
mkdir -p "$VENDOR"
copy() { # src dest: copy only when different
  [[ -f $1 ]] || die "npm package file missing: $1"
  cmp -s "$1" "$VENDOR/$2" 2>/dev/null || cp "$1" "$VENDOR/$2"
}
# A file that names its source map (`sourceMappingURL=`) needs that map next to it: the production
# storage (ManifestStaticFilesStorage) rewrites the reference to the hashed map and fails the whole
# collectstatic when the map is missing (issue 10 item 10; docs/decisions.md). Copy maps unchanged.
copy node_modules/@tabler/core/dist/css/tabler.min.css tabler.min.css
copy node_modules/@tabler/core/dist/css/tabler.min.css.map tabler.min.css.map
copy node_modules/@tabler/core/dist/js/tabler.min.js tabler.min.js
copy node_modules/@tabler/core/dist/js/tabler.min.js.map tabler.min.js.map
copy node_modules/htmx.org/dist/htmx.min.js htmx.min.js
copy node_modules/alpinejs/dist/cdn.min.js alpine.min.js
copy node_modules/echarts/dist/echarts.min.js echarts.min.js
for f in "$VENDOR"/*.css "$VENDOR"/*.js; do # every map a vendored file names is vendored too
  map=$(grep -aoE 'sourceMappingURL=[^ *]+' "$f" | tail -1 | cut -d= -f2-) || true
  [[ -z $map || $map == data:* || -f $VENDOR/$map ]] || die "$f names the source map $map, which setup does not copy"
done

# --- translations -----------------------------------------------------------------------
if find dangjian -name '*.po' -path '*/locale/*' -print -quit | grep -q .; then
  DJANGO_SETTINGS_MODULE=dangjian.settings.test .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
fi

mkdir -p var
say "setup done"
