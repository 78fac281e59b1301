# reportkit: `make help` lists the targets. The first run creates .venv and installs reportkit.
# The project's own settings cannot be replaced from the command line (`make … BIN=…` or SHELL=…
# would run whatever they say); nor can make's own CURDIR (a `$(shell …)` in it would run where it
# is used); PATH is taken as written. (MAKEFILES, MAKEFILE_LIST, -f and --eval are make's own ways
# to load code before this file is read: nothing here can refuse them.)
override SHELL := /bin/bash
override .SHELLFLAGS := -c
override CURDIR := $(abspath .)
PYTHON ?= python3
override VENV := .venv
override BIN := $(VENV)/bin
override STAMP := $(VENV)/.installed
override LOCKTOOL := .venv-lock
override UV_VERSION := 0.13.9
# a universal lock (Linux, Windows, macOS; Python 3.10 and newer) with every file's hash
override UV = $(LOCKTOOL)/bin/uv pip compile pyproject.toml --universal --python-version 3.10 --generate-hashes \
	--quiet --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade,)
export PATH := $(CURDIR)/$(BIN):$(value PATH)
export MPLBACKEND := Agg
# Values reach the commands as environment variables, quoted by the shell ("$$COUNTY"), so no
# value can run a command of its own. Make itself would run `$(shell …)` written in a value the
# moment the variable is used (in $(if …), or when exported), so every value the user gives is
# checked as written ($(value …), never expanded) and refused if it holds $, a backtick or a line
# break, then kept as plain text (:=) for the rest of the Makefile.
COUNTY ?=
CITY ?=
YEAR ?=
FILE ?=
STRICT ?=
FORCE ?=
CLEAN ?=
COMMENTS ?=
VERBOSE ?=
JOBS ?=
UPGRADE ?=
PREVIEW ?=
WITH ?=
SCHEDULER ?=
USER_VARS := COUNTY CITY YEAR FILE STRICT FORCE CLEAN COMMENTS VERBOSE JOBS UPGRADE WITH SCHEDULER PYTHON
BACKTICK := `
define NEWLINE


endef
refuse = $(error make 变量 $(1) 的值“$(subst $(NEWLINE),⏎,$(value $(1)))”含有$(2),已拒绝(其中的命令不会执行):变量的值只能是县区代码、年份、文件路径这样的文字,不能含有 $$、反引号或换行。请去掉这些字符后重新运行$(if $(filter FILE,$(1)),(文件名里有这些字符时,先把文件改名),))
$(foreach v,$(USER_VARS),$(if $(findstring $(NEWLINE),$(value $(v))),$(call refuse,$(v),换行)))
$(foreach v,$(USER_VARS),$(if $(findstring $$,$(value $(v))),$(call refuse,$(v),“$$”)))
$(foreach v,$(USER_VARS),$(if $(findstring $(BACKTICK),$(value $(v))),$(call refuse,$(v),反引号(`))))
$(foreach v,$(USER_VARS),$(eval override $(v) := $$(value $(v))))
WITH_SETS := test cluster notebook
$(if $(filter-out $(WITH_SETS),$(WITH)),$(error WITH=“$(WITH)”中的“$(filter-out $(WITH_SETS),$(WITH))”不是可安装的附加部分;可用:$(WITH_SETS),如 make setup WITH="test"))
export COUNTY CITY YEAR FILE JOBS SCHEDULER PYTHON

.DEFAULT_GOAL := help
.PHONY: help setup lock report city all check harvest audit pdf figures import new test bless unbless template lab clean distclean benchmark

help: ## 列出所有目标
	@echo "用法: make <目标> [COUNTY=xinchang YEAR=2024]"
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# One stamp per locked set: reports need only requirements/runtime.txt; the tests, a Dask cluster
# and JupyterLab add theirs. Every set is installed from its lock, with hashes, exactly.
$(STAMP): requirements/runtime.txt pyproject.toml
	@echo "首次使用:创建虚拟环境 $(VENV) 并按 requirements/runtime.txt 安装 reportkit(需要一两分钟)……"
	@test -x $(BIN)/python || "$$PYTHON" -m venv $(VENV)
	@$(call install_lock,requirements/runtime.txt)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(call check_env)
	@touch $@

