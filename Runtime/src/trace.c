/*
 * trace.c — CORO_TRACE=FILE: scheduler events in per-thread buffers, written
 * at the end of coro_run_main as Chrome trace-event JSON (Perfetto,
 * chrome://tracing, `coroc trace FILE`).  Invariants: trace.h.
 *
 * RECORDING
 *
 *  Each thread appends 32-byte events to its own chain of chunks.  A chunk's
 *  count is stored with release after the event is written, and a new
 *  chunk is linked with release: the writer (another thread, at the end of
 *  the run, or at exit() if the program leaves from inside a coroutine)
 *  reads them with acquire and sees only whole events.  A thread stops
 *  recording at MAX_EVENTS and counts what it drops.
 *
 * WHAT IS WRITTEN (pid 1; tid = worker id, 1000 + n for other threads)
 *
 *   "X" cat "run"      a task's turn on a worker: name = the task's name,
 *                      args {coro: id, end: why it stopped, fd: for fd waits}
 *   "X" cat "blocking" a blocking-pool job, on the pool thread's lane
 *   "i" spawn / ready / steal / poll, args {coro, ...}
 *
 *  ts/dur are microseconds since coro_run_main began (3 decimals: ns).
 *  A wake-up that came while its task was still running (task.h: NOTIFIED)
 *  is recorded by the worker when the park finds it, with "early": 1 (the
 *  waker's own stamp could land after the task already ran again), so in
 *  the file every park is followed by its ready, then by the next run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"
#include "sched.h"
#include "poll.h"

int coro_trace_on_;

/* 4096 events = 128 KiB per chunk: few mallocs; picked, not measured. */
#define CHUNK_EVENTS 4096
/* 4 Mi events (128 MiB) per thread: a bound on memory, not a measured need. */
#define MAX_EVENTS (1u << 22)
#define OTHER_LANE_BASE 1000

typedef struct ev {
    int64_t ts;
    const void *task;
    intptr_t a;
    int16_t kind, b;
    int32_t lane;
} ev;
_Static_assert(sizeof(ev) == 32, "trace events are 32 bytes");

typedef struct chunk {
    struct chunk *next;   /* release-stored by the owner; acquire-read by the writer */
    uint32_t n;           /* events written: release-stored after each event */
    ev e[CHUNK_EVENTS];
} chunk;

typedef struct tbuf {
    struct tbuf *next;    /* registry list; protected by reg_lock */
    chunk *head, *cur;    /* owner only, except the writer's acquire walk */
    uint32_t total;       /* owner only */
    uint64_t dropped;     /* atomic (relaxed): bumped by the owner (cold), read by the writer */
    int lane;             /* OTHER_LANE_BASE + n, for events off a worker (0 for
                             coro_run_main's thread, which becomes worker 0) */
    int fd, fd_mode;      /* coro_trace_fd's note for the next stop; owner only */
    int shown;            /* writer only: 0 unused lane, 1 thread, 2 blocking pool */
} tbuf;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static tbuf *registry;          /* protected by reg_lock */
static int nother;              /* protected by reg_lock */
static const char *trace_path;  /* set by coro_trace_start */
static int64_t t0_ns;
static int in_run;              /* coro_run_main between start and finish */
static unsigned generation;     /* bumped when release_all frees the buffers */
static __thread tbuf *mine;     /* valid only while mine_gen == generation */
static __thread unsigned mine_gen;

static tbuf *my_buf(void) {
    if (mine && mine_gen == __atomic_load_n(&generation, __ATOMIC_RELAXED)) return mine;
    tbuf *b = calloc(1, sizeof *b);
    chunk *c = calloc(1, sizeof *c);
    if (!b || !c) { free(b); free(c); return NULL; }
    b->head = b->cur = c;
    pthread_mutex_lock(&reg_lock);
    b->lane = OTHER_LANE_BASE + nother++;
    b->next = registry;
    registry = b;
    mine_gen = generation;
    pthread_mutex_unlock(&reg_lock);
    return mine = b;
}

