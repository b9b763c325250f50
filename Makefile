# One entry point for everything. `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
EXAMPLE := examples/putin-astana.scraped.txt
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: venv demo test test-fast test-browser lint typecheck check bench clean

venv: $(STAMP)

# torch is pinned first: the pinned CPU wheel is on local disk; an unpinned torch
# would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[models,server,batch,ray,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/takeaways summarize $(EXAMPLE) -n 4 --format markdown
	$(VENV)/bin/takeaways quotes $(EXAMPLE) --format text
	$(VENV)/bin/takeaways audit $(EXAMPLE) --format text

# Everything but the opt-in slow_extra sweeps, the browser tests included: they drive
# Debian's Chromium (.ci/run installs it) and skip cleanly when it or playwright is absent.
test: $(STAMP)
	$(PY) -m pytest -q --durations=15

test-browser: $(STAMP)
	$(PY) -m pytest -q -m browser

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench train
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

check: lint typecheck test

bench: $(STAMP)
	$(PY) bench/extract.py --data ../shared/data
	$(PY) bench/keypoints.py --data ../shared/data
	$(PY) bench/quotes.py --data ../shared/data
	$(PY) bench/audit.py --data ../shared/data

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
