# reportkit — `make demo` builds the sample year, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
YEAR    ?= 2022

.PHONY: setup demo test browser-deps bench clean lab

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,lab]'
	$(BIN)/python -c "from reportkit.execute import ensure_kernel; ensure_kernel()"
	$(BIN)/python -c "from reportkit.lab import enable; enable()"
	touch $(STAMP)

demo: setup
	$(BIN)/reportkit build $(YEAR)
	@echo "open output/$(YEAR)/index.html"

# Browser tests need Debian's chromium and a CJK font; install them when missing (root, apt).
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) >/dev/null 2>&1 \
	    || echo "!!! could not install chromium: the browser tests will be SKIPPED" )

test: setup browser-deps
	$(BIN)/python -m pytest -q

# JupyterLab on the sample project (kernel "Python (reportkit)"; saving strips outputs, see reportkit/lab.py).
lab: setup
	$(BIN)/jupyter lab notebooks/report.ipynb

bench: setup
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf output .pytest_cache
