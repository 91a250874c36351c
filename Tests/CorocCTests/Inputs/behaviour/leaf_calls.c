/* Coroutines that never suspend and have no loop (leaves) are plain calls
   from coroutines: a local the compiler knows stays known across the call
   (it was spilled to the frame around an await, so __builtin_constant_p of
   it became 0 after the first call: GCC torture builtin-constant).  A static
   leaf, an external one (kept as a state machine too, for other files), a
   leaf calling a leaf, one with a static local that coro_go also starts
   (stays a state machine: its static is shared), all give the same results;
   a leaf declared in a block with the locals and defined later keeps its
   declaration (`float half(), v;` was dropped: an implicit int call, 930603-1). */
#include <stdio.h>
#include <coro.h>

#define known(x) (__builtin_constant_p(x) ? "known" : "unknown")

CORO static int twice(int x) { return 2 * x; }
CORO int plus_one(int x) { return twice(x) / 2 + 1; }
CORO static void show(const char *what, int v) { printf("%s %d\n", what, v); }

CORO static int counted(int step) {
    static int calls;
    calls += step;
    return calls;
}

CORO static void spawned(coro_wg *wg) {
    coro_yield();
    counted(100);
    coro_wg_done(wg);
}

CORO static int driver(void) {
    float half(), v;
    coro_yield();
    v = half();
    printf("half %g\n", v);
    int size = sizeof(int);
    show(known(size), plus_one(size));
    show(known(size), twice(size));
    coro_yield();
    int a = counted(1);
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 1);
    coro_go(spawned(&wg));
    coro_wg_wait(&wg);
    int b = counted(1);
    show("counted", a);
    show("counted", b);
    coro_go(counted(0));
    return 0;
}

CORO float half() { return 2.5f; }

int main(void) { return coro_main(driver()); }
