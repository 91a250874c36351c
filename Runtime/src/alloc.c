/*
 * alloc.c — magazines of free objects per worker, depots per size class
 * (see alloc.h for the model and why).
 *
 * Invariants:
 *  - an object is in at most one of: a worker cache, a depot, in use;
 *  - a cache is touched only by its worker; a depot only under its lock;
 *  - bump regions are owned by one cache, and the slabs they come from are
 *    recorded in `slabs` (reachable, so leak checkers do not report them).
 */
#include <errno.h>
#include <stdlib.h>
#include "alloc.h"
#include "lock.h"


/* 64 KiB per slab: one mmap-threshold-sized malloc, a few hundred objects. */
#define SLAB_BYTES 65536

static const uint16_t class_size[CORO_ALLOC_CLASSES] = CORO_ALLOC_SIZES;

typedef struct depot {
    coro_lock_t lock;
    void **objs;          /* protected by lock */
    size_t n, cap;
} depot;

#ifndef CORO_ALLOC_USE_MALLOC
static depot depots[CORO_ALLOC_CLASSES];
static struct {
    coro_lock_t lock;
    void **list;          /* every slab ever allocated; protected by lock */
    size_t n, cap;
} slabs;
#endif

_Static_assert(CORO_ALLOC_CLASSES == 6, "coro_alloc_class (alloc.h) lists six classes");

#ifndef CORO_ALLOC_USE_MALLOC
static int depot_push_locked(depot *d, void **objs, size_t n) {
    if (d->n + n > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        while (cap < d->n + n) cap *= 2;
        void **grown = realloc(d->objs, cap * sizeof *grown);
        if (grown == NULL) return -1;
        d->objs = grown;
        d->cap = cap;
    }
    for (size_t i = 0; i < n; i++) d->objs[d->n++] = objs[i];
    return 0;
}

static char *slab_new(void) {
    char *s = malloc(SLAB_BYTES);
    if (s == NULL) return NULL;
    coro_lock_acquire(&slabs.lock);
    if (slabs.n == slabs.cap) {
        size_t cap = slabs.cap ? slabs.cap * 2 : 64;
        void **grown = realloc(slabs.list, cap * sizeof *grown);
        if (grown == NULL) {
            coro_lock_release(&slabs.lock);
            free(s);
            return NULL;
        }
        slabs.list = grown;
        slabs.cap = cap;
    }
    slabs.list[slabs.n++] = s;
    coro_lock_release(&slabs.lock);
    return s;
}

/* No cache: take one object from the depot, else a fresh slab's worth into it. */
static void *depot_alloc(int cls) {
    depot *d = &depots[cls];
    coro_lock_acquire(&d->lock);
    if (d->n == 0) {
        char *s = slab_new();
        if (s == NULL) {
            coro_lock_release(&d->lock);
            errno = ENOMEM;
            return NULL;
        }
        size_t size = class_size[cls], count = SLAB_BYTES / size;
        for (size_t i = 0; i < count; i++) {
            void *p = s + i * size;
            if (depot_push_locked(d, &p, 1) < 0) break;   /* the rest of the slab is lost, not corrupt */
        }
        if (d->n == 0) {
            coro_lock_release(&d->lock);
            errno = ENOMEM;
            return NULL;
        }
    }
    void *p = d->objs[--d->n];
    coro_lock_release(&d->lock);
    return p;
}

static void *cache_refill(coro_alloc_cache *c, int cls) {
    depot *d = &depots[cls];
    coro_lock_acquire(&d->lock);   /* once per CACHE_CAP/2 allocations at most */
    size_t take = d->n < CORO_ALLOC_CACHE_CAP / 2 ? d->n : CORO_ALLOC_CACHE_CAP / 2;
    for (size_t i = 0; i < take; i++) c->objs[cls][c->n[cls]++] = d->objs[--d->n];
    coro_lock_release(&d->lock);
    if (c->n[cls] > 0) return c->objs[cls][--c->n[cls]];
    size_t size = class_size[cls];
    if (c->bump[cls] == NULL || c->bump_end[cls] - c->bump[cls] < (ptrdiff_t)size) {
        char *s = slab_new();
        if (s == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        c->bump[cls] = s;
        c->bump_end[cls] = s + SLAB_BYTES - SLAB_BYTES % size;
    }
    void *p = c->bump[cls];
    c->bump[cls] += size;
    return p;
}

#endif /* !CORO_ALLOC_USE_MALLOC */

void *coro_alloc_slow_(coro_alloc_cache *c, int cls) {
#ifdef CORO_ALLOC_USE_MALLOC
    (void)c;
    return malloc(class_size[cls]);
#else
    if (c == NULL) return depot_alloc(cls);
    if (c->n[cls] > 0) return c->objs[cls][--c->n[cls]];
    return cache_refill(c, cls);
#endif
}

void coro_alloc_free_slow_(coro_alloc_cache *c, int cls, void *p) {
#ifdef CORO_ALLOC_USE_MALLOC
    (void)c;
    (void)cls;
    free(p);
#else
    depot *d = &depots[cls];
    if (c == NULL) {
        coro_lock_acquire(&d->lock);
        if (depot_push_locked(d, &p, 1) < 0) {
            /* cannot grow the depot: keep the object out of circulation rather than corrupt */
        }
        coro_lock_release(&d->lock);
        return;
    }
    if (c->n[cls] == CORO_ALLOC_CACHE_CAP) {
        /* full: move the older half to the depot */
        coro_lock_acquire(&d->lock);
        if (depot_push_locked(d, c->objs[cls], CORO_ALLOC_CACHE_CAP / 2) == 0) {
            for (size_t i = 0; i < CORO_ALLOC_CACHE_CAP / 2; i++)
                c->objs[cls][i] = c->objs[cls][i + CORO_ALLOC_CACHE_CAP / 2];
            c->n[cls] -= CORO_ALLOC_CACHE_CAP / 2;
        }
        coro_lock_release(&d->lock);
        if (c->n[cls] == CORO_ALLOC_CACHE_CAP) return;   /* depot could not grow: drop p */
    }
    c->objs[cls][c->n[cls]++] = p;
#endif
}

void coro_alloc_flush(coro_alloc_cache *c) {
#ifndef CORO_ALLOC_USE_MALLOC
    for (int cls = 0; cls < CORO_ALLOC_CLASSES; cls++) {
        depot *d = &depots[cls];
        coro_lock_acquire(&d->lock);
        if (depot_push_locked(d, c->objs[cls], c->n[cls]) == 0) c->n[cls] = 0;
        /* the unused bump region goes back too, object by object */
        size_t size = class_size[cls];
        while (c->bump[cls] && c->bump_end[cls] - c->bump[cls] >= (ptrdiff_t)size) {
            void *p = c->bump[cls];
            if (depot_push_locked(d, &p, 1) < 0) break;
            c->bump[cls] += size;
        }
        c->bump[cls] = c->bump_end[cls] = NULL;
        coro_lock_release(&d->lock);
    }
#else
    (void)c;
#endif
}
