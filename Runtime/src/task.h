/*
 * task.h — the runtime's internal contract: what a task is, how it parks and
 * how it is made runnable again.  Every runtime file (scheduler, poller,
 * timers, channels, stackful mode) codes against this header only.
 *
 * MODEL
 *
 *  A task is one coroutine: a chain of stackless frames whose innermost frame
 *  is `top`.  A worker runs a task by calling top->resume(top) in a loop (the
 *  trampoline in sched.c) until the frame returns CORO_YIELDED (requeue),
 *  CORO_SUSPENDED (park) or the root frame returns CORO_DONE (task ends).
 *  Stackful tasks are the same thing: their root frame's resume function
 *  switches to the coroutine's stack and back.
 *
 * PARKING AND WAKING (Go's gopark / goready, for the call-again protocol)
 *
 *  An operation that must wait (coro_op_read on EAGAIN, a channel receive on
 *  an empty channel, ...) does, in this order:
 *
 *   1. publishes the task where its waker will find it (a per-fd waiter slot,
 *      a channel wait queue, a timer), under that object's lock;
 *   2. records that it is in flight: task->op = its CORO_OP_KIND_*, and any
 *      op-specific record in task->wait / task->aux;
 *   3. returns CORO_SUSPENDED, which the resume function returns at once.
 *
 *  The waker, having removed the task from the object (under the object's
 *  lock, so exactly one waker wins), stores the outcome in task->result /
 *  task->err and then calls coro_task_ready(task).  The waker may run on any
 *  thread, and may run before step 3 has reached the scheduler: the task is
 *  then still RUNNING.  The scheduler resolves that race with the atomic
 *  task->status:
 *
 *      waker:     RUNNING  -> NOTIFIED   (CAS; task has not parked yet; do nothing more)
 *                 PARKED   -> RUNNABLE   (plain store: a parked task has one
 *                                         waker; then enqueue it)
 *      scheduler, on CORO_SUSPENDED:
 *                 RUNNING  -> PARKED     (parked; the waker will enqueue it)
 *                 NOTIFIED -> RUNNABLE   (the wake-up already happened: requeue now)
 *
 *  Any other transition (ready of a RUNNABLE or PARKED-twice task, a task
 *  that returns CORO_DONE or CORO_YIELDED while NOTIFIED) is a runtime bug
 *  and fails loudly ("coro: runtime: ...").
 *
 *  When the task runs again, its frame calls the same operation again (the
 *  call-again protocol of coro.h).  The operation sees task->op == its own
 *  kind, reads result/err, sets task->op = CORO_OP_KIND_NONE and returns 0
 *  (or retries, for I/O whose wake-up only means "try again").  Setting errno
 *  happens then, on the thread the task resumed on, so errno is right even if
 *  the task moved between workers while it was parked.
 *
 *  Memory ordering: the waker's stores to result/err/wait happen-before the
 *  task's reads of them after it resumes, because coro_task_ready's CAS is a
 *  release and the scheduler takes the task back with an acquire (run queue
 *  pop, or the failed CAS on the NOTIFIED path).
 *
 * FIELD OWNERSHIP
 *
 *  top, op, wait, aux, deadline_ns: only the thread currently running the
 *    task, except that a waker writes result/err (and, for channels, the data
 *    behind `wait`) while the task is parked or NOTIFIED and it holds the
 *    task's entry in a wait structure.
 *  link: the run queue while RUNNABLE; while parked, the wait structure the
 *    task is parked on (protected by that structure's lock).  Free otherwise.
 *  status: atomic; transitions above.
 *
 * SIZE
 *
 *  A parked stackless coroutine costs its task (64 bytes, from a pool: no
 *  malloc header) plus its frames.  The budget is <= ~135 bytes for a small
 *  frame (1/20 of a goroutine's 2.7 KB), so add fields only with a reason.
 */
#ifndef CORO_TASK_H
#define CORO_TASK_H

#include <stdint.h>
#include "coro.h"

/* task->status values (see PARKING AND WAKING). */
enum {
    CORO_TASK_RUNNABLE = 0, /* in a run queue, or being handed to one */
    CORO_TASK_RUNNING = 1,  /* a worker is inside its trampoline */
    CORO_TASK_NOTIFIED = 2, /* running, and already woken: must not park */
    CORO_TASK_PARKED = 3,   /* suspended; exactly one waker will ready it */
    CORO_TASK_DONE = 4,     /* root frame finished; the task is being freed */
};

