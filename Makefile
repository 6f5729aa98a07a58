# 智慧党建 — the two commands of DEVELOPERS.md.
#   make demo   install what is missing, migrate, load the county demo data once, serve on 127.0.0.1:8000
#   make test   install what is missing, then the whole check (SQLite, PostgreSQL, browser, deploy, lint)
.PHONY: setup demo test pg

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh

test: setup
	@bash scripts/run_tests.sh

pg:
	@bash scripts/pg.sh
