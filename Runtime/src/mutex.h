/*
 * mutex.h — what other runtime files may ask of a coroutine mutex (mutex.c)
 * without touching its fields.  coro_mutex's state and waiters are
 * mutex.c's alone, under m->lock (coro.h calls them runtime-private).
 */
#ifndef CORO_MUTEX_H
#define CORO_MUTEX_H

#include "coro.h"

/* Lock without parking: 0 if the mutex was unlocked and the caller now holds
 * it (unlock it with coro_mutex_unlock), -1/EAGAIN if it is held (a lock
 * would park), -1/EINVAL for a NULL mutex.  Never takes a mutex that has
 * parked lockers, since they exist only while it is held (mutex.c: FIFO
 * hand-off, no barging).  Used by coro_mutex_lock off a coroutine
 * (stackful_sync.c). */
int coro_mutex_try_lock(coro_mutex *m);

#endif /* CORO_MUTEX_H */