void coro_trace_event_(int kind, const coro_task *t, intptr_t a, int b) {
    tbuf *tb = my_buf();
    if (!tb) return;
    if (tb->total >= MAX_EVENTS) { __atomic_fetch_add(&tb->dropped, 1, __ATOMIC_RELAXED); return; }
    chunk *c = tb->cur;
    if (c->n == CHUNK_EVENTS) {
        chunk *nc = calloc(1, sizeof *nc);
        if (!nc) { __atomic_fetch_add(&tb->dropped, 1, __ATOMIC_RELAXED); return; }
        __atomic_store_n(&c->next, nc, __ATOMIC_RELEASE);   /* partner: write_file's walk */
        tb->cur = c = nc;
    }
    coro_worker *w = coro_self_worker_;
    ev *e = &c->e[c->n];
    e->ts = coro_now_ns();
    e->task = t;
    e->a = a;
    e->kind = (int16_t)kind;
    e->b = (int16_t)b;
    e->lane = w ? w->id : tb->lane;
    tb->total++;
    __atomic_store_n(&c->n, c->n + 1, __ATOMIC_RELEASE);    /* partner: write_file's walk */
}

void coro_trace_fd_(int fd, int mode) {
    tbuf *tb = my_buf();
    if (!tb) return;
    tb->fd = fd;
    tb->fd_mode = mode;
}

void coro_trace_poll_(const coro_task_list *woken) {
    intptr_t n = 0;
    for (const coro_task *t = woken->head; t; t = t->link) n++;
    if (n) coro_trace_event_(CORO_TR_POLL, NULL, n, 0);
}

void coro_trace_stop_(const coro_task *t, int status) {
    int end = CORO_TR_END_OTHER;
    intptr_t fd = -1;
    if (status == CORO_DONE) end = CORO_TR_END_DONE;
    else if (status == CORO_YIELDED)
        end = t->op != CORO_OP_KIND_YIELD && coro_preempt_pending() ? CORO_TR_END_PREEMPT : CORO_TR_END_YIELD;
    else switch (t->op) {
    case CORO_OP_KIND_SLEEP: end = CORO_TR_END_TIMER; break;
    case CORO_OP_KIND_FD_WAIT: {
        tbuf *tb = my_buf();
        if (tb) {
            fd = tb->fd;
            end = (tb->fd_mode & CORO_FD_READ) ? CORO_TR_END_FD_READ : CORO_TR_END_FD_WRITE;
        }
        break;
    }
    case CORO_OP_KIND_BLOCKING: case CORO_OP_KIND_BLOCKING_IO: end = CORO_TR_END_BLOCKING; break;
    /* chan.h's kinds, by offset (chan.h is not included here: its inline
     * helpers belong to the channel files) */
    case CORO_OP_KIND_CHAN_FIRST + 0: end = CORO_TR_END_CHAN_SEND; break;
    case CORO_OP_KIND_CHAN_FIRST + 1: end = CORO_TR_END_CHAN_RECV; break;
    case CORO_OP_KIND_CHAN_FIRST + 2: end = CORO_TR_END_SELECT; break;
    case CORO_OP_KIND_CHAN_FIRST + 3: end = CORO_TR_END_WG; break;
    case CORO_OP_KIND_CHAN_FIRST + 4: end = CORO_TR_END_MUTEX; break;
    default: break;
    }
    coro_trace_event_(CORO_TR_STOP, t, fd, end);
}

/* ---- the writer ---- */

static const char *end_name(int end) {
    switch (end) {
    case CORO_TR_END_YIELD: return "yield";
    case CORO_TR_END_PREEMPT: return "preempt";
    case CORO_TR_END_DONE: return "done";
    case CORO_TR_END_FD_READ: return "fd read";
    case CORO_TR_END_FD_WRITE: return "fd write";
    case CORO_TR_END_TIMER: return "timer";
    case CORO_TR_END_CHAN_SEND: return "chan send";
    case CORO_TR_END_CHAN_RECV: return "chan recv";
    case CORO_TR_END_SELECT: return "select";
    case CORO_TR_END_WG: return "wait group";
    case CORO_TR_END_MUTEX: return "mutex";
    case CORO_TR_END_BLOCKING: return "blocking pool";
    }
    return "other";
}

/* A task's current life, keyed by address (open addressing, linear probe). */
typedef struct life {
    const void *task;    /* NULL: empty slot */
    const char *name;
    int64_t run_ts;      /* start of the turn in progress, -1 if none */
    int64_t block_ts;    /* start of its blocking-pool job, -1 if none */
    uint32_t id;
} life;

typedef struct lives { life *slot; size_t cap, n; uint32_t next_id; } lives;

