/*
 * poll.h — readiness of file descriptors: the generic per-fd layer
 * (netpoll.c, Go's netpoll.go) and the contract of the OS backend beneath it
 * (poll_epoll.c, Go's netpoll_epoll.go).
 *
 * THE FD RECORD (netpoll.c)
 *
 *  Each fd the runtime has seen has a record, found by fd number in a
 *  two-level table that only grows (records never move, so lookups take no
 *  lock).  A record says how the fd is served:
 *    CORO_FD_POLL   socket, pipe, eventfd, tty... : O_NONBLOCK was set on first
 *                   use and the fd is registered once with the backend,
 *                   edge-triggered for input, output and peer hang-up;
 *    CORO_FD_BLOCK  regular files and directories (epoll refuses them with
 *                   EPERM), and fds 0-2, whose file descriptions are shared
 *                   with the parent shell: we never flip O_NONBLOCK on those.
 *                   Their I/O runs on the blocking pool.
 *  and lists of the tasks parked on it for input and for output (several
 *  coroutines may accept on one listener), plus a "ready" bit per
 *  direction: an edge that arrived while nobody was parked, consumed by the
 *  next park attempt (which then retries the I/O instead of sleeping), and
 *  the short-read state below.  An
 *  edge wakes every task parked for its direction, since edge triggering
 *  gives no second event; the losers retry, see EAGAIN and park again.
 *  Everything in a record is protected by its lock.
 *
 *  Limitation: an fd closed with plain close(2) (not coro_op_close) while the
 *  scheduler runs leaves a stale record; if the number is reused for a new
 *  pipe, a read may block its worker.  The translator rewrites close() in
 *  coroutines; records are also all forgotten when coro_run_main starts.
 *  A stale socket record cannot block a worker (reads use MSG_DONTWAIT), but
 *  a wait on it may never be woken, since the new socket is not registered.
 *
 *  Wake-ups: exactly one of {poller event, deadline timer, coro_fd_close}
 *  takes a parked task off its list (under the record lock) and readies
 *  it, with task->err = 0 (retry the I/O), EBADF (closed) or ETIMEDOUT, and
 *  task->result = 1 for "the poll timeout expired".  Deadline timers name the
 *  record and a sequence number (bumped at every park), never the task, so a
 *  stale timer finds no parked task with its sequence and does nothing; and
 *  the woken task cancels its timer (coro_fd_wait_done) before its operation
 *  returns, so completed I/O leaves no timer behind.
 *
 * SHORT READS (stream sockets: what a hand-written epoll loop knows)
 *
 *  A read of a TCP or unix stream socket that returns fewer bytes than asked
 *  emptied the receive queue.  Echo and request/response servers then read
 *  again, and without this record that read would be a recv returning EAGAIN
 *  before the park: one wasted system call per round trip.  So the record
 *  keeps `rseq`, the count of input edges delivered (bumped under the lock by
 *  the poller, and by close/forget), and `drained`, a mark of rseq taken
 *  before a read that came back short.  Whoever reads first takes
 *  the input mark (the low half of coro_fd_edge_mark), reads, and on a short
 *  read calls coro_fd_input_short.
 *  A later read parks without trying (coro_fd_park with CORO_FD_TRY) only if,
 *  under the lock, drained still equals rseq.  Why that is safe: bytes that
 *  arrive after the short read raise an epoll edge after it, and that edge is
 *  delivered after the mark was taken; if it was delivered before we took
 *  the lock, rseq moved and we read; if not, we are on the readers list when
 *  it comes and it wakes us.  Any mark taken before some short read is such a
 *  witness, so racing readers may store theirs without the lock.  A wake-up
 *  always retries the read (it never parks untried).
 *
 *  The exception (issue 12): a short read empties the queue of *bytes*, not
 *  of what a read returns.  The peer's FIN (or a pending error) sits behind
 *  the data; the read returns the data and only the next read returns 0
 *  (or -1), and when data and FIN arrived together there is one edge for
 *  both, delivered before the mark: no edge will ever come for the EOF.  So
 *  an input event delivered with CORO_POLL_HUP or CORO_POLL_ERR sets the
 *  record's sticky `ended` bit, and a record with `ended` is never
 *  "drained".  That closes the hole because epoll reports the fd's state
 *  when the event is collected: a FIN that came before the mark was either
 *  in an event collected before the mark (which carried HUP), or its edge
 *  is collected after the mark (which bumps rseq).  Runtime/model/
 *  readiness.pml checks this with spin (and fails the old protocol);
 *  docs/network.md has its counterexample.
 *
 * EDGES SINCE AN ATTEMPT (several tasks on one fd: two acceptors, two readers)
 *
 *  An edge wakes every task parked for its direction and sets the ready bit
 *  only when none was parked.  A task that is between its failed attempt
 *  (EAGAIN) and its park is neither, so an edge delivered then woke only the
 *  others and left no ready bit: the task parked and slept through it.  With
 *  one reader that is harmless (nobody else could consume the edge, and the
 *  ready bit is set), but two readers of a stream lost the EOF for good, and
 *  an acceptor that handles its connection before accepting again left a
 *  second connection of the same edge pending while the other acceptor slept
 *  (spin found both: Runtime/model/readiness.pml with READERS=2, accept.pml;
 *  -DNOMARK is the protocol before the fix).  So the record counts delivered
 *  edges per direction (rseq, wseq), an attempt takes coro_fd_edge_mark before
 *  its system call, and coro_fd_park_since parks only if no edge of its
 *  direction was delivered since (else it returns 1: retry).
 *
 * THE BACKEND CONTRACT (what poll_epoll.c defines; a kqueue file would too)
 *
 *  coro_poll_backend_init()   create the kernel object and the break fd;
 *                             0, or -1/errno.  Called once per process.
 *  coro_poll_backend_open(fd) register fd for edge-triggered readiness in
 *                             both directions; 0, or -1/errno (EPERM: this
 *                             kind of file cannot be polled).
 *  coro_poll_backend_close(fd) deregister (before the fd is closed).
 *  coro_poll_backend_wait(timeout_ns, cb, arg)
 *                             wait for readiness and call cb(arg, fd, ev)
 *                             for each ready fd (ev: CORO_POLL_IN/OUT/ERR/HUP
                             bits; HUP and ERR come with IN, and are the
                             fd's state when the event is collected, so an
                             event collected after the peer's FIN carries HUP).
 *                             timeout_ns < 0: block until an event or a break;
 *                             timeout_ns = 0: do not block;
 *                             timeout_ns > 0: block at most that long
 *                             (rounded up to the backend's resolution).
 *                             Returns the number of fd events, or -1/errno.
 *  coro_poll_backend_break()  make a concurrent or the next wait return
 *                             promptly.  Coalesced: many breaks, one wake-up.
 */
