# Murmur's entry points. `make run` and `make test` are the two commands the README names.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: run test test-embedded stack-up stack-down stack-status lint bootstrap

bootstrap:
	@scripts/bootstrap.sh

# Murmur on the embedded defaults at http://127.0.0.1:8000 (SQLite, local folder, in-process bus).
run: bootstrap
	$(PY) -m app

# The whole suite: installs and starts every real service it needs, then stops them.
test: bootstrap
	@scripts/test.sh

# Only the tests that need no real service (fast, for development).
test-embedded: bootstrap
	$(PY) -m pytest -m "not stack and not browser" $(ARGS)

# The production topology as local processes: MariaDB, Kafka, an S3 server, 2 replicas, 2 encoders, Nginx.
stack-up: bootstrap
	$(PY) -m stack up

stack-down:
	$(PY) -m stack down

stack-status:
	$(PY) -m stack status

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
