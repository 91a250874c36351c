/*
 * runq.h — run queues: one bounded ring per worker plus a next-slot, and one
 * global queue.  The design is Go's runq / runnext / globrunq (proc.go).
 *
 * LOCAL QUEUE (coro_runq)
 *
 *  A single-producer, multi-consumer ring of CORO_RUNQ_CAP task pointers.
 *  Only the owning worker pushes (at tail); the owner pops and thieves steal
 *  from head, all with a CAS on head.  Invariants:
 *    - 0 <= tail - head <= CORO_RUNQ_CAP (unsigned arithmetic, wraps freely);
 *    - slots in [head, tail) hold runnable tasks, each in no other queue;
 *    - `runnext`, if set, is a runnable task that runs before the ring (a task
 *      just made runnable by the running task: it inherits the time slice,
 *      which keeps ping-pong pairs on one worker).  Thieves may take it too.
 *  When the ring is full, the owner moves half of it plus the new task to the
 *  global queue in one batch (Go's runqputslow), so pushes never fail.
 *  With one worker nobody steals, so the owner pops without a CAS
 *  (coro_runq_get_solo): that keeps a yield round trip a few nanoseconds.
 *
 * GLOBAL QUEUE (coro_globq)
 *
 *  A mutex-protected FIFO: a growable ring of task pointers (so moving a
 *  batch in or out copies pointers and never chases links through cold
 *  tasks), plus a list linked through task->link used only if the ring
 *  cannot grow (out of memory), so a push never fails.  Tasks readied
 *  off the scheduler (blocking pool, threads that are not workers) and
 *  overflow batches go here.  Workers look at it every 61 scheduling ticks
 *  (Go's number: prime, so it does not beat with other periodic work), and
 *  whenever their own queue is empty.
 */
#ifndef CORO_RUNQ_H
#define CORO_RUNQ_H

#include <stdint.h>
#include "task.h"
#include "lock.h"

/* Ring capacity; a power of two.  256 is Go's; tests build with 4. */
#ifndef CORO_RUNQ_CAP
#define CORO_RUNQ_CAP 256
#endif
_Static_assert((CORO_RUNQ_CAP & (CORO_RUNQ_CAP - 1)) == 0, "CORO_RUNQ_CAP must be a power of two");
_Static_assert(CORO_RUNQ_CAP >= 2, "CORO_RUNQ_CAP must be at least 2");

typedef struct coro_runq {
    uint32_t head;                  /* atomic; CAS by owner and thieves (acq_rel) */
    uint32_t tail;                  /* atomic; stored by the owner only (release),
                                       loaded by thieves (acquire) */
    coro_task *runnext;             /* atomic; owner stores, owner/thieves exchange */
    coro_task *buf[CORO_RUNQ_CAP];  /* slots accessed with relaxed atomics */
} coro_runq;

typedef struct coro_globq {
    coro_lock_t lock;
    coro_task **ring;               /* protected by lock: ring[(head + i) % cap], i < len */
    size_t head, len, cap;          /* protected by lock; cap a power of two (or 0) */
    coro_task *spill_head, *spill_tail;  /* protected by lock: after the ring's tasks */
    uint64_t size;                  /* len + spilled; written under lock, read as an atomic hint */
} coro_globq;

extern coro_globq coro_globq_;

/* Owner: push t (at runnext if `next`, kicking the old runnext to the tail).
 * Inline: it is on every yield.  Memory-ordering partners: see runq.c. */
int coro_runq_put_slow_(coro_runq *q, coro_task *t, uint32_t head, uint32_t tail);
static inline void coro_runq_put(coro_runq *q, coro_task *t, int next) {
    if (next) {
        t = __atomic_exchange_n(&q->runnext, t, __ATOMIC_ACQ_REL);
        if (t == NULL) return;
        /* the old runnext goes to the tail */
    }
    for (;;) {
        uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
        uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);   /* only we store it */
        if (tail - head < CORO_RUNQ_CAP) {
            __atomic_store_n(&q->buf[tail & (CORO_RUNQ_CAP - 1)], t, __ATOMIC_RELAXED);
            __atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);   /* partner: acquire in steal */
            return;
        }
        if (coro_runq_put_slow_(q, t, head, tail)) return;
    }
}

/* Owner, when no other worker exists (nobody steals): coro_runq_put with a
 * plain store to the next-slot instead of an exchange. */
static inline void coro_runq_put_solo(coro_runq *q, coro_task *t, int next) {
    if (next) {
        coro_task *old = __atomic_load_n(&q->runnext, __ATOMIC_RELAXED);
        __atomic_store_n(&q->runnext, t, __ATOMIC_RELAXED);
        if (old == NULL) return;
        t = old;
    }
    coro_runq_put(q, t, 0);
}

/* Owner: pop runnext, else the head; NULL if empty. */
static inline coro_task *coro_runq_get(coro_runq *q) {
    coro_task *next = __atomic_load_n(&q->runnext, __ATOMIC_ACQUIRE);
    while (next != NULL) {
        if (__atomic_compare_exchange_n(&q->runnext, &next, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return next;
    }
    for (;;) {
        uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
        uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
        if (tail == head) return NULL;
        coro_task *t = __atomic_load_n(&q->buf[head & (CORO_RUNQ_CAP - 1)], __ATOMIC_RELAXED);
        if (__atomic_compare_exchange_n(&q->head, &head, head + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return t;
    }
}

/* Owner, when no other worker exists: same as coro_runq_get without a CAS. */
static inline coro_task *coro_runq_get_solo(coro_runq *q) {
    coro_task *next = __atomic_load_n(&q->runnext, __ATOMIC_RELAXED);
    if (next != NULL) {
        __atomic_store_n(&q->runnext, NULL, __ATOMIC_RELAXED);
        return next;
    }
    uint32_t head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
    uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
    if (tail == head) return NULL;
    coro_task *t = __atomic_load_n(&q->buf[head & (CORO_RUNQ_CAP - 1)], __ATOMIC_RELAXED);
    __atomic_store_n(&q->head, head + 1, __ATOMIC_RELAXED);
    return t;
}

/* Owner, seeded mode (one worker): pop a task chosen by *rng among all. */
coro_task *coro_runq_get_seeded(coro_runq *q, uint64_t *rng);
/* Thief: move about half of victim's tasks into q (which must be empty);
 * returns one of them to run now, or NULL. */
coro_task *coro_runq_steal(coro_runq *q, coro_runq *victim, int steal_runnext);
/* Racy emptiness test (a hint; exact for the owner). */
int coro_runq_empty(coro_runq *q);

/* Global queue. */
void coro_globq_put(coro_task *t);
void coro_globq_put_batch(coro_task **tasks, uint32_t n);
/* Take up to a fair share (size / nworkers + 1, capped by half the ring):
 * returns one task and pushes the rest onto q.  NULL if empty. */
coro_task *coro_globq_get(coro_runq *q, int nworkers, int max);
static inline int coro_globq_empty(void) { return __atomic_load_n(&coro_globq_.size, __ATOMIC_ACQUIRE) == 0; }

/* xorshift64 (Marsaglia 2003): the scheduler's PRNG for victims and seeded mode. */
static inline uint64_t coro_xorshift64(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif /* CORO_RUNQ_H */
