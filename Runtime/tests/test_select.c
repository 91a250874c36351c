/*
 * test_select.c — select: default, immediate cases, bad arguments, blocking
 * selects woken by a send, a receive or a close, fairness among ready cases,
 * more cases than fit the stack orders, duplicate channels, and a
 * multi-worker stress where selects send and receive on the same channel.
 *
 * Frames are hand-built exactly as `coroc translate` emits them (see
 * test_chan.c; phase runner in chan_test.h).  Each phase is one "test" of
 * the closing line.
 */
#include "chan_test.h"

static void select_case(coro_select_case *cs, int op, coro_chan *c, void *value) {
    cs->op = op;
    cs->chan = c;
    cs->value = value;
    cs->ok = -1;
}

/* ---- a helper coroutine: after `yields` yields, send / receive / close ----------- */

enum { ACT_SEND, ACT_RECV, ACT_CLOSE };

typedef struct {
    coro_frame hdr;
    int act, yields, j;
    coro_chan *c;
    int v, t1;
    coro_chan *report; /* ACT_RECV: where to send what was received */
} actor_frame;

static coro_status actor_resume(coro_frame *self) {
    actor_frame *f = (actor_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    }
    for (f->j = 0; f->j < f->yields; f->j++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_yield(&f->hdr));
    }
    if (f->act == ACT_SEND) {
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c, &f->v));
        CHECK(f->t1 == 0);
    } else if (f->act == ACT_RECV) {
        f->hdr.state = 3;
    S3: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->c, &f->v));
        CHECK(f->t1 == 1);
        f->hdr.state = 4;
    S4: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->report, &f->v));
    } else {
        CHECK(coro_chan_close(f->c) == 0);
    }
    return CORO_DONE;
}

static void actor(int act, int yields, coro_chan *c, int v, coro_chan *report) {
    actor_frame *a = (actor_frame *)rt_frame(sizeof *a, actor_resume);
    a->act = act;
    a->yields = yields;
    a->c = c;
    a->v = v;
    a->report = report;
    rt_spawn(&a->hdr, "actor");
}

/* ---- phase 1: default, immediate cases, closed channels, bad arguments ------------ */

typedef struct {
    coro_frame hdr;
    coro_chan *a, *b;
    coro_select_case cs[3];
    int v, w, t1, err;
} immediate_frame;

static coro_status immediate_resume(coro_frame *self) {
    immediate_frame *f = (immediate_frame *)self;
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
    case 9: goto S9;
    case 10: goto S10;
    case 11: goto S11;
    case 12: goto S12;
    case 13: goto S13;
    }
    f->a = coro_chan_new(sizeof(int), 1);
    f->b = coro_chan_new(sizeof(int), 1);

    /* nothing ready: the default */
    select_case(&f->cs[0], CORO_SELECT_RECV, f->a, &f->v);
    select_case(&f->cs[1], CORO_SELECT_RECV, f->b, &f->v);
    f->hdr.state = 1;
S1: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 1));
    CHECK(f->t1 == -1);

    /* one value buffered in b: case 1 fires */
    f->w = 42;
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->b, &f->w));
    f->v = 0;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 1));
    CHECK(f->t1 == 1 && f->cs[1].ok == 1 && f->v == 42);

    /* send cases: room in a, then a full */
    f->w = 7;
    select_case(&f->cs[0], CORO_SELECT_SEND, f->a, &f->w);
    f->hdr.state = 4;
S4: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 1));
    CHECK(f->t1 == 0 && f->cs[0].ok == 1);
    f->hdr.state = 5;
S5: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 1));
    CHECK(f->t1 == -1);

    /* a NULL channel never fires; no cases at all is just the default */
    select_case(&f->cs[0], CORO_SELECT_RECV, NULL, &f->v);
    select_case(&f->cs[1], CORO_SELECT_RECV, f->a, &f->v);
    f->hdr.state = 6;
S6: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 0));
    CHECK(f->t1 == 1 && f->v == 7);
    f->hdr.state = 7;
S7: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 0, 1));
    CHECK(f->t1 == -1);

    /* closed: a receive fires with ok = 0 and a zeroed value; a send fires
     * with ok = 0 and EPIPE */
    CHECK(coro_chan_close(f->a) == 0);
    f->v = 99;
    f->hdr.state = 8;
