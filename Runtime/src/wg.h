/*
 * wg.h — what other runtime files may ask of a wait group (wg.c) without
 * touching its fields.  coro_wg's count and waiters are wg.c's alone, under
 * wg->lock (coro.h calls them runtime-private); code that needs an answer
 * about them asks here.
 */
#ifndef CORO_WG_H
#define CORO_WG_H

#include "coro.h"

/* Wait without parking: 0 if the counter is zero now (a wait would return
 * at once), -1/EAGAIN if it is not (a wait would park), -1/EINVAL for a NULL
 * wait group.  The answer is a snapshot under the lock: another thread may
 * change the counter right after.  Used by coro_wg_wait off a coroutine
 * (stackful_sync.c). */
int coro_wg_try_wait(coro_wg *wg);

#endif /* CORO_WG_H */
