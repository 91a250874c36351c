/*
 * blocking.c — the blocking pool (see blocking.h).
 *
 * Model: a FIFO of parked tasks, linked through task->link, each carrying
 * its function in task->wait and its argument in task->aux.  Pool threads
 * are separate from the workers, so a call that blocks in the kernel never
 * takes one of the CORO_THREADS workers (Go's entersyscall hands the P off;
 * we never give the worker the call in the first place).
 *
 * Invariants (under pool.lock): nidle threads wait on pool.cond; njobs jobs
 * are queued.  A submit signals a waiting thread and, when queued jobs
 * outnumber waiting threads (the signalled ones may not have woken yet),
 * starts one more thread if nthreads < MAX_THREADS; beyond that, jobs wait
 * for the next free thread.  A thread idle for
 * IDLE_EXIT_S exits, so a burst does not leave 64 threads behind.
 *
 * Completion: the thread runs fn(arg) with no lock held, then calls
 * coro_task_ready (from a non-worker thread: the task goes to the global
 * queue and an idle worker is woken).
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include "blocking.h"
#include "trace.h"

/* Cap on pool threads: like a small GOMAXPROCS for syscalls; beyond it jobs queue. */
#define MAX_THREADS 64
/* Seconds an idle pool thread lingers before exiting (Go's sysmon retires
 * idle Ms similarly; the exact value is arbitrary). */
#define IDLE_EXIT_S 10

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    coro_task *head, *tail;   /* queued jobs; protected by lock */
    int njobs;                /* length of the queue; protected by lock */
    int nthreads, nidle;      /* protected by lock */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0};

static void *pool_thread(void *arg) {
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.head == NULL) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += IDLE_EXIT_S;
            pool.nidle++;
            int r = pthread_cond_timedwait(&pool.cond, &pool.lock, &until);
            pool.nidle--;
            if (r == ETIMEDOUT && pool.head == NULL) {
                pool.nthreads--;
                pthread_mutex_unlock(&pool.lock);
                return NULL;
            }
        }
        coro_task *t = pool.head;
        pool.njobs--;
        pool.head = t->link;
        if (pool.head == NULL) pool.tail = NULL;
        pthread_mutex_unlock(&pool.lock);

        void (*fn)(void *) = (void (*)(void *))t->wait;
        coro_trace(CORO_TR_BLOCK_BEGIN, t, 0, 0);
        fn((void *)t->aux);
        coro_trace(CORO_TR_BLOCK_END, t, 0, 0);
        coro_task_ready(t);

        pthread_mutex_lock(&pool.lock);
    }
}

int coro_blocking_submit(coro_task *t, void (*fn)(void *), void *arg) {
    t->wait = (void *)fn;
    t->aux = (intptr_t)arg;
    t->link = NULL;
    pthread_mutex_lock(&pool.lock);
    if (pool.njobs + 1 > pool.nidle && pool.nthreads < MAX_THREADS) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int r = pthread_create(&th, &attr, pool_thread, NULL);
        pthread_attr_destroy(&attr);
        if (r == 0) pool.nthreads++;
        else if (pool.nthreads == 0) {
            pthread_mutex_unlock(&pool.lock);
            errno = EAGAIN;
            return -1;
        }
    }
    if (pool.tail) pool.tail->link = t;
    else pool.head = t;
    pool.tail = t;
    pool.njobs++;
    pthread_cond_signal(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
    return 0;
}

int coro_op_blocking(coro_frame *self, void (*fn)(void *arg), void *arg) {
    coro_task *t = self->task;
    if (t == NULL) {   /* frame driven outside the scheduler: plain call */
        fn(arg);
        return 0;
    }
    if (t->op == CORO_OP_KIND_BLOCKING) {
        t->op = CORO_OP_KIND_NONE;
        return 0;
    }
    if (t->op != CORO_OP_KIND_NONE) coro_fatal("coro_op_blocking in task %s while op %u is in flight", t->name, t->op);
    t->op = CORO_OP_KIND_BLOCKING;
    if (coro_blocking_submit(t, fn, arg) < 0) {
        /* Could not start a thread: run it here rather than fail a call that
         * has no error channel (fn reports its own errors through arg). */
        t->op = CORO_OP_KIND_NONE;
        fn(arg);
        return 0;
    }
    return CORO_SUSPENDED;
}