$(VENV)/.installed-%: requirements/%.txt $(STAMP)
	@echo "安装 $* 所需的软件(requirements/$*.txt)……"
	@$(call install_lock,requirements/$*.txt)
	@$(call check_env)
	@touch $@

.PRECIOUS: $(VENV)/.installed-%

# Installed without pip's byte-compilation, then compiled in parallel, leaving out the packages'
# own test suites (which reports never import): a quicker set-up and a venv a third smaller.
define install_lock
$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile --require-hashes --no-deps -r $(1)
$(BIN)/python -m compileall -q -j0 -x '[/\\]tests[/\\]' "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null || true
endef
define check_env
$(BIN)/python -m pip check --disable-pip-version-check >/dev/null || { $(BIN)/python -m pip check; echo "锁定文件与 pyproject.toml 不一致:请运行 make lock" >&2; exit 1; }
endef

setup: $(STAMP) $(foreach set,$(WITH),$(VENV)/.installed-$(set)) ## 创建虚拟环境并按锁定文件安装 reportkit(其他目标会自动执行);WITH="cluster test notebook" 同时安装这些附加部分

lock: ## 重新生成锁定文件 requirements/*.txt(pyproject.toml 改动后;UPGRADE=1 升级到最新版本)
	@test -x $(LOCKTOOL)/bin/uv || { "$$PYTHON" -m venv $(LOCKTOOL) && $(LOCKTOOL)/bin/pip install --quiet uv==$(UV_VERSION); }
	@mkdir -p requirements
	$(UV) -o requirements/runtime.txt
	@for extra in test cluster notebook; do \
	  $(UV) --extra $$extra -c requirements/runtime.txt -o requirements/$$extra.txt || exit 1; done
	@echo "已更新 requirements/*.txt;下次运行任何目标时按新的锁定文件安装"

report: $(STAMP) ## 生成一份报告(没有变化时跳过;编辑过的文档先保留并写回):make report COUNTY=xinchang YEAR=2024 [STRICT=1] [FORCE=1] [CLEAN=1] [VERBOSE=1]
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和年份,如:make report COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit report --county "$$COUNTY" --year "$$YEAR" $(if $(STRICT),--strict,) $(if $(FORCE),--force,) $(if $(CLEAN),--clean,) $(if $(VERBOSE),--verbose,)