S8: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 1));
    CHECK(f->t1 == 1 && f->cs[1].ok == 0 && f->v == 0);
    select_case(&f->cs[0], CORO_SELECT_SEND, f->a, &f->w);
    errno = 0;
    f->hdr.state = 9;
S9: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 0));
    f->err = errno;
    CHECK(f->t1 == 0 && f->cs[0].ok == 0 && f->err == EPIPE);

    /* bad arguments: -1/EINVAL, never a crash or a hang */
    select_case(&f->cs[0], CORO_SELECT_RECV, NULL, &f->v);
    errno = 0;
    f->hdr.state = 10;
S10: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 0)); /* can never fire */
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);
    select_case(&f->cs[0], 12345, f->b, &f->v);
    errno = 0;
    f->hdr.state = 11;
S11: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 1));
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);
    errno = 0;
    f->hdr.state = 12;
S12: CORO_OP(coro_op_select(&f->hdr, &f->t1, NULL, -1, 0));
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);

    coro_chan_free(f->a);
    coro_chan_free(f->b);
    f->v = 1;
    f->hdr.state = 13;
S13: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 2: a blocked select is woken by a send; its other waiters go away ------- */

typedef struct {
    coro_frame hdr;
    coro_chan *c[3];
    coro_select_case cs[3];
    int r, rounds, v, w, t1;
} wake_by_send_frame;

static coro_status wake_by_send_resume(coro_frame *self) {
    wake_by_send_frame *f = (wake_by_send_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    for (int i = 0; i < 3; i++) f->c[i] = coro_chan_new(sizeof(int), 0);
    f->rounds = 500 * rt_scale_factor();
    for (f->r = 0; f->r < f->rounds; f->r++) {
        actor(ACT_SEND, f->r % 4, f->c[f->r % 3], f->r, NULL);
        for (int i = 0; i < 3; i++) select_case(&f->cs[i], CORO_SELECT_RECV, f->c[i], &f->v);
        f->v = -1;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 3, 0));
        CHECK(f->t1 == f->r % 3 && f->v == f->r && f->cs[f->t1 >= 0 ? f->t1 : 0].ok == 1);
    }
    /* Every waiter of every round is off the queues: a send finds no
     * receiver (a stale waiter would point into a freed select record). */
    for (int i = 0; i < 3; i++) select_case(&f->cs[i], CORO_SELECT_SEND, f->c[i], &f->w);
    f->hdr.state = 2;
S2: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 3, 1));
    CHECK(f->t1 == -1);
    for (int i = 0; i < 3; i++) coro_chan_free(f->c[i]);
    f->v = 2;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 3: a blocked select of send cases is woken by a receiver --------------
 * c[0] is unbuffered (the receiver copies straight from the select's value);
 * c[1] has one slot and is kept full, so a receiver there takes the buffered
 * value and moves the select's value into the buffer (the full-buffer path). */

typedef struct {
    coro_frame hdr;
    coro_chan *c[2], *report;
    coro_select_case cs[2];
    int x[2];
    int r, v, t1, buffered;
} wake_by_recv_frame;

static coro_status wake_by_recv_resume(coro_frame *self) {
    wake_by_recv_frame *f = (wake_by_recv_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    }
    f->c[0] = coro_chan_new(sizeof(int), 0);
    f->c[1] = coro_chan_new(sizeof(int), 1);
    f->report = coro_chan_new(sizeof(int), 1);
    f->buffered = -7;
    f->hdr.state = 1;
S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c[1], &f->buffered)); /* fill it */
    for (f->r = 0; f->r < 200; f->r++) {
        actor(ACT_RECV, f->r % 3, f->c[f->r % 2], 0, f->report);
        f->x[0] = 1000 + f->r;
        f->x[1] = 2000 + f->r;
        select_case(&f->cs[0], CORO_SELECT_SEND, f->c[0], &f->x[0]);
        select_case(&f->cs[1], CORO_SELECT_SEND, f->c[1], &f->x[1]);
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 0));
        CHECK(f->t1 == f->r % 2 && f->cs[f->r % 2].ok == 1);
        f->hdr.state = 3;
    S3: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->report, &f->v));
        if (f->r % 2 == 0) {
            CHECK(f->t1 == 1 && f->v == f->x[0]);
        } else { /* the receiver got the older buffered value; ours is buffered now */
            CHECK(f->t1 == 1 && f->v == f->buffered);
            f->buffered = f->x[1];
        }
    }
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->c[1], &f->v));
    CHECK(f->t1 == 1 && f->v == f->buffered && f->buffered == 2000 + 199);
    coro_chan_free(f->c[0]);
    coro_chan_free(f->c[1]);
    coro_chan_free(f->report);
    f->v = 3;
    f->hdr.state = 5;
