# reportkit — `make demo` builds the sample year, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
YEAR    ?= 2022

.PHONY: setup demo test browser-deps docx-deps bench clean

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

# --- DOCX checks (issue 16): the Word test opens each .docx in LibreOffice (soffice --headless).
docx-deps:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo ">>> LibreOffice (soffice) is missing: installing libreoffice-writer-nogui with apt-get (needs root)"; \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      libreoffice-writer-nogui) >/dev/null 2>&1 && echo ">>> LibreOffice installed" ) \
	  || echo "!!! could not install LibreOffice: the DOCX-opens-in-LibreOffice test will be SKIPPED"; }

test: setup browser-deps docx-deps
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf output .pytest_cache
