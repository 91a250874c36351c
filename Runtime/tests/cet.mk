# tests/cet.mk — a -fcf-protection=full build (x86-64 CET) of the runtime
# and of the tests that switch stacks, run, and checked for the IBT marker
# (part of `make -C Runtime test`).
#
# src/arch/ctx_x86_64_sysv_elf.S begins its entry points with endbr64 and
# every src/arch object carries a GNU property note "IBT"
# (src/arch/gnu_property.h); without them the linker drops IBT for the whole
# program (it ANDs the notes of all objects).  This target builds build/cet/
# with -fcf-protection=full, and fails unless every member of its libcoro.a
# shows "x86 feature: IBT" (`readelf -n`; the asm objects did not), the
# switch's entry points and the preemption trampoline (src/arch/
# preempt_x86_64_sysv_elf.S) disassemble to endbr64 first, and
# test_ctx_regs and the stackful tests pass in that build.  The final programs are not
# checked for the note: this Debian's crt1.o/crti.o carry none, so no
# program linked here is IBT-marked (ld -z cet-report=warning says so).
# (SHSTK is not claimed: see the .S.)
# Skipped with a message on non-x86-64 hosts or without readelf.
# Included by Runtime/Makefile with `-include tests/cet.mk`.
#
#   make -C Runtime test-cet

CET_B     ?= build/cet
CET_TESTS := $(patsubst tests/%.c,$(CET_B)/tests/%,tests/test_ctx_regs.c $(sort $(wildcard tests/test_stackful*.c)))

.PHONY: test-cet
test-cet:
	@if [ "$$(uname -m)" != x86_64 ] || ! command -v readelf >/dev/null 2>&1; then \
	    echo "test-cet: SKIPPED (not x86-64, or no readelf)"; \
	else \
	    $(MAKE) --no-print-directory B=$(CET_B) XFLAGS="-O2 -fcf-protection=full" $(CET_TESTS) && \
	    members=$$(ar t $(CET_B)/libcoro.a | wc -l); \
	    marked=$$(readelf -n $(CET_B)/libcoro.a | grep -c 'x86 feature: IBT'); \
	    [ "$$members" = "$$marked" ] || { readelf -n $(CET_B)/libcoro.a; \
	        echo "FAILED: $$marked of $$members objects of $(CET_B)/libcoro.a are marked IBT"; exit 1; }; \
	    for f in coro_ctx_switch coro_ctx_make; do \
	        objdump -d --no-show-raw-insn $(CET_B)/obj/arch/ctx_x86_64_sysv_elf.o | grep -A1 "<$$f>:" | grep -q endbr64 || \
	            { echo "FAILED: $$f does not begin with endbr64"; exit 1; }; \
	    done; \
	    objdump -d --no-show-raw-insn $(CET_B)/obj/arch/preempt_x86_64_sysv_elf.o | grep -A1 "<coro_stackful_preempt_trampoline_>:" | grep -q endbr64 || \
	        { echo "FAILED: coro_stackful_preempt_trampoline_ does not begin with endbr64"; exit 1; }; \
	    echo "test-cet: all $$members runtime objects IBT-marked; switch and preemption trampoline entry points begin with endbr64"; \
	    for t in $(CET_TESTS); do \
	        echo "== $$t (-fcf-protection=full)"; \
	        timeout 300 $$t > $$t.log 2>&1 || { cat $$t.log; echo "FAILED: $$t (-fcf-protection=full)"; exit 1; }; \
	        tail -1 $$t.log; \
	    done; \
	fi

test: test-cet
