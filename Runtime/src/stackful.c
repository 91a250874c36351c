/*
 * stackful.c — stackful coroutines on the shared scheduler: creation, the
 * switch between a worker and a coroutine's stack, yields, the thread-local
 * rules, and the stack-overflow report.  The blocking calls of the user
 * surface are loops over stackful.h in stackful_sync.c (channels, select,
 * wait groups, mutex) and stackful_io.c (I/O, sleeps).
 *
 * MODEL
 *
 *  A stackful coroutine is an ordinary task (task.h) whose root frame's
 *  resume function, stackful_resume, switches onto the coroutine's own stack.
 *  The scheduler cannot tell it from a stackless task.  On its stack the
 *  coroutine runs plain C; when it must wait, it calls the very same
 *  call-again operation a stackless frame would (coro_op_read, coro_op_
 *  chan_recv, ...) with its root frame as `self`.  A nonzero status makes it
 *  switch back to the worker, and stackful_resume returns that status to the
 *  scheduler.  When the scheduler resumes the frame again, the coroutine
 *  continues inside the wrapper, which calls the operation again:
 *
 *      while ((st = coro_op_X(&sf->hdr, &ret, args...)) != 0)
 *          switch_out(sf, st);
 *      return ret;                     -- errno already set by the op
 *
 *  The exception is a yield (coro_yield, preemption points): it waits for
 *  nothing, so it skips the op and just switches out with CORO_YIELDED.
 *
 *  When the coroutine's function returns, it switches out with CORO_DONE for
 *  the last time; stackful_resume, back on the worker's stack, puts the stack
 *  back in the pool (stack.c) and returns CORO_DONE, and the scheduler frees
 *  the root frame like any heap frame.
 *
 *  Rejected: giving the scheduler a stackful mode of its own (a second run
 *  loop, and every op knowing two ways to park).  With this design the only
 *  stackful-specific code is this file, stackful_sync.c, stackful_io.c
 *  and the stack pool.
 *
 * PROTOCOL OF A SWITCH (worker <-> coroutine)
 *
 *   worker:    stackful_resume: sf->worker = this thread's context; current = sf;
 *              return coro_ctx_switch(sf->worker, &sf->ctx, 0)   -- a tail call
 *   coroutine: ... switch_out(sf, st): current = NULL;
 *              coro_ctx_switch(&sf->ctx, sf->worker, st)
 *   worker:    the scheduler, which called stackful_resume, receives st
 *
 *  A coroutine's last switch (st = CORO_DONE) also leaves its stack in a
 *  per-thread "retired" slot; release_retired gives it back to the pool at
 *  the next resume on that thread, at the end of coro_run_main_stackful or
 *  at thread exit, when nothing runs on it and the scheduler is done with
 *  the root frame.
 *
 *  sf->worker is rewritten on every resume, so a coroutine that moved to
 *  another worker while it was parked switches back to the thread that
 *  resumed it, never to the one it parked on.
 *
 * THREAD-LOCALS, ERRNO AND MIGRATION
 *
 *  A stackful coroutine may resume on a different worker thread after any
 *  call that can switch (every wrapper, coro_yield, a preemption point).
 *  The context switch does not touch the thread pointer (%fs / tpidr_el0),
 *  so after such a call `__thread` variables and errno are the NEW thread's:
 *
 *   - errno: each wrapper returns right after the final call of its op, which
 *     set errno on the thread that is running the coroutine at that moment.
 *     But glibc declares __errno_location() `const`, and GCC -O2 does reuse
 *     an errno address computed before a call (`errno = 0; n = coro_read();
 *     if (errno ...)` read the OLD thread's errno in test_stackful_io.c's
 *     first runs).  So stackful code compiles with CORO_STACKFUL_ERRNO, which makes
 *     errno (*coro_errno_location()), an opaque call made at every use
 *     (tests/test_stackful_migrate.c checks errno across real migrations).
 *     A value the program stored in errno BEFORE a switching call is not
 *     carried over: save it in a local, as with any libc call that may fail.
 *   - thread-locals: a `__thread` value written before a switching call may
 *     be gone after it (another thread's copy is visible).  Keep per-
 *     coroutine state in locals or in the coroutine's argument.
 *   - Compilers may compute a thread-local's address once per function and
 *     reuse it across calls.  Inside this runtime every thread-local that
 *     matters after a switch is read through a non-inlined function
 *     (coro_stackful_current) so that it is recomputed on the resuming
 *     thread.  On x86-64 a `__thread` access in the executable is %fs-relative
 *     each time; on arm64 the compiler may keep tpidr_el0 in a register
 *     across a call, so a loop's preemption checks may read the previous
 *     worker's flag after a migration (a late or early yield, nothing worse:
 *     worker threads outlive every coroutine).
 *
 * OFF A COROUTINE
 *
 *  The user-surface functions work on any thread.  When the caller is not a
 *  stackful coroutine (main before coro_run_main*, a plain pthread, a
 *  stackless task that calls them untranslated) they never park:
 *  coro_yield is sched_yield, a preemption point does nothing, and the
 *  others complete if they can or fail (stackful_sync.c, stackful_io.c).
 *
 * STACK OVERFLOW
 *
 *  Each stack has a guard page below it (stack.c).  A SIGSEGV handler,
 *  installed at the first stackful spawn and run on a per-thread
 *  sigaltstack (the faulting stack has no room left), asks the pool whether
 *  the fault address is a guard page; if so overflow.c writes one line naming
 *  the coroutine ("coroutine stack overflow in <name> (coroutine #<id>)", or
 *  an overrun past the top, a jumped guard, a stray pointer) and exits with status
 *  CORO_EXIT_STACK_OVERFLOW (coro.h), distinct from a plain SIGSEGV death
 *  (139).  Any other fault goes to the previous handler, or to the default
 *  action (a core dump) as if we were not there.
 *
 * SANITIZERS AND VALGRIND
 *
 *  Under ASan every switch is bracketed by __sanitizer_start_switch_fiber /
 *  __sanitizer_finish_switch_fiber (the dying coroutine passes NULL so ASan
 *  frees its fake stack); under TSan each coroutine is a TSan fiber;
 *  Valgrind learns each stack in stack.c (VALGRIND_STACK_REGISTER).
 *
 * INVARIANTS
 *
 *  - current (per thread) is non-NULL exactly while this thread runs on a
 *    coroutine's stack; stackful_resume sets it, switch_out clears it.
 *  - A coroutine is resumed only by the scheduler through stackful_resume,
 *    so at most one thread runs it, and sf->ctx holds its context whenever
 *    it is not running.
 *  - sf->stack_hi is non-NULL until the coroutine has switched out with
 *    CORO_DONE; then it is its thread's retired stack, and back in the pool
 *    by the time that thread resumes anything stackful, exits, or returns
 *    from coro_run_main_stackful.
 *  - sf->ctx.sp is NULL until the first resume, which makes the first frame
 *    (so a spawn does not touch the stack).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "ctx.h"
#include "overflow.h"
#include "stack.h"
#include "stackful.h"
#include "task.h"

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORO_TSAN 1
#endif
#endif
#ifdef CORO_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* Every field belongs to the thread running the coroutine's task, one at a
 * time: the scheduler's hand-off of a task (run queue, wake-up CAS) orders
 * one worker's writes before the next worker's reads.  A coroutine's context
 * is saved before its worker reports the status that lets anyone resume it
 * (a waker that comes earlier only marks the task NOTIFIED, task.h). */
