/*
 * test_park.c — the park/ready protocol of task.h, driven by a hand-written
 * operation the way channel and I/O operations use it:
 *   - a task readied by its own operation before CORO_SUSPENDED reaches the
 *     scheduler (RUNNING -> NOTIFIED) is requeued, not lost;
 *   - the same with the waker on another thread, which provably runs while
 *     the task is still inside its resume function;
 *   - a thousand tasks parked and readied from a plain thread all finish;
 *   - protocol violations fail loudly with "coro: runtime: ..." (checked in
 *     a child process): readying a task twice, a resume function returning
 *     something that is not a coro_status.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rt_test.h"
#include "task.h"

/* An operation in the core's op range that task.h leaves unused. */
#define OP_TEST 30

/* ---- the operation: park, and let `waker` decide who readies ---- */
enum { WAKE_SELF, WAKE_OTHER_THREAD_NOW, WAKE_LATER };
static coro_task *published;      /* atomic */
static int other_woke;            /* atomic */

static int op_park(coro_frame *self, int how) {
    coro_task *t = self->task;
    if (t->op == OP_TEST) {
        t->op = CORO_OP_KIND_NONE;
        return 0;
    }
    t->op = OP_TEST;
    if (how == WAKE_SELF) {
        coro_task_ready(t);   /* before returning CORO_SUSPENDED */
    } else {
        __atomic_store_n(&other_woke, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&published, t, __ATOMIC_RELEASE);
        if (how == WAKE_OTHER_THREAD_NOW)
            while (!__atomic_load_n(&other_woke, __ATOMIC_ACQUIRE)) {   /* the waker ran meanwhile */
            }
    }
    return CORO_SUSPENDED;
}

static void *waker_thread(void *arg) {
    int times = *(int *)arg;
    for (int i = 0; i < times; i++) {
        coro_task *t;
        while ((t = __atomic_exchange_n(&published, NULL, __ATOMIC_ACQ_REL)) == NULL) {
        }
        coro_task_ready(t);
        __atomic_store_n(&other_woke, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

typedef struct {
    coro_frame hdr;
    int how, rounds, i;
} parker_frame;

static int parks_done;   /* atomic */

static coro_status parker_resume(coro_frame *self) {
    parker_frame *f = (parker_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < f->rounds; f->i++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(op_park(&f->hdr, f->how));
        __atomic_add_fetch(&parks_done, 1, __ATOMIC_RELAXED);
    }
    return CORO_DONE;
}

static void run_parker(int how, int rounds) {
    parks_done = 0;
    parker_frame root;
    rt_frame_init(&root.hdr, sizeof root, parker_resume);
    root.how = how;
    root.rounds = rounds;
    rt_run(&root.hdr);
    CHECK_EQ(parks_done, rounds);
}

static void phase_self_ready(void) { run_parker(WAKE_SELF, 1000); }

static void phase_other_thread_before_suspend(void) {
    int times = 200;
    pthread_t th;
    pthread_create(&th, NULL, waker_thread, &times);
    run_parker(WAKE_OTHER_THREAD_NOW, times);
    pthread_join(th, NULL);
}

static void phase_parked_then_woken(void) {
    int times = 1000;
    pthread_t th;
    pthread_create(&th, NULL, waker_thread, &times);
    run_parker(WAKE_LATER, times);
    pthread_join(th, NULL);
}

/* ---- violations, each in a child: it must die of SIGABRT saying why ---- */
static void *double_waker(void *arg) {
    (void)arg;
    coro_task *t;
    while ((t = __atomic_exchange_n(&published, NULL, __ATOMIC_ACQ_REL)) == NULL) {
    }
    coro_task_ready(t);
    coro_task_ready(t);
    return NULL;
}

static void child_double_ready(void) {
    pthread_t th;
    pthread_create(&th, NULL, double_waker, NULL);
    run_parker(WAKE_LATER, 1);
}

static coro_status garbage_resume(coro_frame *self) {
    (void)self;
    return (coro_status)77;
}

static void child_bad_status(void) {
    coro_frame root;
    rt_frame_init(&root, sizeof root, garbage_resume);
    coro_run_main(&root, "garbage");
}

static void expect_fatal(void (*child)(void), const char *needle) {
    int pipefd[2];
    CHECK_EQ(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        child();
        _exit(0);   /* not reached if the runtime caught the violation */
    }
    close(pipefd[1]);
    char buf[512] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(pipefd[0], buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)n;
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(buf, "coro: runtime: ") != NULL);
    CHECK(strstr(buf, needle) != NULL);
    printf("     child said: %.*s", (int)(strchr(buf, '\n') ? strchr(buf, '\n') - buf + 1 : (long)strlen(buf)), buf);
}

static void phase_double_ready_is_fatal(void) {
    /* Depending on timing the second ready finds the task runnable, running
     * (it then ends while notified) or parked again: every case is named. */
    expect_fatal(child_double_ready, "task main");
}

static void phase_bad_status_is_fatal(void) { expect_fatal(child_bad_status, "not a coro_status"); }

int main(void) {
    rt_phase("self-ready before CORO_SUSPENDED reaches the scheduler", phase_self_ready);
    rt_phase("ready from another thread while the task is still running", phase_other_thread_before_suspend);
    rt_phase("1000 parks woken from a plain thread", phase_parked_then_woken);
    if (!getenv("CORO_TEST_SANITIZER")) {   /* sanitizers intercept abort() in a forked child noisily */
        rt_phase("double ready fails loudly", phase_double_ready_is_fatal);
        rt_phase("a bad resume status fails loudly", phase_bad_status_is_fatal);
    }
    return rt_finish();
}
