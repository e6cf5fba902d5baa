BINDIR ?= $(CURDIR)/build
BINARY := $(BINDIR)/nightshiftd
DEVNET_HOME ?= $(HOME)/.nightshift-devnet
LOCALNET_BASE_PORT ?= 36600

.PHONY: help build build-worker release install test test-unit test-e2e test-arm64 test-sim program-fixtures devnet localnet localnet-join localnet-stop localnet-status fuzz lint proto-gen bench bench-gas

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build build/nightshiftd
	go build -o $(BINARY) ./cmd/nightshiftd

build-worker: ## build build/nightshift-worker, the worker alone (no node), for phones and small machines
	go build -o $(BINDIR)/nightshift-worker ./cmd/nightshift-worker

# Release binaries: static (CGO_ENABLED=0), -trimpath and an empty build id, so
# building the same commit twice gives the same bytes (SHA256SUMS). The version
# and commit come from -X, not VCS stamping, so untracked files do not change them.
# All four targets build without cgo, nightshiftd included (pure-Go secp256k1,
# goleveldb and pebble), so none is skipped.
RELEASE_DIR ?= $(BINDIR)/release
# The released worker's build tags. grpcnotrace: the worker serves no gRPC, so
# gRPC's /debug/requests tracing (golang.org/x/net/trace, html/template: 0.26 MB
# on linux/arm64) is dead weight. Not in build-worker, whose dev builds would
# compile a second copy of everything above gRPC. tests/release_test.go reads
# this line.
WORKER_TAGS ?= grpcnotrace
RELEASE_TARGETS ?= linux/amd64 linux/arm64 darwin/arm64 windows/amd64
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
RELEASE_LDFLAGS := -s -w -buildid= -X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) -X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT)

release: ## cross-compile nightshiftd and nightshift-worker for RELEASE_TARGETS into build/release/ with SHA256SUMS (reproducible)
	@set -e; rm -rf $(RELEASE_DIR); mkdir -p $(RELEASE_DIR); \
	for target in $(RELEASE_TARGETS); do \
		os=$${target%/*}; arch=$${target#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		for bin in nightshift-worker nightshiftd; do \
			echo "== $$bin $$os/$$arch"; tags=; [ $$bin = nightshift-worker ] && tags='$(WORKER_TAGS)'; \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -trimpath -buildvcs=false -tags "$$tags" \
				-ldflags '$(RELEASE_LDFLAGS) -X github.com/cosmos/cosmos-sdk/version.Name='$$bin' -X github.com/cosmos/cosmos-sdk/version.AppName='$$bin \
				-o $(RELEASE_DIR)/$$bin-$$os-$$arch$$ext ./cmd/$$bin; \
		done; \
	done; \
	cd $(RELEASE_DIR) && LC_ALL=C sha256sum -- * > SHA256SUMS && ls -l

.PHONY: programs programs-check

programs: ## rebuild the example programs (pkg/examples/*/*.wasm) from source with fixed flags (clang, rustc 1.63, wabt)
	./scripts/programs.sh build

programs-check: ## rebuild the example programs into a temp dir and fail if a committed .wasm differs
	./scripts/programs.sh check

install: ## install nightshiftd into GOBIN
	go install ./cmd/nightshiftd

devnet: build ## start (or resume) a single-validator devnet in DEVNET_HOME
	$(BINARY) devnet --home $(DEVNET_HOME)

localnet: build ## start (creating if needed) 4 validators on loopback in .localnet/ (ports from LOCALNET_BASE_PORT)
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh start -d $(CURDIR)/.localnet -p $(LOCALNET_BASE_PORT)

localnet-join: build ## add a full node to the running localnet and wait until it has caught up
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh join -d $(CURDIR)/.localnet

localnet-stop: ## stop the localnet's nodes
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh stop -d $(CURDIR)/.localnet

localnet-status: ## heights and peers of the localnet's nodes
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh status -d $(CURDIR)/.localnet

test: build build-worker ## unit tests, the end-to-end tests and test-arm64
	NIGHTSHIFTD_BIN=$(BINARY) NIGHTSHIFT_WORKER_BIN=$(BINDIR)/nightshift-worker go test -count=1 -timeout 20m ./...
	$(MAKE) test-arm64

test-e2e: build build-worker ## only the end-to-end tests on real processes (devnet, localnet, workers)
	NIGHTSHIFTD_BIN=$(BINARY) NIGHTSHIFT_WORKER_BIN=$(BINDIR)/nightshift-worker go test -count=1 -timeout 20m ./tests/...

