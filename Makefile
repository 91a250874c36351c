# coroc — top-level entry points.  `make demo` and `make test` work on a fresh
# Debian machine that has only the Swift toolchain: they install what is missing.
#
#   make demo       set up, build, translate and run the main example, show the contrast
#   make test       everything CI checks (runtime tests + sanitizers, swift test, fixtures, examples)
#   make test-long  soak and fuzz runs (not in CI)
#   make bench      the benchmark suite with its peers (docs/benchmarks.md)
#   make install PREFIX=/usr/local

SHELL      := /bin/bash
PREFIX     ?= /usr/local
SWIFT      ?= swift
BUILD_DIR  := .build/debug
COROC      := $(BUILD_DIR)/coroc

.PHONY: all setup setup-test setup-bench build runtime test test-runtime test-swift test-fixtures \
        test-long bench demo install clean

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
	$(SWIFT) test

test: setup-test test-runtime test-swift
	@echo "make test: all suites passed"

test-long: setup-test
	$(MAKE) -C Runtime test-long

bench: setup-bench build
	$(MAKE) -C Runtime bench

demo: build
	@scripts/demo.sh

install: build runtime
	install -d $(PREFIX)/bin $(PREFIX)/lib $(PREFIX)/include $(PREFIX)/lib/pkgconfig
	install -m 755 $(COROC) $(PREFIX)/bin/coroc
	$(MAKE) -C Runtime install PREFIX=$(PREFIX)

clean:
	rm -rf .build
	$(MAKE) -C Runtime clean
