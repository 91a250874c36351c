/*
 * runq.c — per-worker rings, the next-slot, the global queue (see runq.h for
 * the invariants).  Memory-ordering partners:
 *   - the owner's release store of `tail` in put pairs with the thief's
 *     acquire load of `tail` in steal: slots written before it are visible;
 *   - every CAS of `head` is acq_rel: a thief's successful CAS "commits" the
 *     slots it copied (the owner cannot overwrite a slot until head moved
 *     past it, and sees head's new value with acquire before reusing it).
 */
#include <stdlib.h>
#include "runq.h"

#define LOAD(p, mo)       __atomic_load_n((p), (mo))
#define STORE(p, v, mo)   __atomic_store_n((p), (v), (mo))
#define CAS(p, e, d)      __atomic_compare_exchange_n((p), (e), (d), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define SLOT(q, i)        (&(q)->buf[(i) & (CORO_RUNQ_CAP - 1)])

coro_globq coro_globq_;

/* Ring full: move half of it plus t to the global queue (Go's runqputslow).
 * Returns 0 if a thief moved head meanwhile (the caller retries the fast path). */
int coro_runq_put_slow_(coro_runq *q, coro_task *t, uint32_t head, uint32_t tail) {
    uint32_t n = (tail - head) / 2;
    coro_task *batch[CORO_RUNQ_CAP / 2 + 1];
    for (uint32_t i = 0; i < n; i++) batch[i] = LOAD(SLOT(q, head + i), __ATOMIC_RELAXED);
    if (!CAS(&q->head, &head, head + n)) return 0;
    batch[n] = t;
    coro_globq_put_batch(batch, n + 1);
    return 1;
}

coro_task *coro_runq_get_seeded(coro_runq *q, uint64_t *rng) {
    /* Seeded mode has one worker and no thieves; fold runnext into the ring so
     * the choice is among every runnable task. */
    coro_task *next = LOAD(&q->runnext, __ATOMIC_RELAXED);
    if (next != NULL) {
        STORE(&q->runnext, NULL, __ATOMIC_RELAXED);
        coro_runq_put(q, next, 0);
    }
    uint32_t head = LOAD(&q->head, __ATOMIC_RELAXED);
    uint32_t n = LOAD(&q->tail, __ATOMIC_RELAXED) - head;
    if (n == 0) return NULL;
    uint32_t pick = head + (uint32_t)(coro_xorshift64(rng) % n);
    coro_task *t = LOAD(SLOT(q, pick), __ATOMIC_RELAXED);
    STORE(SLOT(q, pick), LOAD(SLOT(q, head), __ATOMIC_RELAXED), __ATOMIC_RELAXED);
    STORE(&q->head, head + 1, __ATOMIC_RELAXED);
    return t;
}

coro_task *coro_runq_steal(coro_runq *q, coro_runq *victim, int steal_runnext) {
    uint32_t qtail = LOAD(&q->tail, __ATOMIC_RELAXED);
    uint32_t n;
    for (;;) {
        uint32_t head = LOAD(&victim->head, __ATOMIC_ACQUIRE);
        uint32_t tail = LOAD(&victim->tail, __ATOMIC_ACQUIRE);   /* partner: release in put */
        n = tail - head;
        n -= n / 2;
        if (n == 0) {
            if (!steal_runnext) return NULL;
            coro_task *next = LOAD(&victim->runnext, __ATOMIC_ACQUIRE);
            if (next == NULL) return NULL;
            if (CAS(&victim->runnext, &next, NULL)) return next;
            continue;
        }
        if (n > CORO_RUNQ_CAP / 2) continue;   /* head and tail read at different times */
        for (uint32_t i = 0; i < n; i++)
            STORE(SLOT(q, qtail + i), LOAD(SLOT(victim, head + i), __ATOMIC_RELAXED), __ATOMIC_RELAXED);
        if (CAS(&victim->head, &head, head + n)) break;
    }
    n--;
    coro_task *t = LOAD(SLOT(q, qtail + n), __ATOMIC_RELAXED);
    if (n > 0) STORE(&q->tail, qtail + n, __ATOMIC_RELEASE);
    return t;
}

int coro_runq_empty(coro_runq *q) {
    uint32_t head = LOAD(&q->head, __ATOMIC_ACQUIRE);
    uint32_t tail = LOAD(&q->tail, __ATOMIC_ACQUIRE);
    return head == tail && LOAD(&q->runnext, __ATOMIC_ACQUIRE) == NULL;
}

/* Grow the ring to hold `more` more tasks; 0, or -1 if out of memory. */
static int globq_reserve(size_t more) {
    coro_globq *g = &coro_globq_;
    if (g->len + more <= g->cap) return 0;
    size_t cap = g->cap ? g->cap : 1024;
    while (cap < g->len + more) cap *= 2;
    coro_task **ring = malloc(cap * sizeof *ring);
    if (ring == NULL) return -1;
    for (size_t i = 0; i < g->len; i++) ring[i] = g->ring[(g->head + i) & (g->cap - 1)];
    free(g->ring);
    g->ring = ring;
    g->head = 0;
    g->cap = cap;
    return 0;
}

void coro_globq_put_batch(coro_task **tasks, uint32_t n) {
    coro_globq *g = &coro_globq_;
    coro_lock_acquire(&g->lock);
    if (g->spill_head == NULL && globq_reserve(n) == 0) {
        for (uint32_t i = 0; i < n; i++) g->ring[(g->head + g->len++) & (g->cap - 1)] = tasks[i];
    } else {
        /* out of memory (or already spilling, to keep FIFO): link them */
        for (uint32_t i = 0; i < n; i++) {
            tasks[i]->link = NULL;
            if (g->spill_tail) g->spill_tail->link = tasks[i];
            else g->spill_head = tasks[i];
            g->spill_tail = tasks[i];
        }
    }
    __atomic_store_n(&g->size, g->size + n, __ATOMIC_RELEASE);
    coro_lock_release(&g->lock);
}

void coro_globq_put(coro_task *t) { coro_globq_put_batch(&t, 1); }

/* Pop one task; under the lock, size > 0. */
static coro_task *globq_pop_locked(void) {
    coro_globq *g = &coro_globq_;
    coro_task *t;
    if (g->len > 0) {
        t = g->ring[g->head];
        g->head = (g->head + 1) & (g->cap - 1);
        g->len--;
    } else {
        t = g->spill_head;
        g->spill_head = t->link;
        if (g->spill_head == NULL) g->spill_tail = NULL;
    }
    return t;
}

coro_task *coro_globq_get(coro_runq *q, int nworkers, int max) {
    if (coro_globq_empty()) return NULL;
    coro_globq *g = &coro_globq_;
    coro_task *batch[CORO_RUNQ_CAP / 2];
    coro_lock_acquire(&g->lock);
    uint64_t size = g->size;
    if (size == 0) {
        coro_lock_release(&g->lock);
        return NULL;
    }
    uint64_t n = size / (uint64_t)nworkers + 1;
    if (n > size) n = size;
    if (max > 0 && n > (uint64_t)max) n = (uint64_t)max;
    if (n > CORO_RUNQ_CAP / 2) n = CORO_RUNQ_CAP / 2;
    for (uint64_t i = 0; i < n; i++) batch[i] = globq_pop_locked();
    __atomic_store_n(&g->size, size - n, __ATOMIC_RELEASE);
    coro_lock_release(&g->lock);
    for (uint64_t i = 1; i < n; i++) coro_runq_put(q, batch[i], 0);
    return batch[0];
}
