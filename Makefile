# Frontier Access Portal — the two commands of the README:
#   make run    build everything and start the portal on the embedded SQLite demo database
#   make test   the whole test suite (Rust on SQLite and PostgreSQL, frontend unit and browser tests)
# Both install what a fresh Debian machine lacks (apt-get as root; npm ci for the frontend).

SHELL := /bin/bash
CARGO ?= cargo
BIN := target/debug/frontier-portal
DEMO_DB ?= data/demo.db
PORT ?= 8080
FIRST_OPERATOR ?= operator@localhost.example

.PHONY: run test deps st-deps frontend frontend-deps build test-rust test-rust-build test-frontend test-e2e test-api-fuzz api-types api-types-check lint fmt bench clean

RUN_ENV = PORTAL__DATABASE__URL=$(DEMO_DB) PORTAL__SERVER__PORT=$(PORT) PORTAL__SERVER__PUBLIC_URL=http://localhost:$(PORT)

run: deps frontend build
	@mkdir -p data
	@$(RUN_ENV) $(BIN) demo --if-empty
	@echo
	@# The only place a link with a token is printed: the command run for that purpose (the
	@# server's log never holds one). Prints nothing new once the account is set up.
	@$(RUN_ENV) $(BIN) admin create --email $(FIRST_OPERATOR) --if-needed
	@echo
	$(RUN_ENV) $(BIN) serve

# Three stages, each as parallel as it can be on 2 cores:
#   1. the Rust test build, beside the frontend build and the schemathesis install (npm, pip);
#   2. the Rust suite (tests wait on the databases more than they compute: TEST_THREADS at once);
#   3. the frontend unit tests, the browser journeys and the API fuzz side by side (each its own
#      server and database; none times anything), after the Rust suite, whose race tests want
#      the cores. Stage 3 finds everything built (E2E_NEEDS / FUZZ_NEEDS empty).
TEST_THREADS ?= 4
test: deps
	@$(MAKE) --no-print-directory -j3 --output-sync=target frontend st-deps test-rust-build
	@$(MAKE) --no-print-directory test-rust
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-frontend test-e2e test-api-fuzz E2E_NEEDS= FUZZ_NEEDS=

# System packages the build and the tests need: PostgreSQL server binaries (the harness starts
# a throw-away cluster), libpq, Chromium (browser tests), Node.js. Installed only when missing.
deps:
	@need=(); \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql); \
	dpkg -s libpq-dev >/dev/null 2>&1 || need+=(libpq-dev); \
	command -v chromium >/dev/null 2>&1 || need+=(chromium); \
	command -v node >/dev/null 2>&1 || need+=(nodejs npm); \
	command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config); \
	command -v curl >/dev/null 2>&1 || need+=(curl); \
	python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv); \
	if (( $${#need[@]} )); then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $${need[*]}"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$${need[@]}" >/dev/null; \
	  else \
	    echo "missing system packages: $${need[*]} (run as root, or: sudo apt-get install $${need[*]})"; \
	  fi; \
	fi

# schemathesis (PyPI) for test-api-fuzz, in a virtualenv of its own outside the work tree (kept
# by `make clean`): installed once, then used offline. ST_VERSION pins what the run was tuned on.
ST_VERSION ?= 4.32.5
ST_VENV ?= $(HOME)/.cache/frontier-portal/st-venv
st-deps:
	@if ! "$(ST_VENV)/bin/st" --version 2>/dev/null | grep -qx "st, version $(ST_VERSION)"; then \
	  echo "installing schemathesis $(ST_VERSION) into $(ST_VENV)"; \
	  python3 -m venv "$(ST_VENV)" && "$(ST_VENV)/bin/pip" install -q --disable-pip-version-check "schemathesis==$(ST_VERSION)"; \
	fi

frontend-deps:
	@if [ -f frontend/package.json ]; then \
	  if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then \
	    cd frontend && npm ci --no-audit --no-fund; \
	  fi; \
	fi

frontend: frontend-deps
	@if [ -f frontend/package.json ]; then cd frontend && npm run build; fi

build:
	$(CARGO) build --bin frontier-portal

test-rust:
	@# A missing or changed snapshot (tests/api/snapshots) fails; accept new ones with
	@# INSTA_UPDATE=always cargo test --test api -- <name>, then review the .snap diff.
	INSTA_UPDATE=no RUST_TEST_THREADS=$(TEST_THREADS) $(CARGO) test --all-targets

# The test binaries and the server binary (the journeys and the fuzz serve it), built once.
test-rust-build:
	$(CARGO) test --all-targets --no-run
	$(CARGO) build --bin frontier-portal

test-frontend: frontend-deps api-types-check
	@if [ -f frontend/package.json ]; then cd frontend && npm test; fi

# frontend/src/api/schema.d.ts is generated from the server's OpenAPI document (openapi-typescript).
api-types: frontend-deps
	CARGO=$(CARGO) ./scripts/api-types.sh

# Fails when the committed schema.d.ts no longer matches the document (part of `make test`).
api-types-check: frontend-deps
	CARGO=$(CARGO) ./scripts/api-types.sh --check

# Browser journeys: a fresh demo database, the real server, Debian's Chromium.
E2E_NEEDS ?= build frontend
test-e2e: $(E2E_NEEDS)
	@if [ -f frontend/tests/e2e/run.mjs ]; then ./scripts/e2e.sh; fi

# Is /api/openapi.json the truth? schemathesis, all checks, as every role kind, on SQLite and on
# a throw-away PostgreSQL at once (scripts/schemathesis.sh; about 3 minutes). 0 failures, 0 5xx.
FUZZ_NEEDS ?= deps st-deps build
test-api-fuzz: $(FUZZ_NEEDS)
	ST_BIN="$(ST_VENV)/bin/st" ./scripts/schemathesis.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Ratios to /healthz at a small size and at a million rows (release build; a few minutes).
bench:
	$(CARGO) build --release --bin frontier-portal
	BENCH_BIN=$$($(CARGO) metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/frontier-portal ./scripts/bench.sh

clean:
	rm -rf target data frontend/dist frontend/node_modules
