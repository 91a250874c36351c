/* Proves the generated glue includes no header of its own: this file names
 * its own FILE and malloc-free world (`typedef void *FILE;`, as torture
 * pr43987 does), which <stdio.h> in stackful's coro_main / coro_go glue
 * contradicted ("conflicting types for 'FILE'").  Compared with the original. */
#include <coro.h>

typedef void *FILE;
int printf(const char *, ...);

static coro_wg wg;
static int seen;

CORO static void note(int id) {
    coro_yield();
    seen += id;
    coro_wg_done(&wg);
}

CORO static int run(void) {
    FILE handle = &seen;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 2);
    coro_go(note(1));
    coro_go(note(2));
    coro_wg_wait(&wg);
    printf("seen %d %d\n", seen, handle == (FILE)&seen);
    return 0;
}

int main(void) { return coro_main(run()); }
