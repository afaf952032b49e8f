# Everything starts here: `make run` (crawl the real site and serve), `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PAGES ?= 3
DB ?= archive.db
PORT ?= 8001
SIM_PORT ?= 8800
ARTICLES ?= 120

.PHONY: install run demo test lint docs browser redis fixtures bench bench-quick nginx clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

## Crawl the newest PAGES listing pages of the real site into DB, then serve it on PORT.
run: install
	$(BIN)/newsarchive crawl --db $(DB) --max-pages $(PAGES)
	$(BIN)/newsarchive serve --db $(DB) --port $(PORT)

## The same offline: start the site simulator, crawl it into demo.db, serve that; the simulator
## keeps serving (so "Оригинал" links work) until the server stops.
demo: install
	@$(BIN)/python -m tests.sitesim --port $(SIM_PORT) --articles $(ARTICLES) & sim=$$!; \
	trap "kill $$sim 2>/dev/null" EXIT; \
	for i in $$(seq 50); do (echo > /dev/tcp/127.0.0.1/$(SIM_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	$(BIN)/newsarchive crawl --base-url http://127.0.0.1:$(SIM_PORT) --db demo.db && \
	$(BIN)/newsarchive serve --db demo.db --port $(PORT)

## Lint, format check and the whole test suite (the browser tests need Debian's Chromium, the
## shared-crawl tests Debian's redis-server, each test starting its own).
test: install lint browser redis
	$(BIN)/pytest

## Debian's headless Chromium and its driver, installed when missing (needs root, as in CI).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else \
	    echo "The browser tests need Chromium: sudo apt-get install chromium chromium-driver"; exit 1; \
	  fi; \
	fi

## Debian's redis-server, for the shared-crawl tests and benchmark, installed when missing (as root).
redis:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	  else \
	    echo "The shared-crawl tests need Redis: sudo apt-get install redis-server"; exit 1; \
	  fi; \
	fi

## Every benchmark at full size (a crawl of 20,000 articles; about an hour): figures, ratios.
bench: $(VENV)/.bench-installed nginx redis
	$(BIN)/python bench/crawl.py --articles 20000 --small 2000 --repeats 2
	$(BIN)/python bench/scale.py --articles 3000 --repeats 2 --warc
	$(BIN)/python bench/cpu_split.py --articles 5000
	$(BIN)/python bench/extract.py --pages 2800
	$(BIN)/python bench/extract_dev.py
	$(BIN)/python bench/warc.py --pages 990
	$(BIN)/python bench/search.py --articles 200000

## The same benchmarks at sizes that print every ratio within about three minutes.
bench-quick: $(VENV)/.bench-installed nginx redis
	$(BIN)/python bench/crawl.py --articles 800 --small 200 --repeats 1 --generic 150
	$(BIN)/python bench/scale.py --articles 400 --repeats 1 --writer-articles 400
	$(BIN)/python bench/extract.py --pages 100
	$(BIN)/python bench/extract_dev.py --limit 200
	$(BIN)/python bench/warc.py --pages 200 --repeats 1
	$(BIN)/python bench/search.py --articles 1000 --queries 3

## Debian's nginx, which serves the crawl benchmark's pages, installed when missing (as root).
nginx:
	@if ! command -v nginx >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; \
	  else \
	    echo "The crawl benchmark needs nginx: sudo apt-get install nginx-light"; exit 1; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cog --check docs/cli.md

## Regenerate the CLI reference (docs/cli.md) from the commands' --help.
docs: install
	$(BIN)/cog -r docs/cli.md

## Rewrite the simulator's golden pages and their JSON after an intended extraction change (never
## the hand-written ones); review the diff.
fixtures: install
	$(BIN)/python -m tests.golden.regenerate

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis demo.db demo.db-* demo-dumps demo-warc
