/*
 * alloc.c — magazines of free objects per worker, depots per size class
 * (see alloc.h for the model and why).
 *
 * Invariants:
 *  - an object is in at most one of: a worker cache, a depot, in use;
 *  - a cache is touched only by its worker; a depot only under its lock;
 *  - a bump region (memory never handed out yet) is owned by one cache or
 *    lies on one depot's region list, and the slabs regions come from are
 *    recorded in `slabs` (reachable, so leak checkers do not report them).
 *
 * Regions move whole: a stopping worker hands its unused bump regions to
 * the depots, a depot carves objects from its regions one at a time and a
 * refilling cache takes a whole region.  Splitting a 64 KiB region into
 * pointers instead cost ~1,000 pushes per class at every worker stop and
 * every depot slab (~20k instructions each: a quarter of the instructions
 * of a short program's run, bench/csmith.sh).  A region on a depot's list
 * holds its own list node at its start (every class is >= 48 bytes, the node
 * is 16), so the list never allocates.
 */
#include <errno.h>
#include <stdlib.h>
#include "alloc.h"
#include "lock.h"


/* 64 KiB per slab: one mmap-threshold-sized malloc, a few hundred objects. */
#define SLAB_BYTES 65536

static const uint16_t class_size[CORO_ALLOC_CLASSES] = CORO_ALLOC_SIZES;

/* An unused region on a depot's list: the node sits in the region's first bytes. */
typedef struct region {
    struct region *next;
    char *end;            /* one past the region's last whole object */
} region;

typedef struct depot {
    coro_lock_t lock;
    void **objs;          /* protected by lock */
    size_t n, cap;
    region *regions;      /* protected by lock; each holds >= one object */
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

/* Put [start, end) (whole objects of `size`) on d's region list; d locked. */
static void depot_add_region_locked(depot *d, char *start, char *end, size_t size) {
    if (start == NULL || end - start < (ptrdiff_t)size) return;
    region *r = (region *)(void *)start;
    r->end = end;
    r->next = d->regions;
    d->regions = r;
}

/* One object carved from the front of d's first region, or NULL; d locked. */
static void *depot_carve_locked(depot *d, size_t size) {
    region *r = d->regions;
    if (r == NULL) return NULL;
    char *p = (char *)r, *rest = p + size;
    region *next = r->next;
    char *end = r->end;
    d->regions = next;
    depot_add_region_locked(d, rest, end, size);
    return p;
}

/* No cache: take one object from the depot, else carve one from its regions
 * (a fresh slab becomes one). */
static void *depot_alloc(int cls) {
    depot *d = &depots[cls];
    size_t size = class_size[cls];
    coro_lock_acquire(&d->lock);
    void *p = d->n > 0 ? d->objs[--d->n] : depot_carve_locked(d, size);
    if (p == NULL) {
        char *s = slab_new();
        if (s != NULL) {
            depot_add_region_locked(d, s, s + SLAB_BYTES - SLAB_BYTES % size, size);
            p = depot_carve_locked(d, size);
        }
    }
    coro_lock_release(&d->lock);
    if (p == NULL) errno = ENOMEM;
    return p;
}

static void *cache_refill(coro_alloc_cache *c, int cls) {
    depot *d = &depots[cls];
    size_t size = class_size[cls];
    int bump_empty = c->bump[cls] == NULL || c->bump_end[cls] - c->bump[cls] < (ptrdiff_t)size;
    coro_lock_acquire(&d->lock);   /* once per CACHE_CAP/2 allocations at most */
    size_t take = d->n < CORO_ALLOC_CACHE_CAP / 2 ? d->n : CORO_ALLOC_CACHE_CAP / 2;
    for (size_t i = 0; i < take; i++) c->objs[cls][c->n[cls]++] = d->objs[--d->n];
    if (take == 0 && bump_empty && d->regions != NULL) {
        /* a region a stopped worker left: the cache bumps through it */
        region *r = d->regions;
        d->regions = r->next;
        c->bump[cls] = (char *)r;
        c->bump_end[cls] = r->end;
        bump_empty = 0;
    }
    coro_lock_release(&d->lock);
    if (c->n[cls] > 0) return c->objs[cls][--c->n[cls]];
    if (bump_empty) {
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
        /* the unused bump region goes back whole */
        depot_add_region_locked(d, c->bump[cls], c->bump_end[cls], class_size[cls]);
        c->bump[cls] = c->bump_end[cls] = NULL;
        coro_lock_release(&d->lock);
    }
#else
    (void)c;
#endif
}
