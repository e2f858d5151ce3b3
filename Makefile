# The two commands a newcomer needs: `make run` and `make test`.
# Both create/refresh a local virtual environment in .venv first, with exactly the
# versions (and hashes) in requirements/dev.lock; `make lock` regenerates the locks after
# a dependency changed in pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host

.PHONY: run test lint typecheck bench lock clean browser

$(STAMP): pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## Start the bot (Slack credentials from .env / environment), or a local try-out without them.
run: $(STAMP)
	$(BIN)/python -m bot run-or-try

## Headless Chromium for the dashboard's browser tests (Debian's package), when missing.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji \
		|| echo "no Chromium at $(CHROMIUM): the browser tests skip (install Debian's chromium)"; }

## The bot and end-to-end tests run a second time with the bot's store on PostgreSQL
## (WI3_TEST_STORE, tests/pg.py): privacy, OAuth isolation (the same ids in two
## workspaces), the outbox, rounds from start to results, clicks and pulses. The crash
## harness, the storage contract and the multi-instance tests cover both backends already.
PG_TESTS := tests/e2e/test_privacy.py tests/e2e/test_installations.py tests/bot/test_outbox.py \
	tests/e2e/test_results_flow.py tests/e2e/test_diagnostic_flow.py \
	tests/e2e/test_click_claims.py tests/e2e/test_pulse_flow.py

## Lint, type-check and run the whole test suite (and PG_TESTS on PostgreSQL).
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2
	WI3_TEST_STORE=postgresql $(BIN)/python -m pytest -q -n 2 $(PG_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

## Quick runs of the benchmarks (drop --quick for the full figures).
bench: $(STAMP)
	$(BIN)/python bench/storage.py --quick
	$(BIN)/python bench/latency.py --quick
	$(BIN)/python bench/fanout.py --quick
	$(BIN)/python bench/instances.py --quick
	$(BIN)/python bench/socket_mode.py --quick
	$(BIN)/python bench/scoring.py --quick
	$(BIN)/python bench/org_scale.py --quick
	$(BIN)/python bench/crash.py --quick
	$(BIN)/python bench/slack_limits.py --quick
	$(BIN)/python bench/slack_limits_background.py --quick

## Pin every runtime and dev dependency with its hashes (after editing pyproject.toml).
## The image installs requirements/runtime.lock; make and CI requirements/dev.lock.
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) \
		--build-deps-for wheel -o requirements/runtime.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) \
		--build-deps-for editable --extra dev -c requirements/runtime.lock \
		-o requirements/dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
