# diaodu — the two commands are `make run` and `make test`; both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --locked --no-sync

.PHONY: help sync run demo test lint fmt contracts ops token clean

help:
	@echo "make run        start PostgreSQL, the broker and the services on 127.0.0.1 (Ctrl-C stops)"
	@echo "make demo       (with make run going) simulate months of a campaign: synthetic data labelled 【模拟】"
	@echo "make test       the whole test suite against a real PostgreSQL and broker"
	@echo "make lint       ruff + ruff format --check + import-linter (the layers) + mypy"
	@echo "make fmt        format the code"
	@echo "make contracts  regenerate contracts/ (AsyncAPI, OpenAPI, event JSON Schemas)"
	@echo "make ops        regenerate Grafana dashboards and Prometheus alert rules from ops/"
	@echo "make token ROLE=admin [UNIT=code]   mint a local development token"

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

sync: $(UV)
	$(UV) sync --locked --quiet

run: sync
	$(RUN) diaodu up --then "$(RUN) python -m registry.entrypoints.seed --url http://127.0.0.1:8001 \
		&& $(RUN) python -m console.entrypoints.accounts_seed --url http://127.0.0.1:8000"

demo: sync
	$(RUN) python -m tools.activity --months $(or $(MONTHS),2) --start $(or $(START),2023-11)

test: sync
	$(RUN) pytest

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports
	$(RUN) mypy libs/platform/src libs/testkit/src services/registry/src services/progress/src services/escalation/src services/scoring/src services/console/src

fmt: sync
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

contracts: sync
	$(RUN) diaodu contracts

ops: sync
	$(RUN) python -m ops.dashboards.generate
	$(RUN) python -m ops.alerts.generate

token: sync
	@$(RUN) diaodu token --role $(ROLE) $(if $(UNIT),--unit $(UNIT))

clean:
	rm -rf .venv .tools .run .pytest_cache .mypy_cache .ruff_cache
