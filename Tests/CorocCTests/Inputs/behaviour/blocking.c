/* Proves blocking-pool calls (open, pwrite, pread, fsync): results come back
 * and errno holds the call's error after a failing open (expected output). */
#include <coro.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

CORO static int run(void) {
    char path[] = "/tmp/coroc-blocking-XXXXXX";
    int tmp = mkstemp(path);
    if (tmp < 0) return 1;
    int fd = open(path, O_RDWR);
    ssize_t w = pwrite(fd, "hello world", 11, 0);
    int synced = fsync(fd);
    char buf[6] = { 0 };
    ssize_t r = pread(fd, buf, 5, 6);
    close(fd);
    close(tmp);
    unlink(path);
    int bad = open("/nonexistent/coroc/file", O_RDONLY);
    int err = errno;
    printf("w=%zd synced=%d r=%zd buf=%s bad=%d enoent=%d\n", w, synced, r, buf, bad, err == ENOENT);
    return 0;
}

int main(void) {
    return coro_main(run());
}