S5: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 4: close wakes a blocked select ----------------------------------------- */

typedef struct {
    coro_frame hdr;
    coro_chan *c[3];
    coro_select_case cs[2];
    int v, t1, err;
} wake_by_close_frame;

static coro_status wake_by_close_resume(coro_frame *self) {
    wake_by_close_frame *f = (wake_by_close_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    for (int i = 0; i < 3; i++) f->c[i] = coro_chan_new(sizeof(int), 0);
    actor(ACT_CLOSE, 3, f->c[1], 0, NULL);
    select_case(&f->cs[0], CORO_SELECT_RECV, f->c[0], &f->v);
    select_case(&f->cs[1], CORO_SELECT_RECV, f->c[1], &f->v);
    f->v = 5;
    f->hdr.state = 1;
S1: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 0));
    CHECK(f->t1 == 1 && f->cs[1].ok == 0 && f->v == 0);

    actor(ACT_CLOSE, 3, f->c[2], 0, NULL);
    select_case(&f->cs[0], CORO_SELECT_SEND, f->c[2], &f->v);
    errno = 0;
    f->hdr.state = 2;
S2: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 0));
    f->err = errno;
    CHECK(f->t1 == 0 && f->cs[0].ok == 0 && f->err == EPIPE);
    for (int i = 0; i < 3; i++) coro_chan_free(f->c[i]);
    f->v = 4;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 5: fairness between two always-ready cases ------------------------------ */

enum { FAIR_SELECTS = 10000 };

typedef struct {
    coro_frame hdr;
    coro_chan *c[2];
    coro_select_case cs[2];
    int wins[2];
    int i, v, t1;
} fairness_frame;

static coro_status fairness_resume(coro_frame *self) {
    fairness_frame *f = (fairness_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    }
    for (int i = 0; i < 2; i++) f->c[i] = coro_chan_new(sizeof(int), 1);
    for (f->i = 0; f->i < 2; f->i++) {
        f->v = f->i;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c[f->i], &f->v));
    }
    for (f->i = 0; f->i < FAIR_SELECTS; f->i++) {
        select_case(&f->cs[0], CORO_SELECT_RECV, f->c[0], &f->v);
        select_case(&f->cs[1], CORO_SELECT_RECV, f->c[1], &f->v);
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 0));
        CHECK(f->t1 == 0 || f->t1 == 1);
        if (f->t1 != 0 && f->t1 != 1) break;
        CHECK(f->v == f->t1);
        f->wins[f->t1]++;
        f->hdr.state = 3; /* refill: both channels stay ready */
    S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c[f->v], &f->v));
    }
    printf("   fairness: case 0 won %d, case 1 won %d of %d\n", f->wins[0], f->wins[1], FAIR_SELECTS);
    /* 30% is a broad bound: a fair coin falls outside it with probability ~1e-300 */
    CHECK(f->wins[0] >= FAIR_SELECTS * 3 / 10 && f->wins[1] >= FAIR_SELECTS * 3 / 10);
    for (int i = 0; i < 2; i++) coro_chan_free(f->c[i]);
    f->v = 5;
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 6: more cases than the stack orders hold; one channel in several cases -- */

enum { MANY = 100, READY_CASE = 77 };

typedef struct {
    coro_frame hdr;
    coro_chan *c[MANY];
    coro_select_case cs[MANY];
    int v, w, t1;
} many_frame;

