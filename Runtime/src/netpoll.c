/*
 * netpoll.c — per-fd records and parking on readiness (the generic half of
 * poll.h; the protocol and invariants are written there).
 *
 * The record table is two-level: CHUNKS pointers to chunks of CHUNK_RECORDS
 * records, each chunk allocated on first touch and published with a CAS, so
 * records never move and lookups take no lock.  The table lives as long as
 * the process, like the epoll instance it mirrors.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "poll.h"
#include "lock.h"
#include "timer.h"
#include "trace.h"

#define CHUNK_RECORDS 1024
#define CHUNKS 1024   /* fds up to 1M; larger numbers are served as CORO_FD_BLOCK */

/* A parked task is on exactly one of its record's lists, linked through
 * task->link.  While it is parked, task->result holds its park sequence
 * number and task->err its mode (the waker overwrites both with the
 * outcome when it takes the task off the list). */
typedef struct fdrec {
    coro_lock_t lock;
    uint8_t kind;         /* CORO_FD_*; atomic (read without the lock on the fast path) */
    uint8_t rready;       /* input edge seen with no task waiting for input */
    uint8_t wready;       /* output edge seen with no task waiting for output */
    uint8_t stream;       /* atomic: TCP or unix stream socket (a short read drains it) */
    uint8_t ended;        /* atomic, written under the lock: an input event with
                             HUP or ERR was delivered, so an EOF or error waits
                             behind the data and no short read means "empty"
                             again (SHORT READS); cleared by close/forget */
    uint32_t seq;         /* bumped at every park; deadline timers name one */
    uint32_t rseq;        /* input edges delivered (and closes/forgets); written
                             under the lock, read without it only as a hint */
    uint32_t wseq;        /* output edges delivered; likewise (EDGES SINCE AN ATTEMPT) */
    uint64_t drained;     /* atomic: DRAINED | an rseq mark taken before a short
                             read, or 0 = unknown (see SHORT READS in poll.h) */
    coro_task *readers;   /* waiting for input, or for either direction (poll) */
    coro_task *writers;   /* waiting for output only */
} fdrec;

/* fdrec.drained: the mark is valid (a bit above any uint32_t mark) */
#define DRAINED ((uint64_t)1 << 32)

static fdrec *chunks[CHUNKS];        /* atomic pointers */
static uint32_t nwaiters;            /* atomic: tasks on readers/writers lists */
static int64_t last_poll_ns;         /* atomic */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_errno;

static void init_backend(void) {
    if (coro_poll_backend_init() < 0) init_errno = errno ? errno : EMFILE;
}

int coro_netpoll_init(void) {
    pthread_once(&init_once, init_backend);
    if (init_errno) {
        errno = init_errno;
        return -1;
    }
    return 0;
}

static fdrec *lookup(int fd) {
    if (fd < 0 || fd >= CHUNK_RECORDS * CHUNKS) return NULL;
    fdrec **slot = &chunks[fd / CHUNK_RECORDS];
    fdrec *chunk = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (chunk == NULL) {
        fdrec *fresh = calloc(CHUNK_RECORDS, sizeof *fresh);
        if (fresh == NULL) return NULL;
        if (__atomic_compare_exchange_n(slot, &chunk, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) chunk = fresh;
        else free(fresh);   /* another thread published first; chunk holds it */
    }
    return &chunk[fd % CHUNK_RECORDS];
}

static int classify(int fd) {
    if (fd <= 2) return CORO_FD_BLOCK;   /* shared with the parent: never O_NONBLOCK */
    struct stat st;
    if (fstat(fd, &st) < 0) return -1;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) return CORO_FD_BLOCK;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -1;
    if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
    if (coro_poll_backend_open(fd) < 0) {
        if (errno == EPERM) return CORO_FD_BLOCK;
        return -1;
    }
    return S_ISSOCK(st.st_mode) ? CORO_FD_SOCK : CORO_FD_POLL;
}

/* A socket whose reads return all the bytes queued up to the size asked for:
 * TCP and unix stream sockets.  (Not datagram or seqpacket sockets, which
 * return one message; not SCTP or MPTCP, whose stream semantics we have not
 * checked.)  Anything we cannot tell is "not stream": the safe answer. */
static int is_stream_socket(int fd) {
    int type = 0, domain = 0, proto = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) return 0;
    len = sizeof domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return 0;
    if (domain == AF_UNIX) return 1;
    len = sizeof proto;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0) return 0;
    return (domain == AF_INET || domain == AF_INET6) && proto == IPPROTO_TCP;
}

