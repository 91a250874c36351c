/*
 * stack.h — the pool of coroutine stacks for stackful mode (stack.c).
 *
 * A stack is named by its top (`hi`, one past its highest byte: the first
 * stack pointer); its lowest usable byte is hi - coro_stack_bytes(), and one
 * guard page lies just below that.  Stacks are carved from large mmap'd
 * regions, committed lazily by the kernel as they are touched, and recycled
 * through a per-thread cache and a global free array, so a spawn in steady
 * state makes no system call.
 *
 * Thread safety: every function may be called from any thread.
 * coro_stack_find_guard is async-signal-safe (the SIGSEGV handler calls it).
 */
#ifndef CORO_STACK_H
#define CORO_STACK_H

#include <stddef.h>

/* Default usable stack size, in KiB; CORO_STACK_KB overrides it (read once,
 * at the first allocation).  Why 512: measured on GCC's execution torture
 * suite (1,600 programs written for 8 MiB thread stacks, run stackful on one
 * worker, docs/c.md): every program runs in 64 KiB but two, multi-ix (needs
 * 65-128 KiB: 40 local int[500] arrays) and memcpy-1 (257-320 KiB: two 128 KiB
 * arrays); 512 runs them all with a margin of 1.6x over the largest.  Since
 * pages are committed only when touched (MAP_NORESERVE), the size costs
 * address space, not memory: a coroutine that uses 8 KiB touches 8 KiB.
 * (It was 64; glibc's printf family and C code with a 4 KiB buffer stay
 * under 16 KiB.) */
#define CORO_STACK_KB_DEFAULT 512
#define CORO_STACK_KB_MIN 16          /* room for the runtime's own frames + a libc call */
#define CORO_STACK_KB_MAX (1024 * 1024)

/* A stack from the pool: returns its top, or NULL with errno = ENOMEM (the
 * address space or, without guard markers, the kernel's map count ran out). */
void *coro_stack_alloc(void);

/* Give a stack (a top from coro_stack_alloc) back to the pool.  Its touched
 * pages stay committed: the next coroutine reuses them without faults. */
void coro_stack_free(void *hi);

/* Usable bytes per stack (excluding the guard page); fixed after first use.
 * Once a stack exists it is a plain read, so the SIGSEGV handler may call it. */
size_t coro_stack_bytes(void);

/* If addr lies in the guard page of a pooled stack, return that stack's top;
 * otherwise NULL.  Lock-free and async-signal-safe. */
void *coro_stack_find_guard(const void *addr);

/* Record who holds a stack (a top from coro_stack_alloc): a name (a
 * static string) and an id, for the overflow report.  coro_stack_free
 * clears it. */
void coro_stack_set_owner(void *hi, const char *name, unsigned long id);

/* Where addr lies in the pool: 1 and *out filled if it is in a guard page
 * or a stack (of any state), else 0.  Lock-free, async-signal-safe. */
typedef struct coro_stack_place {
    void *hi;                /* the stack's top: the one addr is in, or whose guard it is in */
    int in_guard;            /* addr is in that stack's guard page */
    void *below_hi;          /* the top of the stack carved just below this one's guard, or NULL */
    const char *owner;       /* its holder's name, NULL if the stack is free */
    unsigned long owner_id;
} coro_stack_place;
int coro_stack_locate(const void *addr, coro_stack_place *out);

/* How guard pages are made (final once the first stack has been carved),
 * for tests and the report:
 *  "madvise"   MADV_GUARD_INSTALL (Linux >= 6.13): page-table markers, no
 *              extra kernel mapping, so the number of stacks is bounded by
 *              address space, not vm.max_map_count;
 *  "mprotect"  PROT_NONE pages: each guarded stack splits its region, two
 *              map entries per stack, so about vm.max_map_count / 2 stacks. */
const char *coro_stack_guard_mode(void);

/* Counters for tests and benchmarks (approximate while other threads run). */
typedef struct coro_stack_stats {
    size_t regions;         /* mmap'd regions */
    size_t carved;          /* stacks ever carved from regions */
    size_t free_global;     /* stacks in the global free array */
} coro_stack_stats;
void coro_stack_get_stats(coro_stack_stats *out);

#endif /* CORO_STACK_H */
