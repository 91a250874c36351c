/* A pipeline over a pipe: a writer coroutine feeds text into a pipe, a reader
 * coroutine counts words; both suspend on the pipe instead of blocking. */
#include <coro.h>
#include <ctype.h>
#include <string.h>
#include <unistd.h>
#include "report.h"

CORO static void writer(int fd, int copies) {
    static const char text[] = "the quick brown fox jumps over the lazy dog\n";
    for (int i = 0; i < copies; i++) {
        if (write(fd, text, sizeof text - 1) < 0) break;
    }
    close(fd);
}

CORO static long reader(int fd) {
    char buf[256];
    long words = 0;
    int in_word = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            int letter = !isspace((unsigned char)buf[i]);
            if (letter && !in_word) words++;
            in_word = letter;
        }
    }
    close(fd);
    return words;
}

CORO static int run(void) {
    int p[2];
    if (pipe(p) < 0) return 1;
    coro_go(writer(p[1], 1000));
    report("words", reader(p[0]));
    return 0;
}

int main(void) {
    return coro_main(run());
}
