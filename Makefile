# reportkit — `make demo` builds the sample year, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
YEAR    ?= 2022

.PHONY: setup demo test browser-deps bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -c "from reportkit.execute import ensure_kernel; ensure_kernel()"
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

bench: setup
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf output .pytest_cache

# Dask LocalCluster vs the process pool on 1,000 synthetic bureaus (issue 17); BENCH_ARGS="--also 200".
.PHONY: bench-cluster
bench-cluster: setup
	$(BIN)/python benchmarks/cluster.py $(BENCH_ARGS)
