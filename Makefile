# Two commands: `make run` and `make test`. Both set up what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Reinstall whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# axe-core checks the pages' accessibility in the browser tests (from the npm registry).
AXE_VERSION := 4.14.1
AXE    := $(VENV)/axe-core-$(AXE_VERSION)/axe.min.js
# A real OpenID provider for the single sign-on tests (tests/support/oidc.py): the certified
# oidc-provider from the npm registry, run by Node.js.
OIDC_PROVIDER_VERSION := 9.13.3
OIDC_PROVIDER := $(VENV)/oidc-provider-$(OIDC_PROVIDER_VERSION)
OIDC_PROVIDER_STAMP := $(OIDC_PROVIDER)/node_modules/oidc-provider/package.json

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench setup lint format chromium gdal libreoffice pdf-libs xmlsec saml clean

run: setup pdf-libs xmlsec
	$(BIN)/est migrate
	$(BIN)/est seed --demo
	$(BIN)/est serve --host $(HOST) --port $(PORT)

# Each worker has its own servers and databases (tests/support/servers.py); two cores run the
# suite in a little over half the time of one.
test: setup chromium gdal libreoffice pdf-libs saml $(AXE) $(OIDC_PROVIDER_STAMP) lint
	EST_AXE_JS=$(AXE) EST_OIDC_PROVIDER=$(OIDC_PROVIDER) $(BIN)/pytest -n auto --maxprocesses 4

# Figures for bench/README.md: SQLite, and PostgreSQL when EST_TEST_DATABASE_URL is set.
# bench.faults stops and starts the local PostgreSQL cluster (pg_ctlcluster): run it where
# nothing else uses that cluster.
bench: setup pdf-libs
	$(BIN)/python -m bench.incidents --backend both
	$(BIN)/python -m bench.situation --backend both
	$(BIN)/python -m bench.imports --backend both
	$(BIN)/python -m bench.load --backend both --rates 10,20,30 --seconds 6 --repeat 3 --workers 1,2
	$(BIN)/python -m bench.load --backend both --rates 20,30,40 --seconds 8 --repeat 3 --workers 1 \
	  --shedding off,4/16/250,8/32/1000
	$(BIN)/python -m bench.faults --backend both --seconds 30 --clients 8

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c "import api, web, fastapi, playwright, schemathesis"
	rm -f $(VENV)/.installed-*
	touch $@

# The browser tests drive Debian's Chromium; Playwright's own download cannot be used here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends chromium \
	    || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }; }

# A real GIS client reads the OGC API – Features endpoint in the tests: GDAL's ogrinfo.
gdal:
	@command -v ogrinfo >/dev/null 2>&1 || { \
	  echo "Installing GDAL from Debian for the OGC API test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends gdal-bin \
	    || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends gdal-bin; }; }

# A real spreadsheet opens the CSV export in the tests and must find no formula in it:
# LibreOffice Calc, headless (without its desktop parts).
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing LibreOffice Calc from Debian for the CSV export test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends libreoffice-calc-nogui \
	    || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends \
	         libreoffice-calc-nogui; }; }

# SAML sign-in (#22): pysaml2 checks signatures with xmlsec1 (Debian's).
xmlsec:
	@command -v xmlsec1 >/dev/null 2>&1 || { \
	  echo "Installing xmlsec1 from Debian for SAML sign-in"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends xmlsec1 \
	    || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends xmlsec1; }; }

# SAML sign-in (#22): pysaml2 checks signatures with xmlsec1; the tests sign in through a
# real SAML IdP, SimpleSAMLphp, run by PHP's own web server (tests/support/saml.py).
saml:
	@command -v xmlsec1 >/dev/null 2>&1 && [ -d /usr/share/simplesamlphp/www ] \
	  && php -m 2>/dev/null | grep -qi '^dom$$' || { \
	  echo "Installing xmlsec1 and SimpleSAMLphp from Debian for SAML sign-in"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends xmlsec1 simplesamlphp php-cli php-xml php-mbstring \
	    || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends \
	         xmlsec1 simplesamlphp php-cli php-xml php-mbstring; }; }

# WeasyPrint draws the lägesbild's PDF with Pango, a system library (Debian packages).
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 && fc-list | grep -qi dejavu || { \
	  echo "Installing Pango and DejaVu fonts from Debian for the PDF"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
	    || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends \
	         libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }; }

$(AXE): | setup
	rm -rf $(VENV)/axe-core-*
	mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js \
	  && rm axe-core-$(AXE_VERSION).tgz

$(OIDC_PROVIDER_STAMP): | setup
	rm -rf $(VENV)/oidc-provider-*
	mkdir -p $(OIDC_PROVIDER)
	npm install --silent --no-audit --no-fund --no-save --prefix $(OIDC_PROVIDER) \
	  oidc-provider@$(OIDC_PROVIDER_VERSION) >/dev/null

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
