/*
 * chan.h — internals shared by chan.c (send, receive, close) and select.c.
 * Not part of the public API; see chan.c for the model and its invariants.
 *
 * WAITER RECORDS (Go's sudog)
 *
 *  A coroutine blocked on a channel is represented in the channel's wait
 *  queue by a waiter record.  There are two kinds, told apart by bit 0 of a
 *  tagged reference (`waiter_ref`), so the queue needs no header per entry:
 *
 *   - plain send/recv: the record IS the task.  task->link is the next
 *     pointer, task->aux the previous one, task->wait the value pointer
 *     (send: source, recv: destination or NULL), task->result the outcome.
 *     A parked coroutine thus costs no memory beyond its task and frames,
 *     and the fast path never allocates.
 *   - select: one `select_waiter` per case, in an array allocated when the
 *     select blocks (select.c explains why there).  Its value pointer is the
 *     case's `value` in the caller's coro_select_case array, which lives in
 *     the caller's frame and so stays valid while the task is parked.
 *
 *  Queues are doubly linked because a select that fired on one channel must
 *  take its other waiters off the other channels' queues in O(1) (Go's
 *  dequeueSudoG); a plain waiter is only ever taken off the head.
 */
#ifndef CORO_CHAN_H
#define CORO_CHAN_H

#include <sched.h>
#include <stdint.h>
#include <string.h>
#include "coro.h"
#include "lock.h"
#include "task.h"

/* task->op kinds of this file family (range reserved for us in task.h). */
enum {
    CORO_OP_KIND_CHAN_SEND = CORO_OP_KIND_CHAN_FIRST,
    CORO_OP_KIND_CHAN_RECV,
    CORO_OP_KIND_SELECT,
    CORO_OP_KIND_WG_WAIT,
    CORO_OP_KIND_MUTEX_LOCK,
};

/* Outcome a waker stores for a parked waiter (task->result, or
 * select_wait.result).  0 means "not woken yet". */
enum { CHAN_WOKE_VALUE = 1, CHAN_WOKE_CLOSED = 2 };

/* A tagged pointer: a coro_task * (bit 0 clear) or a select_waiter * (bit 0
 * set).  Both are at least 8-byte aligned, so bit 0 is free.  0 = none. */
typedef uintptr_t waiter_ref;

typedef struct select_wait select_wait;

typedef struct select_waiter {
    waiter_ref next, prev;  /* queue links; protected by the channel's lock */
    select_wait *sel;       /* the blocked select this case belongs to */
} select_waiter;

/* One blocked select call, owned by the selecting task: allocated when it
 * parks, freed by the same task after it has taken every waiter off every
 * queue (so no queue can point into it once it is freed). */
struct select_wait {
    coro_task *task;           /* immutable, like cases, ncases, lockorder */
    coro_select_case *cases;   /* the caller's array (in its frame) */
    int ncases;
    int winner;                /* -1 until a waker claims a case (atomic CAS;
                                  the CAS is the only write, so exactly one
                                  waker wins; read by the task after it is
                                  readied, ordered by coro_task_ready) */
    int result;                /* CHAN_WOKE_*, written by the winning waker
                                  (under its channel lock) before it readies
                                  the task */
    uint16_t *lockorder;       /* case indices by channel address (points
                                  past waiters[]); reused to relock on wake */
    select_waiter waiters[];   /* waiters[i] belongs to cases[i] */
};

typedef struct waitq {
    waiter_ref head, tail;
} waitq;

/* ---- the channel lock ----
 * A test-and-test-and-set spin lock released by a plain release store: one
 * locked instruction per critical section instead of lock.h's two (its
 * futex unlock must exchange to learn whether someone sleeps).  A locked
 * instruction costs ~4.7 ns here and a one-way unbuffered hand-off takes two
 * critical sections; bench_chan went from 48 to 34 ns (best runs) with this
 * lock instead of lock.h's.  Critical sections are a few dozen instructions and
 * never block, so a waiter spins briefly and then yields the CPU instead of
 * sleeping in the kernel: on this 2-vCPU machine a preempted holder needs
 * the CPU back, not a futex wake-up.  Acquire pairs with the previous
 * holder's release store. */

