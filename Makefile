# Two commands on a fresh machine: `make run` and `make test`.
# Everything installs into .venv; torch is installed first and pinned exactly
# (a looser pin pulls a multi-GB CUDA build), then exactly the versions and hashes
# of requirements.lock, then the project itself.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: help install browser ocr postgres ingest run serve test eval eval-holdout eval-conversations bench bench-vectors bench-hnsw bench-ask load lint check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e '.[dev,postgres]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## create .venv and install the project (once)

# The browser tests drive Debian's Chromium through its chromedriver (no browser download).
browser: ## install Debian chromium and chromium-driver for the browser tests (once)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver \
	  || { $$SUDO apt-get update -q && \
	       $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }; \
	fi

# Photographed documents are read by Debian's Tesseract with its Russian and English data;
# the tests render their pages with a Cyrillic font. Only missing packages are installed.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng fonts-dejavu-core
ocr: ## install Debian tesseract-ocr with Russian and English data (once)
	@MISSING=$$(for p in $(OCR_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$MISSING" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$MISSING \
	  || { $$SUDO apt-get update -q && \
	       $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$MISSING; }; \
	fi

# The store, web and Twilio suites also run on a real PostgreSQL cluster that the tests
# start on loopback (tests/databases.py) with Debian's server binaries: installed when missing.
postgres: ## install Debian postgresql for the PostgreSQL half of the tests (once)
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql \
	  || { $$SUDO apt-get update -q && \
	       $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }; \
	fi

check: install ## validate the knowledge folder
	$(BIN)/bot knowledge check

ingest: install ## validate and index knowledge/ into .data/
	$(BIN)/bot ingest

run: ocr ingest ## set up, index and serve on http://127.0.0.1:8000
	$(BIN)/bot serve --host $(HOST) --port $(PORT)

serve: install ## serve without re-indexing
	$(BIN)/bot serve --host $(HOST) --port $(PORT)

test: install browser ocr postgres ## the test suite (real model, Chroma, HTTP, Tesseract, PostgreSQL and a headless browser)
	$(BIN)/python -m pytest -q

eval: ingest ## retrieval and answer metrics on tests/eval/questions.yaml
	$(BIN)/bot eval --calibrate

eval-holdout: ingest ## the same metrics on tests/eval/holdout-4.yaml (messages nothing was tuned on)
	$(BIN)/bot eval --questions tests/eval/holdout-4.yaml --misses

eval-conversations: install ## the scripted conversations (tests/eval/conversations*.yaml) through the signed webhook: transcripts and pass rate
	$(BIN)/python -m pytest -q -s tests/eval/test_conversation_scripts.py

bench: install ## speed and memory against a plain LangChain + Chroma baseline (and at 100k vectors)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.vectors
	$(BIN)/python -m bench.hnsw
	$(BIN)/python -m bench.ask_scale

bench-ask: install ## an answer in-process and the BM25 index at 10k and 100k generated passages
	$(BIN)/python -m bench.ask_scale

bench-hnsw: install ## HNSW recall against exact search at 2k, 10k and 100k, one collection per ef_search
	$(BIN)/python -m bench.hnsw

bench-vectors: install ## only the 100k-vector part of make bench: latency, memory, recall, ef_search
	$(BIN)/python -m bench.vectors

# Two replicas on one PostgreSQL and one Chroma server (chroma run), a Twilio-like API and
# Locust, all on loopback; the index is ingested once; replica b is killed and restarted
# mid-run. LOAD_ARGS=--long runs 10 minutes instead of 2; LOAD_ARGS='--pace 10' keeps 50/s
# with slow acks.
load: install postgres ## webhooks at 50/s to two replicas on a Chroma server, one killed: ack p50/p99, lost, duplicated
	@test -x $(BIN)/locust || $(BIN)/python -m pip install --quiet -e '.[load]'
	$(BIN)/python -m bench.load.run $(LOAD_ARGS)

lint: install ## ruff and mypy
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy bot

clean: ## remove the index and caches (keeps .venv)
	rm -rf .data .pytest_cache .ruff_cache .mypy_cache bench/.cache
