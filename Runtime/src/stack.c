/*
 * stack.c — coroutine stacks for stackful mode: carved from big regions,
 * guarded, lazily committed, pooled.  Contract: stack.h.
 *
 * LAYOUT
 *
 *  A region is one anonymous mmap (PROT_READ|PROT_WRITE, MAP_NORESERVE) cut
 *  into equal slots of `stride` = guard + stack bytes:
 *
 *     base                                                         end
 *     | guard | stack 0 ...... | guard | stack 1 ...... | ... |
 *             lo            hi        lo            hi
 *
 *  Stacks grow down, so each guard page sits just below the stack it
 *  protects; running off the bottom of a stack faults in its guard page and
 *  the SIGSEGV handler (stackful.c) reports the overflow by name.  A frame
 *  bigger than a page can jump over the guard (stack clash); compile stackful
 *  code with -fstack-clash-protection to make that fault too.
 *
 * WHY REGIONS (and what limits the stack count)
 *
 *  An mmap per stack costs a syscall per spawn and, with a PROT_NONE guard,
 *  two kernel map entries per stack; vm.max_map_count (65,530 here) then caps
 *  a process at ~32k stacks.  Carving from regions removes the syscall; the
 *  map-entry cost depends on how the guard is made:
 *
 *   - MADV_GUARD_INSTALL (Linux 6.13+) marks the guard in the page tables
 *     without splitting the mapping: one map entry per region (~127 stacks
 *     of 512 KiB), so the stack count is bounded by address space only.
 *     Measured here (kernel 6.18, tests/test_stackful_stack.c): 131,060
 *     guarded stacks (twice vm.max_map_count) in 26 map entries, since
 *     adjacent regions merge; 100,000 parked coroutines added 1 entry
 *     (tests/test_stackful_many.c).
 *     The first marker is checked (a write(2) from it must fail with EFAULT),
 *     since qemu-user accepts the advice and ignores it.
 *   - Older kernels: mprotect(PROT_NONE) per guard.  Each guard splits the
 *     region, two map entries per stack, so ~32k stacks; past that mprotect
 *     fails with ENOMEM and so does the spawn (never an unguarded stack).
 *     Measured: 32,753 stacks, then ENOMEM at 65,532 map entries.
 *     CORO_STACK_GUARD=mprotect forces this mode to measure it.
 *
 * POOLING
 *
 *  Freed stacks go to a per-thread cache (LIFO, so the most recently used,
 *  still-warm stack is reused first); a full cache moves half its stacks to
 *  the global free array, and an empty one takes a batch from it (or carves
 *  fresh ones).  Free stacks are kept in arrays, not linked through their
 *  own memory: handing out a stack must not touch it, because a spawned
 *  coroutine may wait in a run queue behind 100,000 others before it runs,
 *  and touching its stack at spawn would pay a cache and TLB miss then and
 *  again at its first run (bench_stackful_spawn, 100k coroutines: ~450 ns
 *  per spawn with the links in the stacks, ~240 ns without).  Stacks are
 *  never unmapped: a pool only grows (Go's stack pools likewise hold spans
 *  until the GC returns them).
 *  A stack keeps the pages it touched while pooled; a coroutine that once
 *  went deep leaves that memory committed for the next user of the stack.
 *
 * INVARIANTS
 *
 *  - Every stack handed out has its guard installed.
 *  - regions[0 .. region_count) never changes once published; region_count
 *    only grows, with a release store that the signal handler's acquire load
 *    pairs with, so the handler never sees a half-written entry.
 *  - regions[i].owners has one entry per slot, allocated with the region and
 *    never freed; an entry names the stack's holder from its spawn
 *    (coro_stack_set_owner) to coro_stack_free, and is NULL otherwise.
 *  - pool.lock protects the free array, the carving cursor and region creation.
 *  - free_cap >= carved, so returning stacks to the free array never needs
 *    memory (the array grows when stacks are carved, where failure is ENOMEM).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lock.h"
#include "stack.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define CORO_HAVE_VALGRIND 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#endif
#ifdef CORO_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Linux 6.13 uapi values; older headers lack them. */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

/* Virtual bytes per region: 64 MiB holds ~127 stacks of the default size
 * and keeps the region table small; picked, not tuned (address space is
 * what it costs). */
#define REGION_TARGET_BYTES ((size_t)64 << 20)

