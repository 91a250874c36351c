/*
 * test_chan.c — channels: unbuffered ping-pong, buffered producer/consumer,
 * close semantics (drain then closed, send on closed, double close, close
 * waking parked senders and receivers), odd element sizes, bad arguments.
 *
 * Frames are written by hand exactly as `coroc translate` emits them: a
 * struct with `coro_frame hdr` first, a resume function that dispatches on
 * hdr.state with goto, and CORO_OP(...) at every suspend point, called again
 * with the same arguments when the task is resumed.
 *
 * The entry coroutine (chan_test.h) runs one phase at a time: it spawns the
 * phase's coroutine and waits for its token on `phase_done`.  Each phase is
 * a "test" of the closing `N passed, M failed` line; a phase fails if any
 * CHECK inside it (in any coroutine) fails.
 */
#include "chan_test.h"

/* ---- phase 1: unbuffered ping-pong ------------------------------------------ */

typedef struct {
    coro_frame hdr;
    coro_chan *ping, *pong;
    int v, t1, t2;
} ponger_frame;

/* Receives v on ping and answers v + 1 on pong until ping is closed; then
 * answers -1 once, so the other side knows it is done with both channels. */
static coro_status ponger_resume(coro_frame *self) {
    ponger_frame *f = (ponger_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    for (;;) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->ping, &f->v));
        if (f->t1 == 0) break;
        CHECK(f->t1 == 1);
        f->v = f->v + 1;
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t2, f->pong, &f->v));
        CHECK(f->t2 == 0);
    }
    CHECK(f->v == 0); /* a closed channel yields the zero value */
    f->v = -1;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t2, f->pong, &f->v));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *ping, *pong;
    int i, n, v, t1, t2, t3;
} pingpong_frame;

static coro_status pingpong_resume(coro_frame *self) {
    pingpong_frame *f = (pingpong_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    }
    f->ping = coro_chan_new(sizeof(int), 0);
    f->pong = coro_chan_new(sizeof(int), 0);
    ponger_frame *p = (ponger_frame *)rt_frame(sizeof *p, ponger_resume);
    p->ping = f->ping;
    p->pong = f->pong;
    rt_spawn(&p->hdr, "ponger");
    f->n = 10000 * rt_scale_factor();
    for (f->i = 0; f->i < f->n; f->i++) {
        f->v = f->i;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->ping, &f->v));
        CHECK(f->t1 == 0);
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t2, f->pong, &f->v));
        CHECK(f->t2 == 1 && f->v == f->i + 1);
    }
    CHECK(coro_chan_close(f->ping) == 0);
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t2, f->pong, &f->v)); /* its good-bye */
    CHECK(f->t2 == 1 && f->v == -1);
    coro_chan_free(f->ping);
    coro_chan_free(f->pong);
    f->t3 = 1;
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->t3));
    return CORO_DONE;
}

/* ---- phase 2: buffered producers and consumers --------------------------------- */

enum { PRODUCERS = 3, CONSUMERS = 2, PER_PRODUCER = 2000 };

typedef struct {
    coro_frame hdr;
    coro_chan *data, *finished;
    int id, k, v, t1;
} producer_frame;

static coro_status producer_resume(coro_frame *self) {
    producer_frame *f = (producer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (f->k = 0; f->k < PER_PRODUCER; f->k++) {
        f->v = f->id * 1000000 + f->k;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->data, &f->v));
        CHECK(f->t1 == 0);
    }
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->finished, &f->id));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *data, *sums;
    int last[PRODUCERS]; /* last value seen per producer: each must rise */
    long sum;
    int v, t1;
} consumer_frame;

