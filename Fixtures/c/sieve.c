/* sieve: Go's concurrent prime sieve — a generator and one filter coroutine
 * per prime, chained by unbuffered channels; closing the first channel shuts
 * the whole chain down in order. */
#include <coro.h>
#include <stdio.h>

CORO static void generate(coro_chan *out, int limit) {
    for (int i = 2; i <= limit; i++)
        coro_chan_send(out, &i);
    coro_chan_close(out);
}

CORO static void filter(coro_chan *in, coro_chan *out, int prime) {
    int n;
    while (coro_chan_recv(in, &n) == 1) {
        if (n % prime != 0)
            coro_chan_send(out, &n);
    }
    coro_chan_close(out);
}

CORO static int sieve(int limit) {
    coro_chan *ch = coro_chan_new(sizeof(int), 0);
    coro_go(generate(ch, limit));
    int count = 0, prime;
    while (coro_chan_recv(ch, &prime) == 1) {
        printf("%d\n", prime);
        count++;
        coro_chan *next = coro_chan_new(sizeof(int), 0);
        coro_go(filter(ch, next, prime));
        ch = next;
    }
    printf("%d primes up to %d\n", count, limit);
    return 0;
}

int main(void) {
    return coro_main(sieve(500));
}
