# The two commands in the README: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

WEB_ASSETS := src/hookwire/web/assets
VENDOR := src/hookwire/web/static/vendor
VENDOR_PACKAGES := react react-dom graphiql swagger-ui-dist
VENDOR_FILES := react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js \
	graphiql/graphiql.min.js graphiql/graphiql.min.css \
	swagger-ui-dist/swagger-ui-bundle.js swagger-ui-dist/swagger-ui.css

.PHONY: serve test lint bench assets

$(BIN)/hookwire: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# GraphiQL and Swagger UI come from the npm registry and are served by Hookwire itself.
assets: $(VENDOR)/.installed

$(VENDOR)/.installed: $(WEB_ASSETS)/package.json
	@command -v npm >/dev/null || { echo "npm is needed for the settings UI's assets (apt-get install npm)"; exit 1; }
	cd $(WEB_ASSETS) && npm install --no-package-lock --ignore-scripts --no-audit --no-fund
	mkdir -p $(VENDOR)
	cp $(addprefix $(WEB_ASSETS)/node_modules/,$(VENDOR_FILES)) $(VENDOR)/
	for package in $(VENDOR_PACKAGES); do \
		cp $(WEB_ASSETS)/node_modules/$$package/LICENSE $(VENDOR)/$$package.LICENSE; done
	touch $@

# The API needs nothing but Python; the playground's GraphiQL and Swagger UI need npm once.
serve: $(BIN)/hookwire
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory assets; \
	else echo "npm not found: the API works; the settings playground needs 'make assets'"; fi
	$(BIN)/hookwire serve --demo

lint: $(BIN)/hookwire
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint assets
	$(BIN)/pytest

bench: $(BIN)/hookwire
	$(BIN)/python bench/rest_api.py
	$(BIN)/python bench/graphql_api.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/connector.py
	$(BIN)/python bench/sdk.py