# The program runtime must give the same outputs and fuel on arm64 as on amd64: its
# tests (golden vectors included) and the example programs' golden vectors run as
# linux/arm64 under qemu user emulation (~35 s).
# Without qemu-aarch64-static it is skipped, unless NIGHTSHIFT_REQUIRE_QEMU=1 (.ci/run).
test-arm64: ## the program runtime's tests and golden vectors, and the example programs' golden vectors, as linux/arm64 under qemu-aarch64-static
	@if command -v qemu-aarch64-static >/dev/null; then \
		GOARCH=arm64 go test -count=1 -exec qemu-aarch64-static ./x/compute/program/... && \
		GOARCH=arm64 go test -count=1 -exec qemu-aarch64-static -run '^TestGoldenVectors$$' ./pkg/examples/; \
	elif [ "$${NIGHTSHIFT_REQUIRE_QEMU:-}" = 1 ]; then \
		echo "test-arm64: qemu-aarch64-static not found (apt-get install qemu-user-static)"; exit 1; \
	else \
		echo "test-arm64: skipped, qemu-aarch64-static not installed"; \
	fi

program-fixtures: ## rebuild x/compute/program/testdata/*.wasm from their .wat (Debian's wabt)
	@set -e; cd x/compute/program/testdata; for f in *.wat invalid/*.wat; do \
		flags=--enable-all; [ "$$f" = invalid/typeerror.wat ] && flags="$$flags --no-check"; \
		wat2wasm $$flags "$$f" -o "$${f%.wat}.wasm"; \
	done

test-unit: ## unit tests only
	go test -count=1 -short ./...

test-sim: ## long simulations: determinism (SIM_SEEDS=20 seeds x SIM_BLOCKS=200 blocks, each run twice), import/export and simulation after import (SIM_IMPORT_SEEDS=4)
	./scripts/test-sim.sh

FUZZTIME ?= 30s

fuzz: ## run every fuzz target for FUZZTIME each (make test runs only their seed corpora)
	@set -e; for dir in $$(grep -rl --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/p' $$dir/*_test.go); do \
			echo "== $$dir $$target ($(FUZZTIME))"; \
			go test $$dir -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME); \
		done; \
	done

lint: ## golangci-lint with the repo config, the map-range/goroutine check of state-machine code, buf lint and buf breaking (offline)
	go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run ./...
	go run ./scripts/lint/maprange -skip 'module_simulation\.go$$' $$(go list ./x/... ./app/... | grep -v -e /simulation)
	./scripts/buf.sh

bench-gas: ## gas calibration: ns per gas unit and per work unit of every kind's proof, side by side (~1 min; docs/benchmarks.md, Gas calibration); writes docs/bench-results/gas.md
	@mkdir -p docs/bench-results && \
	{ printf '# Gas calibration\n\n`make bench-gas`, %s; %s cores, load average %s.\n\n```\n' \
		"$$(date -u +%FT%TZ)" "$$(nproc)" "$$(cut -d' ' -f1 /proc/loadavg)" && \
	  go test ./x/compute/keeper -run '^$$' -bench BenchmarkProofVerification -benchtime 1s -cpu 1 | grep '^Benchmark' && \
	  printf '```\n'; } > docs/bench-results/gas.md && cat docs/bench-results/gas.md

proto-gen: ## regenerate *.pb.go, *.pb.gw.go and pkg/computepb/*.pb.go from proto/ (offline)
	./scripts/protocgen.sh

bench: build ## Go micro-benchmarks, then the chain under load on 1 validator (unbatched with a wasm window, then in batches of 16 tasks per tx), the 4-node localnet with a wasm window and 1 validator with a query node (~19 min on 2 cores; not part of test); writes docs/bench-results/
	@start=$$(date +%s) && mkdir -p docs/bench-results && \
	echo "== scripts/bench/kernels.sh 3 1s" && \
	{ printf '# Go micro-benchmarks\n\n`scripts/bench/kernels.sh 3 1s` from `make bench`, %s; %s cores, %s, %s.\n\n' \
		"$$(date -u +%FT%TZ)" "$$(nproc)" "$$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" "$$(go env GOVERSION)" && \
	  ./scripts/bench/kernels.sh 3 1s; } > docs/bench-results/kernels.md && cat docs/bench-results/kernels.md && \
	$(MAKE) --no-print-directory bench-gas && \
	NIGHTSHIFTD=$(BINARY) ./scripts/bench/chain.sh 1 1b 1s 4 1q && \
	echo "make bench: done in $$(( $$(date +%s) - start )) s"
