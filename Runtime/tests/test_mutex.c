/*
 * test_mutex.c — the coroutine mutex: FIFO hand-off to parked lockers (one
 * worker, so arrival order is well defined), uncontended lock/unlock, a NULL
 * mutex, and the loud failure on unlocking an unlocked mutex (in a child
 * process, whose stderr and signal are checked).  The counter under 8
 * workers is in test_wg.c.
 *
 * Frames are hand-built exactly as `coroc translate` emits them (see
 * test_chan.c; phase runner in chan_test.h).  Each phase is one "test" of
 * the closing line.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "chan_test.h"

/* ---- phase 1: FIFO hand-off ------------------------------------------------------- */

enum { LOCKERS = 6 };

static coro_mutex fifo_mutex;
static int arrival[LOCKERS], acquired[LOCKERS]; /* ids in order; one worker: plain ints */
static int narrived, nacquired;

typedef struct {
    coro_frame hdr;
    int id, t1;
} locker_frame;

static coro_status locker_resume(coro_frame *self) {
    locker_frame *f = (locker_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    arrival[narrived++] = f->id; /* one worker: nothing runs between here and the park */
    f->hdr.state = 1;
S1: CORO_OP(coro_op_mutex_lock(&f->hdr, &f->t1, &fifo_mutex));
    CHECK(f->t1 == 0);
    acquired[nacquired++] = f->id;
    f->hdr.state = 2; /* hold it across a yield: the others stay queued */
S2: CORO_OP(coro_op_yield(&f->hdr));
    coro_mutex_unlock(&fifo_mutex);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int i, t1;
} fifo_frame;

static coro_status fifo_resume(coro_frame *self) {
    fifo_frame *f = (fifo_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    }
    coro_mutex_init(&fifo_mutex);
    f->hdr.state = 1;
S1: CORO_OP(coro_op_mutex_lock(&f->hdr, &f->t1, &fifo_mutex));
    CHECK(f->t1 == 0);
    for (int i = 0; i < LOCKERS; i++) {
        locker_frame *l = (locker_frame *)rt_frame(sizeof *l, locker_resume);
        l->id = i;
        rt_spawn(&l->hdr, "locker");
    }
    /* Let them all queue.  Spawned tasks may have overflowed into the global
     * queue (tiny run queues in the cap4 build), which is polled only every
     * 61 ticks: allow many yields, stop as soon as all have arrived. */
    for (f->i = 0; f->i < 10000 && narrived < LOCKERS; f->i++) {
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_yield(&f->hdr));
    }
    CHECK(narrived == LOCKERS && nacquired == 0);
    coro_mutex_unlock(&fifo_mutex);
    /* Lock again: we queue behind all of them, so we get it last. */
    f->hdr.state = 3;
S3: CORO_OP(coro_op_mutex_lock(&f->hdr, &f->t1, &fifo_mutex));
    CHECK(f->t1 == 0 && nacquired == LOCKERS);
    for (int i = 0; i < LOCKERS; i++) CHECK(acquired[i] == arrival[i]);
    coro_mutex_unlock(&fifo_mutex);
    f->i = 1;
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}

/* ---- phase 2: uncontended lock/unlock, NULL -------------------------------------- */

typedef struct {
    coro_frame hdr;
    coro_mutex m;
    int i, t1, err;
} plain_frame;

static coro_status plain_resume(coro_frame *self) {
    plain_frame *f = (plain_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    coro_mutex_init(&f->m);
    for (f->i = 0; f->i < 100000; f->i++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_mutex_lock(&f->hdr, &f->t1, &f->m));
        if (f->t1 != 0) break;
        coro_mutex_unlock(&f->m);
    }
    CHECK(f->i == 100000);
    errno = 0;
    f->hdr.state = 2;
S2: CORO_OP(coro_op_mutex_lock(&f->hdr, &f->t1, NULL));
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);
    f->i = 2;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}
/* ---- the entry coroutine: phases one after the other ----------------------------- */

static const chan_phase phases[] = {
    {"FIFO hand-off to parked lockers", sizeof(fifo_frame), fifo_resume},
    {"uncontended lock/unlock, NULL mutex", sizeof(plain_frame), plain_resume},
};
enum { NPHASES = sizeof phases / sizeof phases[0] };

/* Unlocking an unlocked mutex is a program bug: the process must die with
 * SIGABRT and say why.  Runs in a child, before any scheduler thread exists. */
static int unlock_of_unlocked_fails_loudly(void) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(fds[1], 2);
        close(fds[0]);
        coro_mutex m;
        coro_mutex_init(&m);
        coro_mutex_unlock(&m);
        _exit(0); /* not reached if the runtime did its job */
    }
    close(fds[1]);
    char msg[512] = {0};
    size_t len = 0;
    ssize_t n;
    while (len < sizeof msg - 1 && (n = read(fds[0], msg + len, sizeof msg - 1 - len)) > 0) len += (size_t)n;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    int ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
             strstr(msg, "coro_mutex_unlock: unlock of unlocked mutex") != NULL;
    if (!ok) fprintf(stderr, "unlock of unlocked mutex: status %#x, stderr: %s\n", status, msg);
    return ok;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int loud = unlock_of_unlocked_fails_loudly();
    rt_report("unlock of an unlocked mutex aborts with a message", loud);
    setenv("CORO_THREADS", "1", 1); /* FIFO order is defined by arrival on one worker */
    return chan_run_phases(phases, NPHASES);
}
