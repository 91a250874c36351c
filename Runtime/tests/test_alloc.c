/*
 * test_alloc.c — the small-object allocator on its own (alloc.c): no object
 * is ever handed out twice while in use, whichever way it travels — a fresh
 * slab carved by the depot (no cache), a cache's bump region, the unused
 * region a stopping worker hands back whole (coro_alloc_flush) and the next
 * cache or the depot carving from it, objects freed to the depot and taken
 * again; then two threads with their own caches allocating, freeing and
 * flushing against the shared depots (run it under TSan).  Every live object
 * holds its owner's tag, checked before it is freed, so an object given to
 * two owners at once shows up as an overwritten tag or an overlap.
 */
#include <pthread.h>
#include "rt_test.h"
#include "alloc.h"

static const size_t sizes[CORO_ALLOC_CLASSES] = CORO_ALLOC_SIZES;

static int cmp_ptr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

/* The live objects of one class do not overlap. */
static void check_disjoint(void **objs, size_t n, size_t size) {
    void **sorted = malloc(n * sizeof *sorted);
    CHECK(sorted != NULL);
    if (sorted == NULL) return;
    memcpy(sorted, objs, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_ptr);
    size_t bad = 0;
    for (size_t i = 1; i < n; i++)
        if ((uintptr_t)sorted[i] - (uintptr_t)sorted[i - 1] < size) bad++;
    CHECK_EQ(bad, 0);
    free(sorted);
}

static void tag(void *p, size_t size, uint32_t t) {
    for (size_t i = 0; i + sizeof t <= size; i += sizeof t) memcpy((char *)p + i, &t, sizeof t);
}

static int tagged(const void *p, size_t size, uint32_t t) {
    for (size_t i = 0; i + sizeof t <= size; i += sizeof t) {
        uint32_t got;
        memcpy(&got, (const char *)p + i, sizeof got);
        if (got != t) return 0;
    }
    return 1;
}

/* More than two slabs' worth per class from the depot alone, freed and taken again. */
#define MANY 3000
static void *live[CORO_ALLOC_CLASSES][2 * MANY];

static void phase_depot(void) {
    for (int cls = 0; cls < CORO_ALLOC_CLASSES; cls++) {
        for (size_t i = 0; i < MANY; i++) {
            live[cls][i] = coro_alloc(NULL, cls);
            CHECK(live[cls][i] != NULL);
            if (live[cls][i]) tag(live[cls][i], sizes[cls], (uint32_t)(cls * MANY + i));
        }
        check_disjoint(live[cls], MANY, sizes[cls]);
        size_t intact = 0;
        for (size_t i = 0; i < MANY; i++) intact += tagged(live[cls][i], sizes[cls], (uint32_t)(cls * MANY + i));
        CHECK_EQ(intact, MANY);
        for (size_t i = 0; i < MANY / 2; i++) coro_alloc_free(NULL, cls, live[cls][i]);
        for (size_t i = 0; i < MANY / 2; i++) live[cls][i] = coro_alloc(NULL, cls);
        check_disjoint(live[cls], MANY, sizes[cls]);
        for (size_t i = 0; i < MANY; i++) coro_alloc_free(NULL, cls, live[cls][i]);
    }
}

/* A cache stops with a partly used bump region; others take it over while
 * the first cache's objects are still in use.  Needs depots without free
 * objects (each class has its own: main runs this phase first). */
static coro_alloc_cache caches[3];

static void phase_flush_regions(void) {
    for (int cls = 0; cls < CORO_ALLOC_CLASSES; cls++) {
        size_t n = 0;
        memset(caches, 0, sizeof caches);
        /* cache 0: a few objects, so most of its region is unused at the flush */
        for (int i = 0; i < 5; i++) live[cls][n++] = coro_alloc(&caches[0], cls);
        coro_alloc_flush(&caches[0]);
        /* cache 1 runs through that region and further; the depot carves too */
        for (int i = 0; i < MANY / 2; i++) live[cls][n++] = coro_alloc(&caches[1], cls);
        for (int i = 0; i < 50; i++) live[cls][n++] = coro_alloc(NULL, cls);
        /* cache 0 again after its flush (a worker of the next coro_run_main) */
        for (int i = 0; i < 50; i++) live[cls][n++] = coro_alloc(&caches[0], cls);
        coro_alloc_flush(&caches[1]);
        for (int i = 0; i < MANY / 2; i++) live[cls][n++] = coro_alloc(&caches[2], cls);
        size_t nulls = 0;
        for (size_t i = 0; i < n; i++) nulls += live[cls][i] == NULL;
        CHECK_EQ(nulls, 0);
        check_disjoint(live[cls], n, sizes[cls]);
        for (size_t i = 0; i < n; i++) coro_alloc_free(&caches[2], cls, live[cls][i]);
        coro_alloc_flush(&caches[2]);
    }
}

/* Two threads, own caches, shared depots: alloc, free, flush, again. */
#define ROUNDS 40
#define HELD 700
typedef struct { coro_alloc_cache cache; uint32_t id; long broken, nulls; } worker_arg;

static void *churn(void *arg) {
    worker_arg *w = arg;
    static __thread void *held[HELD];
    unsigned seed = w->id * 2654435761u + 1;
    for (int round = 0; round < ROUNDS; round++) {
        int cls = round % CORO_ALLOC_CLASSES;
        size_t size = sizes[cls];
        for (int i = 0; i < HELD; i++) {
            held[i] = coro_alloc(&w->cache, cls);
            if (held[i] == NULL) w->nulls++;
            else tag(held[i], size, w->id << 16 | (uint32_t)i);
        }
        for (int k = 0; k < 3 * HELD; k++) {   /* free and reallocate at random */
            seed = seed * 1103515245u + 12345u;
            int i = (int)((seed >> 8) % HELD);
            if (held[i] == NULL) continue;
            if (!tagged(held[i], size, w->id << 16 | (uint32_t)i)) w->broken++;
            coro_alloc_free(&w->cache, cls, held[i]);
            held[i] = coro_alloc(&w->cache, cls);
            if (held[i] == NULL) w->nulls++;
            else tag(held[i], size, w->id << 16 | (uint32_t)i);
        }
        for (int i = 0; i < HELD; i++) {
            if (held[i] == NULL) continue;
            if (!tagged(held[i], size, w->id << 16 | (uint32_t)i)) w->broken++;
            coro_alloc_free(&w->cache, cls, held[i]);
        }
        if (round % 3 == 2) coro_alloc_flush(&w->cache);   /* a worker stopping mid-run */
    }
    coro_alloc_flush(&w->cache);
    return NULL;
}

static worker_arg workers[2];

static void phase_threads(void) {
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].id = (uint32_t)i + 1;
        CHECK_EQ(pthread_create(&th[i], NULL, churn, &workers[i]), 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(workers[i].broken, 0);
        CHECK_EQ(workers[i].nulls, 0);
    }
}

int main(void) {
    /* first: with free objects in the depots, caches would never need a region */
    rt_phase("alloc: a stopped cache's region taken over whole", phase_flush_regions);
    rt_phase("alloc: depot without a cache, slabs carved, objects reused", phase_depot);
    rt_phase("alloc: two threads, own caches, shared depots, flushes", phase_threads);
    return rt_finish();
}