/* task->op values: which suspendable operation is in flight (0 = none).
 * Ranges are split by file so owners never collide: the core (io.c,
 * connect.c, sleep.c, timer.c, blocking.c, sched.c) uses 1..31,
 * channels/select/wait groups/mutex 32..63, stackful mode 64..95. */
enum {
    CORO_OP_KIND_NONE = 0,
    CORO_OP_KIND_YIELD = 1,
    CORO_OP_KIND_SLEEP = 2,      /* sleep_ms / sleep / usleep / nanosleep */
    CORO_OP_KIND_FD_WAIT = 3,    /* read/write/accept/connect/... waiting on the poller */
    CORO_OP_KIND_BLOCKING = 4,   /* coro_op_blocking: a function on the blocking pool */
    CORO_OP_KIND_BLOCKING_IO = 5,/* an I/O call (regular file, fds 0-2) on the blocking pool */
    CORO_OP_KIND_CHAN_FIRST = 32,
    CORO_OP_KIND_CHAN_LAST = 63,
    CORO_OP_KIND_STACKFUL_FIRST = 64,
    CORO_OP_KIND_STACKFUL_LAST = 95,
};

/* task->flags bits */
enum {
    CORO_TASK_MAIN = 1u,  /* root frame belongs to coro_run_main's caller: not freed */
};

struct coro_task {
    coro_frame *top;           /* innermost frame: what the trampoline resumes */
    coro_task *link;           /* run-queue link, or wait-queue link while parked */
    void *wait;                /* op-specific record of the op in flight */
    const char *name;          /* static string for diagnostics, never NULL */
    int64_t deadline_ns;       /* CLOCK_MONOTONIC deadline of I/O waits, 0 = none */
    uint32_t status;           /* CORO_TASK_*; accessed only with __atomic builtins */
    uint16_t op;               /* CORO_OP_KIND_* in flight, 0 = none */
    uint16_t flags;            /* CORO_TASK_* flags */
    int32_t result;            /* outcome stored by the waker (op-specific) */
    int32_t err;               /* errno stored by the waker, 0 = success */
    intptr_t aux;              /* op-specific scalar (e.g. the fd waited on) */
};

_Static_assert(sizeof(struct coro_task) <= 64, "coro_task grew past one cache line");

/* A FIFO of tasks linked through task->link, for wakers that collect several
 * tasks under a lock and ready them after releasing it. */
typedef struct coro_task_list {
    coro_task *head, *tail;
} coro_task_list;

static inline void coro_task_list_push(coro_task_list *l, coro_task *t) {
    t->link = NULL;
    if (l->tail) l->tail->link = t;
    else l->head = t;
    l->tail = t;
}

/* Ready every task of l in order (reads each link before readying). */
void coro_task_ready_list(coro_task_list *l);

/* Make a parked (or parking) task runnable.  Callable from any thread, with
 * no runtime lock held other than the waker's own object lock; callable
 * before the parking operation's CORO_SUSPENDED has reached the scheduler.
 * Call it exactly once per park, after storing result/err. */
void coro_task_ready(coro_task *t);

/* Park with the object's lock held (Go's gopark with an unlock function).
 * An op that parks its task may, instead of releasing the lock of the object
 * it queued itself on, store the lock's address here and return
 * CORO_SUSPENDED with the lock still held; the scheduler then marks the task
 * PARKED with a plain store and releases the lock (store 0, release).  Every
 * waker finds the task only under that lock, so it knows the task is PARKED
 * and may wake it with coro_task_ready_parked: a plain store and an enqueue,
 * no locked instruction.  Only plain int spin locks (chan.h) are released
 * this way.  Nothing may run between the op's return and the scheduler's
 * park except returns (stackless) or the switch back (stackful). */
extern __thread int *coro_park_unlock_;
void coro_task_ready_parked(coro_task *t);

/* The task the calling worker is running, or NULL off the scheduler (blocking
 * pool threads, the monitor, plain threads). */
coro_task *coro_current_task(void);

/* Print "coro: runtime: <message>" to stderr and abort.  Only for states that
 * cannot happen unless the runtime itself is broken; never for outside input. */
_Noreturn void coro_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t coro_now_ns(void);

#endif /* CORO_TASK_H */
