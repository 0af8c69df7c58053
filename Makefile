# staffsync: `make dev` runs the product, `make test` runs every check. Both install what
# is missing: Debian packages with apt-get, Go tools into .bin/ with pinned versions.

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/.bin
export PATH := $(BIN):$(PATH)

TEMPORAL_CLI_VERSION := v1.5.1
WORKFLOWCHECK_VERSION := v0.6.0
BUF_VERSION := v1.75.0
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_CONNECT_GO_VERSION := v1.21.1
# grpcurl for operators (`make grpcurl`); the e2e test installs the same version itself.
GRPCURL_VERSION := v1.9.4

# Packages whose code runs goroutines of its own: tested with the race detector.
RACE_PACKAGES := ./activities/... ./api/... ./directory/... ./importfile/... ./parallel/... ./cmd/... ./devstack/... ./testenv/... ./e2e/... ./store/... ./sources/... ./workflows/... ./mailer/...
# Fuzzing budgets are execution counts, not durations: with a duration, Go 1.26's fuzz
# coordinator can fail a clean run with "context deadline exceeded" when the time runs out
# during a worker's call (go.dev/issue/75804). Minimizing a new input is capped at 1 s;
# at the default of 60 s it used most of a short run (XLSX reached 8 execs in 10 s).
FUZZ_CSV_EXECS ?= 30000x
FUZZ_XLSX_EXECS ?= 200x
FUZZ_XLSX_SCANNER_EXECS ?= 2000x
FUZZ_MINIMIZE ?= 1s

.PHONY: grpcurl dev test tools system-packages proto bench fmt-check vet workflowcheck go-test fuzz clean-dev

# Builds the binaries into .bin/ and runs the whole stack; Ctrl-C stops it cleanly.
dev: tools
	$(GO) build -o $(BIN)/staffsync ./cmd/staffsync
	$(GO) build -o $(BIN)/staffsyncctl ./cmd/staffsyncctl
	$(BIN)/staffsync dev

test: tools fmt-check vet workflowcheck web-check go-test web-test fuzz

tools: system-packages $(BIN)/temporal $(BIN)/workflowcheck

# PostgreSQL server binaries (initdb, pg_ctl) and OpenSSH (sshd for the SFTP tests).
system-packages:
	@bash scripts/install-system-packages.sh

$(BIN)/temporal:
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

$(BIN)/workflowcheck:
	GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

$(BIN)/buf:
	GOBIN=$(BIN) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)

$(BIN)/protoc-gen-go:
	GOBIN=$(BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(BIN)/protoc-gen-connect-go:
	GOBIN=$(BIN) $(GO) install connectrpc.com/connect/cmd/protoc-gen-connect-go@$(PROTOC_GEN_CONNECT_GO_VERSION)

grpcurl: $(BIN)/grpcurl

$(BIN)/grpcurl:
	GOBIN=$(BIN) $(GO) install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)

proto: $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-connect-go
	cd proto && $(BIN)/buf lint && $(BIN)/buf generate

fmt-check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.bin/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

workflowcheck: $(BIN)/workflowcheck
	$(BIN)/workflowcheck ./workflows/...

# Every package once; the packages with concurrency again under the race detector.
go-test:
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race $(RACE_PACKAGES)

# Short fuzzing runs of the file parsers: they must find no panic or hang.
fuzz:
	$(GO) test ./importfile -run='^$$' -fuzz='^FuzzReadCSV$$' -fuzztime=$(FUZZ_CSV_EXECS) -fuzzminimizetime=$(FUZZ_MINIMIZE)
	$(GO) test ./importfile -run='^$$' -fuzz='^FuzzReadXLSX$$' -fuzztime=$(FUZZ_XLSX_EXECS) -fuzzminimizetime=$(FUZZ_MINIMIZE)
	$(GO) test ./importfile -run='^$$' -fuzz='^FuzzXLSXScanner$$' -fuzztime=$(FUZZ_XLSX_SCANNER_EXECS) -fuzzminimizetime=$(FUZZ_MINIMIZE)

# Micro benchmarks (ns/op, B/op), then the end-to-end run against the floor on a throwaway
# stack; BENCH_PEOPLE=1000000 make bench runs the 1M size. Results: bench/results.json.
bench: tools
	$(GO) test ./importfile ./directory -run='^$$' -bench=. -benchmem
	$(GO) build -o $(BIN)/staffsync ./cmd/staffsync
	$(GO) run ./bench/cmd/staffsync-bench -staffsync $(BIN)/staffsync

clean-dev:
	rm -rf .staffsync/dev

# Web console (web/): TypeScript built with Vite and embedded into the Go binary. web/dist and
# the generated web/src/gen are committed, so `go build` needs no Node; `make web` rebuilds both
# and web-check fails when the committed files differ from a fresh build.
WEB_DEPS := web/node_modules/.package-lock.json

.PHONY: web web-proto web-check web-test

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web-proto: $(BIN)/buf $(WEB_DEPS)
	rm -rf web/src/gen
	$(BIN)/buf generate --template web/buf.gen.web.yaml

web: web-proto
	cd web && npm run build

web-check: $(BIN)/buf $(WEB_DEPS)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/buf generate --template web/buf.gen.web.yaml -o "$$tmp" && \
	if ! diff -r web/src/gen "$$tmp/web/src/gen" >/dev/null; then \
		echo "web/src/gen is stale: the protos changed. Run 'make web' and commit web/src/gen and web/dist."; exit 1; fi; \
	(cd web && npx tsc --noEmit && npx vite build --logLevel warn --outDir "$$tmp/dist" --emptyOutDir) && \
	if ! diff -rq web/dist "$$tmp/dist"; then \
		echo "web/dist is stale: run 'make web' and commit web/dist."; exit 1; fi

web-test: tools $(WEB_DEPS)
	@bash web/scripts/install-chromium.sh
	cd web && npx vitest run && npx vitest run --config vitest.e2e.config.ts
