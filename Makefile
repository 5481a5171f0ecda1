# reportkit — `make demo` builds the sample year, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
YEAR    ?= 2022

.PHONY: setup demo test browser-deps ocr-deps bench bench-parse clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,ocr]'
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

# OCR of scanned reports (the [ocr] extra) needs Debian's tesseract with Chinese; install when missing.
ocr-deps:
	@tesseract --list-langs 2>/dev/null | grep -q chi_sim || \
	  ( echo "installing tesseract-ocr and tesseract-ocr-chi-sim (apt) for the OCR reader"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim) >/dev/null 2>&1 \
	    || echo "!!! could not install tesseract: the OCR tests will be SKIPPED" )

test: setup browser-deps ocr-deps
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/batch.py

# import parsing time and peak memory on pages of 0.1, 1 and 10 MB
bench-parse: setup
	$(BIN)/python benchmarks/parsing.py

clean:
	rm -rf output .pytest_cache