struct coro_stackful {
    coro_frame hdr;             /* root frame of the task; hdr.resume = stackful_resume */
    coro_ctx ctx;               /* the coroutine's context while it is switched out */
    coro_ctx *worker;           /* where it switches out to: set by each resume */
    void *stack_hi;             /* its stack (pool top), NULL once retired */
    void (*entry)(void *arg);   /* the function it runs, and its argument */
    void *arg;
    const char *name;           /* static string for diagnostics, never NULL */
    unsigned long id;           /* spawn number (1, 2, ...), for diagnostics */
#ifdef CORO_ASAN
    void *asan_fake_stack;      /* ASan's fake-stack handle while switched out */
    const void *worker_bottom;  /* the stack we came from (reported by ASan) */
    size_t worker_size;
#endif
#ifdef CORO_TSAN
    void *tsan_fiber;           /* this coroutine as a TSan fiber */
    void *tsan_worker_fiber;    /* the worker's fiber, set by each resume */
#endif
};

/* Per worker thread.  Read only on the worker's own stack, or through
 * coro_stackful_current(); see THREAD-LOCALS above. */
static __thread coro_stackful *current __attribute__((tls_model("initial-exec")));
static __thread coro_ctx worker_ctx __attribute__((tls_model("initial-exec")));
static __thread int thread_ready __attribute__((tls_model("initial-exec")));   /* ensure_thread_setup done */
/* Stack of a coroutine that finished on this thread, not yet released. */
static __thread void *retired_stack __attribute__((tls_model("initial-exec")));
#ifdef CORO_TSAN
static __thread void *retired_fiber;
#endif

