/*
 * test_runq.c — the run queues on their own (runq.c), with dummy tasks:
 * FIFO order, the next-slot running first and kicking its predecessor to the
 * tail, a full ring moving half of itself plus the new task to the global
 * queue in order, stealing half, the global queue's fair share, seeded picks
 * being a permutation; then an owner pushing and popping while two thieves
 * steal, checking every task is taken exactly once (run it under TSan).
 */
#include <pthread.h>
#include "rt_test.h"
#include "runq.h"

#define N 1000
static coro_task tasks[N];
static int taken[N];   /* atomic */

static int idx(coro_task *t) { return (int)(t - tasks); }

static void drain_global(void) {
    coro_runq tmp;
    memset(&tmp, 0, sizeof tmp);
    coro_task *t;
    while ((t = coro_globq_get(&tmp, 1, 1)) != NULL) {
    }
}

static void phase_fifo_runnext(void) {
    static coro_runq q;
    memset(&q, 0, sizeof q);
    coro_runq_put(&q, &tasks[0], 0);
    coro_runq_put(&q, &tasks[1], 0);
    coro_runq_put(&q, &tasks[2], 1);   /* next-slot */
    coro_runq_put(&q, &tasks[3], 1);   /* kicks 2 to the tail */
    CHECK_EQ(idx(coro_runq_get(&q)), 3);
    CHECK_EQ(idx(coro_runq_get(&q)), 0);
    CHECK_EQ(idx(coro_runq_get(&q)), 1);
    CHECK_EQ(idx(coro_runq_get(&q)), 2);
    CHECK(coro_runq_get(&q) == NULL);
    CHECK(coro_runq_empty(&q));
}

static void phase_overflow(void) {
    static coro_runq q;
    memset(&q, 0, sizeof q);
    drain_global();
    for (int i = 0; i < CORO_RUNQ_CAP + 1; i++) coro_runq_put(&q, &tasks[i], 0);
    /* the ring kept the newest CAP/2, the global queue got the oldest CAP/2 + the new one */
    CHECK_EQ(__atomic_load_n(&coro_globq_.size, __ATOMIC_RELAXED), CORO_RUNQ_CAP / 2 + 1);
    coro_runq tmp;
    memset(&tmp, 0, sizeof tmp);
    for (int i = 0; i < CORO_RUNQ_CAP / 2; i++) CHECK_EQ(idx(coro_globq_get(&tmp, 1, 1)), i);
    CHECK_EQ(idx(coro_globq_get(&tmp, 1, 1)), CORO_RUNQ_CAP);
    for (int i = CORO_RUNQ_CAP / 2; i < CORO_RUNQ_CAP; i++) CHECK_EQ(idx(coro_runq_get(&q)), i);
    CHECK(coro_runq_get(&q) == NULL);
}

static void phase_steal_half(void) {
    static coro_runq victim, thief;
    memset(&victim, 0, sizeof victim);
    memset(&thief, 0, sizeof thief);
    int n = CORO_RUNQ_CAP < 8 ? CORO_RUNQ_CAP : 8;
    for (int i = 0; i < n; i++) coro_runq_put(&victim, &tasks[i], 0);
    coro_task *t = coro_runq_steal(&thief, &victim, 0);
    CHECK(t != NULL);
    int stolen = 1;
    while (coro_runq_get(&thief)) stolen++;
    CHECK_EQ(stolen, n - n / 2);
    int left = 0;
    while (coro_runq_get(&victim)) left++;
    CHECK_EQ(left, n / 2);
    /* an empty ring: only the next-slot, and only when asked */
    coro_runq_put(&victim, &tasks[0], 1);
    CHECK(coro_runq_steal(&thief, &victim, 0) == NULL);
    CHECK_EQ(idx(coro_runq_steal(&thief, &victim, 1)), 0);
}

static void phase_global_share(void) {
    drain_global();
    for (int i = 0; i < 40; i++) coro_globq_put(&tasks[i]);
    static coro_runq q;
    memset(&q, 0, sizeof q);
    /* 4 workers: a fair share is 40/4 + 1 = 11 (capped by half a ring) */
    CHECK_EQ(idx(coro_globq_get(&q, 4, 0)), 0);
    int moved = 0;
    while (coro_runq_get(&q)) moved++;
    int share = 11 < CORO_RUNQ_CAP / 2 ? 11 : CORO_RUNQ_CAP / 2;
    CHECK_EQ(moved, share - 1);
    drain_global();
}

static void phase_seeded_permutation(void) {
    static coro_runq q;
    memset(&q, 0, sizeof q);
    uint64_t rng = 42;
    int n = CORO_RUNQ_CAP;
    int seen[CORO_RUNQ_CAP] = {0};
    for (int i = 0; i < n; i++) coro_runq_put(&q, &tasks[i], 0);
    int in_order = 1;
    for (int i = 0; i < n; i++) {
        coro_task *t = coro_runq_get_seeded(&q, &rng);
        CHECK(t != NULL);
        if (!t) break;
        seen[idx(t)]++;
        if (idx(t) != i) in_order = 0;
    }
    for (int i = 0; i < n; i++) CHECK_EQ(seen[i], 1);
    if (n >= 4) CHECK(!in_order);
}

/* concurrent: owner pushes all N and pops; two thieves steal into their own rings */
static coro_runq owner_q, thief_q[2];
static int owner_done;   /* atomic */

static void take(coro_task *t) {
    if (__atomic_add_fetch(&taken[idx(t)], 1, __ATOMIC_RELAXED) != 1) CHECK(!"task taken twice");
}

static void *thief(void *arg) {
    coro_runq *mine = arg;
    while (!__atomic_load_n(&owner_done, __ATOMIC_ACQUIRE)) {
        coro_task *t = coro_runq_steal(mine, &owner_q, 1);
        if (t) {
            take(t);
            while ((t = coro_runq_get(mine))) take(t);
        }
    }
    return NULL;
}

static void phase_concurrent_steal(void) {
    memset(taken, 0, sizeof taken);
    drain_global();
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, thief, &thief_q[i]);
    for (int i = 0; i < N; i++) {
        coro_runq_put(&owner_q, &tasks[i], i % 3 == 0);
        if (i % 2) {
            coro_task *t = coro_runq_get(&owner_q);
            if (t) take(t);
        }
    }
    coro_task *t;
    while ((t = coro_runq_get(&owner_q))) take(t);
    __atomic_store_n(&owner_done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    static coro_runq tmp;
    while ((t = coro_globq_get(&tmp, 1, 1))) {   /* overflow batches */
        take(t);
        while ((t = coro_runq_get(&tmp))) take(t);
    }
    for (int i = 0; i < N; i++) CHECK_EQ(taken[i], 1);
}

int main(void) {
    rt_phase("FIFO and next-slot", phase_fifo_runnext);
    rt_phase("full ring moves half to the global queue", phase_overflow);
    rt_phase("steal half, next-slot last", phase_steal_half);
    rt_phase("global queue fair share", phase_global_share);
    rt_phase("seeded picks are a permutation", phase_seeded_permutation);
    rt_phase("owner and two thieves: each task taken once", phase_concurrent_steal);
    return rt_finish();
}
