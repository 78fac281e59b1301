# reportkit: `make help` lists the targets. The first run creates .venv and installs reportkit.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COUNTY ?=
YEAR ?=
STRICT ?=
CLEAN ?=
export PATH := $(CURDIR)/$(BIN):$(PATH)
export MPLBACKEND := Agg

.DEFAULT_GOAL := help
FORCE ?=
JOBS ?=
SCHEDULER ?=
.PHONY: help setup report all figures test bless template clean distclean benchmark

help: ## List the targets
	@echo "用法: make <目标> [COUNTY=xinchang YEAR=2024]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "首次使用:创建虚拟环境 $(VENV) 并安装 reportkit(需要几分钟)……"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(STAMP) ## Create the virtual environment and install reportkit (done automatically)

report: $(STAMP) ## Build one report (skipped when nothing changed): make report COUNTY=xinchang YEAR=2024 [STRICT=1] [FORCE=1]
	@test -n "$(COUNTY)" -a -n "$(YEAR)" || { echo "请指定县区和年份,如:make report COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit report --county "$(COUNTY)" --year "$(YEAR)" $(if $(STRICT),--strict,) $(if $(FORCE),--force,) $(if $(CLEAN),--clean,)

all: $(STAMP) ## Build every county with data for a year, in parallel, only what changed: make all YEAR=2024 [JOBS=2] [FORCE=1] [SCHEDULER=tcp://host:8786]
	@test -n "$(YEAR)" || { echo "请指定年份,如:make all YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit all --year "$(YEAR)" $(if $(JOBS),--jobs $(JOBS),) $(if $(FORCE),--force,) $(if $(STRICT),--strict,) $(if $(SCHEDULER),--scheduler $(SCHEDULER),)

figures: $(STAMP) ## Print one county-year's sentences and figures: make figures COUNTY=… YEAR=…
	@test -n "$(COUNTY)" -a -n "$(YEAR)" || { echo "请指定县区和年份,如:make figures COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit figures --county "$(COUNTY)" --year "$(YEAR)"

test: $(STAMP) ## Run all tests: unit, back tests, document checks, nbval on the reference notebooks
	REPORTKIT_BUILD=$(CURDIR)/build/_test $(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env tests

bless: $(STAMP) ## Accept changed figures: re-execute the reference notebooks under tests/notebooks
	@$(BIN)/reportkit bless

template: $(STAMP) ## Regenerate templates/gongwen.docx from code (overwrites local edits)
	@$(BIN)/reportkit template

benchmark: $(STAMP) ## Time a cold and a warm report against a bare papermill run; writes benchmarks/RESULTS.md
	@$(BIN)/python benchmarks/bench_report.py
	@$(BIN)/python benchmarks/bench_batch.py

clean: ## Remove build outputs (keeps .venv)
	rm -rf build/*/ build/_test

distclean: clean ## Remove build outputs and the virtual environment
	rm -rf $(VENV)
