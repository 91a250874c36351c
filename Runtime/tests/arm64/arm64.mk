# tests/arm64/arm64.mk — the arm64 half of `make -C Runtime test`.
#
# Cross-compiles with aarch64-linux-gnu-gcc and runs under qemu-user
# (`qemu-aarch64 -L /usr/aarch64-linux-gnu`):
#   - test_ctx_regs alone (tests/test_ctx_regs.c + src/arch/ctx_arm64_aapcs_elf.S):
#     the context switch preserves x19-x28, fp, sp and d8-d15;
#   - the whole runtime (src/*.c + src/arch/*.S) and the stackful tests
#     (tests/test_stackful*.c), which then run the arm64 switch under the
#     real scheduler, poller, timers and channels.  qemu-user accepts
#     MADV_GUARD_INSTALL but ignores it; the pool detects that and uses
#     mprotect guards (stack.c).  Child processes are started through qemu
#     (CORO_TEST_RUNNER).
# Included by Runtime/Makefile with `-include tests/arm64/arm64.mk`, so paths
# are relative to Runtime/.  When the cross compiler or qemu is missing the
# target says so and succeeds: `scripts/setup.sh test` installs
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user.
#
#   make -C Runtime test-arm64
#
# It adds itself as a prerequisite of `test`.

ARM64_CC      ?= aarch64-linux-gnu-gcc
ARM64_AR      ?= aarch64-linux-gnu-ar
ARM64_QEMU    ?= qemu-aarch64
ARM64_SYSROOT ?= /usr/aarch64-linux-gnu
ARM64_OUT     ?= build/arm64
ARM64_CFLAGS  ?= -std=gnu17 -O2 -g -Wall -Wextra -D_GNU_SOURCE -Iinclude -iquote src -pthread

ARM64_RT_SRCS := $(sort $(wildcard src/*.c)) $(sort $(wildcard src/arch/*.S))
ARM64_TESTS   := $(sort $(wildcard tests/test_stackful*.c))
ARM64_RUN     := $(ARM64_QEMU) -L $(ARM64_SYSROOT)

# The build happens inside the recipe (not as file targets) so that a machine
# without the cross compiler skips instead of failing on a missing rule.
.PHONY: test-arm64
test-arm64:
	@if ! command -v $(ARM64_CC) >/dev/null 2>&1 || ! command -v $(ARM64_QEMU) >/dev/null 2>&1 \
	    || [ ! -d $(ARM64_SYSROOT) ]; then \
	    echo "test-arm64: SKIPPED ($(ARM64_CC), $(ARM64_QEMU) or $(ARM64_SYSROOT) missing; run scripts/setup.sh test)"; \
	    exit 0; \
	fi; \
	set -e; mkdir -p $(ARM64_OUT)/obj; \
	echo "$(ARM64_CC) -o $(ARM64_OUT)/test_ctx_regs tests/test_ctx_regs.c src/arch/ctx_arm64_aapcs_elf.S"; \
	$(ARM64_CC) $(ARM64_CFLAGS) -Werror -o $(ARM64_OUT)/test_ctx_regs tests/test_ctx_regs.c src/arch/ctx_arm64_aapcs_elf.S; \
	echo "$(ARM64_RUN) $(ARM64_OUT)/test_ctx_regs"; \
	$(ARM64_RUN) $(ARM64_OUT)/test_ctx_regs; \
	echo "$(ARM64_CC): the runtime -> $(ARM64_OUT)/libcoro.a"; \
	objs=; for s in $(ARM64_RT_SRCS); do \
	    o=$(ARM64_OUT)/obj/$$(basename $$s).o; \
	    $(ARM64_CC) $(ARM64_CFLAGS) -c $$s -o $$o; objs="$$objs $$o"; \
	done; \
	rm -f $(ARM64_OUT)/libcoro.a; $(ARM64_AR) rcs $(ARM64_OUT)/libcoro.a $$objs; \
	for t in $(ARM64_TESTS); do \
	    b=$(ARM64_OUT)/$$(basename $$t .c); \
	    $(ARM64_CC) $(ARM64_CFLAGS) $$t -o $$b $(ARM64_OUT)/libcoro.a; \
	    echo "== $(ARM64_RUN) $$b"; \
	    CORO_TEST_RUNNER="$(ARM64_RUN)" timeout 300 $(ARM64_RUN) $$b || { echo "FAILED on arm64: $$b"; exit 1; }; \
	done

test: test-arm64

# The BTI build (-mbranch-protection=standard): every object of its
# libcoro.a must carry the "AArch64 feature: BTI" note (the asm had none, so
# the linker dropped BTI for every program), and test_ctx_regs,
# test_stackful_basic and test_stackful_preempt_regs must pass under qemu in
# that build (the switch's resume is `ret x4`, ctx_arm64_aapcs_elf.S; the
# preemption trampoline begins with `bti c`, preempt_arm64_aapcs_elf.S).  Programs are not checked for the note:
# this Debian's aarch64 crt files carry none.
ARM64_BTI_OUT ?= build/arm64-bti
.PHONY: test-arm64-bti
test-arm64-bti:
	@if ! command -v $(ARM64_CC) >/dev/null 2>&1 || ! command -v $(ARM64_QEMU) >/dev/null 2>&1 \
	    || [ ! -d $(ARM64_SYSROOT) ]; then \
	    echo "test-arm64-bti: SKIPPED ($(ARM64_CC), $(ARM64_QEMU) or $(ARM64_SYSROOT) missing)"; exit 0; \
	fi; \
	set -e; mkdir -p $(ARM64_BTI_OUT)/obj; objs=; \
	for s in $(ARM64_RT_SRCS); do \
	    o=$(ARM64_BTI_OUT)/obj/$$(basename $$s).o; \
	    $(ARM64_CC) $(ARM64_CFLAGS) -mbranch-protection=standard -c $$s -o $$o; objs="$$objs $$o"; \
	done; \
	rm -f $(ARM64_BTI_OUT)/libcoro.a; $(ARM64_AR) rcs $(ARM64_BTI_OUT)/libcoro.a $$objs; \
	n=$$(echo $$objs | wc -w); m=$$(readelf -n $(ARM64_BTI_OUT)/libcoro.a | grep -c 'AArch64 feature: BTI'); \
	[ "$$n" = "$$m" ] || { echo "FAILED: $$m of $$n arm64 objects are marked BTI"; exit 1; }; \
	echo "test-arm64-bti: all $$n runtime objects BTI-marked"; \
	for t in tests/test_ctx_regs.c tests/test_stackful_basic.c tests/test_stackful_preempt_regs.c; do \
	    b=$(ARM64_BTI_OUT)/$$(basename $$t .c); \
	    $(ARM64_CC) $(ARM64_CFLAGS) -mbranch-protection=standard $$t -o $$b $(ARM64_BTI_OUT)/libcoro.a; \
	    echo "== $(ARM64_RUN) $$b (BTI build)"; \
	    CORO_TEST_RUNNER="$(ARM64_RUN)" timeout 300 $(ARM64_RUN) $$b > $$b.log 2>&1 || { cat $$b.log; echo "FAILED on arm64 (BTI): $$b"; exit 1; }; \
	    tail -1 $$b.log; \
	done

test: test-arm64-bti

# Being included first must not make test-arm64 the default goal.
ifeq ($(.DEFAULT_GOAL),test-arm64)
.DEFAULT_GOAL :=
endif
