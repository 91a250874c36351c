/* Proves: a macro that hides a suspend point, or has one in an argument, and
 * stringizes (#) or pastes (##) is spelled out as the preprocessor would do it:
 * `#e` prints the argument as written (whitespace runs one space, quotes and
 * backslashes of its literals escaped), not the rewritten text, and `b##_buf`
 * names the local.  (It was an error, "coroc cannot expand"; arguments were
 * printed as rewritten, e.g. "coro_write(...)" in stackful mode.) */
#include <coro.h>
#include <stdio.h>
#include <unistd.h>

#define READ_NAMED(fd, b) (log_name(#b), read(fd, b, sizeof(b)))
#define READ_PASTED(fd, b) read(fd, b##_buf, sizeof(b##_buf))
#define SHOW(e) printf("%s = %ld\n", #e, (long)(e))

static void log_name(const char *name) { printf("reading %s\n", name); }

CORO static long co(int fd) {
    char in_buf[3];
    long n = READ_NAMED(fd, in_buf);
    n += READ_PASTED(fd, in);
    SHOW( read(fd,   in_buf,
               2)  + 0 );
    SHOW(write(1, "\"q\" \\ '\\''\n", 9));
    return n;
}

CORO static int root(void) {
    int p[2];
    if (pipe(p) != 0) return 1;
    if (write(p[1], "abcdefgh", 8) != 8) return 1;
    close(p[1]);
    printf("total %ld\n", co(p[0]));
    close(p[0]);
    return 0;
}

int main(void) { return coro_main(root()); }