int coro_fd_kind(int fd) {
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    fdrec *r = lookup(fd);
    if (r == NULL) return CORO_FD_BLOCK;   /* out of table range or memory: still correct, slower */
    int kind = __atomic_load_n(&r->kind, __ATOMIC_ACQUIRE);
    if (kind != CORO_FD_UNKNOWN) return kind;
    if (coro_netpoll_init() < 0) return -1;
    coro_lock_acquire(&r->lock);
    kind = r->kind;
    if (kind == CORO_FD_UNKNOWN) {
        kind = classify(fd);
        __atomic_store_n(&r->stream, (uint8_t)(kind == CORO_FD_SOCK && is_stream_socket(fd)), __ATOMIC_RELAXED);
        if (kind > 0) __atomic_store_n(&r->kind, (uint8_t)kind, __ATOMIC_RELEASE);
    }
    coro_lock_release(&r->lock);
    return kind;
}

/* Unlink t from list *head (under the record lock); 1 if it was there. */
static int unlink_task(coro_task **head, coro_task *t) {
    for (coro_task **p = head; *p != NULL; p = &(*p)->link) {
        if (*p == t) {
            *p = t->link;
            return 1;
        }
    }
    return 0;
}

/* Take t (on one of r's lists) out with this outcome; under r->lock. */
static void take(fdrec *r, coro_task *t, int err, int result, coro_task_list *list) {
    if (!unlink_task(&r->readers, t) && !unlink_task(&r->writers, t))
        coro_fatal("task %s is not parked on the fd it was woken for", t->name);
    t->err = err;
    t->result = result;
    __atomic_fetch_sub(&nwaiters, 1, __ATOMIC_RELAXED);
    coro_task_list_push(list, t);
}

/* Take every task of *head whose mode intersects `mode`. */
static int take_all(fdrec *r, coro_task **head, int mode, int err, coro_task_list *list) {
    int n = 0;
    coro_task *t = *head;
    while (t != NULL) {
        coro_task *next = t->link;
        if (t->err & mode) {
            take(r, t, err, 0, list);
            n++;
        }
        t = next;
    }
    return n;
}

static void append(coro_task **head, coro_task *t) {
    while (*head != NULL) head = &(*head)->link;
    t->link = NULL;
    *head = t;
}

/* The input queue is known empty: a short read saw it so, and no input edge
 * (nor close) came since its mark.  Under the lock this is the truth; without
 * it, a hint. */
static inline int input_drained(fdrec *r) {
    if (__atomic_load_n(&r->ended, __ATOMIC_RELAXED)) return 0;   /* EOF/error queued: read it */
    uint64_t d = __atomic_load_n(&r->drained, __ATOMIC_RELAXED);   /* partner: coro_fd_input_short */
    return d == (DRAINED | __atomic_load_n(&r->rseq, __ATOMIC_RELAXED));
}

