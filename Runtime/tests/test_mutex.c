/*
 * test_mutex.c — the coroutine mutex: FIFO hand-off to parked lockers (one
 * worker, so arrival order is well defined), uncontended lock/unlock, a NULL
 * mutex, and the loud failure on unlocking an unlocked mutex (in a child
 * process, whose stderr and signal are checked).  The counter under 8
 * workers is in test_wg.c.
 *
 * Frames are hand-built exactly as `coroc translate` emits them (see
 * test_chan.c).  Each phase is one "test" of the closing line.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <coro.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures; /* atomic: failed CHECKs since the start */

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            __atomic_add_fetch(&check_failures, 1, __ATOMIC_RELAXED);                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

static coro_frame *frame_new(size_t size, coro_resume_fn resume) {
    coro_frame *f = coro_frame_alloc(size);
    if (!f) {
        perror("coro_frame_alloc");
        exit(2);
    }
    memset((char *)f + sizeof *f, 0, size - sizeof *f);
    f->resume = resume;
    f->state = 0;
    f->caller = NULL;
    return f;
}

static void spawn(coro_frame *f, const char *name) {
    if (coro_spawn(f, name) != 0) {
        perror("coro_spawn");
        exit(2);
    }
}

static inline int scale(void) { /* CORO_TEST_SCALE=10 under make test-long */
    const char *s = getenv("CORO_TEST_SCALE");
    int k = s ? atoi(s) : 1;
    return k > 0 ? k : 1;
}

static coro_chan *phase_done; /* buffered(1): each phase sends one token when it is over */

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
        locker_frame *l = (locker_frame *)frame_new(sizeof *l, locker_resume);
        l->id = i;
        spawn(&l->hdr, "locker");
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

typedef struct {
    const char *name;
    size_t frame_size;
    coro_resume_fn resume;
} phase;

static const phase phases[] = {
    {"FIFO hand-off to parked lockers", sizeof(fifo_frame), fifo_resume},
    {"uncontended lock/unlock, NULL mutex", sizeof(plain_frame), plain_resume},
};
enum { NPHASES = sizeof phases / sizeof phases[0] };

static int passed, failed;

typedef struct {
    coro_frame hdr;
    int i, failures_before, token, t1;
} main_frame;

static coro_status main_resume(coro_frame *self) {
    main_frame *f = (main_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    for (f->i = 0; f->i < NPHASES; f->i++) {
        f->failures_before = __atomic_load_n(&check_failures, __ATOMIC_RELAXED);
        spawn(frame_new(phases[f->i].frame_size, phases[f->i].resume), phases[f->i].name);
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, phase_done, &f->token));
        int ok = f->t1 == 1 && f->token == f->i + 1 &&
                 __atomic_load_n(&check_failures, __ATOMIC_RELAXED) == f->failures_before;
        printf("%s: %s\n", ok ? "ok" : "FAIL", phases[f->i].name);
        if (ok) passed++;
        else failed++;
    }
    return CORO_DONE;
}

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
    printf("%s: unlock of an unlocked mutex aborts with a message\n", loud ? "ok" : "FAIL");
    passed += loud;
    failed += !loud;
    setenv("CORO_THREADS", "1", 1); /* FIFO order is defined by arrival on one worker */
    phase_done = coro_chan_new(sizeof(int), 1);
    coro_frame *root = frame_new(sizeof(main_frame), main_resume);
    if (coro_run_main(root, "main") != 0) {
        perror("coro_run_main");
        return 2;
    }
    coro_frame_free(root);
    coro_chan_free(phase_done);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