typedef int chan_lock_t;

/* Pause-spins before each sched_yield: a few cache-line round trips,
 * picked like lock.h's CORO_LOCK_SPINS (not tuned further). */
#define CHAN_LOCK_SPINS 64

static inline void chan_lock(chan_lock_t *l) {
    for (;;) {
        int c = 0;
        if (__atomic_compare_exchange_n(l, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
        for (int i = 0; i < CHAN_LOCK_SPINS && __atomic_load_n(l, __ATOMIC_RELAXED) != 0; i++)
            coro_cpu_relax();
        if (__atomic_load_n(l, __ATOMIC_RELAXED) != 0) sched_yield();
    }
}

static inline void chan_unlock(chan_lock_t *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

struct coro_chan {
    chan_lock_t lock;    /* protects every field below except elem_size/cap */
    int closed;          /* set once by coro_chan_close */
    size_t elem_size;    /* immutable */
    size_t cap;          /* immutable: buffer slots, 0 = unbuffered */
    size_t count;        /* values in buf */
    size_t sendx, recvx; /* ring indices into buf */
    waitq recvq;         /* blocked receivers */
    waitq sendq;         /* blocked senders */
    _Alignas(16) unsigned char buf[]; /* cap * elem_size bytes */
};

/* ---- waiter references ---- */

static inline int wref_is_select(waiter_ref r) { return (r & 1u) != 0; }
static inline coro_task *wref_task(waiter_ref r) { return (coro_task *)r; }
static inline select_waiter *wref_sw(waiter_ref r) { return (select_waiter *)(r & ~(uintptr_t)1); }
static inline waiter_ref wref_of_task(coro_task *t) { return (waiter_ref)t; }
static inline waiter_ref wref_of_sw(select_waiter *w) { return (waiter_ref)w | 1u; }

static inline waiter_ref wref_next(waiter_ref r) {
    return wref_is_select(r) ? wref_sw(r)->next : (waiter_ref)wref_task(r)->link;
}
static inline void wref_set_next(waiter_ref r, waiter_ref next) {
    if (wref_is_select(r)) wref_sw(r)->next = next;
    else wref_task(r)->link = (coro_task *)next;
}
static inline waiter_ref wref_prev(waiter_ref r) {
    return wref_is_select(r) ? wref_sw(r)->prev : (waiter_ref)wref_task(r)->aux;
}
static inline void wref_set_prev(waiter_ref r, waiter_ref prev) {
    if (wref_is_select(r)) wref_sw(r)->prev = prev;
    else wref_task(r)->aux = (intptr_t)prev;
}

/* The case index of a select waiter. */
static inline int sw_index(const select_waiter *w) { return (int)(w - w->sel->waiters); }

/* ---- wait queues (caller holds the channel lock) ---- */

static inline void waitq_push(waitq *q, waiter_ref r) {
    wref_set_next(r, 0);
    wref_set_prev(r, q->tail);
    if (q->tail) wref_set_next(q->tail, r);
    else q->head = r;
    q->tail = r;
}

static inline waiter_ref waitq_pop_raw(waitq *q) {
    waiter_ref r = q->head;
    if (!r) return 0;
    q->head = wref_next(r);
    if (q->head) wref_set_prev(q->head, 0);
    else q->tail = 0;
    wref_set_next(r, 0);
    wref_set_prev(r, 0);
    return r;
}

/* Take r off q if it is still queued there (a waker may have popped it). */
static inline void waitq_remove(waitq *q, waiter_ref r) {
    waiter_ref prev = wref_prev(r), next = wref_next(r);
    if (!prev && q->head != r) return; /* not in q: popped by a waker */
    if (prev) wref_set_next(prev, next);
    else q->head = next;
    if (next) wref_set_prev(next, prev);
    else q->tail = prev;
    wref_set_next(r, 0);
    wref_set_prev(r, 0);
}

/* Pop the first waiter that can still be woken: a select waiter whose select
 * already fired on another case is dropped (Go's dequeue + selectDone CAS).
 * The caller then owns the returned waiter and must complete it. */
static inline waiter_ref waitq_dequeue(waitq *q) {
    for (;;) {
        waiter_ref r = waitq_pop_raw(q);
        if (!r || !wref_is_select(r)) return r;
        select_waiter *w = wref_sw(r);
        int expected = -1;
        /* acq_rel: pairs with the CAS of a waker on another channel of the
         * same select; the loser must not touch the winner's data. */
        if (__atomic_compare_exchange_n(&w->sel->winner, &expected, sw_index(w), 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return r;
    }
}

/* The value pointer of a dequeued waiter: send source / recv destination. */
static inline void *wref_elem(waiter_ref r) {
    if (!wref_is_select(r)) return wref_task(r)->wait;
    select_waiter *w = wref_sw(r);
    return w->sel->cases[sw_index(w)].value;
}

/* Record the outcome of a dequeued waiter and return the task to ready.
 * The caller calls coro_task_ready on it after releasing the channel lock,
 * and must not touch the waiter afterwards (the task may already run). */
static inline coro_task *wref_complete(waiter_ref r, int outcome) {
    if (!wref_is_select(r)) {
        coro_task *t = wref_task(r);
        t->result = outcome;
        return t;
    }
    select_wait *s = wref_sw(r)->sel;
    s->result = outcome;
    return s->task;
}

/* memcpy for channel values, with the common word sizes inlined: the
 * ping-pong hot path moves ints and pointers. */
static inline void chan_copy(void *dst, const void *src, size_t n) {
    switch (n) {
    case 0: return;
    case 4: memcpy(dst, src, 4); return;
    case 8: memcpy(dst, src, 8); return;
    default: memcpy(dst, src, n); return;
    }
}

static inline void *chan_slot(coro_chan *c, size_t i) { return c->buf + i * c->elem_size; }

/* Operations under the channel lock, shared by chan.c and select.c.  Each
 * completes one transfer with a counterpart found ready; `woken` receives
 * the task to coro_task_ready after unlocking (or NULL). */

/* Deliver *value to the dequeued receiver r (direct hand-off). */
static inline coro_task *chan_send_to_waiter(coro_chan *c, waiter_ref r, const void *value) {
    if (__builtin_expect(c->count != 0, 0))
        coro_fatal("channel %p: receiver parked while %zu values are buffered", (void *)c, c->count);
    void *dst = wref_elem(r);
    if (dst) chan_copy(dst, value, c->elem_size);
    return wref_complete(r, CHAN_WOKE_VALUE);
}

/* Receive from the dequeued sender r into out (may be NULL).  Unbuffered:
 * copy straight from the sender.  Buffered (so the buffer is full): take the
 * head of the buffer and put the sender's value at its tail, keeping FIFO. */
static inline coro_task *chan_recv_from_waiter(coro_chan *c, waiter_ref r, void *out) {
    if (__builtin_expect(c->count != c->cap, 0))
        coro_fatal("channel %p: sender parked while the buffer has room (%zu of %zu)", (void *)c, c->count, c->cap);
    const void *src = wref_elem(r);
    if (c->cap == 0) {
        if (out) chan_copy(out, src, c->elem_size);
    } else {
        void *slot = chan_slot(c, c->recvx);
        if (out) chan_copy(out, slot, c->elem_size);
        chan_copy(slot, src, c->elem_size);
        if (++c->recvx == c->cap) c->recvx = 0;
        c->sendx = c->recvx;
    }
    return wref_complete(r, CHAN_WOKE_VALUE);
}

static inline void chan_buf_put(coro_chan *c, const void *value) {
    chan_copy(chan_slot(c, c->sendx), value, c->elem_size);
    if (++c->sendx == c->cap) c->sendx = 0;
    c->count++;
}

static inline void chan_buf_take(coro_chan *c, void *out) {
    void *slot = chan_slot(c, c->recvx);
    if (out) chan_copy(out, slot, c->elem_size);
    if (++c->recvx == c->cap) c->recvx = 0;
    c->count--;
}

#endif /* CORO_CHAN_H */
