/*
 * select.c — select over several channel operations, with optional default
 * (Go's runtime/select.go, selectgo).
 *
 * ALGORITHM
 *
 *  1. Poll order: a random permutation of the cases whose channel is not
 *     NULL, so that when several are ready each wins equally often (Go's
 *     pollorder).  The random source is per worker thread; under CORO_SEED
 *     it is seeded from the seed, so with the seeded single worker a run
 *     replays exactly.
 *  2. Lock order: the same cases sorted by channel address; every channel is
 *     locked once in that order (duplicates skipped), so two selects over
 *     the same channels can never deadlock (Go's lockorder).
 *  3. With all locks held, try the cases in poll order; the first that can
 *     proceed completes (the same transfers as chan.c) and wins.
 *  4. None ready: with a default, return -1.  Otherwise enqueue one waiter
 *     per case on its channel, publish the task, unlock, park.
 *  5. A waker that dequeues one of our waiters claims the select with a CAS
 *     on select_wait.winner (-1 -> case index); a waker that loses the CAS
 *     drops that waiter and looks further down its queue.  Only the winner
 *     transfers a value and readies the task.
 *  6. Resumed (call again): relock all channels in lock order, take our
 *     remaining waiters off their queues, unlock, report the winner.
 *
 * WHERE THE WAITERS LIVE
 *
 *  One waiter per case, allocated as one block (with the lock order) only
 *  when the select blocks, and freed by the resumed call.  The alternatives
 *  were worse: the caller's coro_select_case array is public ABI sized for
 *  the caller's data only, and growing it by a hidden waiter would cost every
 *  case in every frame 24 bytes even when the select never blocks; the task
 *  has room for one waiter, not n.  A select that blocks already pays for
 *  locking every channel twice and a park/wake, so one malloc there is not
 *  the bottleneck; a ready select (the fast path) allocates nothing.
 *
 * RESULTS
 *
 *  *ret = index of the case that fired, or -1 for the default.  RECV cases
 *  set ok = 1 for a value, 0 for closed (the value is zeroed).  SEND cases
 *  set ok = 1 when sent; a send case on a closed channel fires with ok = 0
 *  and errno = EPIPE (Go panics there; we report instead).  Bad arguments
 *  (ncases < 0 or > 65535, cases NULL, unknown op) and a select that can
 *  never fire (no default and every channel NULL: Go blocks forever) give
 *  *ret = -1 with errno = EINVAL.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* qsort_r */
#endif
#include "chan.h"

#include <errno.h>
#include <stdlib.h>

/* Orders of up to this many cases live on the worker's C stack (2 bytes per
 * case per order); larger selects allocate.  64 covers any hand-written
 * select by far. */
#define SELECT_STACK_CASES 64
/* Case indices are uint16_t, as in Go. */
#define SELECT_MAX_CASES 65535

/* ---- per-worker random source (xorshift64*, Vigna 2014) ---- */

static __thread uint64_t select_rng_state;

static uint64_t select_rng_seed(void) {
    const char *seed = getenv("CORO_SEED");
    if (seed && *seed) {
        /* splitmix64 of the seed: a fixed, replayable start */
        uint64_t z = strtoull(seed, NULL, 0) + 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return (z ^ (z >> 31)) | 1u;
    }
    /* Unseeded: any distinct nonzero start per thread will do. */
    return (((uint64_t)(uintptr_t)&select_rng_state * 0x9e3779b97f4a7c15ull) ^ (uint64_t)coro_now_ns()) | 1u;
}

