/*
 * overflow.c — the report of a fault in a coroutine stack's guard page
 * (called by stackful.c's SIGSEGV handler).  Contract: overflow.h.
 *
 * WHY SEVERAL REPORTS
 *
 *  A guard page is hit in more ways than running off the bottom of one's own
 *  stack, and the old report said "an unknown coroutine" whenever the guard
 *  was not the running coroutine's own (issue 12).  Stacks are carved back
 *  to back (stack.c: | guard | stack 0 | guard | stack 1 | ...), so:
 *
 *   own guard     the running coroutine's stack below its lowest byte: a
 *                 real overflow (deep recursion, big locals).
 *   guard above   the guard just above the running stack's top belongs to
 *                 the next slot: a write past the top of the stack, i.e. a
 *                 local buffer overrun toward the caller frames, not depth.
 *   another one   a frame larger than a page that jumped its own guard (stack
 *                 clash) into a lower stack's guard, or a stray pointer.
 *   no coroutine  the fault came from a thread stack (a worker, the blocking
 *                 pool, main): a stray pointer into some coroutine's guard.
 *
 *  The running coroutine is found from the faulting stack pointer (the
 *  ucontext's SP), not only from stackful.c's `current`, which is NULL for a
 *  few instructions of every switch-out while the coroutine's stack is still
 *  in use; every stack records its holder's name and id (stack.c owners).
 *
 * INVARIANTS
 *
 *  - Only async-signal-safe calls (write, _exit) and lock-free reads.
 *  - Every report names a coroutine (name and #id) or says the stack is
 *    free; none says "unknown".
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "overflow.h"
#include "stack.h"

#include <coro.h>

static void put(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void put_num(unsigned long n) {
    char buf[24], *p = buf + sizeof buf;   /* async-signal-safe utoa */
    *--p = 0;
    do { *--p = (char)('0' + n % 10); n /= 10; } while (n);
    put(p);
}

/* "NAME (coroutine #ID)" or "a free stack". */
static void put_holder(const char *name, unsigned long id) {
    if (!name) { put("a free stack"); return; }
    put(name);
    put(" (coroutine #");
    put_num(id);
    put(")");
}

static void put_size_hint(void) {
    put("stack of ");
    put_num(coro_stack_bytes() / 1024);
    put(" KiB; CORO_STACK_KB sets the size");
}

int coro_overflow_report(const void *fault, const void *sp, const coro_running *cur) {
    coro_stack_place g;
    if (!coro_stack_locate(fault, &g) || !g.in_guard) return 0;
    int saved = errno;
    /* The running coroutine: the stack SP is on, else stackful.c's current. */
    coro_stack_place r;
    const char *rname = NULL;
    unsigned long rid = 0;
    void *rhi = NULL;
    if (sp && coro_stack_locate(sp, &r) && !r.in_guard && r.owner) {
        rname = r.owner;
        rid = r.owner_id;
        rhi = r.hi;
    } else if (cur && cur->name) {
        rname = cur->name;
        rid = cur->id;
        rhi = cur->stack_hi;
    }
    if (rname && rhi == g.hi) {
        put("coroutine stack overflow in ");
        put_holder(rname, rid);
        put(", ");
        put_size_hint();
        put("\n");
    } else if (rname && g.below_hi && rhi == g.below_hi) {
        put("coroutine stack overrun in ");
        put_holder(rname, rid);
        put(": a write past the top of its stack, into the guard page above it (a local buffer "
            "overrun, not a deep stack; ");
        put_size_hint();
        put(")\n");
    } else if (rname) {
        put("coroutine stack overflow in ");
        put_holder(rname, rid);
        put(": the access hit the guard page of another stack, that of ");
        put_holder(g.owner, g.owner_id);
        put(" (a frame larger than a page jumped its own guard: compile with "
            "-fstack-clash-protection; or a stray pointer; ");
        put_size_hint();
        put(")\n");
    } else {
        put("fault in the guard page of the stack of ");
        put_holder(g.owner, g.owner_id);
        put(" from outside any coroutine (a thread's own stack): a stray pointer, not an overflow\n");
    }
    errno = saved;
    _exit(CORO_EXIT_STACK_OVERFLOW);
}
