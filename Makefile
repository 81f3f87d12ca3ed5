# Two commands a newcomer types: `make demo` and `make test`. Both depend on `make setup`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := ripgrep redis-server libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils chromium
DEMO_OUT ?= data/demo
NIGHTLY_OUT ?= data/out
NIGHTLY_ARGS ?=

.PHONY: setup apt demo nightly test lint bench clean

setup: apt $(STAMP)

# Debian packages the project needs (LibreOffice for legacy Office files, ripgrep for `nianbao grep`,
# redis-server for the distributed mode, chromium for the browser tests of `nianbao serve` and of
# the run report pages).
# Installed only when one is missing.
apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The venv is rebuilt when pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev,ocr,distributed,research,serve]'
	touch $(STAMP)

demo: setup
	$(BIN)/nianbao demo --out $(DEMO_OUT)

# The night's run over the shipped registry (deploy/ runs the same command from systemd or cron).
# Exit status: 0 all well, 1 some sites failed or degraded, 2 bad arguments or locked, 3 nothing crawled.
nightly: setup
	$(BIN)/nianbao nightly --out $(NIGHTLY_OUT) $(NIGHTLY_ARGS)

test: setup
	$(BIN)/ruff check pipeline spiders tests bench docs
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check pipeline spiders tests bench docs
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data/demo .pytest_cache .mypy_cache