/* coro_fd_park, and coro_fd_park_since when `edges` is non-NULL. */
static int park(coro_task *t, int fd, int mode, const uint64_t *edges, int64_t deadline_ns, int timeout_err) {
    coro_trace_fd(fd, mode);
    fdrec *r = lookup(fd);
    if (r == NULL) {
        if (mode & CORO_FD_TRY) return 1;
        errno = ENOMEM;
        return -1;
    }
    /* Not tried yet: park only on a socket known to be empty (before the
     * deadline check: a read with data waiting succeeds even when late). */
    if ((mode & CORO_FD_TRY) && !input_drained(r)) return 1;
    if (deadline_ns != 0 && coro_now_ns() >= deadline_ns) {
        if (timeout_err == 0) return 2;
        errno = timeout_err;
        return -1;
    }
    coro_lock_acquire(&r->lock);
    if ((mode & CORO_FD_TRY) && !input_drained(r)) {   /* an edge came since the hint */
        coro_lock_release(&r->lock);
        return 1;
    }
    mode &= ~CORO_FD_TRY;
    /* An edge of ours was delivered since the caller's attempt began: it may
     * have woken only others (then rready was not set), so retry. */
    if (edges && (((mode & CORO_FD_READ) && r->rseq != (uint32_t)*edges) ||
                  ((mode & CORO_FD_WRITE) && r->wseq != (uint32_t)(*edges >> 32)))) {
        coro_lock_release(&r->lock);
        return 1;
    }
    if ((mode & CORO_FD_READ) && r->rready) {
        r->rready = 0;
        coro_lock_release(&r->lock);
        return 1;
    }
    if ((mode & CORO_FD_WRITE) && r->wready) {
        r->wready = 0;
        coro_lock_release(&r->lock);
        return 1;
    }
    if (__atomic_load_n(&r->kind, __ATOMIC_RELAXED) == CORO_FD_UNKNOWN) {
        /* closed (coro_fd_close) since the caller classified it */
        coro_lock_release(&r->lock);
        errno = EBADF;
        return -1;
    }
    uint32_t seq = ++r->seq;
    t->result = (int32_t)seq;
    t->err = mode;
    __atomic_store_n(&t->aux, CORO_TIMER_NONE, __ATOMIC_RELAXED);   /* deadline timer handle: coro_fd_wait_done */
    append((mode & CORO_FD_READ) ? &r->readers : &r->writers, t);
    __atomic_fetch_add(&nwaiters, 1, __ATOMIC_RELAXED);
    if (deadline_ns != 0 && coro_timer_fd(fd, mode, seq, deadline_ns, timeout_err, &t->aux) < 0) {
        int e = errno;
        unlink_task((mode & CORO_FD_READ) ? &r->readers : &r->writers, t);
        __atomic_fetch_sub(&nwaiters, 1, __ATOMIC_RELAXED);
        coro_lock_release(&r->lock);
        errno = e;
        return -1;
    }
    coro_lock_release(&r->lock);
    return 0;
}

int coro_fd_park(coro_task *t, int fd, int mode, int64_t deadline_ns, int timeout_err) {
    return park(t, fd, mode, NULL, deadline_ns, timeout_err);
}

int coro_fd_park_since(coro_task *t, int fd, int mode, uint64_t edges, int64_t deadline_ns, int timeout_err) {
    return park(t, fd, mode, &edges, deadline_ns, timeout_err);
}

uint64_t coro_fd_edge_mark(int fd) {
    fdrec *r = lookup(fd);
    if (!r) return 0;
    /* acquire: the mark is read before the system call that follows looks
     * at the fd; partner: on_event's stores (via the lock) */
    uint64_t w = __atomic_load_n(&r->wseq, __ATOMIC_ACQUIRE);
    return w << 32 | __atomic_load_n(&r->rseq, __ATOMIC_ACQUIRE);
}

void coro_fd_input_short(int fd, uint32_t mark) {
    fdrec *r = lookup(fd);
    if (r == NULL || !__atomic_load_n(&r->stream, __ATOMIC_RELAXED)) return;
    /* No lock: any mark taken before a short read witnesses an empty queue,
     * so concurrent or late stores are all true (poll.h, SHORT READS); a
     * store landing after a close carries an rseq the close has left behind. */
    __atomic_store_n(&r->drained, DRAINED | mark, __ATOMIC_RELAXED);   /* partner: input_drained */
}

/* Under r->lock: a close or forget; marks taken before it are void. */
static void input_forget(fdrec *r) {
    __atomic_store_n(&r->rseq, r->rseq + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&r->drained, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&r->stream, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&r->ended, 0, __ATOMIC_RELAXED);
}

void coro_fd_wait_done(coro_task *t) {
    /* A timer that fired or was removed wrote NONE under the heap lock and
     * never touches the handle again; otherwise cancel (which rechecks). */
    if (__atomic_load_n(&t->aux, __ATOMIC_RELAXED) != CORO_TIMER_NONE) coro_timer_cancel(&t->aux);
}

void coro_fd_timeout(int fd, int mode, uint32_t seq, int timeout_err, coro_task_list *list) {
    fdrec *r = lookup(fd);
    if (r == NULL) return;
    coro_lock_acquire(&r->lock);
    coro_task *t = (mode & CORO_FD_READ) ? r->readers : r->writers;
    while (t != NULL && t->result != (int32_t)seq) t = t->link;
    if (t != NULL) take(r, t, timeout_err, timeout_err == 0 ? 1 : 0, list);
    coro_lock_release(&r->lock);
}

