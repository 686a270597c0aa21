# chaincrm — the whole set-up is `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/chaincrm
# go.mod's toolchain line (a patched Go release, fetched through the module proxy) builds,
# tests and scans everything make runs, whatever the machine's own Go is pinned to.
export GOTOOLCHAIN := auto
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.js

.PHONY: run build test test-go test-fuzz test-frontend test-e2e test-openapi test-hygiene test-tidy test-vuln lint bench mariadb frontend clean

## run: build what is needed (web app included) and serve on :8080 with data/chaincrm.db,
## loading the demo zone into an empty database (a bare `chaincrm serve` does not)
run: frontend/dist/index.html
	$(GO) build -o $(BIN) ./cmd/chaincrm
	CHAINCRM_DEMO_SEED_ON_START=true ./$(BIN) serve

## build: the binary with the web app embedded
build: frontend/dist/index.html
	$(GO) build -o $(BIN) ./cmd/chaincrm

frontend: frontend/dist/index.html

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	cd frontend && npm run build

## test: every test — browser end-to-end, Go (race detector, SQLite and MariaDB), hygiene, the
## OpenAPI client, a short fuzzing run, web unit tests
test: test-e2e test-go test-hygiene test-openapi test-fuzz test-frontend

## The race detector instruments every package but the pure-Go SQLite engine (modernc.org: C
## translated to Go, all unsafe pointer arithmetic): instrumented, with the checkptr checks -race
## turns on, it was most of the CPU of the SQLite half of the tests (13.8 → 9.5 s of CPU for
## three API tests on both databases). Our code, the drivers and GORM stay instrumented.
RACE_GCFLAGS ?= modernc.org/...=-race=false
test-go: mariadb
	$(GO) vet ./...
	$(GO) test -race -gcflags='$(RACE_GCFLAGS)' -count=1 -timeout 60m ./...

## test-fuzz: each fuzz target for a fixed number of inputs (about 10 s each on this machine):
## the import parsers, file names, the map's JSON strings, enterprise-name keys, attachment
## type sniffing and display names. Counts, not durations: Go 1.26's
## fuzz coordinator can fail a clean run with "context deadline exceeded" when a -fuzztime
## duration ends (golang/go#75804, fixed in Go 1.27). Longer: make test-fuzz FUZZ_SCALE=10
FUZZ_SCALE ?= 1
fuzz-count = $(shell echo $$(( $(1) * $(FUZZ_SCALE) )))x
test-fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseCSV$$' -fuzztime $(call fuzz-count,50000) ./api/spreadsheet/
	$(GO) test -run '^$$' -fuzz '^FuzzParseProjects$$' -fuzztime $(call fuzz-count,10) ./api/spreadsheet/
	$(GO) test -run '^$$' -fuzz '^FuzzContentDisposition$$' -fuzztime $(call fuzz-count,100000) ./api/spreadsheet/
	$(GO) test -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(call fuzz-count,150000) ./chainmap/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeEnterpriseName$$' -fuzztime $(call fuzz-count,30000) ./domain/
	$(GO) test -run '^$$' -fuzz '^FuzzSniffFileType$$' -fuzztime $(call fuzz-count,30000) ./domain/
	$(GO) test -run '^$$' -fuzz '^FuzzSafeFileName$$' -fuzztime $(call fuzz-count,30000) ./domain/
	$(GO) test -run '^$$' -fuzz '^FuzzLimits$$' -fuzztime $(call fuzz-count,30000) ./domain/
	$(GO) test -run '^$$' -fuzz '^FuzzScanRuns$$' -fuzztime $(call fuzz-count,50000) ./api/spreadsheet/

## test-openapi: the served OpenAPI document (chaincrm openapi) under Redocly's recommended
## rules, and a client generated from it (openapi-typescript + openapi-fetch, type-checked)
## listing projects with a read-only integration token against the binary (the API alone)
test-openapi: frontend/node_modules/.package-lock.json
	$(GO) build -o bin/chaincrm-api ./cmd/chaincrm
	bin/chaincrm-api openapi > bin/openapi.json
	cd frontend && npx --no-install redocly lint ../bin/openapi.json --format=stylish
	cd frontend && CHAINCRM_BIN=$(CURDIR)/bin/chaincrm-api npm run test:client

## test-hygiene: go.mod and go.sum are tidy, and govulncheck finds no reachable vulnerability
test-hygiene: test-tidy test-vuln

test-tidy:
	$(GO) mod tidy -diff

# govulncheck reads its database offline: built from the golang.org/x/vulndb module (its OSV
# files, served by the Go module proxy) with vulndb's own indexdb into bin/vulndb/VERSION.
# A newer database: bump VULNDB_VERSION (go list -m -versions golang.org/x/vulndb).
VULN_VERSION   := v1.9.0
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
# Kept in the user's cache, outside the clone, like Go's module cache: a clean clone (CI) reuses it.
VULNDB_CACHE   ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/chaincrm/vulndb
VULNDB         := $(VULNDB_CACHE)/$(VULNDB_VERSION)

$(VULNDB)/index/db.json:
	rm -rf $(VULNDB).tmp
	mkdir -p $(VULNDB_CACHE)
	osv=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')/data/osv && \
	  $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$osv" -out $(VULNDB).tmp
	mv $(VULNDB).tmp $(VULNDB)

test-vuln: $(VULNDB)/index/db.json
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(VULN_VERSION) -db file://$(VULNDB) ./...

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run test:unit

test-e2e: build
	@command -v chromium >/dev/null || { echo "chromium missing: apt-get install -y chromium (.ci/run does this)"; exit 1; }
	cd frontend && CHAINCRM_BIN=$(CURDIR)/$(BIN) npm run test:e2e

## mariadb: make sure the local MariaDB answers (the Go tests use it beside SQLite)
mariadb:
	@.ci/mariadb.sh

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: the benchmarks; figures go to docs/benchmarks.md
bench: mariadb
	bench/run.sh

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