static coro_status consumer_resume(coro_frame *self) {
    consumer_frame *f = (consumer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (int p = 0; p < PRODUCERS; p++) f->last[p] = -1;
    for (;;) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->data, &f->v));
        if (f->t1 == 0) break;
        int p = f->v / 1000000, k = f->v % 1000000;
        CHECK(p >= 0 && p < PRODUCERS);
        if (p >= 0 && p < PRODUCERS) {
            CHECK(k > f->last[p]); /* FIFO per producer */
            f->last[p] = k;
        }
        f->sum += f->v;
    }
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->sums, &f->sum));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *data, *finished, *sums;
    int i, id, t1;
    long sum, total;
} prodcons_frame;

static coro_status prodcons_resume(coro_frame *self) {
    prodcons_frame *f = (prodcons_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    f->data = coro_chan_new(sizeof(int), 4);
    f->finished = coro_chan_new(sizeof(int), 0);
    f->sums = coro_chan_new(sizeof(long), CONSUMERS);
    for (int c = 0; c < CONSUMERS; c++) {
        consumer_frame *cf = (consumer_frame *)rt_frame(sizeof *cf, consumer_resume);
        cf->data = f->data;
        cf->sums = f->sums;
        rt_spawn(&cf->hdr, "consumer");
    }
    for (int p = 0; p < PRODUCERS; p++) {
        producer_frame *pf = (producer_frame *)rt_frame(sizeof *pf, producer_resume);
        pf->data = f->data;
        pf->finished = f->finished;
        pf->id = p;
        rt_spawn(&pf->hdr, "producer");
    }
    for (f->i = 0; f->i < PRODUCERS; f->i++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->finished, &f->id));
        CHECK(f->t1 == 1);
    }
    CHECK(coro_chan_close(f->data) == 0); /* consumers drain, then see closed */
    for (f->i = 0; f->i < CONSUMERS; f->i++) {
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->sums, &f->sum));
        CHECK(f->t1 == 1);
        f->total += f->sum;
    }
    long want = 0;
    for (int p = 0; p < PRODUCERS; p++)
        for (int k = 0; k < PER_PRODUCER; k++) want += p * 1000000 + k;
    CHECK(f->total == want);
    coro_chan_free(f->data);
    coro_chan_free(f->finished);
    coro_chan_free(f->sums);
    f->i = 2;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}

/* ---- phase 3: close semantics without contention --------------------------------- */

typedef struct {
    coro_frame hdr;
    coro_chan *c;
    int i, v, t1, err;
} closing_frame;

static coro_status closing_resume(coro_frame *self) {
    closing_frame *f = (closing_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    case 6: goto S6;
    case 7: goto S7;
    case 8: goto S8;
    }
    f->c = coro_chan_new(sizeof(int), 3);
    for (f->i = 1; f->i <= 3; f->i++) {
        f->v = f->i * 10;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c, &f->v));
        CHECK(f->t1 == 0);
    }
    CHECK(coro_chan_close(f->c) == 0);
    errno = 0;
    CHECK(coro_chan_close(f->c) == -1 && errno == EINVAL); /* double close */
    for (f->i = 1; f->i <= 3; f->i++) {                   /* drain first */
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->c, &f->v));
        CHECK(f->t1 == 1 && f->v == f->i * 10);
    }
    f->v = 77;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->c, &f->v)); /* then closed */
    CHECK(f->t1 == 0 && f->v == 0);
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->c, NULL)); /* and stays closed */
    CHECK(f->t1 == 0);
    errno = 0;
    f->hdr.state = 5;
S5: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c, &f->v)); /* send on closed */
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EPIPE);
    coro_chan_free(f->c);

    /* NULL channels: -1/EINVAL, never a crash */
    errno = 0;
    f->hdr.state = 6;
S6: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, NULL, &f->v));
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);
    errno = 0;
    f->hdr.state = 7;
S7: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, NULL, &f->v));
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);
    errno = 0;
    CHECK(coro_chan_close(NULL) == -1 && errno == EINVAL);
    errno = 0;
    CHECK(coro_chan_new((size_t)1 << 40, (size_t)1 << 40) == NULL && errno == EINVAL);
    coro_chan_free(NULL);

    f->i = 3;
    f->hdr.state = 8;
