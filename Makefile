# Juri: `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := app

PO := $(wildcard competition/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-clock lint install db demo translations extract bench clean

# The stamp is rebuilt only when pyproject.toml changes, so a second `make run` starts fast.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile -i $< -o $@

translations: $(MO)

db: install translations
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load --if-empty

run: demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The suite runs on PYTEST_WORKERS processes (pytest-xdist), each with a database of its own;
# PYTEST_WORKERS=0 runs it in one process (for --pdb, or -s output in order). Bytecode is written
# even where PYTHONDONTWRITEBYTECODE is set: pytest keeps its assertion-rewritten modules (the
# tests', and hypothesis' and schemathesis' as pytest plugins) there, instead of redoing them in
# each worker at each run. worksteal: each worker starts on one half of the suite (modules stay
# together), then takes tests from the other when it runs out.
PYTEST_WORKERS ?= 2
test: install translations
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The time-sensitive tests (or PYTEST_ARGS) under shifted clocks with libfaketime: the hours
# where UTC and WIB dates differ, new year in WIB, minute 29, half a year ahead (see .ci/clock).
test-clock: install translations
	PYTHONDONTWRITEBYTECODE= .ci/clock $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the message catalogues after changing user-visible strings.
extract: install
	$(BIN)/pybabel extract -F pyproject.toml -k _l -k lazy_ngettext:1,2 -w 100 -o competition/translations/messages.pot --no-location --sort-output --ignore-dirs=".venv tests bench" .
	$(BIN)/pybabel update -w 100 -i competition/translations/messages.pot -d competition/translations --no-fuzzy-matching --ignore-obsolete

bench: install
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) .pytest_cache