static coro_status many_resume(coro_frame *self) {
    many_frame *f = (many_frame *)self;
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
    for (int i = 0; i < MANY; i++) f->c[i] = coro_chan_new(sizeof(int), 1);
    f->w = 1234;
    f->hdr.state = 1;
S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->c[READY_CASE], &f->w));
    for (int i = 0; i < MANY; i++) select_case(&f->cs[i], CORO_SELECT_RECV, f->c[i], &f->v);
    f->hdr.state = 2;
S2: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, MANY, 0));
    CHECK(f->t1 == READY_CASE && f->v == 1234);
    /* blocking with all 100: woken by a send on the last one */
    actor(ACT_SEND, 2, f->c[MANY - 1], 4321, NULL);
    f->hdr.state = 3;
S3: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, MANY, 0));
    CHECK(f->t1 == MANY - 1 && f->v == 4321);

    /* the same unbuffered channel in three cases: locked once, one fires,
     * and the other two waiters are gone afterwards */
    coro_chan_free(f->c[0]); /* buffered and empty: reuse its slot */
    f->c[0] = coro_chan_new(sizeof(int), 0);
    for (int i = 0; i < 3; i++) select_case(&f->cs[i], CORO_SELECT_RECV, f->c[0], &f->v);
    actor(ACT_SEND, 2, f->c[0], 55, NULL);
    f->hdr.state = 4;
S4: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 3, 0));
    CHECK(f->t1 >= 0 && f->t1 < 3 && f->v == 55);
    select_case(&f->cs[0], CORO_SELECT_SEND, f->c[0], &f->w);
    f->hdr.state = 5;
S5: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 1, 1)); /* no receiver left */
    CHECK(f->t1 == -1);
    /* send and receive on one channel in one select, nobody else there */
    select_case(&f->cs[0], CORO_SELECT_SEND, f->c[0], &f->w);
    select_case(&f->cs[1], CORO_SELECT_RECV, f->c[0], &f->v);
    f->hdr.state = 6;
S6: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 1));
    CHECK(f->t1 == -1);
    for (int i = 0; i < MANY; i++) coro_chan_free(f->c[i]);
    f->v = 6;
    f->hdr.state = 7;
S7: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 7: stress on all workers --------------------------------------------------
 * Two "swappers" each run N selects {send mine on c; receive theirs from c} on
 * one unbuffered channel, so each select is enqueued on both queues of c when
 * it blocks (the one exception to "sendq or recvq is empty"); every select
 * pairs with one of the other's, so both finish exactly N.  Meanwhile
 * producers send on their own channels and close them, and a consumer fans
 * them in with a select that drops each closed channel from its cases (Go's
 * nil-channel idiom) and also waits on a channel that never fires. */

enum { SWAPS = 3000, FAN_PRODUCERS = 4, FAN_EACH = 1000 };

typedef struct {
    coro_frame hdr;
    coro_chan *c, *report;
    coro_select_case cs[2];
    int id, i, mine, theirs, sent, received, t1;
} swapper_frame;

static coro_status swapper_resume(coro_frame *self) {
    swapper_frame *f = (swapper_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (f->i = 0; f->i < SWAPS; f->i++) {
        f->mine = f->id * 100000 + f->i;
        select_case(&f->cs[0], CORO_SELECT_SEND, f->c, &f->mine);
        select_case(&f->cs[1], CORO_SELECT_RECV, f->c, &f->theirs);
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 0));
        CHECK(f->t1 == 0 || f->t1 == 1);
        if (f->t1 == 0) f->sent++;
        if (f->t1 == 1) {
            CHECK(f->theirs / 100000 == 1 - f->id); /* never our own value */
            f->received++;
        }
    }
    f->mine = f->sent * 1000000 + f->received; /* report both counts */
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->report, &f->mine));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *out;
    int i, v, t1;
} fan_producer_frame;

static coro_status fan_producer_resume(coro_frame *self) {
    fan_producer_frame *f = (fan_producer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    for (f->i = 1; f->i <= FAN_EACH; f->i++) {
        f->v = f->i;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->out, &f->v));
    }
    CHECK(coro_chan_close(f->out) == 0);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *in[FAN_PRODUCERS], *never, *report;
    coro_select_case cs[FAN_PRODUCERS + 1];
    long sum;
    int v, t1, n, open;
} fan_consumer_frame;

