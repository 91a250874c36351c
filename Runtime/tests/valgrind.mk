# tests/valgrind.mk — the stackful tests under Valgrind (part of `make -C Runtime test`).
#
# Builds the context-switch and stackful tests without sanitizers (-O1 -g,
# in build/valgrind/) and runs each under `valgrind --error-exitcode=1`.
# A run fails on any Valgrind error and also on Valgrind's "client switching
# stacks?" warning, which appears when a coroutine stack is not registered
# (stack.c registers every stack with VALGRIND_STACK_REGISTER).  Tests see
# CORO_TEST_SANITIZER=1 and shrink as they do under ASan.  Skipped with a
# message when valgrind is not installed (scripts/setup.sh test installs it).
# Included by Runtime/Makefile with `-include tests/valgrind.mk`.
#
#   make -C Runtime test-valgrind

VALGRIND       ?= valgrind
VALGRIND_B     ?= build/valgrind
VALGRIND_TESTS := $(patsubst tests/%.c,$(VALGRIND_B)/tests/%,$(sort $(wildcard tests/test_stackful*.c)) tests/test_ctx_regs.c)

.PHONY: test-valgrind
test-valgrind:
	@if ! command -v $(VALGRIND) >/dev/null 2>&1; then \
	    echo "test-valgrind: SKIPPED ($(VALGRIND) not found; run scripts/setup.sh test)"; \
	else \
	    $(MAKE) --no-print-directory B=$(VALGRIND_B) XFLAGS="-O1" $(VALGRIND_TESTS) && \
	    for t in $(VALGRIND_TESTS); do \
	        echo "== valgrind $$t"; \
	        CORO_TEST_SANITIZER=1 timeout 600 $(VALGRIND) --error-exitcode=1 $$t > $$t.vg.log 2>&1; rc=$$?; \
	        grep -v '^==[0-9]*==' $$t.vg.log; \
	        if [ $$rc != 0 ]; then echo "FAILED under valgrind: $$t (log: $$t.vg.log)"; exit 1; fi; \
	        if grep -q 'switching stacks' $$t.vg.log; then \
	            echo "FAILED: valgrind saw an unregistered stack switch in $$t (log: $$t.vg.log)"; exit 1; fi; \
	    done; \
	fi

test: test-valgrind

# Being included first must not make test-valgrind the default goal.
ifeq ($(.DEFAULT_GOAL),test-valgrind)
.DEFAULT_GOAL :=
endif
