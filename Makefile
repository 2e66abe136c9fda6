# Entry points, each self-contained from a fresh clone (only Python 3.11 and pip needed):
#   make rank         -> set up .venv from the lock, rank the bundled vendors, write reports/
#   make test         -> set up .venv from the lock, lint (ruff) and run the whole test suite
#   make lock         -> refresh requirements/lock.txt to the newest releases that pyproject.toml allows
#   make test-latest  -> the suite on the newest releases of the day, in .venv-latest (not the lock)
#   make bench        -> the speed figures quoted in the README, each beside its reference or target
#                        (adds the optional pymcdm for a comparison)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
PIP    := python -m pip --quiet --require-virtualenv
PYTEST := -m pytest
RUFF   := -m ruff check scoring tests benchmarks

.PHONY: rank test lock test-latest bench clean

# Installs come from the lock only: exact versions, dependencies included (build backend too, hence
# --no-build-isolation), then the project itself without resolving anything.
$(STAMP): pyproject.toml $(LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/$(PIP) install --no-deps -r $(LOCK)
	$(BIN)/$(PIP) install --no-deps --no-build-isolation -e .
	touch $(STAMP)

rank: $(STAMP)
	$(BIN)/cloudscore rank
	$(BIN)/cloudscore report --strategy strategy/alibaba.yaml

test: $(STAMP)
	$(BIN)/python $(RUFF)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python $(PYTEST)

lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/$(PIP) install --upgrade pip setuptools
	.venv-lock/bin/$(PIP) install -e ".[test,lint]"
	{ echo "# The lock: exact versions that make rank, make test and CI install (python 3.11, made by 'make lock')."; \
	  echo "# Refresh on purpose with 'make lock', then run 'make test' and 'make test-latest' before committing."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf .venv-lock

test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/$(PIP) install --upgrade pip setuptools
	.venv-latest/bin/$(PIP) install --upgrade --upgrade-strategy eager -e ".[test,lint]"
	.venv-latest/bin/python -m pip freeze --exclude-editable | grep -iE '^(numpy|pandas|pulp|highspy|pyyaml|hypothesis|pytest|ruff)=='
	.venv-latest/bin/python $(RUFF)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} .venv-latest/bin/python $(PYTEST)

bench: $(STAMP)
	$(BIN)/$(PIP) install -c $(LOCK) -e ".[bench]"
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/smaa.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/optimize.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) .venv-lock .venv-latest .pytest_cache .hypothesis
