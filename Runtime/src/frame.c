/*
 * frame.c — frame memory and coro_await: the runtime's half of the frame ABI
 * (coro.h) that is not scheduling.
 *
 * MEMORY
 *
 *  coro_frame_alloc serves frames of up to 256 bytes from alloc.c's size
 *  classes, through the calling worker's cache (the depot off a worker), and
 *  larger ones from malloc.  The frame remembers which: bits 8..15 of its
 *  flags hold the class + 1, 0 meaning malloc, so coro_frame_free needs no
 *  size and may run on any thread (a root frame coro_run_main's caller frees
 *  after the run, a child frame its caller frees after reading the result).
 *
 * AWAIT (coro.h: the frame ABI's CORO_CALL)
 *
 *  coro_await links a child under its caller and makes it the task's top
 *  frame; the trampoline (sched.c, run_task) resumes the top frame, and when
 *  the child returns CORO_DONE it marks it CORO_STATE_FINISHED and resumes
 *  the caller, whose call again finds the child finished and returns 0.
 *
 * INVARIANTS
 *
 *  - A frame's class bits are set once, here, and read only by
 *    coro_frame_free; CORO_FRAME_HEAP marks every frame made here.
 *  - A child is awaited only while fresh (state 0) or finished: awaiting a
 *    frame that is running is a broken program state (coro_fatal), since
 *    linking it twice would lose its first caller.
 */
#include <stdlib.h>
#include "sched.h"

/* Frame flags bits 8..15: alloc class + 1 (0: plain malloc). */
#define FRAME_CLASS_SHIFT 8

coro_frame *coro_frame_alloc(size_t frame_size) {
    if (frame_size < sizeof(coro_frame)) frame_size = sizeof(coro_frame);
    int cls = coro_alloc_class(frame_size);
    coro_frame *f;
    if (cls < 0) {
        f = malloc(frame_size);
        if (f == NULL) return NULL;
        f->flags = CORO_FRAME_HEAP;
    } else {
        f = coro_alloc(coro_worker_cache(), cls);
        if (f == NULL) return NULL;
        f->flags = CORO_FRAME_HEAP | (uint32_t)(cls + 1) << FRAME_CLASS_SHIFT;
    }
    return f;
}

void coro_frame_free(coro_frame *frame) {
    if (frame == NULL) return;
    int cls = (int)((frame->flags >> FRAME_CLASS_SHIFT) & 0xff) - 1;
    if (cls < 0) free(frame);
    else coro_alloc_free(coro_worker_cache(), cls, frame);
}

int coro_await(coro_frame *self, coro_frame *child) {
    if (child->state == CORO_STATE_FINISHED) return 0;
    if (child->state != 0)
        coro_fatal("await of a frame that is already running (state %d) in task %s", child->state,
                   self->task ? self->task->name : "?");
    coro_task *t = self->task;
    child->caller = self;
    child->task = t;
    t->top = child;
    return CORO_CALL;
}
