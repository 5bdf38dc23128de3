# kdeck: `make demo` runs kdeck against a local demo cluster; `make test` runs every test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
E2E_TIMEOUT ?= 40m
# make bench knobs: pod counts (ascending), CPU-under-churn duration, keep the cluster afterwards
BENCH_SIZES ?= 10000,50000
BENCH_CHURN ?= 60s
BENCH_KEEP  ?= true
BENCH_FLAGS ?=
# make soak knobs: pod count, length, pods changed a minute, cluster (the bench's, so its pods are reused)
SOAK_SIZE     ?= 50000
SOAK_DURATION ?= 30m
SOAK_RATE     ?= 1000
SOAK_CLUSTER  ?= kdeck-bench
# The platforms of the release: .goreleaser.yaml's builds, goos × goarch (CGO_ENABLED=0).
# Keep the two in step. make vet type-checks every operating system of the release, on one
# arch each (VET_PLATFORMS): kdeck has no arch-specific code, and each platform vetted costs
# 9-15 minutes on a cold build cache (every dependency compiled again), seconds warm.
# `make vet VET_PLATFORMS="$(RELEASE_PLATFORMS)"` vets them all.
RELEASE_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
VET_PLATFORMS ?= darwin/arm64 windows/amd64

.PHONY: build test vet unit e2e testbed release-check demo demo-down tools-check screenshots bench bench-down soak docs

## build: compile kdeck into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/kdeck ./cmd/kdeck

## test: vet, unit tests with -race, end-to-end tests on a fresh testbed cluster, release config check
test: vet unit e2e release-check

## vet: go vet on this machine (the e2e tests too), then on every other operating system of the release
vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./hack/e2e/
	@set -e; host="$$($(GO) env GOOS)/$$($(GO) env GOARCH)"; \
	for p in $(VET_PLATFORMS); do \
		[ "$$p" != "$$host" ] || continue; \
		echo "GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./..."; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./...; \
	done

unit:
	$(GO) test -race -count=1 ./...

## e2e: builds the testbed if missing (cold: 10-15 min), starts a fresh cluster, drives kdeck in tmux
e2e: tools-check testbed
	$(GO) test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -v ./hack/e2e/

testbed:
	hack/testbed.sh build >/dev/null

## release-check: goreleaser check, then a snapshot release of the host's own target into dist/ (archive,
## checksums, deb, rpm, krew manifest, Homebrew cask) and a check of each (hack/releasecheck)
release-check:
	hack/goreleaser.sh release-check

## demo: build what is missing, start (or reuse) and seed the demo cluster, run kdeck on it
demo: build testbed
	KUBECONFIG="$$(hack/demo.sh)" bin/kdeck -A

## demo-down: delete the demo cluster
demo-down:
	hack/testbed.sh down kdeck-demo

tools-check:
	@command -v tmux >/dev/null || { echo "make: the end-to-end tests need tmux (Debian/Ubuntu: sudo apt-get install tmux; macOS: brew install tmux)"; exit 1; }

## docs: regenerate docs/KEYS.md, docs/CONFIG.md and docs/config.schema.json from the code
docs:
	$(GO) run ./hack/docgen

## screenshots: render screenshots/*.svg from kdeck on the demo cluster
screenshots: testbed
	hack/screenshots.sh

## bench: kdeck vs the docs/ARCHITECTURE.md budgets at 10k and 50k pods on the kdeck-bench testbed cluster
## (kept afterwards: creating 50k pods takes minutes), beside the floor, k9s and kubectl.
## BENCH_FLAGS="-profile DIR" writes pprof files; "-fleet 4x10000" measures one view of 4 clusters.
bench: tools-check testbed
	$(GO) run ./hack/bench -sizes $(BENCH_SIZES) -churn $(BENCH_CHURN) -keep=$(BENCH_KEEP) $(BENCH_FLAGS)

## soak: kdeck on the pods view with metrics for SOAK_DURATION while SOAK_RATE pods a minute change, on the
## kdeck-bench cluster: RSS trend, goroutines, CPU at the start and the end, screen still live (SOAK_DURATION
## plus a few minutes of setup, more when the cluster lacks the pods)
soak: tools-check testbed
	$(GO) run ./hack/bench -sizes $(SOAK_SIZE) -soak $(SOAK_DURATION) -churn-rate $(SOAK_RATE) -cluster $(SOAK_CLUSTER) -keep=$(BENCH_KEEP) $(BENCH_FLAGS)

## bench-down: delete the bench cluster and the clusters of a fleet run (-fleet, up to 8)
bench-down:
	hack/testbed.sh down kdeck-bench
	for n in 1 2 3 4 5 6 7 8; do hack/testbed.sh down kdeck-bench-fleet$$n; done
