# Two entry points, each self-contained from a fresh clone (only Python 3.11 and pip needed):
#   make rank   -> set up .venv, rank the bundled vendors, write reports/
#   make test   -> set up .venv, run the whole test suite
#   make bench  -> the speed figures quoted in the README (installs the optional pymcdm for a comparison)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: rank test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

rank: $(STAMP)
	$(BIN)/cloudscore rank
	$(BIN)/cloudscore report

test: $(STAMP)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/smaa.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
