# Distillery: `make run` starts the embedded site, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install install-dev migrate demo clean bench bench-scale bench-load

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# One Python start-up for the web side: serve --prepare migrates when needed, loads the demo into
# an empty library, collects static files only when they changed, and prints the admin login.
run: install
	$(PY) manage.py serve --prepare --host $(HOST) --port $(PORT)

# axe-core for the browser tests' accessibility checks, reinstalled when the lock file changes.
# Without npm the suite still runs and says, here and in its skip reasons, what it could not check.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "make test: npm not found, so axe-core is not installed: the browser tests' accessibility" \
			"checks will be skipped (with CI=true they fail). Install Node.js with npm to run them." >&2; \
	fi

# Lint and migrations first (seconds), then the whole suite in TEST_WORKERS processes
# (pytest-xdist). A test file stays in one process, so its module fixtures are made once, and
# files keep pytest-django's order (transactional browser tests, which empty the database,
# after every test that reads rows the migrations made).
TEST_WORKERS ?= 2
test: install-dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --verbosity 1
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Enrichment quality (ROUGE, defects, sentence splitting, taxonomy, related) and ingestion speed; needs ../shared/corpora.
# See bench/REPORT.md. The generative benchmark runs only when ENRICH_LLM_BASE_URL names an endpoint.
# Ingestion runs beside the reader library, then drafting beside ingestion; Celery workers 1 vs 4,
# worker memory and drafting against one worker's ingestion are measured when
# DATABASE_URL (PostgreSQL) and BENCH_REDIS_URL (a Redis database the run may flush) are set.
bench: install-dev
	$(PY) bench/summaries.py
	$(PY) bench/defects.py
	$(PY) bench/sentences.py
	$(PY) bench/taxonomy.py
	$(PY) bench/related.py
	@if [ -n "$$ENRICH_LLM_BASE_URL" ]; then $(PY) bench/generative.py; \
	else echo "bench/generative.py skipped: set ENRICH_LLM_BASE_URL and ENRICH_LLM_MODEL to score a real endpoint"; fi
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$BENCH_REDIS_URL" ]; then $(PY) bench/ingest_speed.py --workers; \
	else $(PY) bench/ingest_speed.py; fi
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$BENCH_REDIS_URL" ]; then $(PY) bench/drafting_speed.py pace --worker; \
	else $(PY) bench/drafting_speed.py pace; fi

# Scale: pages and the API at 1,000 and 100,000 briefs (PostgreSQL when DATABASE_URL is set; needs
# wrk: apt-get install wrk), and ingestion beside the reader library. Long: see bench/REPORT.md.
bench-scale: install-dev
	$(PY) bench/scale.py
	$(PY) bench/ingest_speed.py

# Five minutes of mixed load on gunicorn + a worker (needs a PostgreSQL server and a Redis it may flush),
# and how long `make run` takes to serve again.
bench-load: install-dev
	$(PY) bench/mixed_load.py --database-url "$${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a PostgreSQL server}" \
		--redis-url "$${BENCH_REDIS_URL:?set BENCH_REDIS_URL to a Redis database this run may flush}"
	$(PY) bench/restart.py

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
