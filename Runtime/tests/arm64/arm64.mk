# tests/arm64/arm64.mk — the arm64 half of `make -C Runtime test`.
#
# Cross-compiles the context-switch test (tests/test_ctx_regs.c with
# src/arch/ctx_arm64_aapcs_elf.S) with aarch64-linux-gnu-gcc and runs it under
# qemu-user (`qemu-aarch64 -L /usr/aarch64-linux-gnu`).  Included by
# Runtime/Makefile with `-include tests/arm64/arm64.mk`, so paths are relative
# to Runtime/.  When the cross compiler or qemu is missing the target says so
# and succeeds: `scripts/setup.sh test` installs gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross and qemu-user.
#
#   make -C Runtime test-arm64
#
# It adds itself as a prerequisite of `test`.

ARM64_CC      ?= aarch64-linux-gnu-gcc
ARM64_QEMU    ?= qemu-aarch64
ARM64_SYSROOT ?= /usr/aarch64-linux-gnu
ARM64_OUT     ?= build/arm64
ARM64_CFLAGS  ?= -std=gnu17 -O2 -g -Wall -Wextra -Werror

ARM64_SOURCES := tests/test_ctx_regs.c src/arch/ctx_arm64_aapcs_elf.S

# The build happens inside the recipe (not as a file target) so that a machine
# without the cross compiler skips instead of failing on a missing rule.
.PHONY: test-arm64
test-arm64:
	@if ! command -v $(ARM64_CC) >/dev/null 2>&1 || ! command -v $(ARM64_QEMU) >/dev/null 2>&1 \
	    || [ ! -d $(ARM64_SYSROOT) ]; then \
	    echo "test-arm64: SKIPPED ($(ARM64_CC), $(ARM64_QEMU) or $(ARM64_SYSROOT) missing; run scripts/setup.sh test)"; \
	else \
	    mkdir -p $(ARM64_OUT) && \
	    echo "$(ARM64_CC) -o $(ARM64_OUT)/test_ctx_regs $(ARM64_SOURCES)" && \
	    $(ARM64_CC) $(ARM64_CFLAGS) -o $(ARM64_OUT)/test_ctx_regs $(ARM64_SOURCES) && \
	    echo "$(ARM64_QEMU) -L $(ARM64_SYSROOT) $(ARM64_OUT)/test_ctx_regs" && \
	    $(ARM64_QEMU) -L $(ARM64_SYSROOT) $(ARM64_OUT)/test_ctx_regs; \
	fi

test: test-arm64

# Being included first must not make test-arm64 the default goal.
ifeq ($(.DEFAULT_GOAL),test-arm64)
.DEFAULT_GOAL :=
endif
