# automaldesc - see README.md. Every target installs what it needs.
SHELL        := /bin/bash
GO           ?= go
BIN          := bin/automaldesc
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -s -w -X main.version=$(VERSION)
TOOLS        := $(CURDIR)/.cache/tools
STATICCHECK  := $(TOOLS)/staticcheck
FUZZTIME     ?= 20s
BENCH_DIR    ?=
TEST_TIMEOUT ?= 18m

.PHONY: all deps deps-test build run scan-seeds test test-short lint fmt vet bench eval fuzz proto proto-check clean

all: build

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

build: deps
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/automaldesc

# The main job on embedded defaults: the sidecar watching ./var/quarantine,
# writing ./var/alerts.ndjson and ./var/automaldesc.db, API and triage UI on
# 127.0.0.1:8089. It prints where to drop a file. Ctrl-C stops it.
run: build
	$(BIN) watch

# Scan the bundled seed set once and print readable reports (exit status 1,
# something malicious found, is expected).
scan-seeds: build
	@$(BIN) scan --color always seeds/ ; rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: deps-test proto-check
	$(GO) vet ./...
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

test-short: deps-test
	$(GO) test -short ./...

fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v '\.pb\.go$$')

vet:
	$(GO) vet ./...

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: deps-test $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# Corpus throughput (files/s, MB/s, per-stage time, peak RSS) against a bare
# yara CLI pass with the same rules and the per-language detection share,
# then the sidecar (drop->record latency at 100 files/s, drain of 10,000
# queued files: files/s and peak RSS), then the Go micro-benchmarks.
# docs/BENCHMARKS.md explains the figures.
bench: build deps-test
	GO=$(GO) scripts/bench.sh $(BIN) $(BENCH_DIR)
	GO=$(GO) scripts/bench-sidecar.sh $(BIN) $(BENCH_DIR)
	$(GO) test -run '^$$' -bench . -benchmem ./analysis/... ./render/...

# Verdict and language-ID figures on the dev corpus (README "Results").
eval: deps
	scripts/eval.sh

# Regenerate the plugin's protobuf code / check the committed code is current.
proto: deps-test
	scripts/proto.sh

proto-check: deps-test
	scripts/proto.sh --check

# Every native fuzz target for FUZZTIME each.
fuzz: deps-test
	scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin .cache

# Fault drills at full length (cmd/automaldesc/drills_test.go): 100,000 tiny
# files, 20 SIGKILL/restart cycles of a 2,000-file run, full disks (tmpfs),
# hostile entries, garbage rules during hot reload. Needs root (mount,
# setpriv); `make test` runs the short versions.
.PHONY: drills
drills: deps-test
	AUTOMALDESC_LONG_DRILLS=1 $(GO) test -count=1 -v -timeout 30m -run 'Drill|DiskFull|RulesReloader' ./cmd/automaldesc/ ./sidecar/ ./sidecar/sink/