/* Regions the guard lookup can see: 16384 x 64 MiB = 1 TiB of stacks,
 * ~2 million default-sized ones.  Past it allocation fails with ENOMEM. */
#define MAX_REGIONS 16384

/* Per-thread cache capacity; a refill or a spill moves half of it under the
 * global lock, so the lock is taken once per 32 spawns or exits at most.
 * Picked out of thin air, like Go's stackcache sizes. */
#define CACHE_CAP 64
#define CACHE_BATCH (CACHE_CAP / 2)

enum guard_mode { GUARD_MADVISE, GUARD_MPROTECT };

/* Who holds a stack, for the overflow report: written by the owner's
 * spawn and by coro_stack_free, read by the SIGSEGV handler (relaxed
 * atomics: a report racing a spawn may name the previous holder). */
typedef struct stack_owner {
    const char *name;             /* NULL while the stack is free */
    unsigned long id;
} stack_owner;

typedef struct region {
    char *base;
    char *end;
    stack_owner *owners;          /* one per slot, stacks_per_region of them */
} region;

static struct {
    pthread_once_t once;
    size_t page_bytes;
    size_t stack_bytes;           /* usable bytes per stack */
    size_t guard_bytes;           /* one page */
    size_t stride;                /* guard_bytes + stack_bytes */
    size_t stacks_per_region;
    enum guard_mode guard;        /* may drop from MADVISE to MPROTECT once, under lock */

    coro_lock_t lock;             /* protects everything below */
    void **free_stacks;           /* tops of free stacks (LIFO) */
    size_t free_count;
    size_t free_cap;              /* >= carved: see INVARIANTS */
    char *carve_next;             /* next uncarved slot of the newest region */
    char *carve_end;
    size_t carved;
} pool = { .once = PTHREAD_ONCE_INIT };

static region regions[MAX_REGIONS];  /* append-only, see INVARIANTS */
static size_t region_count;          /* atomic: release on append, acquire in lookup */

typedef struct stack_cache {
    void *slot[CACHE_CAP];
    int n;
    int registered;               /* thread-exit flush is registered */
    int exited;                   /* flushed at thread exit: free straight to the global array */
} stack_cache;

static __thread stack_cache cache __attribute__((tls_model("initial-exec")));
static pthread_key_t cache_key;

static void return_batch_locked(void **stacks, int n) {
    for (int i = 0; i < n; i++) pool.free_stacks[pool.free_count++] = stacks[i];
}

/* Thread exit: hand the cached stacks back so other threads can use them. */
static void flush_cache_at_exit(void *unused) {
    (void)unused;
    coro_lock_acquire(&pool.lock);
    return_batch_locked(cache.slot, cache.n);
    coro_lock_release(&pool.lock);
    cache.n = 0;
    cache.exited = 1;   /* another key's destructor may still free a stack */
}

/* Arm the thread-exit flush (any non-NULL value does). */
static void register_cache(void) {
    cache.registered = 1;
    pthread_setspecific(cache_key, &cache);
}

static size_t read_stack_kb(void) {
    const char *s = getenv("CORO_STACK_KB");
    if (!s || !*s) return CORO_STACK_KB_DEFAULT;
    char *end;
    errno = 0;
    long kb = strtol(s, &end, 10);
    if (errno || *end || kb < CORO_STACK_KB_MIN || kb > CORO_STACK_KB_MAX) {
        fprintf(stderr, "coro: ignoring CORO_STACK_KB=%s (want an integer from %d to %d); using %d\n",
                s, CORO_STACK_KB_MIN, CORO_STACK_KB_MAX, CORO_STACK_KB_DEFAULT);
        return CORO_STACK_KB_DEFAULT;
    }
    return (size_t)kb;
}

static void pool_init(void) {
    pool.page_bytes = (size_t)sysconf(_SC_PAGESIZE);
    size_t bytes = read_stack_kb() * 1024;
    pool.stack_bytes = (bytes + pool.page_bytes - 1) / pool.page_bytes * pool.page_bytes;
    pool.guard_bytes = pool.page_bytes;
    pool.stride = pool.stack_bytes + pool.guard_bytes;
    pool.stacks_per_region = REGION_TARGET_BYTES / pool.stride;
    if (pool.stacks_per_region == 0) pool.stacks_per_region = 1;
    const char *g = getenv("CORO_STACK_GUARD");
    pool.guard = (g && strcmp(g, "mprotect") == 0) ? GUARD_MPROTECT : GUARD_MADVISE;
    pthread_key_create(&cache_key, flush_cache_at_exit);
}