static life *lookup(lives *m, const void *task) {
    if (m->n * 2 >= m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        life *ns = calloc(ncap, sizeof *ns);
        if (!ns) return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slot[i].task) continue;
            size_t j = ((uintptr_t)m->slot[i].task >> 4) & (ncap - 1);
            while (ns[j].task) j = (j + 1) & (ncap - 1);
            ns[j] = m->slot[i];
        }
        free(m->slot);
        m->slot = ns;
        m->cap = ncap;
    }
    size_t j = ((uintptr_t)task >> 4) & (m->cap - 1);
    while (m->slot[j].task && m->slot[j].task != task) j = (j + 1) & (m->cap - 1);
    life *l = &m->slot[j];
    if (!l->task) {   /* id 0: given by the spawn, or by write_event if none came */
        m->n++;
        *l = (life){task, "coroutine", -1, -1, 0};
    }
    return l;
}

static int by_time(const void *x, const void *y) {
    const ev *a = x, *b = y;
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    return a < b ? -1 : a > b;   /* same stamp: keep each thread's order (qsort is not stable) */
}

static void put_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void put_ts(FILE *f, int64_t ns) {
    if (ns < 0) ns = 0;
    fprintf(f, "%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000));
}

static void head(FILE *f, const char *ph, const char *name, const char *cat, int lane, int64_t ts) {
    fprintf(f, ",\n{\"ph\":\"%s\",\"name\":", ph);
    put_str(f, name);
    fprintf(f, ",\"cat\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":", cat, lane);
    put_ts(f, ts - t0_ns);
}

static void instant(FILE *f, const char *name, int lane, int64_t ts) {
    head(f, "i", name, "sched", lane, ts);
    fputs(",\"s\":\"t\"", f);
}

/* Copy every buffer's published events into one array, sorted by time. */
static ev *collect(size_t *count, uint64_t *dropped) {
    size_t n = 0;
    *dropped = 0;
    for (tbuf *b = registry; b; b = b->next) {
        *dropped += __atomic_load_n(&b->dropped, __ATOMIC_RELAXED);
        for (chunk *c = b->head; c; c = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE))
            n += __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
    }
    ev *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) return NULL;
    size_t k = 0;
    for (tbuf *b = registry; b; b = b->next)
        for (chunk *c = b->head; c && k < n; c = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE)) {
            uint32_t m = __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
            if (m > n - k) m = (uint32_t)(n - k);
            memcpy(all + k, c->e, m * sizeof *all);
            k += m;
        }
    qsort(all, k, sizeof *all, by_time);
    *count = k;
    return all;
}

static void write_event(FILE *f, lives *m, const ev *e) {
    life *l = lookup(m, e->task);
    if (!l) return;
    if (l->id == 0 && e->kind != CORO_TR_SPAWN) l->id = ++m->next_id;   /* spawned before tracing began */
    switch (e->kind) {
    case CORO_TR_SPAWN:
        *l = (life){e->task, e->a ? (const char *)e->a : "coroutine", -1, -1, ++m->next_id};
        instant(f, "spawn", e->lane, e->ts);
        fprintf(f, ",\"args\":{\"coro\":%u,\"name\":", l->id);
        put_str(f, l->name);
        fputs("}}", f);
        return;
    case CORO_TR_RUN:
        l->run_ts = e->ts;
        return;
    case CORO_TR_STOP:
        head(f, "X", l->name, "run", e->lane, l->run_ts >= 0 ? l->run_ts : e->ts);
        fputs(",\"dur\":", f);
        put_ts(f, l->run_ts >= 0 ? e->ts - l->run_ts : 0);
        fprintf(f, ",\"args\":{\"coro\":%u,\"end\":\"%s\"", l->id, end_name(e->b));
        if (e->b == CORO_TR_END_FD_READ || e->b == CORO_TR_END_FD_WRITE) fprintf(f, ",\"fd\":%ld", (long)e->a);
        fputs("}}", f);
        l->run_ts = -1;
        return;
    case CORO_TR_READY:
        instant(f, "ready", e->lane, e->ts);
        fprintf(f, e->b ? ",\"args\":{\"coro\":%u,\"early\":1}}" : ",\"args\":{\"coro\":%u}}", l->id);
        return;
    case CORO_TR_STEAL:
        instant(f, "steal", e->lane, e->ts);
        fprintf(f, ",\"args\":{\"coro\":%u,\"victim\":%ld}}", l->id, (long)e->a);
        return;
    case CORO_TR_POLL:
        instant(f, "poll", e->lane, e->ts);
        fprintf(f, ",\"args\":{\"woken\":%ld}}", (long)e->a);
        return;
    case CORO_TR_BLOCK_BEGIN:
        l->block_ts = e->ts;
        return;
    case CORO_TR_BLOCK_END:
        head(f, "X", l->name, "blocking", e->lane, l->block_ts >= 0 ? l->block_ts : e->ts);
        fputs(",\"dur\":", f);
        put_ts(f, l->block_ts >= 0 ? e->ts - l->block_ts : 0);
        fprintf(f, ",\"args\":{\"coro\":%u}}", l->id);
        l->block_ts = -1;
        return;
    }
}