/* Uniform enough in [0, n) for n << 2^32 (Lemire's multiply-shift). */
static uint32_t select_rand(uint32_t n) {
    uint64_t x = select_rng_state;
    if (x == 0) x = select_rng_seed();
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    select_rng_state = x;
    uint32_t r = (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
    return (uint32_t)(((uint64_t)r * n) >> 32);
}

/* ---- orders and locking ---- */

static int lockorder_cmp(const void *a, const void *b, void *arg) {
    const coro_select_case *cases = arg;
    uintptr_t ca = (uintptr_t)cases[*(const uint16_t *)a].chan;
    uintptr_t cb = (uintptr_t)cases[*(const uint16_t *)b].chan;
    return ca < cb ? -1 : ca > cb;
}

/* Fill pollorder (random) and lockorder (by channel address) with the cases
 * whose channel is not NULL; returns how many there are. */
static int select_orders(coro_select_case *cases, int ncases, uint16_t *pollorder, uint16_t *lockorder) {
    int n = 0;
    for (int i = 0; i < ncases; i++) {
        if (!cases[i].chan) continue;
        /* inside-out Fisher-Yates, as Go builds pollorder */
        uint32_t j = select_rand((uint32_t)n + 1);
        pollorder[n] = pollorder[j];
        pollorder[j] = (uint16_t)i;
        lockorder[n] = (uint16_t)i;
        n++;
    }
    if (n <= 16) { /* insertion sort: the common small select */
        for (int i = 1; i < n; i++) {
            uint16_t x = lockorder[i];
            int k = i;
            while (k > 0 && (uintptr_t)cases[lockorder[k - 1]].chan > (uintptr_t)cases[x].chan) {
                lockorder[k] = lockorder[k - 1];
                k--;
            }
            lockorder[k] = x;
        }
    } else {
        qsort_r(lockorder, (size_t)n, sizeof *lockorder, lockorder_cmp, cases);
    }
    return n;
}

static void select_lock(coro_select_case *cases, const uint16_t *lockorder, int n) {
    coro_chan *last = NULL;
    for (int k = 0; k < n; k++) {
        coro_chan *c = cases[lockorder[k]].chan;
        if (c != last) chan_lock(&c->lock);
        last = c;
    }
}

static void select_unlock(coro_select_case *cases, const uint16_t *lockorder, int n) {
    for (int k = n - 1; k >= 0; k--) {
        coro_chan *c = cases[lockorder[k]].chan;
        if (k == 0 || cases[lockorder[k - 1]].chan != c) chan_unlock(&c->lock);
    }
}

/* Try one case with its channel locked.  Returns 1 if it fired (cs->ok set,
 * *woken = task to ready after unlocking, or NULL). */
static int select_try(coro_select_case *cs, coro_task **woken) {
    coro_chan *c = cs->chan;
    waiter_ref r;
    if (cs->op == CORO_SELECT_RECV) {
        if ((r = waitq_dequeue(&c->sendq)) != 0) {
            *woken = chan_recv_from_waiter(c, r, cs->value);
        } else if (c->count > 0) {
            chan_buf_take(c, cs->value);
        } else if (c->closed) {
            if (cs->value) memset(cs->value, 0, c->elem_size);
            cs->ok = 0;
            return 1;
        } else {
            return 0;
        }
        cs->ok = 1;
        return 1;
    }
    if (c->closed) {
        cs->ok = 0;
        return 1;
    }
    if ((r = waitq_dequeue(&c->recvq)) != 0) {
        *woken = chan_send_to_waiter(c, r, cs->value);
    } else if (c->count < c->cap) {
        chan_buf_put(c, cs->value);
    } else {
        return 0;
    }
    cs->ok = 1;
    return 1;
}

static waitq *case_queue(coro_select_case *cs) {
    return cs->op == CORO_SELECT_RECV ? &cs->chan->recvq : &cs->chan->sendq;
}

/* The resumed call: a waker has claimed one case and done its transfer. */
static int select_finish(coro_task *t, int *ret) {
    if (t->op != CORO_OP_KIND_SELECT)
        coro_fatal("select called again while op %u is in flight", (unsigned)t->op);
    select_wait *s = t->wait;
    int nlocked = 0;
    for (int i = 0; i < s->ncases; i++) nlocked += s->cases[i].chan != NULL;
    select_lock(s->cases, s->lockorder, nlocked);
    for (int k = 0; k < nlocked; k++) {
        int i = s->lockorder[k];
        waitq_remove(case_queue(&s->cases[i]), wref_of_sw(&s->waiters[i]));
    }
    select_unlock(s->cases, s->lockorder, nlocked);

    int winner = __atomic_load_n(&s->winner, __ATOMIC_ACQUIRE);
    if (winner < 0) coro_fatal("select resumed with no case claimed");
    coro_select_case *cs = &s->cases[winner];
    cs->ok = s->result == CHAN_WOKE_VALUE;
    if (cs->op == CORO_SELECT_SEND && !cs->ok) errno = EPIPE;
    free(s);
    t->op = CORO_OP_KIND_NONE;
    t->wait = NULL;
    *ret = winner;
    return 0;
}

/* Block: one waiter per case on its channel's queue; channels are locked. */
static select_wait *select_enqueue(coro_task *t, coro_select_case *cases, int ncases,
                                   const uint16_t *lockorder, int n) {
    size_t size = sizeof(select_wait) + (size_t)ncases * sizeof(select_waiter) + (size_t)n * sizeof(uint16_t);
    select_wait *s = malloc(size);
    if (!s) return NULL;
    s->task = t;
    s->cases = cases;
    s->ncases = ncases;
    s->winner = -1;
    s->result = 0;
    s->lockorder = (uint16_t *)&s->waiters[ncases];
    memcpy(s->lockorder, lockorder, (size_t)n * sizeof(uint16_t));
    for (int k = 0; k < n; k++) {
        int i = lockorder[k];
        s->waiters[i].sel = s;
        waitq_push(case_queue(&cases[i]), wref_of_sw(&s->waiters[i]));
    }
    return s;
}

static int select_args_valid(const coro_select_case *cases, int ncases) {
    if (ncases < 0 || ncases > SELECT_MAX_CASES || (ncases > 0 && !cases)) return 0;
    for (int i = 0; i < ncases; i++) {
        const coro_select_case *cs = &cases[i];
        if (cs->op != CORO_SELECT_SEND && cs->op != CORO_SELECT_RECV) return 0;
        if (cs->op == CORO_SELECT_SEND && cs->chan && !cs->value && cs->chan->elem_size != 0) return 0;
    }
    return 1;
}

int coro_op_select(coro_frame *self, int *ret, coro_select_case *cases, int ncases, int has_default) {
    coro_task *t = self->task;
    if (t->op != CORO_OP_KIND_NONE) return select_finish(t, ret);
    if (!select_args_valid(cases, ncases)) {
        *ret = -1;
        errno = EINVAL;
        return 0;
    }

    uint16_t stack_orders[2 * SELECT_STACK_CASES];
    uint16_t *orders = stack_orders;
    if (ncases > SELECT_STACK_CASES && !(orders = malloc(2 * (size_t)ncases * sizeof *orders))) {
        *ret = -1; /* errno = ENOMEM from malloc */
        return 0;
    }
    uint16_t *pollorder = orders, *lockorder = orders + ncases;
    int n = select_orders(cases, ncases, pollorder, lockorder);
    int status = 0;
    if (n == 0) {
        *ret = -1;
        if (!has_default) errno = EINVAL;
        goto out;
    }

    select_lock(cases, lockorder, n);
    for (int k = 0; k < n; k++) {
        int i = pollorder[k];
        coro_task *woken = NULL;
        if (select_try(&cases[i], &woken)) {
            select_unlock(cases, lockorder, n);
            if (woken) coro_task_ready(woken);
            if (cases[i].op == CORO_SELECT_SEND && !cases[i].ok) errno = EPIPE;
            *ret = i;
            goto out;
        }
    }
    if (has_default) {
        select_unlock(cases, lockorder, n);
        *ret = -1;
        goto out;
    }
    select_wait *s = select_enqueue(t, cases, ncases, lockorder, n);
    if (!s) {
        select_unlock(cases, lockorder, n);
        *ret = -1; /* errno = ENOMEM from malloc */
        goto out;
    }
    t->wait = s;
    t->op = CORO_OP_KIND_SELECT;
    /* From the first unlock on a waker may claim and ready us; that is safe
     * (task.h: ready before park), and s stays ours until we are resumed. */
    select_unlock(cases, lockorder, n);
    status = CORO_SUSPENDED;
out:
    if (orders != stack_orders) free(orders);
    return status;
}
