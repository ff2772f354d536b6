# make demo: create .venv, install edi, run the main job on the bundled samples.
# make test: install the test extras and run ruff, mypy and the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench bench-full fuzz clean

$(BIN)/edi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/edi
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench-extras: $(BIN)/edi
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

demo: $(BIN)/edi
	@bash samples/demo.sh $(BIN)/edi

test: $(VENV)/.test-extras
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy
	$(BIN)/pytest

# make bench: varied 10 MB batches, both shapes; make bench-full: 10, 50 and 200 MB (slow, several GB of memory).
bench: $(VENV)/.bench-extras
	$(BIN)/python bench/scale.py --sizes 10 --json bench/out/scale.json

bench-full: $(VENV)/.bench-extras
	$(BIN)/python bench/scale.py --sizes 10,50,200 --json bench/out/scale-full.json

fuzz: $(VENV)/.test-extras
	$(BIN)/python bench/fuzz.py --variants 10000

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
