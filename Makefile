# reportkit — `make demo` builds the sample year, `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
YEAR    ?= 2022

.PHONY: setup demo test browser-deps office-deps ocr-deps bench bench-preview bench-parse clean lab

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,lab,ocr]'
	$(BIN)/python -c "from reportkit.execute import ensure_kernel; ensure_kernel()"
	$(BIN)/python -m compileall -q reportkit
	$(BIN)/python -c "from reportkit.lab import enable; enable()"
	touch $(STAMP)

demo: setup
	$(BIN)/reportkit build $(YEAR)
	@echo "open output/$(YEAR)/index.html"

# Browser tests need Debian's chromium and a CJK font; install them when missing (root, apt).
# Says what it installs and why before doing it; apt's own output goes to .venv/browser-deps.log.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "browser-deps: chromium and a CJK font are present"; \
	else \
	  echo ">>> browser-deps: installing Debian packages chromium and fonts-wqy-microhei with apt-get (as root)"; \
	  echo ">>>   why: tests/browser open the reports in headless Chromium (layout, print, CJK glyphs)"; \
	  echo ">>>   apt output: $(VENV)/browser-deps.log"; \
	  mkdir -p $(VENV); \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) \
	    >$(VENV)/browser-deps.log 2>&1 && echo ">>> browser-deps: installed" ) \
	    || echo "!!! could not install chromium (see $(VENV)/browser-deps.log): the browser tests will be SKIPPED"; \
	fi

# Workbook tests re-save a template through LibreOffice Calc and the Word test opens each .docx in
# LibreOffice Writer (both headless); install them when missing.
office-deps:
	@{ dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || dpkg -s libreoffice-calc >/dev/null 2>&1; } && \
	 { dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || dpkg -s libreoffice-writer >/dev/null 2>&1; } || { \
	  echo ">>> LibreOffice Calc/Writer missing: installing Debian's libreoffice-calc-nogui and libreoffice-writer-nogui with apt-get (as root)"; \
	  ( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      libreoffice-calc-nogui libreoffice-writer-nogui) >/dev/null 2>&1 && echo ">>> LibreOffice installed" ) \
	  || echo "!!! could not install LibreOffice: the LibreOffice re-save and DOCX tests will be SKIPPED"; }

# OCR of scanned reports (the [ocr] extra) needs Debian's tesseract with Chinese; install when missing.
ocr-deps:
	@tesseract --list-langs 2>/dev/null | grep -q chi_sim || \
	  ( echo ">>> ocr-deps: installing Debian's tesseract-ocr and tesseract-ocr-chi-sim with apt-get (as root): the second OCR engine (REPORTKIT_OCR=tesseract; RapidOCR, the default, comes with the [ocr] extra)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim) >/dev/null 2>&1 \
	    || echo "!!! could not install tesseract: scans are read with RapidOCR only" )

# Two pytest-xdist workers, one test file each at a time (a file's module fixtures are built once).
test: setup browser-deps office-deps ocr-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# JupyterLab on the sample project (kernel "Python (reportkit)"; saving strips outputs, see reportkit/lab.py).
lab: setup
	$(BIN)/jupyter lab notebooks/report.ipynb

bench: setup browser-deps
	@# reportkit's bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE set, every
	@# process (CLI, worker, kernel) would otherwise compile reportkit's modules again
	$(BIN)/python -m compileall -q reportkit
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/preview.py

# Preview latency alone: a real Chromium through 10 saves of a params file.
bench-preview: setup browser-deps
	$(BIN)/python benchmarks/preview.py

# import parsing time and peak memory on pages of 0.1, 1 and 10 MB
bench-parse: setup
	$(BIN)/python benchmarks/parsing.py

clean:
	rm -rf output .pytest_cache

# Dask LocalCluster vs the process pool on 1,000 synthetic bureaus (issue 17); BENCH_ARGS="--also 200".
.PHONY: bench-cluster
bench-cluster: setup
	$(BIN)/python benchmarks/cluster.py $(BENCH_ARGS)
