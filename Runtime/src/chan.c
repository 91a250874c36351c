/*
 * chan.c — channels: make, send, receive, close (select is in select.c).
 *
 * MODEL (Go's runtime/chan.go, for stackless frames)
 *
 *  A channel is a lock, an optional ring buffer of `cap` values of
 *  `elem_size` bytes, and two FIFO queues of blocked coroutines: receivers
 *  (recvq) and senders (sendq).  A value never waits in a queue by itself:
 *  a blocked sender's value stays in its frame, and the receiver that takes
 *  it copies it from there; a blocked receiver's destination is in its frame,
 *  and the sender that finds it copies the value straight there and readies
 *  it (direct hand-off, like Go's send to a sudog).  The woken coroutine then
 *  only has to learn the outcome when its operation is called again.
 *
 * INVARIANTS (the hand-off paths check the buffer ones and fail loudly)
 *
 *  - At least one of sendq and recvq is empty, except for an unbuffered
 *    channel with one select blocked on both sending and receiving on it
 *    (as in Go).
 *  - Buffered: count > 0 implies recvq is empty; count < cap implies sendq is
 *    empty.  So a sender that finds a receiver never finds buffered values,
 *    and a receiver that finds a sender finds a full buffer.
 *  - Once closed, nothing is ever enqueued again and sendq/recvq are empty:
 *    close wakes everyone; later senders fail with EPIPE at once and later
 *    receivers drain the buffer and then see "closed".
 *  - A waiter is completed exactly once, by the thread that dequeued it
 *    under the channel lock; that thread stores the outcome (and the value)
 *    before coro_task_ready, and never touches the waiter after it.
 *
 * PROTOCOL (call again, see coro.h and task.h)
 *
 *  First call: lock; if a counterpart or buffer space/value is there,
 *  complete and return 0.  Otherwise enqueue the task (the task itself is the
 *  waiter record, see chan.h), set task->op, unlock, return CORO_SUSPENDED.
 *  Resumed call: task->op says we are in flight; task->result says what the
 *  waker did (CHAN_WOKE_VALUE: the transfer is done; CHAN_WOKE_CLOSED: the
 *  channel was closed under us).  No relock is needed.
 *
 * ERRORS: -1 with errno, never abort, for anything a program can pass in:
 *  send on closed EPIPE, close of closed EINVAL, a NULL channel EINVAL (in
 *  Go a nil channel blocks forever; here nothing could ever wake it, so we
 *  say so instead; in select a NULL channel disables its case, as in Go),
 *  a NULL value to send with a nonzero element size EINVAL.  Freeing a
 *  channel with blocked coroutines is a program bug that would leave them
 *  parked forever: it fails loudly.
 */
#include "chan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

coro_chan *coro_chan_new(size_t elem_size, size_t capacity) {
    /* Go's bound ("makechan: size out of range"): the buffer must fit. */
    if (capacity != 0 && elem_size > (SIZE_MAX - sizeof(coro_chan)) / capacity) {
        errno = EINVAL;
        return NULL;
    }
    coro_chan *c = malloc(sizeof(coro_chan) + elem_size * capacity);
    if (!c) return NULL; /* errno = ENOMEM from malloc */
    c->lock = 0;
    c->closed = 0;
    c->elem_size = elem_size;
    c->cap = capacity;
    c->count = 0;
    c->sendx = c->recvx = 0;
    c->recvq = (waitq){0, 0};
    c->sendq = (waitq){0, 0};
    return c;
}

void coro_chan_free(coro_chan *c) {
    if (!c) return;
    if (c->recvq.head || c->sendq.head) {
        fprintf(stderr, "coro: coro_chan_free: channel %p still has blocked coroutines\n", (void *)c);
        abort();
    }
    free(c);
}

