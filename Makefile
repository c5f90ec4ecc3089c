# segkit: two commands do everything on a fresh machine (Python >= 3.10 and make).
#   make report   set up .venv from pinned dependencies, run the default batch, print where index.html is
#   make test     set up .venv and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.segkit-installed
SPARK_STAMP := $(VENV)/.segkit-spark-installed
PARAMS ?= params/online_retail.yaml
PYTEST_ARGS ?=

.PHONY: setup report smoke test test-fast bench clean

# An editable install leaves segkit's bytecode to the first import, and none is written where
# PYTHONDONTWRITEBYTECODE is set: each process (a run's driver and kernel server, each test's) compiled it again.
# Compiled here on every set-up: the modules changed since the last one only.
setup: $(STAMP)
	@$(BIN)/python -m compileall -q segkit

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# The default batch on the bundled Online Retail data; refreshes reports/online_retail/.
report: setup
	$(BIN)/segkit run $(PARAMS) --force

# A small, fast batch (the one the notebook tests run).
smoke: setup
	$(BIN)/segkit run params/smoke.yaml --force

# The spark engine's packages (segkit[spark], about 450 MB), for the tests only: `make report` stays light.
# Where they cannot be installed, the Spark tests skip and say why.
$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock; then touch $@; \
	else echo "note: pyspark could not be installed; the Spark engine's tests will skip"; fi

test: setup $(SPARK_STAMP)
	bash scripts/ensure_system_deps.sh
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Unit tests only (no notebook batches, no browser).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/bench_batch.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