static void write_lanes(FILE *f, const ev *all, size_t n) {
    fputs("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"coro\"}}", f);
    for (int i = 0; i < coro_sched_.nworkers; i++)
        fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"worker %d\"}}", i, i);
    /* Number pool threads and other threads apart, in the order they
     * registered (the list is newest first). */
    int npool = 0, nthread = 0;
    for (tbuf *b = registry; b; b = b->next) {
        b->shown = 0;
        if (b->lane < OTHER_LANE_BASE) continue;   /* coro_run_main's thread: worker 0 */
        for (size_t i = 0; i < n; i++)
            if (all[i].lane == b->lane) {
                b->shown = 1;
                if (all[i].kind == CORO_TR_BLOCK_BEGIN) { b->shown = 2; break; }
            }
        npool += b->shown == 2;
        nthread += b->shown == 1;
    }
    for (tbuf *b = registry; b; b = b->next)
        if (b->shown)
            fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"%s %d\"}}",
                    b->lane, b->shown == 2 ? "blocking pool" : "thread", b->shown == 2 ? --npool : --nthread);
}

static void write_file(void) {
    size_t n;
    uint64_t dropped;
    pthread_mutex_lock(&reg_lock);   /* the list, against a thread registering now (exit() path) */
    ev *all = collect(&n, &dropped);
    pthread_mutex_unlock(&reg_lock);
    if (!all) { fprintf(stderr, "coro: trace: out of memory; %s not written\n", trace_path); return; }
    FILE *f = fopen(trace_path, "w");
    if (!f) {
        fprintf(stderr, "coro: trace: cannot write %s: %s\n", trace_path, strerror(errno));
        free(all);
        return;
    }
    fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"coro_trace\":1,\"workers\":%d,\"dropped\":%llu},\n"
               "\"traceEvents\":[\n", coro_sched_.nworkers, (unsigned long long)dropped);
    write_lanes(f, all, n);
    lives m = {0};
    for (size_t i = 0; i < n; i++) write_event(f, &m, &all[i]);
    fputs("\n]}\n", f);
    if (fclose(f) != 0) fprintf(stderr, "coro: trace: writing %s: %s\n", trace_path, strerror(errno));
    if (dropped) fprintf(stderr, "coro: trace: %llu events dropped (over %u per thread)\n",
                         (unsigned long long)dropped, MAX_EVENTS);
    free(m.slot);
    free(all);
}

/* Free the buffers (each run writes its own file).  Only called with the
 * hooks off and no worker running; a thread that outlives the run (a
 * blocking-pool thread) sees the new generation and takes a fresh buffer. */
static void release_all(void) {
    pthread_mutex_lock(&reg_lock);
    for (tbuf *b = registry, *nb; b; b = nb) {
        nb = b->next;
        for (chunk *c = b->head, *nc; c; c = nc) {
            nc = c->next;
            free(c);
        }
        free(b);
    }
    registry = NULL;
    nother = 0;
    __atomic_store_n(&generation, generation + 1, __ATOMIC_RELAXED);   /* the next run's start orders it */
    pthread_mutex_unlock(&reg_lock);
    mine = NULL;
}

static void at_exit(void) {
    if (__atomic_load_n(&in_run, __ATOMIC_ACQUIRE)) write_file();   /* exit() from inside a coroutine */
}

void coro_trace_start(void) {
    const char *p = getenv("CORO_TRACE");
    int on = p != NULL && *p != 0;
    if (!on) return;   /* no store: it is already 0 (coro_trace_finish) */
    static int registered;
    if (!registered++) atexit(at_exit);
    trace_path = p;
    t0_ns = coro_now_ns();
    /* This thread becomes worker 0: its events before the worker loop starts
     * (the main task's spawn) belong on that lane. */
    tbuf *b = my_buf();
    if (b) b->lane = 0;
    __atomic_store_n(&in_run, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&coro_trace_on_, 1, __ATOMIC_RELAXED);   /* pthread_create orders it for the workers */
}

void coro_trace_finish(void) {
    if (!__atomic_load_n(&coro_trace_on_, __ATOMIC_RELAXED)) return;
    __atomic_store_n(&in_run, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&coro_trace_on_, 0, __ATOMIC_RELAXED);
    write_file();
    release_all();
}