int coro_chan_close(coro_chan *c) {
    if (!c) {
        errno = EINVAL;
        return -1;
    }
    chan_lock(&c->lock);
    if (c->closed) {
        chan_unlock(&c->lock);
        errno = EINVAL;
        return -1;
    }
    c->closed = 1;
    /* Collect every waiter first and ready them after unlocking, so woken
     * tasks do not immediately contend on our lock (Go's glist in closechan).
     * The list reuses task->link, free once a task is off the wait queue. */
    coro_task_list wake = {0};
    waiter_ref r;
    while ((r = waitq_dequeue(&c->recvq)) != 0) {
        void *dst = wref_elem(r);
        if (dst) memset(dst, 0, c->elem_size); /* receivers see the zero value */
        coro_task_list_push(&wake, wref_complete(r, CHAN_WOKE_CLOSED));
    }
    while ((r = waitq_dequeue(&c->sendq)) != 0)
        coro_task_list_push(&wake, wref_complete(r, CHAN_WOKE_CLOSED));
    chan_unlock(&c->lock);
    coro_task_ready_list(&wake);
    return 0;
}

/* The resumed call of a parked send/recv: the waker already did the work. */
static int chan_op_finish(coro_task *t, int kind, int *ret) {
    if (t->op != kind)
        coro_fatal("channel op called again while op %u is in flight", (unsigned)t->op);
    int outcome = t->result;
    t->op = CORO_OP_KIND_NONE;
    t->wait = NULL;
    if (kind == CORO_OP_KIND_CHAN_SEND) {
        if (outcome == CHAN_WOKE_CLOSED) {
            *ret = -1;
            errno = EPIPE;
        } else {
            *ret = 0;
        }
    } else {
        *ret = outcome == CHAN_WOKE_VALUE ? 1 : 0;
    }
    return 0;
}

int coro_op_chan_send(coro_frame *self, int *ret, coro_chan *c, const void *value) {
    coro_task *t = self->task;
    if (t->op != CORO_OP_KIND_NONE) return chan_op_finish(t, CORO_OP_KIND_CHAN_SEND, ret);
    if (!c || (!value && c->elem_size != 0)) {
        *ret = -1;
        errno = EINVAL;
        return 0;
    }
    chan_lock(&c->lock);
    if (c->closed) {
        chan_unlock(&c->lock);
        *ret = -1;
        errno = EPIPE;
        return 0;
    }
    waiter_ref r = waitq_dequeue(&c->recvq);
    if (r) {
        int is_select = wref_is_select(r);
        coro_task *woken = chan_send_to_waiter(c, r, value);
        chan_unlock(&c->lock);
        if (is_select) coro_task_ready(woken);
        else coro_task_ready_parked(woken);   /* parked under this lock: PARKED for sure */
        *ret = 0;
        return 0;
    }
    if (c->count < c->cap) {
        chan_buf_put(c, value);
        chan_unlock(&c->lock);
        *ret = 0;
        return 0;
    }
    /* Park.  The value stays in the caller's frame until a receiver copies it. */
    t->wait = (void *)value;
    t->result = 0;
    t->op = CORO_OP_KIND_CHAN_SEND;
    waitq_push(&c->sendq, wref_of_task(t));
    coro_park_unlock_ = &c->lock;   /* the scheduler unlocks once t is PARKED (task.h) */
    return CORO_SUSPENDED;
}

int coro_op_chan_recv(coro_frame *self, int *ret, coro_chan *c, void *out) {
    coro_task *t = self->task;
    if (t->op != CORO_OP_KIND_NONE) return chan_op_finish(t, CORO_OP_KIND_CHAN_RECV, ret);
    if (!c) {
        *ret = -1;
        errno = EINVAL;
        return 0;
    }
    chan_lock(&c->lock);
    waiter_ref r = waitq_dequeue(&c->sendq);
    if (r) {
        int is_select = wref_is_select(r);
        coro_task *woken = chan_recv_from_waiter(c, r, out);
        chan_unlock(&c->lock);
        if (is_select) coro_task_ready(woken);
        else coro_task_ready_parked(woken);   /* parked under this lock: PARKED for sure */
        *ret = 1;
        return 0;
    }
    if (c->count > 0) {
        chan_buf_take(c, out);
        chan_unlock(&c->lock);
        *ret = 1;
        return 0;
    }
    if (c->closed) {
        chan_unlock(&c->lock);
        if (out) memset(out, 0, c->elem_size);
        *ret = 0;
        return 0;
    }
    t->wait = out;
    t->result = 0;
    t->op = CORO_OP_KIND_CHAN_RECV;
    waitq_push(&c->recvq, wref_of_task(t));
    coro_park_unlock_ = &c->lock;   /* the scheduler unlocks once t is PARKED (task.h) */
    return CORO_SUSPENDED;
}
