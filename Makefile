# Stockade build and test entry points. See BUILD.md.
GO ?= go

.PHONY: all build test unit e2e bench compat-doc vet clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -o bin/runsc ./runsc

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

# Every test: unit tests, the compatibility table check, end-to-end tests
# (they build bin/runsc) and the benchmark harness smoke test.
test: vet build
	$(GO) test -count=1 -timeout 30m ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /test/)

e2e: build
	$(GO) test -count=1 -v ./test/e2e

bench: build
	$(GO) run ./test/benchmarks -n 5

# Regenerate the compatibility table from the syscall table.
compat-doc: build
	./bin/runsc syscalls > docs/compatibility.md

clean:
	rm -rf bin

# The Linux compatibility suite (test/syscalls): every case natively, under
# bin/runsc do and, when installed and root, under gVisor; prints the table
# and "N passed, M failed" per sandbox. Exits non-zero if a case fails
# natively or a case in test/syscalls/baseline.txt regressed.
.PHONY: compat
compat: build
	$(GO) run ./test/syscalls/cmd/compat -runsc $(CURDIR)/bin/runsc
