BINDIR ?= $(CURDIR)/build
BINARY := $(BINDIR)/nightshiftd
DEVNET_HOME ?= $(HOME)/.nightshift-devnet

.PHONY: help build install test test-unit test-e2e devnet localnet localnet-stop localnet-status lint proto-gen

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build build/nightshiftd
	go build -o $(BINARY) ./cmd/nightshiftd

install: ## install nightshiftd into GOBIN
	go install ./cmd/nightshiftd

devnet: build ## start (or resume) a single-validator devnet in DEVNET_HOME
	$(BINARY) devnet --home $(DEVNET_HOME)

localnet: build ## start (creating if needed) 4 validators on loopback in .localnet/
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh start -d $(CURDIR)/.localnet

localnet-stop: ## stop the localnet's nodes
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh stop -d $(CURDIR)/.localnet

localnet-status: ## heights and peers of the localnet's nodes
	NIGHTSHIFTD=$(BINARY) ./scripts/localnet.sh status -d $(CURDIR)/.localnet

test: build ## unit tests and the devnet integration test
	NIGHTSHIFTD_BIN=$(BINARY) go test -count=1 ./...

test-unit: ## unit tests only
	go test -count=1 -short ./...

lint: ## golangci-lint with the repo config
	go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run ./...

proto-gen: ## regenerate *.pb.go and *.pb.gw.go from proto/ (offline)
	./scripts/protocgen.sh
