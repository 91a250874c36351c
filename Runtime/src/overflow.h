/*
 * overflow.h — naming the coroutine behind a fault in a stack guard page
 * (overflow.c), for stackful.c's SIGSEGV handler.
 */
#ifndef CORO_OVERFLOW_H
#define CORO_OVERFLOW_H

/* What stackful.c knows of the coroutine running on the faulting thread
 * (its `current`); the fallback when the faulting SP is on no pooled stack. */
typedef struct coro_running {
    const char *name;        /* NULL: no coroutine running on this thread */
    unsigned long id;
    void *stack_hi;
} coro_running;

/* If `fault` lies in the guard page of a pooled stack, write one line to
 * stderr naming the coroutine that ran (found from `sp`, the faulting stack
 * pointer, else `cur`), what was hit, and the likely cause, then
 * _exit(CORO_EXIT_STACK_OVERFLOW).  Otherwise return 0 (not ours).
 * Async-signal-safe. */
int coro_overflow_report(const void *fault, const void *sp, const coro_running *cur);

#endif /* CORO_OVERFLOW_H */
