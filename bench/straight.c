/*
 * straight.c — straight-line overhead: compute code marked CORO that never
 * suspends, run translated (stackless: locals in the frame, back-edge
 * checks; stackful: checks only) and as the original C, untranslated (the
 * CORO marks are then plain attributes and coro_main(f(x)) calls f directly).
 * csmith programs were the plan (issue 7); until the C frontend takes them,
 * these four kernels stand in: CRC-32, a matrix product, a sieve and an
 * insertion sort, each a coroutine awaited by run().
 *
 * Prints "RESULT straight_ms <best of 3 rounds>" (the same checksum in every
 * build; a mismatch fails).  Usage: straight [scale]
 */
#include <coro.h>
#include <stdint.h>
#include <string.h>
#include "bench_util.h"

CORO static uint32_t crc32_kernel(const unsigned char *p, long n) {
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (long i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

enum { DIM = 96 };
CORO static double matmul_kernel(int reps) {
    static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) { a[i][j] = (i + j) % 7; b[i][j] = (i * j) % 5; }
    double trace = 0;
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < DIM; i++)
            for (int j = 0; j < DIM; j++) {
                double s = 0;
                for (int k = 0; k < DIM; k++) s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        trace += c[r % DIM][r % DIM];
    }
    return trace;
}

CORO static long sieve_kernel(long limit) {
    char *composite = calloc((size_t)limit + 1, 1);
    if (!composite) return -1;
    long primes = 0;
    for (long i = 2; i <= limit; i++) {
        if (composite[i]) continue;
        primes++;
        for (long j = i * i; j <= limit; j += i) composite[j] = 1;
    }
    free(composite);
    return primes;
}

CORO static long sort_kernel(int n, unsigned seed) {
    int *v = malloc((size_t)n * sizeof *v);
    if (!v) return -1;
    for (int i = 0; i < n; i++) { seed = seed * 1103515245u + 12345u; v[i] = (int)(seed >> 8); }
    for (int i = 1; i < n; i++) {
        int x = v[i], j = i - 1;
        while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
    long check = 0;
    for (int i = 0; i < n; i += 97) check += v[i];
    free(v);
    return check;
}

CORO static int run(long scale) {
    long bytes = 4000000 * scale;
    unsigned char *data = malloc((size_t)bytes);
    if (!data) return 1;
    for (long i = 0; i < bytes; i++) data[i] = (unsigned char)(i * 31 + (i >> 7));
    double best = 1e30;
    double checksum = 0;
    for (int round = 0; round < 3; round++) {
        double t0 = bench_now_ns();
        uint32_t crc = crc32_kernel(data, bytes);
        double trace = matmul_kernel((int)(20 * scale));
        long primes = sieve_kernel(2000000 * scale);
        long sorted = sort_kernel((int)(6000 * scale), 7);
        double t = bench_now_ns() - t0;
        if (t < best) best = t;
        checksum = (double)crc + trace + (double)primes + (double)sorted;
    }
    free(data);
    printf("checksum %.0f\n", checksum);
    bench_result("straight_ms", best / 1e6);
    return 0;
}

int main(int argc, char **argv) {
    long scale = bench_arg(argc, argv, 1, 1);
    return coro_main(run(scale));
}