void coro_netpoll_forget_all(void) {
    for (int c = 0; c < CHUNKS; c++) {
        fdrec *chunk = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
        if (chunk == NULL) continue;
        for (int i = 0; i < CHUNK_RECORDS; i++) {
            fdrec *r = &chunk[i];
            if (__atomic_load_n(&r->kind, __ATOMIC_RELAXED) == CORO_FD_UNKNOWN) continue;
            coro_lock_acquire(&r->lock);
            if (r->readers || r->writers) coro_fatal("fd %d has a parked task between scheduler runs", c * CHUNK_RECORDS + i);
            __atomic_store_n(&r->kind, CORO_FD_UNKNOWN, __ATOMIC_RELEASE);
            r->rready = r->wready = 0;
            input_forget(r);
            coro_lock_release(&r->lock);
        }
    }
}

void coro_fd_forget(int fd) {
    fdrec *r = lookup(fd);
    if (r == NULL) return;
    coro_lock_acquire(&r->lock);
    __atomic_store_n(&r->kind, CORO_FD_UNKNOWN, __ATOMIC_RELEASE);
    r->rready = r->wready = 0;
    input_forget(r);
    coro_lock_release(&r->lock);
}

int coro_fd_close(int fd) {
    fdrec *r = lookup(fd);
    if (r == NULL) return close(fd);
    coro_task_list woken = {0};
    /* close(2) happens under the record lock: a task classifying or parking
     * on fd concurrently either finishes first (and is woken here) or starts
     * after the number is closed (and gets EBADF from fstat/the retry).
     * Without that, it could re-register the still-open fd between our
     * deregistration and the close, and then wait forever. */
    coro_lock_acquire(&r->lock);
    int kind = r->kind;
    take_all(r, &r->readers, CORO_FD_READ | CORO_FD_WRITE, EBADF, &woken);
    take_all(r, &r->writers, CORO_FD_READ | CORO_FD_WRITE, EBADF, &woken);
    r->rready = r->wready = 0;
    input_forget(r);
    __atomic_store_n(&r->kind, CORO_FD_UNKNOWN, __ATOMIC_RELEASE);
    if (kind == CORO_FD_POLL || kind == CORO_FD_SOCK) coro_poll_backend_close(fd);
    int ret = close(fd);
    int err = errno;
    coro_lock_release(&r->lock);
    coro_task_ready_list(&woken);
    errno = err;
    return ret;
}

static void on_event(void *arg, int fd, int events) {
    coro_task_list *list = arg;
    fdrec *r = lookup(fd);
    if (r == NULL) return;
    coro_lock_acquire(&r->lock);
    /* Wake every waiter of a direction: with edge triggering there is no
     * second event for those left behind.  Each retries its call; those that
     * lose the race for the data get EAGAIN and park again. */
    if (events & CORO_POLL_IN) {
        /* voids every earlier "drained" mark; partner: input_drained */
        __atomic_store_n(&r->rseq, r->rseq + 1, __ATOMIC_RELAXED);
        /* The peer's FIN (or an error) is queued behind the data: a read
         * returns data up to it and only the next read returns 0/-1, with
         * no edge in between (issue 12).  Sticky until close/forget. */
        if (events & (CORO_POLL_HUP | CORO_POLL_ERR)) __atomic_store_n(&r->ended, 1, __ATOMIC_RELAXED);
        if (take_all(r, &r->readers, CORO_FD_READ, 0, list) == 0) r->rready = 1;
    }
    if (events & CORO_POLL_OUT) {
        __atomic_store_n(&r->wseq, r->wseq + 1, __ATOMIC_RELAXED);   /* partner: coro_fd_edge_mark */
        int n = take_all(r, &r->writers, CORO_FD_WRITE, 0, list);
        n += take_all(r, &r->readers, CORO_FD_WRITE, 0, list);   /* poll for both directions */
        if (n == 0) r->wready = 1;
    }
    coro_lock_release(&r->lock);
}

int coro_netpoll(int64_t timeout_ns, coro_task_list *list) {
    if (coro_netpoll_init() < 0) return -1;
    int n = coro_poll_backend_wait(timeout_ns, on_event, list);
    __atomic_store_n(&last_poll_ns, coro_now_ns(), __ATOMIC_RELAXED);
    return n;
}

void coro_netpoll_break(void) {
    if (coro_netpoll_init() == 0) coro_poll_backend_break();
}

uint32_t coro_netpoll_waiters(void) { return __atomic_load_n(&nwaiters, __ATOMIC_RELAXED); }

int64_t coro_netpoll_last_ns(void) { return __atomic_load_n(&last_poll_ns, __ATOMIC_RELAXED); }
