# coroc — top-level entry points.  `make demo` and `make test` work on a fresh
# Debian machine that has only the Swift toolchain: they install what is missing.
#
#   make demo       set up, build, translate and run the main example, show the contrast
#   make test       everything CI checks (runtime tests + sanitizers, swift test, fixtures, examples)
#   make test-long  soak and fuzz runs, the whole GCC torture suite (not in CI)
#   make bench      the benchmark suite with its peers (docs/benchmarks.md)
#   make install PREFIX=/usr/local

SHELL      := /bin/bash
PREFIX     ?= /usr/local
SWIFT      ?= swift
BUILD_DIR  := .build/debug
COROC      := $(BUILD_DIR)/coroc

.PHONY: all setup setup-test setup-bench build runtime test test-runtime test-swift test-fixtures test-examples \
        test-torture test-long-torture test-long bench demo install clean

all: build

setup:
	@scripts/setup.sh base

setup-test:
	@scripts/setup.sh test

setup-bench:
	@scripts/setup.sh bench

build: setup
	$(SWIFT) build

runtime:
	$(MAKE) -C Runtime

test-runtime: setup-test
	$(MAKE) -C Runtime test

test-swift: build
	python3 scripts/gen-clang-shim.py --check
	$(SWIFT) test

# Every fixture in both modes, on 1 and on 4 workers; output compared exactly.
test-fixtures: build
	$(COROC) run Fixtures/c/*.c --mode both --threads 1,4
	scripts/seed-replay.sh $(COROC) 20
	scripts/halfclose-scale.sh $(COROC)
	@if ls Fixtures/swift/*.coroswift >/dev/null 2>&1; then \
	    $(COROC) run Fixtures/swift/*.coroswift --mode both --threads 1,4; fi

test-examples: build runtime
	scripts/test-examples.sh

# A fixed 160-program sample of GCC's execution torture suite, both modes, 1 worker;
# fails only on regressions against scripts/torture/expected.json (docs/c.md).
test-torture: setup-test build runtime
	python3 scripts/torture/run.py --coroc $(COROC) --sample scripts/torture/sample.txt \
	    --modes stackless,stackful --threads 1 --jobs 2 --expect scripts/torture/expected.json

test: setup-test test-runtime test-swift test-fixtures test-examples test-torture
	@echo "make test: all suites passed"

# Soak and fuzz (not in CI): runtime stress at 10x size, csmith differential
# testing over 300 seeds, and the fixture matrix five more times on more
# worker counts (interleaving bugs show up as flaky rows).
# The whole torture suite, both modes, 1 and 4 workers; prints the table.
test-long-torture: setup-test build runtime
	python3 scripts/torture/run.py --coroc $(COROC) --modes stackless,stackful --threads 1,4 --jobs 2

test-long: setup-test build test-long-torture
	$(MAKE) -C Runtime test-long
	scripts/seed-replay.sh $(COROC) 200
	COROC_CSMITH_SEEDS=300 $(SWIFT) test --filter csmithChecksumSurvivesTranslation
	for round in 1 2 3 4 5; do \
	    $(COROC) run Fixtures/c/*.c Fixtures/swift/*.coroswift --mode both --threads 1,2,4,8 || exit 1; \
	done

# Every scenario, stackless vs stackful vs peers, interleaved (docs/benchmarks.md);
# writes bench.json, docs/bench.svg and the results section of docs/benchmarks.md.
# A release coroc, because the translator's own speed is one of the measurements
# (the first release build takes several minutes on a 2-core machine).
bench: setup-bench runtime
	$(SWIFT) build -c release --static-swift-stdlib --product coroc
	.build/release/coroc bench --runs 5

demo: build
	@scripts/demo.sh

install: build runtime
	install -d $(PREFIX)/bin $(PREFIX)/share/coroc $(PREFIX)/lib/cmake/CoroRuntime
	install -m 755 $(COROC) $(PREFIX)/bin/coroc
	$(MAKE) -C Runtime install PREFIX=$(PREFIX)
	install -m 644 share/coroc.mk $(PREFIX)/share/coroc/coroc.mk
	install -m 644 share/cmake/CorocTranslate.cmake $(PREFIX)/lib/cmake/CoroRuntime/CorocTranslate.cmake
	install -m 644 share/cmake/CoroRuntimeConfig.cmake.in $(PREFIX)/lib/cmake/CoroRuntime/CoroRuntimeConfig.cmake
	# Swift: the CoroRuntime module map and CoroSwift (what translated Swift imports;
	# `coroc run` looks for it in lib/CoroSwift, Sources/CorocDriver/SupportModuleBuild.swift)
	install -m 644 Runtime/include/module.modulemap $(PREFIX)/include/module.modulemap
	install -d $(PREFIX)/lib/CoroSwift
	swiftc -parse-as-library -O -swift-version 6 -module-name CoroSwift -emit-module \
	    -emit-module-path $(PREFIX)/lib/CoroSwift/CoroSwift.swiftmodule -emit-library -static \
	    -o $(PREFIX)/lib/CoroSwift/libCoroSwift.a -I Runtime/include $(sort $(wildcard Sources/CoroSwift/*.swift))

clean:
	rm -rf .build
	$(MAKE) -C Runtime clean