city: $(STAMP) ## 全市汇总(各县区指标、全市排名、数据覆盖、报告进度;没有变化时跳过):make city CITY=温州市 YEAR=2024 [COUNTY=pingyang] [FORCE=1];CITY=all 为所有有数据的市
	@test -n "$$CITY" -a -n "$$YEAR" || { echo "请指定市和年份,如:make city CITY=温州市 YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit city --city "$$CITY" --year "$$YEAR" $(if $(COUNTY),--county "$$COUNTY",) $(if $(FORCE),--force,) $(if $(JOBS),--jobs "$$JOBS",) $(if $(VERBOSE),--verbose,)

all: $(STAMP) $(if $(SCHEDULER),$(VENV)/.installed-cluster,) ## 并行生成某年所有县区的报告(只重做有变化的):make all YEAR=2024 [COUNTY="pingyang xinchang"] [JOBS=2] [FORCE=1] [CLEAN=1] [SCHEDULER=tcp://host:8786]
	@test -n "$$YEAR" || { echo "请指定年份,如:make all YEAR=2024" >&2; exit 2; }
	@set -f; counties=(); for c in $${COUNTY//,/ }; do counties+=(--county "$$c"); done; \
	$(BIN)/reportkit all --year "$$YEAR" "$${counties[@]}" $(if $(JOBS),--jobs "$$JOBS",) $(if $(FORCE),--force,) $(if $(STRICT),--strict,) $(if $(CLEAN),--clean,) $(if $(SCHEDULER),--scheduler "$$SCHEDULER",)

harvest: $(STAMP) ## 把编辑过的 Word 文档写回叙述文件:make harvest COUNTY=… YEAR=… [FILE=编辑稿.docx] [FORCE=1]
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和年份,如:make harvest COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit harvest --county "$$COUNTY" --year "$$YEAR" $(if $(FILE),--file "$$FILE",) $(if $(FORCE),--force,)

audit: $(STAMP) ## 核对文档中的每个数字,不一致时报错:make audit COUNTY=… YEAR=… [FILE=文档.docx] [COMMENTS=1]
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和年份,如:make audit COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit audit --county "$$COUNTY" --year "$$YEAR" $(if $(FILE),--file "$$FILE",) $(if $(COMMENTS),--comments,)

check: $(STAMP) ## 检查整个数据文件夹,一次列出所有问题(改完数据先跑这个)
	@$(BIN)/reportkit check

pdf: $(STAMP) ## 把报告转换为 PDF(需要 LibreOffice):make pdf COUNTY=… YEAR=… [FILE=文档.docx]
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和年份,如:make pdf COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit pdf --county "$$COUNTY" --year "$$YEAR" $(if $(FILE),--file "$$FILE",)

figures: $(STAMP) ## 只打印某县区某年的指标语句和指标表:make figures COUNTY=… YEAR=…
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和年份,如:make figures COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit figures --county "$$COUNTY" --year "$$YEAR"

import: $(STAMP) ## 导入已发布的报告为叙述文件和数据:make import COUNTY=… YEAR=… FILE=报告.docx|.txt|.md|.html [PREVIEW=1]
	@test -n "$$COUNTY" -a -n "$$YEAR" -a -n "$$FILE" || { echo "请指定县区、年份和文件,如:make import COUNTY=pingyang YEAR=2024 FILE=报告.docx" >&2; exit 2; }
	@$(BIN)/reportkit import --county "$$COUNTY" --year "$$YEAR" --file "$$FILE" $(if $(PREVIEW),--preview,)

new: $(STAMP) ## 由上一年的叙述文件开始新一年(上年原文标为待修改):make new COUNTY=… YEAR=2025 [PREVIEW=1]
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和新的年份,如:make new COUNTY=xinchang YEAR=2025" >&2; exit 2; }
	@$(BIN)/reportkit new --county "$$COUNTY" --year "$$YEAR" $(if $(PREVIEW),--preview,)

test: $(VENV)/.installed-test ## 运行全部测试:单元测试、回测、文档检查、参考笔记本(nbval)
	REPORTKIT_BUILD=$(CURDIR)/build/_test $(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env tests

bless: $(STAMP) ## 保护已发布的报告/接受数字的变化:make bless [COUNTY=… YEAR=…](不写则更新全部);全市汇总:make bless CITY=温州市 YEAR=2024
	@$(BIN)/reportkit bless $(if $(CITY),--city "$$CITY",) $(if $(COUNTY),--county "$$COUNTY",) $(if $(YEAR),--year "$$YEAR",)

unbless: $(STAMP) ## 不再保护某份报告:make unbless COUNTY=… YEAR=…
	@test -n "$$COUNTY" -a -n "$$YEAR" || { echo "请指定县区和年份,如:make unbless COUNTY=xinchang YEAR=2024" >&2; exit 2; }
	@$(BIN)/reportkit unbless --county "$$COUNTY" --year "$$YEAR"

template: $(STAMP) ## 检查 templates/gongwen.docx(模板就是版式的设计:在 Word/WPS 里改它)
	@$(BIN)/reportkit template

benchmark: $(VENV)/.installed-test ## 计时:一份报告与空白 papermill 运行及 Quarto 式流程(需 pandoc,没有则不测)对比;批量:冷启动串行/并行、保温内核并行与提出保温内核时(7dc9788)的 make all 交替计时,90 个县区,每个工作进程的内存;写入 benchmarks/RESULTS*.md(约 15 分钟)
	@$(BIN)/python benchmarks/bench_report.py
	@$(BIN)/python benchmarks/bench_batch.py

lab: $(VENV)/.installed-notebook ## 在 JupyterLab 中打开笔记本(首次使用时安装 JupyterLab)
	@$(BIN)/jupyter lab notebooks/

clean: ## 删除可重新生成的输出(编辑过的文档和 versions/ 保留,.venv 保留)
	@"$$PYTHON" -m reportkit clean
	@rm -rf build/_test

distclean: clean ## 同 clean,并删除虚拟环境
	rm -rf $(VENV) $(LOCKTOOL)
