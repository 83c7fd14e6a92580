# The two commands in the README: `make run` (demo site) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-services bench install install-test browser nginx clean messages

# Service-backed tests: the same suite's `services` tests against real PostgreSQL and Redis.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"

# The demo: DEBUG on (plain HTTP, static files served in place), SQLite, local-memory cache; the web server and
# the queue consumer (Huey, SQLite storage) run side by side, and Ctrl-C stops both.
run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py rundemo $(HOST):$(PORT)

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The reverse-proxy configuration in docs/nginx/ is tested with the real nginx (`nginx -t`, then run in front
# of a recording upstream); openssl makes the test's certificate.
nginx:
	@{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && command -v openssl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx openssl >/dev/null; }

# The suite runs on the embedded default (SQLite, local memory), whatever the shell exports; the tests that need
# the real PostgreSQL and Redis are `make test-services`.
test: export REDIS_URL =
test: export DATABASE_URL =
test: install-test browser nginx
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test-services: install-test
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) $(BIN)/pytest -m services

# Our words into every catalogue, then compiled (locale/TRANSLATING.md): run after changing any string of ours.
# Line numbers are left out of the catalogues, so an edit elsewhere in a file does not touch them.
messages: install
	$(BIN)/python manage.py makemessages --all --no-obsolete --add-location file --ignore 'tests/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv'

# Benchmarks: prints the six performance figures and the capacity figures; needs Redis and PostgreSQL. Not a test.
bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.capacity

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache .hypothesis
