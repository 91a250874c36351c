/*
 * test_sched.c — the scheduler and the frame ABI: spawn, yield, await of
 * embedded and heap child frames (deep chains prove no recursion on the C
 * stack), coro_run_main running twice, worker ids, spawning from many
 * workers at once (with CORO_RUNQ_CAP=4 this overflows rings into the
 * global queue and makes idle workers steal), and 100k coroutines mixing
 * yields and sleeps, on all workers and in seeded mode.
 */
#include "rt_test.h"

static long total;   /* atomic */
static int bad_worker_ids;

/* ---- yielder(n): yield n times, counting each resumption ---- */
typedef struct {
    coro_frame hdr;
    int n, i;
} yielder_frame;

static coro_status yielder_resume(coro_frame *self) {
    yielder_frame *f = (yielder_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < f->n; f->i++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_yield(&f->hdr));
        int id = coro_worker_id();
        if (id < 0 || id >= coro_num_workers()) __atomic_add_fetch(&bad_worker_ids, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&total, 1, __ATOMIC_RELAXED);
    }
    return CORO_DONE;
}

static coro_frame *yielder_new(int n) {
    yielder_frame *f = (yielder_frame *)rt_frame(sizeof *f, yielder_resume);
    f->n = n;
    return &f->hdr;
}

/* ---- spawner(count, n): spawn `count` yielders, yielding between spawns ---- */
typedef struct {
    coro_frame hdr;
    int count, n, i;
} spawner_frame;

static coro_status spawner_resume(coro_frame *self) {
    spawner_frame *f = (spawner_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < f->count; f->i++) {
        CHECK_EQ(coro_spawn(yielder_new(f->n), "yielder"), 0);
        if (f->i % 7 == 0) {
            f->hdr.state = 1;
        S1:
            CORO_OP(coro_op_yield(&f->hdr));
        }
    }
    return CORO_DONE;
}

static void phase_spawn_yield(void) {
    total = 0;
    bad_worker_ids = 0;
    spawner_frame root;
    rt_frame_init(&root.hdr, sizeof root, spawner_resume);
    root.count = 1000;
    root.n = 20;
    rt_run(&root.hdr);
    CHECK_EQ(total, 1000 * 20);
    CHECK_EQ(bad_worker_ids, 0);
}

/* ---- fib(n) = await fib(n-1) + await fib(n-2), heap child frames ---- */
typedef struct fib_frame {
    coro_frame hdr;
    long ret_;
    int n;
    long a;
    struct fib_frame *child;
} fib_frame;

static coro_status fib_resume(coro_frame *self);

static fib_frame *fib_new(int n) {
    fib_frame *f = (fib_frame *)rt_frame(sizeof *f, fib_resume);
    f->n = n;
    return f;
}

static coro_status fib_resume(coro_frame *self) {
    fib_frame *f = (fib_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    if (f->n < 2) {
        f->ret_ = f->n;
        return CORO_DONE;
    }
    f->child = fib_new(f->n - 1);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_await(&f->hdr, &f->child->hdr));
    f->a = f->child->ret_;
    coro_frame_free(&f->child->hdr);
    f->child = fib_new(f->n - 2);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_await(&f->hdr, &f->child->hdr));
    f->ret_ = f->a + f->child->ret_;
    coro_frame_free(&f->child->hdr);
    return CORO_DONE;
}

static void phase_await_heap(void) {
    fib_frame root;
    rt_frame_init(&root.hdr, sizeof root, fib_resume);
    root.n = 20;
    rt_run(&root.hdr);
    CHECK_EQ(root.ret_, 6765);
}

/* ---- depth(n): a chain of n awaits, each child embedded in its parent's
 * heap frame... except that embedding is impossible for recursion, so each
 * level heap-allocates; 200k levels would overflow an 8 MB C stack if the
 * runtime recursed. ---- */
typedef struct depth_frame {
    coro_frame hdr;
    long ret_;
    long n;
    struct depth_frame *child;
} depth_frame;