static pthread_once_t segv_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;   /* destructor: thread_exit */
static struct sigaction previous_segv;

/* Bytes of each sigaltstack: the handler itself needs little, but a chained
 * handler (ASan's reports, a crash reporter) may need much more. */
#define ALTSTACK_BYTES (64 * 1024)

/* Not inlined, so callers recompute the thread's value after a switch. */
__attribute__((noinline)) coro_stackful *coro_stackful_current(void) { return current; }

int coro_in_stackful(void) { return coro_stackful_current() != NULL; }

/* The asm keeps compilers from inferring that this function is `const` (as
 * __errno_location is declared), even under LTO: the whole point is that
 * callers must call it again after every switch. */
int *coro_errno_location(void) {
    __asm__ __volatile__("" ::: "memory");
    return &errno;
}

/* ---- overflow reporting ---------------------------------------------------- */

/* The faulting thread's stack pointer, from the signal's ucontext. */
static const void *fault_sp(void *uctx) {
    ucontext_t *uc = uctx;
#if defined(__x86_64__)
    return (const void *)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    return (const void *)uc->uc_mcontext.sp;
#else
    (void)uc;
    return NULL;
#endif
}

static void on_segv(int sig, siginfo_t *info, void *uctx) {
    coro_stackful *sf = current;   /* the handler runs on the faulting thread */
    coro_running cur = { sf ? sf->name : NULL, sf ? sf->id : 0, sf ? sf->stack_hi : NULL };
    coro_overflow_report(info->si_addr, fault_sp(uctx), &cur);   /* exits if a guard was hit */
    /* Not ours: behave as if we had never installed a handler. */
    if (previous_segv.sa_flags & SA_SIGINFO) {
        if (previous_segv.sa_sigaction) previous_segv.sa_sigaction(sig, info, uctx);
        return;
    }
    if (previous_segv.sa_handler != SIG_DFL && previous_segv.sa_handler != SIG_IGN) {
        previous_segv.sa_handler(sig);
        return;
    }
    signal(SIGSEGV, SIG_DFL);   /* returning re-runs the access, which now kills us */
}

/* Value of thread_key on a thread that did not need our sigaltstack. */
#define NO_ALTSTACK ((void *)1)

static void release_retired(void);

/* Thread exit: give back a retired stack and our sigaltstack. */
static void thread_exit(void *altstack) {
    release_retired();
    if (altstack != NO_ALTSTACK) {
        stack_t off = { .ss_flags = SS_DISABLE };
        sigaltstack(&off, NULL);
        munmap(altstack, ALTSTACK_BYTES);
    }
}

static void install_segv_handler(void) {
    pthread_key_create(&thread_key, thread_exit);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
}

/* First resume on this thread: arm thread_exit, and give the thread an
 * alternate signal stack unless it has one (the program's own).  Failing to
 * get one is not fatal: an overflow on this thread then dies by a plain
 * SIGSEGV instead of the named report. */
static void ensure_thread_setup(void) {
    if (thread_ready) return;
    thread_ready = 1;
    void *key_value = NO_ALTSTACK;
    stack_t old;
    if (sigaltstack(NULL, &old) != 0 || (old.ss_flags & SS_DISABLE)) {
        void *mem = mmap(NULL, ALTSTACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem != MAP_FAILED) {
            stack_t ss = { .ss_sp = mem, .ss_size = ALTSTACK_BYTES, .ss_flags = 0 };
            if (sigaltstack(&ss, NULL) == 0) key_value = mem;
            else munmap(mem, ALTSTACK_BYTES);
        }
    }
    pthread_setspecific(thread_key, key_value);
}

/* ---- switching --------------------------------------------------------------- */

