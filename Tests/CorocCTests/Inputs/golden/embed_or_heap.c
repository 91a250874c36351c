/* Proves the choice of child frames: caller embeds the frames of leaf and rec
 * (defined earlier, no cycle through caller), while rec's calls of itself are
 * a cycle and use heap frames (rec_new / rec_result / coro_frame_free). */
#include <coro.h>

CORO static int leaf(int x) { coro_yield(); return x + 1; }

CORO static int rec(int n) { return n == 0 ? 0 : rec(n - 1) + 1; }

CORO static int caller(void) { return leaf(1) + rec(3); }
