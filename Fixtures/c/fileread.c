/* fileread: regular files cannot be waited on with epoll, so open, write,
 * read and fsync of a file go to the runtime's blocking pool while the
 * coroutine is parked; a ticker keeps running meanwhile. */
#include <coro.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

CORO static void ticker(volatile int *stop, int *ticks) {
    while (!*stop) {
        coro_sleep_ms(1);
        ++*ticks;
    }
}

CORO static int run(void) {
    char path[] = "/tmp/coroc-fileread-XXXXXX";
    int tmp = mkstemp(path);
    if (tmp < 0) { perror("mkstemp"); return 1; }
    close(tmp);
    volatile int stop = 0;
    int ticks = 0;
    coro_go(ticker(&stop, &ticks));

    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) { perror("open"); return 1; }
    char line[64];
    for (int i = 1; i <= 2000; i++) {
        int len = snprintf(line, sizeof line, "line %d of the test file\n", i);
        if (write(fd, line, (size_t)len) != len) { perror("write"); return 1; }
    }
    fsync(fd);
    close(fd);

    fd = open(path, O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    char buf[1000];
    long bytes = 0, lines = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        bytes += n;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\n') lines++;
    }
    close(fd);
    unlink(path);
    stop = 1;
    printf("read %ld lines, %ld bytes\n", lines, bytes);
    printf("missing file: %s\n", open("/nonexistent/coroc", O_RDONLY) < 0 ? "error as expected" : "opened?!");
    return 0;
}

int main(void) {
    return coro_main(run());
}