static coro_status fan_consumer_resume(coro_frame *self) {
    fan_consumer_frame *f = (fan_consumer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (f->open = FAN_PRODUCERS; f->open > 0;) {
        for (int i = 0; i < FAN_PRODUCERS; i++) select_case(&f->cs[i], CORO_SELECT_RECV, f->in[i], &f->v);
        select_case(&f->cs[FAN_PRODUCERS], CORO_SELECT_RECV, f->never, NULL);
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, FAN_PRODUCERS + 1, 0));
        CHECK(f->t1 >= 0 && f->t1 < FAN_PRODUCERS);
        if (f->t1 < 0 || f->t1 >= FAN_PRODUCERS) break;
        if (f->cs[f->t1].ok) {
            f->sum += f->v;
            f->n++;
        } else {
            f->in[f->t1] = NULL; /* closed: this case never fires again */
            f->open--;
        }
    }
    CHECK(f->n == FAN_PRODUCERS * FAN_EACH);
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->report, &f->sum));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *c, *report, *in[FAN_PRODUCERS], *never, *sums;
    int i, v, t1, sent, received;
    long sum;
} stress_frame;

static coro_status stress_resume(coro_frame *self) {
    stress_frame *f = (stress_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    f->c = coro_chan_new(sizeof(int), 0);
    f->report = coro_chan_new(sizeof(int), 2);
    for (int id = 0; id < 2; id++) {
        swapper_frame *s = (swapper_frame *)rt_frame(sizeof *s, swapper_resume);
        s->c = f->c;
        s->report = f->report;
        s->id = id;
        rt_spawn(&s->hdr, "swapper");
    }
    f->never = coro_chan_new(0, 0);
    f->sums = coro_chan_new(sizeof(long), 1);
    for (int i = 0; i < FAN_PRODUCERS; i++) {
        f->in[i] = coro_chan_new(sizeof(int), i % 2); /* mixed buffered/unbuffered */
        fan_producer_frame *p = (fan_producer_frame *)rt_frame(sizeof *p, fan_producer_resume);
        p->out = f->in[i];
        rt_spawn(&p->hdr, "fan-producer");
    }
    fan_consumer_frame *fc = (fan_consumer_frame *)rt_frame(sizeof *fc, fan_consumer_resume);
    for (int i = 0; i < FAN_PRODUCERS; i++) fc->in[i] = f->in[i];
    fc->never = f->never;
    fc->report = f->sums;
    rt_spawn(&fc->hdr, "fan-consumer");

    for (f->i = 0; f->i < 2; f->i++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->report, &f->v));
        CHECK(f->t1 == 1 && f->v / 1000000 + f->v % 1000000 == SWAPS);
        f->sent += f->v / 1000000;
        f->received += f->v % 1000000;
    }
    CHECK(f->sent == SWAPS && f->received == SWAPS); /* every send met a receive */

    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->sums, &f->sum));
    CHECK(f->t1 == 1 && f->sum == (long)FAN_PRODUCERS * FAN_EACH * (FAN_EACH + 1) / 2);
    coro_chan_free(f->c);
    coro_chan_free(f->report);
    coro_chan_free(f->never);
    coro_chan_free(f->sums);
    for (int i = 0; i < FAN_PRODUCERS; i++) coro_chan_free(f->in[i]);
    f->v = 7;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- the entry coroutine: phases one after the other ----------------------------- */

static const chan_phase phases[] = {
    {"default, immediate cases, closed channels, bad arguments", sizeof(immediate_frame), immediate_resume},
    {"blocked select woken by a send", sizeof(wake_by_send_frame), wake_by_send_resume},
    {"blocked select of sends woken by a receive (direct and full buffer)", sizeof(wake_by_recv_frame), wake_by_recv_resume},
    {"blocked select woken by close", sizeof(wake_by_close_frame), wake_by_close_resume},
    {"fairness between two ready cases", sizeof(fairness_frame), fairness_resume},
    {"100 cases, one channel in several cases", sizeof(many_frame), many_resume},
    {"stress: swappers on one channel, fan-in with closing producers", sizeof(stress_frame), stress_resume},
};
enum { NPHASES = sizeof phases / sizeof phases[0] };

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    return chan_run_phases(phases, NPHASES);
}
