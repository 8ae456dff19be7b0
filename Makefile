# lockstep: `make demo` replays seed 000 on the engine; `make test` runs
# everything CI runs.
GO ?= go
BIN := bin/lockstep

.PHONY: all build demo test vet staticcheck fmt-check unit fuzz-seed bench clients clean

all: build

# The version stamped into the binary (lockstep --version): the nearest
# tag, the commit and whether the tree was modified.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)

build:
	$(GO) build -buildvcs=true -ldflags "-X main.stampedVersion=$(VERSION)" -o $(BIN) ./cmd/lockstep

# The main job on the embedded default, no AWS account and no
# configuration: seed 000 replayed step by step (the engine, then the real
# AWS CLI on the emulator when it is installed), then seed 003's command
# planned from its command line and proved with the real client.
demo: build
	./$(BIN) demo --seed 000
	@echo
	./$(BIN) demo --seed 003 --plan

test: clients fmt-check vet staticcheck unit

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# staticcheck, pinned, fetched from the Go module proxy on first use.
STATICCHECK_VERSION ?= v0.8.2
staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Unit, decision-case, seed, fuzz-corpus and end-to-end tests (the real
# clients against the emulator, package e2e), with the race detector. The
# fuzz seed corpus of policy.FuzzParse runs as part of `go test`. As root
# (CI) the clients were installed by `make clients`, so a missing client
# fails the end-to-end tests instead of skipping them.
REQUIRE_CLIENTS ?= $(shell [ "$$(id -u)" = 0 ] && echo 1)
unit:
	LOCKSTEP_REQUIRE_CLIENTS=$(REQUIRE_CLIENTS) $(GO) test -race -count=1 -timeout 20m ./...

# Real S3 clients for the end-to-end suite (AWS CLI v2, rclone, s3cmd).
clients:
	@scripts/install-clients.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./authz/

clean:
	rm -rf bin
