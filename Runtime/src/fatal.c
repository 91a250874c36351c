/*
 * fatal.c — how the runtime stops when its own invariants are broken.
 *
 * coro_fatal prints "coro: runtime: <message>" on stderr and aborts (a core
 * dump to debug from).  It is only for states that cannot happen unless the
 * runtime, or a frame the translator generated, is broken: a double wake-up,
 * a resume function returning garbage, an op called again while another is
 * in flight.  Outside input (peers, bad fds, bad arguments) never gets here:
 * it gets -1/errno (task.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "task.h"

void coro_fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("coro: runtime: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
