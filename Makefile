# `make run` serves the site; `make test` runs the whole suite. Both set up
# .venv from the pinned requirements first.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

# The demo shop (make demo-shop), where the demo event's checkout goes.
SHOP_PORT ?= 8100

WORKERS ?= 2
BASE_PORT ?= 8001

.PHONY: run run-cluster test test-long lint types contracts js-test screenshots format migrate clean

# Every Python process keeps the bytecode it compiles: an environment that
# says otherwise (PYTHONDONTWRITEBYTECODE) made each server, command and test
# worker compile Django, Twisted and the project from source again, 2.5 s of
# CPU per process start on two cores, and the suite starts hundreds.
unexport PYTHONDONTWRITEBYTECODE

# pip installs uv (requirements-bootstrap.txt), which installs the rest:
# the same pinned versions, in a few seconds instead of half a minute, and
# compiled once here rather than by the first processes to import them.
UV_INSTALL := $(PY) -m uv pip install -q --compile-bytecode --python $(PY)

$(VENV)/.installed: requirements.txt requirements-bootstrap.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-bootstrap.txt
	$(UV_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(UV_INSTALL) -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v 0

# The demo shop receives webhooks over plain http on this machine, which
# webhooks are otherwise never sent to (docs/webhooks.md, "Where webhooks go").
DEMO_WEBHOOKS := SEAT_WEBHOOK_ALLOW_HTTP=$${SEAT_WEBHOOK_ALLOW_HTTP:-1} \
	SEAT_WEBHOOK_ALLOWED_HOSTS=$${SEAT_WEBHOOK_ALLOWED_HOSTS:-127.0.0.1}

# The server and the demo shop its demo event sells through (scripts/run_demo.py);
# DEMO_SHOP=0 serves alone.
DEMO_SHOP ?= 1
run: migrate
	$(PY) manage.py seed_demo --checkout-url http://127.0.0.1:$(SHOP_PORT)/checkout
	$(PY) manage.py ensure_admin
	$(DEMO_WEBHOOKS) $(PY) scripts/run_demo.py --host $(HOST) --port $(PORT) \
		--shop-port $(SHOP_PORT) $(if $(filter 0,$(DEMO_SHOP)),--no-shop,)

# N daphne workers + one sweeper on PostgreSQL and Redis (DATABASE_URL, REDIS_URL).
run-cluster: $(VENV)/.installed
	$(DEMO_WEBHOOKS) WORKERS=$(WORKERS) BASE_PORT=$(BASE_PORT) $(PY) scripts/run_cluster.py

# PostgreSQL for the second run of the domain and workers suites (pytest makes
# test_<name>).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/seats
# Line coverage of seats/, realtime/, wire/, api/ and frontend/, servers the
# tests start included; the suite fails if it falls below this.
COVERAGE_MIN ?= 95
# The suite runs in TEST_WORKERS processes, file by file (tests/parallel.py
# says what each worker has to itself); TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= 4
PARALLEL := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)
COVERAGE := $(PY) -m coverage

test: $(VENV)/.installed-dev
	bash scripts/ensure-debian.sh chromium chromium
	bash scripts/ensure-debian.sh chromium-headless-shell chromium-headless-shell
	bash scripts/ensure-debian.sh xgettext gettext
	bash scripts/ensure-debian.sh node nodejs
	bash scripts/ensure-debian.sh nginx nginx-light
	bash scripts/ensure-services.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory js-test
	mkdir -p var/coverage
	$(COVERAGE) erase
	@echo "== domain and workers on PostgreSQL (row locks, SKIP LOCKED, lock timeouts, the sweeper's lock) =="
	DATABASE_URL=$(TEST_DATABASE_URL) $(COVERAGE) run -m pytest tests/seats tests/workers -q $(PARALLEL) --durations=5
	@echo "== whole suite: embedded default, plus the PostgreSQL/Redis cluster and fault tests =="
	$(COVERAGE) run -m pytest $(PARALLEL) --durations=10
	@echo "== line coverage, server processes included =="
	$(COVERAGE) combine -q
	$(COVERAGE) report --skip-covered --fail-under=$(COVERAGE_MIN)

# The nightly-size run, not part of `make test`: the services' state machine
# with many more examples under several seeds, on SQLite and on PostgreSQL.
MACHINES := tests/seats/test_state_machine.py tests/seats/test_state_machine_sockets.py
LONG_MACHINE := SEATS_MACHINE_EXAMPLES=300 SEATS_MACHINE_SEEDS=1,2,3,4,5,6,7,8
test-long: $(VENV)/.installed-dev
	bash scripts/ensure-services.sh
	$(LONG_MACHINE) $(PY) -m pytest $(MACHINES) -q -n 2 -k follow --timeout 1200
	DATABASE_URL=$(TEST_DATABASE_URL) $(LONG_MACHINE) \
		$(PY) -m pytest $(MACHINES) -q -n 2 -k follow --timeout 1200

# Style, import contracts (which package may import which) and types.
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MAKE) --no-print-directory contracts types

contracts: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports --no-cache

types: $(VENV)/.installed-dev
	$(PY) -m mypy

# The front end's pure logic (state, version gaps), without a browser.
js-test:
	node --test tests/frontend/js/

# Rewrites the README's screenshots in docs/screenshots (only when asked).
screenshots: $(VENV)/.installed-dev
	bash scripts/ensure-debian.sh chromium chromium
	SEATS_SCREENSHOTS=1 SEATS_CHROMIUM=/usr/bin/chromium $(PY) -m pytest tests/frontend/test_showcase_browser.py tests/frontend/test_demo_hall_browser.py -q

format: $(VENV)/.installed-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Benchmarks (bench/, BENCHMARKS.md): the full run takes about 30 minutes;
# bench-smoke runs every scenario at tiny sizes in about two minutes.
.PHONY: bench bench-smoke
bench: $(VENV)/.installed-dev
	bash scripts/ensure-services.sh
	$(PY) -m bench.run

bench-smoke: $(VENV)/.installed-dev
	bash scripts/ensure-services.sh
	$(PY) -m bench.run --smoke

# Thousands of live seat maps on a server you run (bench/crowd.py), e.g.
# `make crowd EVENT=2` beside `make run`: timed, kept STAY seconds, audited.
EVENT ?= 1
SOCKETS ?= 5000
STAY ?= 30
.PHONY: crowd
crowd: $(VENV)/.installed-dev
	$(PY) -m bench.crowd --url http://$(HOST):$(PORT) --event $(EVENT) \
		--sockets $(SOCKETS) --stay $(STAY)

# The stand-in shop at the other end of "Continue to checkout"
# (docs/integration.md), on SHOP_PORT. Without SEATS_API_KEY it makes a sell
# key, and it registers itself as a webhook endpoint to print what it gets.
.PHONY: demo-shop
demo-shop: migrate
	KEY="$${SEATS_API_KEY:-$$($(PY) manage.py create_api_key demo-shop --scope sell -v 0)}" && \
	SECRET="$$($(DEMO_WEBHOOKS) $(PY) manage.py create_webhook http://127.0.0.1:$(SHOP_PORT)/webhooks --description 'demo shop' --reuse --secret-only)" && \
	SEATS_API_KEY="$$KEY" SEATS_WEBHOOK_SECRET="$$SECRET" \
	$(PY) scripts/demo_shop.py --port $(SHOP_PORT) --seats-url http://$(HOST):$(PORT)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
