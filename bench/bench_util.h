/*
 * bench_util.h — clock, resident memory and percentile helpers shared by the
 * benchmark programs in bench/ (annotated C translated by coroc, and the C
 * peers).  Every program reports with bench_result(): one line
 * "RESULT <metric> <value>" on stdout, which `coroc bench` collects.
 * Nothing here suspends, so it is plain C inside coroutines too.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Resident set size in bytes, from /proc/self/statm (second field, pages). */
static inline long bench_rss_bytes(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static inline void bench_result(const char *metric, double value) {
    printf("RESULT %s %.3f\n", metric, value);
    fflush(stdout);
}

/* argv[i] as a positive count, or `fallback` when absent. */
static inline long bench_arg(int argc, char **argv, int i, long fallback) {
    if (argc <= i) return fallback;
    long v = strtol(argv[i], NULL, 10);
    if (v <= 0) { fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[i]); exit(2); }
    return v;
}

static int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of v[0..n), nearest rank; sorts v in place. */
static inline double bench_percentile(double *v, int n, double p) {
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    int rank = (int)(p / 100.0 * n + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return v[rank - 1];
}

#endif