/* Map a new region and make it the carving target.  Lock held. */
static int new_region_locked(void) {
    size_t n = __atomic_load_n(&region_count, __ATOMIC_RELAXED);
    if (n == MAX_REGIONS) { errno = ENOMEM; return -1; }
    size_t bytes = pool.stacks_per_region * pool.stride;
    char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) { errno = ENOMEM; return -1; }
    stack_owner *owners = calloc(pool.stacks_per_region, sizeof *owners);
    if (!owners) { munmap(base, bytes); errno = ENOMEM; return -1; }
    /* Huge pages would commit 2 MiB where a parked coroutine touches 4 KiB. */
    (void)madvise(base, bytes, MADV_NOHUGEPAGE);
    regions[n] = (region){ base, base + bytes, owners };
    __atomic_store_n(&region_count, n + 1, __ATOMIC_RELEASE);  /* pairs with coro_stack_find_guard */
    pool.carve_next = base;
    pool.carve_end = base + bytes;
    return 0;
}

/* Does the guard at `guard` really fault?  A kernel older than 6.13 rejects
 * MADV_GUARD_INSTALL with EINVAL, but an emulator may accept and ignore it
 * (qemu-user treats unknown advice as a no-op hint).  Ask the kernel to read
 * the page: write(2) from a guard fails with EFAULT instead of a signal. */
static int guard_really_faults(const char *guard) {
    int fds[2];
    if (pipe(fds) != 0) return 1;   /* cannot tell: trust the kernel's answer */
    ssize_t n = write(fds[1], guard, 1);
    int faults = n < 0 && errno == EFAULT;
    close(fds[0]);
    close(fds[1]);
    return faults;
}

static int install_guard_locked(char *guard) {
    static int verified;   /* under pool.lock */
    if (pool.guard == GUARD_MADVISE) {
        if (madvise(guard, pool.guard_bytes, MADV_GUARD_INSTALL) == 0) {
            if (verified) return 0;
            verified = 1;
            if (guard_really_faults(guard)) return 0;
        } else if (errno != EINVAL) {
            return -1;
        }
        pool.guard = GUARD_MPROTECT;   /* no guard markers here: fall back for good */
    }
    if (mprotect(guard, pool.guard_bytes, PROT_NONE) == 0) return 0;
    errno = ENOMEM;                    /* map count exhausted (or out of memory) */
    return -1;
}

/* Carve one fresh stack; returns its top or NULL/errno.  Lock held. */
static void *carve_locked(void) {
    if (pool.carved == pool.free_cap) {   /* keep free_cap >= carved */
        size_t cap = pool.free_cap ? pool.free_cap * 2 : 1024;
        void **grown = realloc(pool.free_stacks, cap * sizeof *grown);
        if (!grown) { errno = ENOMEM; return NULL; }
        pool.free_stacks = grown;
        pool.free_cap = cap;
    }
    if (pool.carve_next == pool.carve_end && new_region_locked() != 0) return NULL;
    char *guard = pool.carve_next;
    if (install_guard_locked(guard) != 0) return NULL;
    pool.carve_next += pool.stride;
    pool.carved++;
    char *lo = guard + pool.guard_bytes;
    char *hi = lo + pool.stack_bytes;
#ifdef CORO_HAVE_VALGRIND
    /* Tell Valgrind this range is a stack, so switching onto it is not taken
     * for a wild stack-pointer change ("client switching stacks?").  The id
     * is not kept: pooled stacks are never unmapped, so never deregistered. */
    (void)VALGRIND_STACK_REGISTER(lo, hi);
#endif
    return hi;
}

/* Refill an empty cache with up to CACHE_BATCH stacks; 0 or -1/errno. */
static int refill(void) {
    coro_lock_acquire(&pool.lock);
    while (cache.n < CACHE_BATCH && pool.free_count > 0) cache.slot[cache.n++] = pool.free_stacks[--pool.free_count];
    while (cache.n < CACHE_BATCH) {
        void *hi = carve_locked();
        if (!hi) break;
        cache.slot[cache.n++] = hi;
    }
    int saved = errno;
    coro_lock_release(&pool.lock);
    if (cache.n == 0) { errno = saved; return -1; }
    return 0;
}