S8: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}

/* ---- phase 4: close wakes parked receivers and senders ------------------------- */

enum { PARKED_EACH = 4 };

typedef struct {
    int sending, ret, value, err;
} outcome;

typedef struct {
    coro_frame hdr;
    coro_chan *c, *results;
    int sending;
    outcome o;
    int t1;
} parker_frame;

/* One receive (or send) on c that only close can end; reports its outcome. */
static coro_status parker_resume(coro_frame *self) {
    parker_frame *f = (parker_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    f->o.value = 55;
    errno = 0;
    if (f->sending) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->o.ret, f->c, &f->o.value));
    } else {
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->o.ret, f->c, &f->o.value));
    }
    f->o.err = errno;
    f->o.sending = f->sending;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->results, &f->o));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *recv_on, *send_on, *results;
    int i, t1;
    outcome o;
} closewake_frame;

static coro_status closewake_resume(coro_frame *self) {
    closewake_frame *f = (closewake_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    case 6: goto S6;
    }
    /* Senders park on a full one-slot buffer; its value survives the close. */
    f->recv_on = coro_chan_new(sizeof(int), 0);
    f->send_on = coro_chan_new(sizeof(int), 1);
    f->o.value = 31;
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->send_on, &f->o.value));
    f->results = coro_chan_new(sizeof(outcome), 2 * PARKED_EACH);
    for (int i = 0; i < 2 * PARKED_EACH; i++) {
        parker_frame *p = (parker_frame *)rt_frame(sizeof *p, parker_resume);
        p->sending = i % 2;
        p->c = p->sending ? f->send_on : f->recv_on;
        p->results = f->results;
        rt_spawn(&p->hdr, p->sending ? "parked-sender" : "parked-receiver");
    }
    /* Give them time to park (with several workers some may still be on the
     * way; they then find the channel closed, with the same outcome). */
    for (f->i = 0; f->i < 20; f->i++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_yield(&f->hdr));
    }
    CHECK(coro_chan_close(f->recv_on) == 0);
    CHECK(coro_chan_close(f->send_on) == 0);
    for (f->i = 0; f->i < 2 * PARKED_EACH; f->i++) {
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->results, &f->o));
        CHECK(f->t1 == 1);
        if (f->o.sending) /* -1/EPIPE, its value never taken */
            CHECK(f->o.ret == -1 && f->o.err == EPIPE && f->o.value == 55);
        else /* 0 = closed, destination zeroed */
            CHECK(f->o.ret == 0 && f->o.value == 0);
    }
    f->hdr.state = 5; /* drain after close: the buffered value, then closed */
S5: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->send_on, &f->o.value));
    CHECK(f->t1 == 1 && f->o.value == 31);
    f->hdr.state = 6;
S6: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->send_on, &f->o.value));
    CHECK(f->t1 == 0 && f->o.value == 0);
    coro_chan_free(f->recv_on);
    coro_chan_free(f->send_on);
    coro_chan_free(f->results);
    f->i = 4;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}

/* ---- phase 5: element sizes (40-byte struct, zero-size), NULL destinations ------ */

typedef struct {
    long a, b, c;
    char s[16];
} big;

enum { BIG_COUNT = 10 };

typedef struct {
    coro_frame hdr;
    coro_chan *u, *b, *z;
    big v;
    int i, t1;
} bigsender_frame;

