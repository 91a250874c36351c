/*
 * blocking.h — the blocking pool: threads that run calls epoll cannot wait on
 * (regular-file I/O, fds 0-2, open, fsync, getaddrinfo, user functions)
 * while the calling task is parked.  See blocking.c.
 */
#ifndef CORO_BLOCKING_H
#define CORO_BLOCKING_H

#include "task.h"

/* Queue fn(arg) for t, which the caller then parks (CORO_SUSPENDED); t is
 * readied when fn returns.  Uses t->link, t->wait and t->aux until then.
 * 0, or -1/errno (EAGAIN: no pool thread could be started). */
int coro_blocking_submit(coro_task *t, void (*fn)(void *), void *arg);

#endif /* CORO_BLOCKING_H */
