# The verbs people expect. Each target creates .venv on first use and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck golden i18n bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## Run one full cycle on the bundled recorded arXiv window, offline.
	$(BIN)/newsletter demo

test: $(STAMP)  ## Run the test suite.
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check newsletter tests bench
	$(BIN)/ruff format --check newsletter tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

golden: $(STAMP)  ## Regenerate the golden emails in tests/golden/ (review the diff!).
	$(BIN)/pytest tests/render --update-golden -q

i18n: $(STAMP)  ## Extract messages, update the catalogs, compile them.
	$(BIN)/pybabel extract -F babel.cfg --add-comments=Translators: -o locales/messages.pot --project newsletter --no-location --sort-output .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d locales --statistics

bench: $(STAMP)  ## Print the speed and memory figures of bench/*.py; fails if any target is missed.
	@missed=""; for script in bench/bench_*.py; do echo "== $$script"; \
	  $(BIN)/python $$script || missed="$$missed $$script"; done; \
	if [ -n "$$missed" ]; then echo "targets missed by:$$missed"; exit 1; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