/* Coroutine -> worker.  Returns when a worker resumes the coroutine (maybe
 * another one).  `dying` is set only for the last switch, after which the
 * stack is reused. */
/* Release the stack (and TSan fiber) of a coroutine that finished on this
 * thread.  Not done at the coroutine's last switch, since it was still
 * running on that stack, nor right after it on the worker, since the
 * scheduler still reads the root frame; the next resume on this thread, the
 * end of coro_run_main_stackful and thread exit are all safely later. */
static void release_retired(void) {
    void *hi = retired_stack;
    if (!hi) return;
    retired_stack = NULL;
#ifdef CORO_TSAN
    __tsan_destroy_fiber(retired_fiber);
    retired_fiber = NULL;
#endif
    coro_stack_free(hi);
}

/* Coroutine -> worker, handing it `st`.  Returns when a worker resumes the
 * coroutine (maybe another one).  `dying` only for the last switch. */
static void switch_out(coro_stackful *sf, coro_status st, int dying) {
    current = NULL;                     /* this thread leaves the coroutine's stack */
    if (dying) {
        retired_stack = sf->stack_hi;   /* released later: release_retired */
        sf->stack_hi = NULL;
#ifdef CORO_TSAN
        retired_fiber = sf->tsan_fiber;
        sf->tsan_fiber = NULL;
#endif
    }
#ifdef CORO_TSAN
    __tsan_switch_to_fiber(sf->tsan_worker_fiber, 0);
#endif
#ifdef CORO_ASAN
    __sanitizer_start_switch_fiber(dying ? NULL : &sf->asan_fake_stack, sf->worker_bottom, sf->worker_size);
#endif
    coro_ctx_switch(&sf->ctx, sf->worker, (int)st);
#ifdef CORO_ASAN
    __sanitizer_finish_switch_fiber(sf->asan_fake_stack, &sf->worker_bottom, &sf->worker_size);
#endif
}

/* First code on the coroutine's stack (via coro_ctx_make). */
static void stackful_main(void *arg) {
    coro_stackful *sf = arg;
#ifdef CORO_ASAN
    __sanitizer_finish_switch_fiber(NULL, &sf->worker_bottom, &sf->worker_size);
#endif
    sf->entry(sf->arg);
    switch_out(sf, CORO_DONE, 1);
    coro_fatal("stackful coroutine '%s' resumed after it finished", sf->name);
}

/* The root frame's resume function: run the coroutine until it switches out,
 * and return the status it switched out with.
 *
 * The switch is the last thing done here (a tail call without ASan): the
 * worker's saved context is then our caller's, so the coroutine's switch-out
 * lands directly in the scheduler with the status as the return value.  That
 * saves this function's epilogue and, above all, its `ret`, which after a
 * stack switch is always mispredicted (the return-stack buffer holds the
 * coroutine's return addresses). */
static coro_status stackful_resume(coro_frame *self) {
    coro_stackful *sf = (coro_stackful *)self;
    release_retired();
    if (!sf->stack_hi) coro_fatal("stackful coroutine '%s' resumed after it finished", sf->name);
    /* The first frame is written only now, not at spawn: a coroutine may wait
     * behind many others before it first runs, and touching its stack twice
     * (at spawn, then at first run, both cold) doubled the cost of a spawn. */
    if (!sf->ctx.sp) coro_ctx_make(&sf->ctx, sf->stack_hi, stackful_main, sf);
    ensure_thread_setup();
    sf->worker = &worker_ctx;
    current = sf;
#ifdef CORO_TSAN
    sf->tsan_worker_fiber = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(sf->tsan_fiber, 0);
#endif
#ifdef CORO_ASAN
    /* ASan must hear of the switch on this side too, after it: no tail call. */
    void *worker_fake_stack = NULL;
    __sanitizer_start_switch_fiber(&worker_fake_stack, (char *)sf->stack_hi - coro_stack_bytes(),
                                   coro_stack_bytes());
    int st = coro_ctx_switch(&worker_ctx, &sf->ctx, 0);
    __sanitizer_finish_switch_fiber(worker_fake_stack, NULL, NULL);
    return (coro_status)st;
#else
    return (coro_status)coro_ctx_switch(&worker_ctx, &sf->ctx, 0);
#endif
}