void *coro_stack_alloc(void) {
    pthread_once(&pool.once, pool_init);
    if (!cache.registered) register_cache();
    if (cache.n == 0 && refill() != 0) return NULL;
    return cache.slot[--cache.n];
}

void coro_stack_free(void *hi) {
    coro_stack_set_owner(hi, NULL, 0);
#ifdef CORO_ASAN
    /* Frames that were live when the coroutine switched away for the last
     * time left their redzones poisoned; the next user must start clean. */
    ASAN_UNPOISON_MEMORY_REGION((char *)hi - pool.stack_bytes, pool.stack_bytes);
#endif
    if (cache.exited) {
        coro_lock_acquire(&pool.lock);
        return_batch_locked(&hi, 1);
        coro_lock_release(&pool.lock);
        return;
    }
    /* A thread may free stacks it never allocated (a coroutine spawned
     * elsewhere finished here): its cache must be flushed at exit too. */
    if (!cache.registered) register_cache();
    if (cache.n == CACHE_CAP) {
        coro_lock_acquire(&pool.lock);
        return_batch_locked(cache.slot + CACHE_CAP - CACHE_BATCH, CACHE_BATCH);
        coro_lock_release(&pool.lock);
        cache.n -= CACHE_BATCH;
    }
    cache.slot[cache.n++] = hi;
}

size_t coro_stack_bytes(void) {
    pthread_once(&pool.once, pool_init);
    return pool.stack_bytes;
}

void *coro_stack_find_guard(const void *addr) {
    const char *a = addr;
    size_t n = __atomic_load_n(&region_count, __ATOMIC_ACQUIRE);  /* pairs with new_region_locked */
    for (size_t i = 0; i < n; i++) {
        if (a < regions[i].base || a >= regions[i].end) continue;
        size_t off = (size_t)(a - regions[i].base);
        if (off % pool.stride >= pool.guard_bytes) return NULL;    /* inside a stack, not a guard */
        return regions[i].base + (off / pool.stride) * pool.stride + pool.stride;
    }
    return NULL;
}

/* The region and slot of addr (guard or stack), or NULL. */
static const region *slot_of(const void *addr, size_t *slot, size_t *off_in_slot) {
    const char *a = addr;
    size_t n = __atomic_load_n(&region_count, __ATOMIC_ACQUIRE);  /* pairs with new_region_locked */
    for (size_t i = 0; i < n; i++) {
        if (a < regions[i].base || a >= regions[i].end) continue;
        size_t off = (size_t)(a - regions[i].base);
        *slot = off / pool.stride;
        *off_in_slot = off % pool.stride;
        return &regions[i];
    }
    return NULL;
}

void coro_stack_set_owner(void *hi, const char *name, unsigned long id) {
    size_t slot, off;
    const region *r = slot_of((char *)hi - 1, &slot, &off);
    if (!r) return;
    __atomic_store_n(&r->owners[slot].id, id, __ATOMIC_RELAXED);
    __atomic_store_n(&r->owners[slot].name, name, __ATOMIC_RELAXED);
}

int coro_stack_locate(const void *addr, coro_stack_place *out) {
    size_t slot, off;
    const region *r = slot_of(addr, &slot, &off);
    if (!r) return 0;
    out->hi = r->base + slot * pool.stride + pool.stride;
    out->in_guard = off < pool.guard_bytes;
    out->below_hi = slot > 0 ? r->base + slot * pool.stride : NULL;
    out->owner = __atomic_load_n(&r->owners[slot].name, __ATOMIC_RELAXED);
    out->owner_id = __atomic_load_n(&r->owners[slot].id, __ATOMIC_RELAXED);
    return 1;
}

const char *coro_stack_guard_mode(void) {
    pthread_once(&pool.once, pool_init);
    return pool.guard == GUARD_MADVISE ? "madvise" : "mprotect";
}

void coro_stack_get_stats(coro_stack_stats *out) {
    pthread_once(&pool.once, pool_init);
    coro_lock_acquire(&pool.lock);
    out->regions = __atomic_load_n(&region_count, __ATOMIC_RELAXED);
    out->carved = pool.carved;
    out->free_global = pool.free_count;
    coro_lock_release(&pool.lock);
}
