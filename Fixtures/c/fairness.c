/* fairness: on ONE worker, a CPU-bound coroutine spins without any I/O while a
 * ticker asks for 50 ticks of 1 ms.  Only the back-edge preemption checks let
 * the ticker run; without them the spinner would hold the worker for good (it
 * gives up after 5 s so that a failure shows as missing ticks, not a hang). */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile int ticker_done;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

CORO static void spinner(long *spins) {
    double start = now_s();
    unsigned long x = 1;
    while (!ticker_done) {
        for (int i = 0; i < 1000; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        ++*spins;
        if ((*spins & 1023) == 0 && now_s() - start > 5.0) break;
    }
    if (x == 42) printf("unlikely\n");
}

CORO static void ticker(int ticks, int *arrived) {
    for (int i = 0; i < ticks; i++) {
        coro_sleep_ms(1);
        ++*arrived;
    }
    ticker_done = 1;
}

CORO static int run(void) {
    long spins = 0;
    int arrived = 0;
    coro_go(spinner(&spins));
    coro_go(ticker(50, &arrived));
    while (!ticker_done) coro_sleep_ms(10);
    coro_sleep_ms(20);   /* let the spinner see the flag and finish */
    printf("ticks arrived while spinning: %d/50\n", arrived);
    printf("spinner ran: %s\n", spins > 0 ? "yes" : "no");
    return 0;
}

int main(void) {
    setenv("CORO_THREADS", "1", 1);
    return coro_main(run());
}
