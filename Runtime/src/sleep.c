/*
 * sleep.c — the sleep operations of coro.h: coro_op_sleep_ms, coro_op_sleep,
 * coro_op_usleep and coro_op_nanosleep, on the timer heap (timer.c).
 *
 * PROTOCOL ("call again", coro.h; task->op tells the calls apart):
 *   NONE   first call: a duration <= 0 completes at once (0); otherwise arm
 *          a timer for now + duration with task->op = SLEEP and return
 *          CORO_SUSPENDED.  If no timer can be armed (ENOMEM), fail: -1, or
 *          for sleep(3) all of the time unslept.
 *   SLEEP  the timer fired and readied the task: done, 0.
 * nanosleep checks *req first (EFAULT for NULL, EINVAL out of range), as
 * nanosleep(2) does.  Sleeps are never cut short (no signals reach a parked coroutine), so
 * nanosleep's *rem is always zero and sleep(3) returns 0.  Off the
 * scheduler (self->task NULL) the thread sleeps in nanosleep(2).
 *
 * INVARIANT: a deadline is clamped to INT64_MAX / 2, so now + duration
 * never overflows and the timer heap's comparisons stay valid.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include "timer.h"

/* Park t until now + ns; 0 or a status.  ns <= 0 completes at once. */
static int sleep_op(coro_frame *self, int64_t ns) {
    coro_task *t = self->task;
    if (t == NULL) {
        if (ns > 0) {
            struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
            }
        }
        return 0;
    }
    if (t->op == CORO_OP_KIND_SLEEP) {
        t->op = CORO_OP_KIND_NONE;
        return 0;
    }
    if (t->op != CORO_OP_KIND_NONE) coro_fatal("sleep in task %s while op %u is in flight", t->name, t->op);
    if (ns <= 0) return 0;
    int64_t now = coro_now_ns();
    int64_t when = ns > INT64_MAX / 2 - now ? INT64_MAX / 2 : now + ns;
    t->op = CORO_OP_KIND_SLEEP;
    if (coro_timer_sleep(t, when) < 0) {
        t->op = CORO_OP_KIND_NONE;
        return -1;
    }
    return CORO_SUSPENDED;
}

int coro_op_sleep_ms(coro_frame *self, int *ret, long ms) {
    int64_t ns = ms > INT64_MAX / 1000000 ? INT64_MAX : (int64_t)ms * 1000000;
    int st = sleep_op(self, ns);
    if (st < 0) {
        *ret = -1;
        return 0;
    }
    if (st == 0) *ret = 0;
    return st;
}

int coro_op_sleep(coro_frame *self, unsigned *ret, unsigned seconds) {
    int st = sleep_op(self, (int64_t)seconds * 1000000000);
    if (st < 0) {   /* could not arm a timer: report all of it unslept, as sleep(3) on a signal */
        *ret = seconds;
        return 0;
    }
    if (st == 0) *ret = 0;
    return st;
}

int coro_op_usleep(coro_frame *self, int *ret, unsigned int usec) {
    int st = sleep_op(self, (int64_t)usec * 1000);
    if (st < 0) {
        *ret = -1;
        return 0;
    }
    if (st == 0) *ret = 0;
    return st;
}

int coro_op_nanosleep(coro_frame *self, int *ret, const struct timespec *req, struct timespec *rem) {
    coro_task *t = self->task;
    int64_t ns = 0;
    if (t == NULL || t->op != CORO_OP_KIND_SLEEP) {
        if (req == NULL || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000) {
            errno = req == NULL ? EFAULT : EINVAL;
            *ret = -1;
            return 0;
        }
        ns = req->tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX : (int64_t)req->tv_sec * 1000000000 + req->tv_nsec;
    }
    int st = sleep_op(self, ns);
    if (st < 0) {
        *ret = -1;
        return 0;
    }
    if (st == 0) {
        if (rem) rem->tv_sec = 0, rem->tv_nsec = 0;
        *ret = 0;
    }
    return st;
}
