/*
 * alloc.h — the runtime's small-object allocator: tasks and small frames.
 *
 * Why not malloc: spawning a million coroutines and letting them finish
 * leaves a million free chunks on glibc's free lists, which are linked
 * through the chunks themselves; the next million mallocs then chase that
 * list through cold memory, one dependent cache miss each (~70 ns here).
 * This allocator keeps free objects as *arrays of pointers* (Bonwick's
 * magazines): popping one is a load from a sequential array, and the object
 * itself is only written, so misses overlap instead of serializing.
 *
 * Model: size classes (CORO_ALLOC_SIZES); per worker, per class, a cache of
 * up to CACHE_CAP free pointers and a bump region carved from 64 KiB slabs;
 * per class, a depot (mutex + pointer array + a list of unused regions) that
 * caches exchange half their content with when they run empty or full, and
 * that a stopping worker leaves its unused regions on, whole.  Threads that are not workers
 * (blocking pool, coro_run_main's caller before it starts) use the depot
 * directly.  Slabs are never returned to the system: objects may be freed
 * after coro_run_main returns (a frame the caller kept), so the memory must
 * stay valid for the life of the process; it is reused by the next run.
 *
 * Under AddressSanitizer everything goes to malloc/free so ASan still sees
 * every frame overflow and use-after-free.
 */
#ifndef CORO_ALLOC_H
#define CORO_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define CORO_ALLOC_CLASSES 6
/* 48 fits the smallest useful frame (32-byte header + 16); 64 is a task. */
#define CORO_ALLOC_SIZES {48, 64, 96, 128, 192, 256}
#define CORO_ALLOC_CACHE_CAP 512

typedef struct coro_alloc_cache {
    uint32_t n[CORO_ALLOC_CLASSES];                       /* owner only */
    char *bump[CORO_ALLOC_CLASSES], *bump_end[CORO_ALLOC_CLASSES];
    void *objs[CORO_ALLOC_CLASSES][CORO_ALLOC_CACHE_CAP];
} coro_alloc_cache;

/* Class for an object of `size` bytes, or -1 if too large (use malloc).
 * Must agree with CORO_ALLOC_SIZES. */
static inline int coro_alloc_class(size_t size) {
    if (size <= 64) return size <= 48 ? 0 : 1;
    if (size <= 128) return size <= 96 ? 2 : 3;
    if (size <= 256) return size <= 192 ? 4 : 5;
    return -1;
}
/* An object of class cls from cache c (NULL: no cache, use the depot).
 * NULL/ENOMEM on failure.  Inline fast paths (a pop or push on the cache's
 * array); everything else is in alloc.c. */
void *coro_alloc_slow_(coro_alloc_cache *c, int cls);
void coro_alloc_free_slow_(coro_alloc_cache *c, int cls, void *p);

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ALLOC_USE_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ALLOC_USE_MALLOC 1
#endif
#endif

static inline void *coro_alloc(coro_alloc_cache *c, int cls) {
#ifndef CORO_ALLOC_USE_MALLOC
    if (__builtin_expect(c != NULL && c->n[cls] > 0, 1)) return c->objs[cls][--c->n[cls]];
#endif
    return coro_alloc_slow_(c, cls);
}

static inline void coro_alloc_free(coro_alloc_cache *c, int cls, void *p) {
#ifndef CORO_ALLOC_USE_MALLOC
    if (__builtin_expect(c != NULL && c->n[cls] < CORO_ALLOC_CACHE_CAP, 1)) {
        c->objs[cls][c->n[cls]++] = p;
        return;
    }
#endif
    coro_alloc_free_slow_(c, cls, p);
}
/* Return everything cached in c to the depots (a worker stopping). */
void coro_alloc_flush(coro_alloc_cache *c);

#endif /* CORO_ALLOC_H */
