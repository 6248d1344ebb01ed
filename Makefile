# Two commands for everyone: `make site` builds the site, `make test` runs every check.
# Both set up what they need first (a virtual environment with the locked dependencies).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := .cache/axe-core/axe.min.js
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test serve check linkcheck-external bench bench-mkdocs lock clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Build into a fresh folder, check it, then swap it in: a failed build leaves site/ as it was.
site: $(STAMP)
	rm -rf .site-new
	$(BIN)/mkdocs build --strict --site-dir .site-new
	$(BIN)/python -m builder linkcheck .site-new
	rm -rf .site-old
	if [ -d site ]; then mv site .site-old; fi
	mv .site-new site
	rm -rf .site-old

# The chain users run first (strict build, link check), then every test.
test: site $(AXE) /usr/bin/chromium
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload

check: $(STAMP)
	$(BIN)/python -m builder check

# Also fetch every external URL (needs the network; cached in .cache/linkcheck.json).
linkcheck-external: site
	$(BIN)/python -m builder linkcheck site --external

bench: $(STAMP)
	$(BIN)/python -m bench.run

# What the search index, the navigation and the matrix cost MkDocs at 1,000 and 5,000 claims (long).
bench-mkdocs: $(STAMP)
	$(BIN)/python -m bench.mkdocs_costs

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	fi

# axe-core, the accessibility engine the browser tests inject, from the npm registry,
# checked against the integrity recorded in package-lock.json.
$(AXE): package-lock.json $(STAMP)
	$(BIN)/python tests/fetch_axe.py $@

# Re-resolve every pinned version (needs network); commit the result.
lock:
	$(PYTHON) -m venv .cache/lockenv
	.cache/lockenv/bin/pip install --quiet pip-tools==7.6.2
	.cache/lockenv/bin/pip-compile --quiet --extra test --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf site .site-new .site-old .cache .pytest_cache