static coro_status bigsender_resume(coro_frame *self) {
    bigsender_frame *f = (bigsender_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    for (f->i = 0; f->i < BIG_COUNT; f->i++) {
        f->v = (big){f->i, -f->i, 3L * f->i, ""};
        snprintf(f->v.s, sizeof f->v.s, "u%d", f->i);
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->u, &f->v));
        CHECK(f->t1 == 0);
    }
    for (f->i = 0; f->i < BIG_COUNT; f->i++) {
        f->v = (big){f->i, -f->i, 3L * f->i, ""};
        snprintf(f->v.s, sizeof f->v.s, "b%d", f->i);
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->b, &f->v));
        CHECK(f->t1 == 0);
    }
    for (f->i = 0; f->i < BIG_COUNT; f->i++) {
        f->hdr.state = 3;
    S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->z, NULL)); /* no payload */
        CHECK(f->t1 == 0);
    }
    return CORO_DONE;
}

static int big_ok(const big *v, int i, char kind) {
    char s[16];
    snprintf(s, sizeof s, "%c%d", kind, i);
    return v->a == i && v->b == -i && v->c == 3L * i && strcmp(v->s, s) == 0;
}

typedef struct {
    coro_frame hdr;
    coro_chan *u, *b, *z;
    big v;
    int i, j, t1;
} sizes_frame;

static coro_status sizes_resume(coro_frame *self) {
    sizes_frame *f = (sizes_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    case 6: goto S6;
    case 7: goto S7;
    }
    f->u = coro_chan_new(sizeof(big), 0);
    f->b = coro_chan_new(sizeof(big), 3);
    f->z = coro_chan_new(0, 0);
    bigsender_frame *s = (bigsender_frame *)rt_frame(sizeof *s, bigsender_resume);
    s->u = f->u;
    s->b = f->b;
    s->z = f->z;
    rt_spawn(&s->hdr, "bigsender");
    for (f->i = 0; f->i < BIG_COUNT; f->i++) {
        /* Yield before every other receive so that sometimes the sender
         * parks first (receiver copies from it) and sometimes we do (the
         * sender copies into our frame). */
        for (f->j = 0; f->j < (f->i % 2) * 3; f->j++) {
            f->hdr.state = 1;
        S1: CORO_OP(coro_op_yield(&f->hdr));
        }
        memset(&f->v, 0, sizeof f->v);
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->u, &f->v));
        CHECK(f->t1 == 1 && big_ok(&f->v, f->i, 'u'));
    }
    /* Let the sender fill the buffer and park on the 4th value, so receives
     * take from a full buffer with a parked sender (the ring rotates). */
    for (f->j = 0; f->j < 10; f->j++) {
        f->hdr.state = 3;
    S3: CORO_OP(coro_op_yield(&f->hdr));
    }
    for (f->i = 0; f->i < BIG_COUNT; f->i++) {
        memset(&f->v, 0, sizeof f->v);
        if (f->i % 3 == 2) { /* discard this one */
            f->hdr.state = 4;
        S4: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->b, NULL));
            CHECK(f->t1 == 1);
        } else {
            f->hdr.state = 5;
        S5: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->b, &f->v));
            CHECK(f->t1 == 1 && big_ok(&f->v, f->i, 'b'));
        }
    }
    for (f->i = 0; f->i < BIG_COUNT; f->i++) {
        f->hdr.state = 6;
    S6: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->z, NULL));
        CHECK(f->t1 == 1);
    }
    coro_chan_free(f->u);
    coro_chan_free(f->b);
    coro_chan_free(f->z);
    f->i = 5;
    f->hdr.state = 7;
S7: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}

/* ---- the entry coroutine: phases one after the other ----------------------------- */

static const chan_phase phases[] = {
    {"unbuffered ping-pong", sizeof(pingpong_frame), pingpong_resume},
    {"buffered producers/consumers", sizeof(prodcons_frame), prodcons_resume},
    {"close: drain, closed, EPIPE, EINVAL", sizeof(closing_frame), closing_resume},
    {"close wakes parked senders (full buffer) and receivers; drain after", sizeof(closewake_frame), closewake_resume},
    {"element sizes and NULL destinations", sizeof(sizes_frame), sizes_resume},
};
enum { NPHASES = sizeof phases / sizeof phases[0] };

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    return chan_run_phases(phases, NPHASES);
}
