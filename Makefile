# Engagements — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: install demo test lint format bench bench-smoke clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# Installs, migrates the database (SQLite, or DATABASE_URL when set), loads the demo data
# (kept on a second run) and serves on http://127.0.0.1:$(PORT) (`make demo PORT=8001`; 8000
# by default) with the job worker beside the
# web server. var/demo.env switches manage.py to the demo settings (DEBUG, a demo secret
# key), so every command of the README then runs as printed.
demo: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: install
	mkdir -p var && printf 'ENGAGEMENTS_DEMO=1\n' > var/demo.env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT) (agents: http://127.0.0.1:$(PORT)/agents/) — Ctrl-C to stop"
	@echo "E-mails sent by the demo are written to var/mail/, SMS to var/sms.log"
	$(BIN)/python manage.py qcluster & QCLUSTER=$$!; \
	$(BIN)/python manage.py outbox_worker & OUTBOX=$$!; \
	trap 'kill $$QCLUSTER $$OUTBOX 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: PostgreSQL when DATABASE_URL points to it, SQLite otherwise; one worker
# per core (pytest-xdist: each worker has its own test database and temporary folders).
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks on PostgreSQL (not part of `make test`): the booking rush behind gunicorn, the
# indicators dashboard over a million messages, figures, search and survey results (`make
# bench SCALE=1000000` for a million messages), a 100,000-line register import followed at
# once by its report, the stored values' recompute. Each is measured against /healthz or a
# hand SQL query in the same run.
SCALE ?= 100000
# The national benchmark: 100 prefectures, 10 M messages, 2 M bookings, 1 M survey answers
# at 1.0 (about 30 minutes and 13 GB of disk on a 2-core machine; `make bench
# NATIONAL_SCALE=0.1` for a trial).
NATIONAL_SCALE ?= 1.0
bench: install
	DEBUG=true $(BIN)/python -m benchmarks.booking_rush
	DEBUG=true $(BIN)/python -m benchmarks.booking_instructions
	$(BIN)/python -m benchmarks.indicators_dashboard
	$(BIN)/python -m benchmarks.figures --scale $(SCALE)
	$(BIN)/python -m benchmarks.import_report --lines 100000
	$(BIN)/python -m benchmarks.indicators_recompute --scale $(SCALE)
	$(BIN)/python -m benchmarks.national --scale $(NATIONAL_SCALE)

# Every benchmark once at a tiny scale (seconds, no timing asserted): run by .ci/run so
# that none of them rots.
bench-smoke: install
	$(BIN)/python -m benchmarks.smoke

clean:
	rm -rf $(VENV) var/db.sqlite3 var/static var/mail var/screenshots var/demo.env