/* ---- creation ------------------------------------------------------------------ */

static coro_stackful *stackful_new(void (*entry)(void *), void *arg, const char *name) {
    if (!entry) { errno = EINVAL; return NULL; }
    pthread_once(&segv_once, install_segv_handler);
    coro_stackful *sf = (coro_stackful *)coro_frame_alloc(sizeof *sf);
    if (!sf) return NULL;
    void *hi = coro_stack_alloc();
    if (!hi) {
        int saved = errno;
        coro_frame_free(&sf->hdr);
        errno = saved;
        return NULL;
    }
    sf->hdr.resume = stackful_resume;
    sf->hdr.state = 0;
    sf->hdr.caller = NULL;
    sf->stack_hi = hi;
    sf->entry = entry;
    sf->arg = arg;
    sf->name = name ? name : "stackful coroutine";
    static unsigned long spawned;
    sf->id = __atomic_add_fetch(&spawned, 1, __ATOMIC_RELAXED);
    coro_stack_set_owner(hi, sf->name, sf->id);
    sf->worker = NULL;
#ifdef CORO_ASAN
    sf->asan_fake_stack = NULL;
    sf->worker_bottom = NULL;
    sf->worker_size = 0;
#endif
#ifdef CORO_TSAN
    sf->tsan_fiber = __tsan_create_fiber(0);
    sf->tsan_worker_fiber = NULL;
#endif
    sf->ctx.sp = NULL;   /* made at the first resume: see stackful_resume */
    return sf;
}

/* Free what is left of a coroutine that never ran or has finished. */
static void stackful_discard(coro_stackful *sf) {
    int saved = errno;
#ifdef CORO_TSAN
    if (sf->tsan_fiber) __tsan_destroy_fiber(sf->tsan_fiber);
#endif
    if (sf->stack_hi) coro_stack_free(sf->stack_hi);
    coro_frame_free(&sf->hdr);
    errno = saved;
}

int coro_go_stackful(void (*entry)(void *arg), void *arg, const char *name) {
    coro_stackful *sf = stackful_new(entry, arg, name);
    if (!sf) return -1;
    if (coro_spawn(&sf->hdr, sf->name) != 0) {
        stackful_discard(sf);
        return -1;
    }
    return 0;
}

int coro_run_main_stackful(void (*entry)(void *arg), void *arg, const char *name) {
    coro_stackful *sf = stackful_new(entry, arg, name);
    if (!sf) return -1;
    int rc = coro_run_main(&sf->hdr, sf->name);
    /* The other workers have exited (releasing what finished on them); this
     * thread was worker 0.  coro_run_main leaves the root frame to us; if
     * the run never started, its stack is still ours too. */
    release_retired();
    stackful_discard(sf);
    return rc;
}

/* ---- waiting: the one loop every stackful operation runs ------------------------ */

void coro_stackful_wait_(coro_stackful *sf, int status) {
    switch_out(sf, (coro_status)status, 0);
}

/* A yield waits for nothing and has nothing to remember (the coroutine's
 * stack is its state), so unlike every other operation it needs no
 * call-again op: the coroutine switches out with CORO_YIELDED and the
 * scheduler requeues it.  The switch is a tail call (without ASan, which must
 * hear of the switch afterwards): when resumed, the coroutine continues
 * directly in the caller of coro_yield, without this function's return,
 * which the return-stack buffer would mispredict after the switch. */
static void yield_now(coro_stackful *sf) {
#ifdef CORO_ASAN
    switch_out(sf, CORO_YIELDED, 0);
#else
    current = NULL;
#ifdef CORO_TSAN
    __tsan_switch_to_fiber(sf->tsan_worker_fiber, 0);
#endif
    coro_ctx_switch(&sf->ctx, sf->worker, CORO_YIELDED);
#endif
}

void coro_stackful_yield_preempted_(void) {
    coro_stackful *sf = coro_stackful_current();
    if (sf) yield_now(sf);
}

/* coro_yield is the same bare switch, so it lives here, next to the switch,
 * rather than with the rest of the user surface (stackful_sync.c,
 * stackful_io.c), which is op loops over stackful.h.  Off a coroutine there
 * is nothing to switch from: sched_yield. */
void coro_yield(void) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) { sched_yield(); return; }
    yield_now(sf);
}
