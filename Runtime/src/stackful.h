/*
 * stackful.h — what the stackful user surface (stackful_io.c: I/O and
 * sleeps; stackful_sync.c: channels, select, wait groups, mutex) needs from
 * stackful.c.
 *
 * Every stackful operation is the same loop over a call-again operation of
 * the frame ABI, with the coroutine's root frame as `self`:
 *
 *     coro_stackful *sf = coro_stackful_current();
 *     if (!sf) return <the plain libc call>;
 *     CORO_STACKFUL_WAIT(sf, coro_op_read(coro_stackful_frame(sf), &ret, fd, buf, n));
 *     return ret;                          -- errno set by the op's last call
 *
 * CORO_STACKFUL_WAIT switches to the worker each time the op returns a
 * nonzero status (the worker's resume returns that status to the scheduler)
 * and calls the op again once the scheduler resumes the coroutine, maybe on
 * another thread.
 */
#ifndef CORO_STACKFUL_H
#define CORO_STACKFUL_H

#include "coro.h"

typedef struct coro_stackful coro_stackful;

/* The stackful coroutine running on this thread, or NULL.  Not inlined: call
 * it again after anything that may switch, never cache a thread-local's
 * address across a switch. */
coro_stackful *coro_stackful_current(void);

/* The coroutine's root frame (its first member). */
static inline coro_frame *coro_stackful_frame(coro_stackful *sf) { return (coro_frame *)sf; }

/* Switch to the worker with a nonzero coro_status; returns when resumed. */
void coro_stackful_wait_(coro_stackful *sf, int status);

#define CORO_STACKFUL_WAIT(sf, call)                                      \
    do {                                                                  \
        int coro_sf_st_;                                                  \
        while ((coro_sf_st_ = (call)) != 0) coro_stackful_wait_((sf), coro_sf_st_); \
    } while (0)

#endif /* CORO_STACKFUL_H */