static coro_status depth_resume(coro_frame *self) {
    depth_frame *f = (depth_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    if (f->n == 0) {
        f->ret_ = 0;
        return CORO_DONE;
    }
    f->child = (depth_frame *)rt_frame(sizeof *f->child, depth_resume);
    f->child->n = f->n - 1;
    f->hdr.state = 1;
S1:
    CORO_OP(coro_await(&f->hdr, &f->child->hdr));
    f->ret_ = f->child->ret_ + 1;
    coro_frame_free(&f->child->hdr);
    return CORO_DONE;
}

static void phase_await_deep(void) {
    depth_frame root;
    rt_frame_init(&root.hdr, sizeof root, depth_resume);
    root.n = 200000;
    rt_run(&root.hdr);
    CHECK_EQ(root.ret_, 200000);
}

/* ---- an embedded child frame that suspends (yield) inside the callee ---- */
typedef struct {
    coro_frame hdr;
    int ret_;
} inner_frame;

static coro_status inner_resume(coro_frame *self) {
    inner_frame *f = (inner_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_yield(&f->hdr));
    f->ret_ = 42;
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int ret_;
    int round;
    inner_frame inner;   /* embedded: no allocation per call */
} outer_frame;

static coro_status outer_resume(coro_frame *self) {
    outer_frame *f = (outer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    for (f->round = 0; f->round < 3; f->round++) {
        rt_frame_init(&f->inner.hdr, sizeof f->inner, inner_resume);
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_await(&f->hdr, &f->inner.hdr));
        f->ret_ += f->inner.ret_;
    }
    return CORO_DONE;
}

static void phase_await_embedded(void) {
    outer_frame root;
    rt_frame_init(&root.hdr, sizeof root, outer_resume);
    rt_run(&root.hdr);
    CHECK_EQ(root.ret_, 3 * 42);
}

/* ---- errors and re-entry ---- */
static int reentry_result, reentry_errno;
static coro_status reentry_resume(coro_frame *self) {
    /* coro_run_main from inside a coroutine must fail with EBUSY, not deadlock */
    yielder_frame other;
    rt_frame_init(&other.hdr, sizeof other, yielder_resume);
    reentry_result = coro_run_main(&other.hdr, "nested");
    reentry_errno = errno;
    (void)self;
    return CORO_DONE;
}

static void phase_errors(void) {
    coro_frame bad;
    memset(&bad, 0, sizeof bad);
    errno = 0;
    CHECK_EQ(coro_spawn(NULL, "x"), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(coro_spawn(&bad, "x"), -1);   /* no resume function */
    CHECK_EQ(coro_run_main(&bad, "x"), -1);
    CHECK_EQ(errno, EINVAL);
    coro_frame root;
    rt_frame_init(&root, sizeof root, reentry_resume);
    rt_run(&root);
    CHECK_EQ(reentry_result, -1);
    CHECK_EQ(reentry_errno, EBUSY);
    CHECK(coro_num_workers() >= 1);
    CHECK_EQ(coro_worker_id(), -1);
}

/* ---- spawned before coro_run_main: runs once the scheduler starts ---- */
static void phase_spawn_before_run(void) {
    total = 0;
    for (int i = 0; i < 10; i++) CHECK_EQ(coro_spawn(yielder_new(3), "early"), 0);
    yielder_frame root;
    rt_frame_init(&root.hdr, sizeof root, yielder_resume);
    root.n = 1;
    rt_run(&root.hdr);
    CHECK_EQ(total, 31);
}

/* ---- 100k coroutines, a mix of yields and short sleeps ---- */
typedef struct {
    coro_frame hdr;
    int id, i, r;
} mixed_frame;

static coro_status mixed_resume(coro_frame *self) {
    mixed_frame *f = (mixed_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < 3; f->i++) {
        if ((f->id + f->i) % 4 == 0) {
            f->hdr.state = 1;
        S1:
            CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 1 + f->id % 3));
            CHECK_EQ(f->r, 0);
        } else {
            f->hdr.state = 2;
        S2:
            CORO_OP(coro_op_yield(&f->hdr));
        }
        __atomic_add_fetch(&total, 1, __ATOMIC_RELAXED);
    }
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    long n, i;
} mixed_spawner_frame;

static coro_status mixed_spawner_resume(coro_frame *self) {
    mixed_spawner_frame *f = (mixed_spawner_frame *)self;
    for (f->i = 0; f->i < f->n; f->i++) {
        mixed_frame *c = (mixed_frame *)rt_frame(sizeof *c, mixed_resume);
        c->id = (int)f->i;
        CHECK_EQ(coro_spawn(&c->hdr, "mixed"), 0);
    }
    return CORO_DONE;
}

static void phase_100k(void) {
    total = 0;
    mixed_spawner_frame root;
    rt_frame_init(&root.hdr, sizeof root, mixed_spawner_resume);
    root.n = rt_scale(100000);
    rt_run(&root.hdr);
    CHECK_EQ(total, root.n * 3);
}

/* The same 100k mix in seeded mode: one worker, a seeded choice among
 * runnable tasks.  CORO_TEST_SEED picks the seed (default 42), printed so a
 * failing interleaving can be replayed. */
static void phase_100k_seeded(void) {
    const char *seed = getenv("CORO_TEST_SEED");
    if (seed == NULL || *seed == 0) seed = "42";
    printf("     CORO_SEED=%s\n", seed);
    setenv("CORO_SEED", seed, 1);
    phase_100k();
    unsetenv("CORO_SEED");
}

int main(void) {
    rt_phase("spawn 1000 coroutines x 20 yields", phase_spawn_yield);
    rt_phase("await heap frames (fib 20)", phase_await_heap);
    rt_phase("await chain 200k deep without C recursion", phase_await_deep);
    rt_phase("await embedded frame that yields", phase_await_embedded);
    rt_phase("bad arguments and nested coro_run_main", phase_errors);
    rt_phase("spawn before coro_run_main", phase_spawn_before_run);
    rt_phase("100k coroutines yielding and sleeping", phase_100k);
    rt_phase("100k coroutines yielding and sleeping, seeded", phase_100k_seeded);
    rt_phase("coro_run_main runs again", phase_spawn_yield);
    return rt_finish();
}
