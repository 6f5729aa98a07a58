#!/usr/bin/env bash
# Refresh the zh_Hans message catalogs: the project catalog (dangjian/locale) and each app that
# keeps its own (dangjian/<app>/locale). Then translate the new msgids and run it again with
# --compile. tests/core/test_translations.py fails on an untranslated or fuzzy entry.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$PWD/.venv/bin/python
export DJANGO_SETTINGS_MODULE=dangjian.settings.test
own=()
for d in dangjian/*/locale; do
  app=${d%/locale}
  own+=("--ignore=$app" "--ignore=dangjian/templates/${app#dangjian/}")
done
if [[ ${1:-} != --compile ]]; then
  "$PY" manage.py makemessages -l zh_Hans --no-obsolete --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=bench "${own[@]}" -v 0
  # accounts keeps templates in dangjian/templates/accounts: its catalog is edited by hand
  for d in dangjian/*/locale; do
    [[ $d == dangjian/accounts/locale ]] && continue
    (cd "${d%/locale}" && "$PY" "$OLDPWD/manage.py" makemessages -l zh_Hans --no-obsolete -v 0)
  done
fi
"$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
