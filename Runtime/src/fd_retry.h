/*
 * fd_retry.h — the one park/retry loop of the poller-served operations
 * (fd_retry.c): io.c's io_op (read, write, send, recv, accept, ...),
 * connect.c's coro_op_connect and io.c's coro_op_poll all run it.
 */
#ifndef CORO_FD_RETRY_H
#define CORO_FD_RETRY_H

#include <stdint.h>
#include "task.h"

/* One attempt of an operation on an fd that would not block: 1 = complete
 * (its result stored through ctx, errno set if it failed), 0 = it would
 * block.  `edges` is coro_fd_edge_mark(fd) taken just before the attempt
 * (the low half is the SHORT READS input mark). */
typedef int (*coro_fd_attempt)(void *ctx, uint64_t edges);

/* Attempt until complete, parking on fd for `mode` (CORO_FD_READ/WRITE)
 * whenever the attempt would block, with the deadline and timeout error of
 * coro_fd_park.  Returns
 *   0               the attempt completed
 *   CORO_SUSPENDED  parked: t->op = CORO_OP_KIND_FD_WAIT; the caller returns
 *                   the status and, called again, retries through here
 *   -1              the park failed (errno: ETIMEDOUT, EBADF, ENOMEM)
 *   2               the deadline had passed and timeout_err is 0 (poll)
 * t->op is CORO_OP_KIND_NONE on every return but CORO_SUSPENDED.  A park
 * that finds an edge of its direction since the attempt retries at once
 * (poll.h: EDGES SINCE AN ATTEMPT). */
int coro_fd_retry(coro_task *t, int fd, int mode, int64_t deadline_ns, int timeout_err,
                  coro_fd_attempt attempt, void *ctx);

/* The call again after coro_fd_retry parked (t->op == CORO_OP_KIND_FD_WAIT):
 * end the wait (coro_fd_wait_done cancels its deadline timer) and say how
 * it ended: 0 = an edge woke it, attempt again (through coro_fd_retry);
 * 1 = it failed, errno set from t->err (EBADF: closed while waiting; the
 * park's timeout error).  t->op is CORO_OP_KIND_NONE after either. */
int coro_fd_retry_woken(coro_task *t);

#endif /* CORO_FD_RETRY_H */
