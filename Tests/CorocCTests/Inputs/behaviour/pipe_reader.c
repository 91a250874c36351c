/* Proves the vertical slice: a coroutine reads a pipe in a loop (read is a
 * suspend point in a loop condition's neighbour), counts lines, and coro_main
 * returns its result; the output equals the untranslated sequential program. */
#include <coro.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

CORO static long count_lines(int fd) {
    char buf[16];
    long lines = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\n') lines++;
    }
    printf("lines %ld\n", lines);
    return lines;
}

int main(void) {
    int p[2];
    if (pipe(p) != 0) return 1;
    const char *text = "one\ntwo\nthree\nfour five six seven eight nine ten\n";
    if (write(p[1], text, strlen(text)) < 0) return 1;
    close(p[1]);
    int status = coro_main(count_lines(p[0]));
    printf("status %d\n", status);
    return 0;
}
