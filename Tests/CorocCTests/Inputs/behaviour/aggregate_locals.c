/* Local arrays and structs that no pointer reaches are C locals of the resume
 * function (RegisterPolicy.aggregates), saved to the frame and reloaded by
 * memcpy only where they are live across a suspension.  Each shape here is
 * written before a suspension and read after it, partly or whole: element
 * and member writes, ++ on a part, struct assignment and by-value passing,
 * a struct with a const member, an array of structs, a 2-D array, an array
 * re-initialized each iteration, sizeof; and beside them aggregates whose
 * address is taken or that decay to a pointer, which stay in the frame
 * (compared with the original). */
#include <coro.h>
#include <stdio.h>

struct point { int x, y; };
struct tagged { const int id; double weight[2]; };
struct line { struct point from, to; char name[8]; };

CORO static struct point shifted(struct point p, int by) {
    coro_yield();
    p.x += by;
    p.y -= by;
    return p;
}

CORO static int sum_after_yield(const int *v, int n) {
    coro_yield();
    int s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s;
}

CORO static int run(void) {
    int squares[6] = { 0 };
    struct point p = { 1, 2 };
    struct tagged t = { 7, { 0.5, 1.5 } };
    struct line lines[3] = { { { 0, 0 }, { 1, 1 }, "a" }, { { 2, 2 }, { 3, 3 }, "b" } };
    long grid[3][4];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) grid[i][j] = i * 10 + j;
    for (int i = 0; i < 6; i++) {
        squares[i] = i * i;
        coro_yield();   /* squares live across: saved, reloaded */
        squares[i]++;
    }
    p = shifted(p, 5);             /* by value in, by value back, across the await */
    p.x += squares[5];
    coro_yield();
    t.weight[1] += p.y;
    lines[2].from = p;
    lines[2].name[0] = 'c';
    lines[2].name[1] = 0;
    coro_yield();
    grid[2][3] += lines[2].from.x;
    int rounds = 0;
    for (int r = 0; r < 3; r++) {
        int fresh[2] = { r, r * 2 };   /* a new value each iteration */
        coro_yield();
        rounds += fresh[0] + fresh[1] + (int)sizeof fresh;
    }
    /* these escape: a pointer into them crosses a suspension */
    int escaping[4] = { 4, 3, 2, 1 };
    int *alias = escaping;
    struct point q = { 9, 9 };
    struct point *qp = &q;
    coro_yield();
    alias[1] += 10;
    qp->y += 1;
    int total = sum_after_yield(escaping, 4);
    printf("squares=%d,%d,%d,%d,%d,%d p=(%d,%d)\n", squares[0], squares[1], squares[2], squares[3], squares[4],
           squares[5], p.x, p.y);
    printf("t=%d,%.1f,%.1f lines=%s,%s,%s@(%d,%d)\n", t.id, t.weight[0], t.weight[1], lines[0].name, lines[1].name,
           lines[2].name, lines[2].from.x, lines[2].from.y);
    printf("grid=%ld,%ld rounds=%d escaping=%d,%d total=%d q=(%d,%d)\n", grid[0][1], grid[2][3], rounds, escaping[1],
           alias[0], total, q.x, q.y);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
