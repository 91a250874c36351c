/* macro_args: arguments that are macro calls (NULL, a constant, a function-like
 * macro, O_RDONLY) in coroutine calls, spawns, coro_main and blocking-pool
 * calls.  Such an argument has no text of its own in libclang (its tokens are
 * spelled in the macro's definition); the translator copies the text between
 * the call's commas.  Before, spawns and coro_main printed `f_new(, )` and the
 * stackful blocking thunk `.a1 = ()`: the output did not compile. */
#include <coro.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define TWO 2
#define ADD(a, b) ((a) + (b))
#define SELF "/proc/self/exe"

CORO static void worker(int x, const char *tag, coro_chan *out) {
    coro_yield();
    long v = x * 10 + (tag ? (long)tag[0] - 'a' : 0);
    coro_chan_send(out, &v);
}

CORO static int leaf(int x, const char *s) {
    coro_yield();
    return x + (s == NULL ? 100 : (int)s[0]);
}

CORO static int root(int base, const char *unused) {
    coro_chan *out = coro_chan_new(sizeof(long), 0);
    int y = leaf(ADD(1, TWO), NULL);                 /* await: 103 */
    coro_go(worker(TWO, NULL, out));                 /* 20 */
    coro_go(worker(ADD(y, TWO), "b", out));          /* 1051 */
    coro_go(worker(ADD(base, TWO * 3), SELF + 13, out)); /* "e": (base + 6) * 10 + 4 */
    long total = 0;
    for (int i = 0; i < 3; i++) {
        long v;
        coro_chan_recv(out, &v);
        total += v;
    }
    int fd = open(SELF, O_RDONLY | O_CLOEXEC);       /* blocking pool */
    char magic[4] = {0};
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    printf("y=%d total=%ld read=%zd magic=%c%c%c unused=%s\n", y, total, n, magic[1], magic[2], magic[3],
           unused == NULL ? "NULL" : unused);
    coro_chan_free(out);
    return 0;
}

int main(void) {
    return coro_main(root(TWO, NULL));
}
