/* Proves: a macro that hides a suspend point and uses # or ## is an error at
 * the macro call (coroc does not reproduce stringizing/pasting), not a silent
 * mis-expansion. */
#include <coro.h>
#include <unistd.h>

#define READ_NAMED(fd, b) (log_name(#b), read(fd, b, sizeof(b)))
#define READ_PASTED(fd, b) read(fd, b##_buf, sizeof(b##_buf))

static void log_name(const char *name) { (void)name; }

CORO static long co(int fd) {
    char in_buf[16];
    long n = /*1️⃣*/READ_NAMED(fd, in_buf);
    n += /*2️⃣*/READ_PASTED(fd, in);
    return n;
}