#ifndef CORO_POLL_H
#define CORO_POLL_H

#include <stdint.h>
#include "task.h"

/* ---- backend ---- */
enum { CORO_POLL_IN = 1, CORO_POLL_OUT = 2, CORO_POLL_ERR = 4,
       CORO_POLL_HUP = 8 /* peer shut down its side (or the socket hung up): EOF is queued */ };
typedef void (*coro_poll_cb)(void *arg, int fd, int events);
int coro_poll_backend_init(void);
int coro_poll_backend_open(int fd);
void coro_poll_backend_close(int fd);
int coro_poll_backend_wait(int64_t timeout_ns, coro_poll_cb cb, void *arg);
void coro_poll_backend_break(void);

/* ---- generic layer (netpoll.c) ---- */
enum { CORO_FD_UNKNOWN = 0, CORO_FD_POLL = 1, CORO_FD_BLOCK = 2, CORO_FD_SOCK = 3 /* POLL, and a socket */ };
enum { CORO_FD_READ = 1, CORO_FD_WRITE = 2,
       CORO_FD_TRY = 4 /* with READ: the read was not tried; see SHORT READS */ };

/* Make sure the poller is initialized (idempotent). 0 or -1/errno. */
int coro_netpoll_init(void);
/* How fd is served (CORO_FD_POLL / CORO_FD_SOCK / CORO_FD_BLOCK), registering
 * it on first use; -1/errno (EBADF) if it is not open. */
int coro_fd_kind(int fd);
/* Park t on fd for `mode` (CORO_FD_READ/WRITE or both) with an absolute
 * deadline (0 = none) whose expiry wakes t with err = timeout_err, or with
 * result = 1 when timeout_err is 0.  Returns 0 if parked (the caller returns
 * CORO_SUSPENDED), 1 if a readiness edge was pending (retry the I/O now),
 * 2 if the deadline has already passed and timeout_err is 0 (poll: report a
 * timeout), -1/errno (ETIMEDOUT: deadline already past; EBADF: closed meanwhile).
 * mode CORO_FD_READ | CORO_FD_TRY: the caller has not tried its read; park
 * only if the input queue is known empty (SHORT READS), else return 1. */
int coro_fd_park(coro_task *t, int fd, int mode, int64_t deadline_ns, int timeout_err);
/* EDGES SINCE AN ATTEMPT: the delivered-edge counts of fd (both
 * directions), to take before an I/O attempt; and coro_fd_park with the
 * extra rule that an edge of `mode`'s direction delivered since `edges`
 * returns 1 (retry) instead of parking. */
uint64_t coro_fd_edge_mark(int fd);
int coro_fd_park_since(coro_task *t, int fd, int mode, uint64_t edges, int64_t deadline_ns, int timeout_err);
/* SHORT READS: the report of a read of fd that returned fewer bytes than
 * asked, with the input mark taken before it (coro_fd_edge_mark's low
 * half); a no-op unless fd is a stream socket. */
void coro_fd_input_short(int fd, uint32_t mark);
/* Forget what we know about fd (a new file took the number): the next use
 * classifies and registers it again. */
void coro_fd_forget(int fd);
/* Forget every fd (coro_run_main starting): numbers closed with plain
 * close(2) between runs may name new files now.  Registered fds re-register
 * harmlessly (EEXIST). */
void coro_netpoll_forget_all(void);
/* Close fd: wake its parked tasks with EBADF, deregister it, close(2) it.
 * Returns close's result (-1/errno). */
int coro_fd_close(int fd);
/* The task woke from coro_fd_park (any outcome): cancel its deadline timer.
 * Every caller of coro_fd_park calls this when resumed, before returning. */
void coro_fd_wait_done(coro_task *t);
/* Deadline timer expired (timer.c): if the park `seq` still waits, take its
 * task out and append it to *list. */
void coro_fd_timeout(int fd, int mode, uint32_t seq, int timeout_err, coro_task_list *list);
/* Poll the backend (timeout as in the contract) and append the tasks made
 * runnable to *list (linked through task->link; the caller readies them). */
int coro_netpoll(int64_t timeout_ns, coro_task_list *list);
void coro_netpoll_break(void);
/* Tasks currently parked on fds (atomic; a hint for "is polling worth it"). */
uint32_t coro_netpoll_waiters(void);
/* CLOCK_MONOTONIC ns of the last completed poll (for the monitor). */
int64_t coro_netpoll_last_ns(void);

#endif /* CORO_POLL_H */
