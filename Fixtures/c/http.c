/* http: an HTTP/1.1 "hello" server with keep-alive.  With `--serve PORT` it
 * serves forever for an external load generator (the benchmark's wrk runs);
 * otherwise it serves 50 loopback client coroutines, 4 requests each, checks
 * every response and exits. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem */
#endif
#include <coro.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CLIENTS = 50, REQUESTS = 4 };

static const char response[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "Hello, world!";

struct stats {
    coro_wg done;
    int ok, errors;
};

/* Serves one connection: answers every complete request (ends with \r\n\r\n). */
CORO static void serve_conn(int fd) {
    char buf[4096];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - have);
        if (n <= 0) break;
        have += (size_t)n;
        char *end;
        while ((end = memmem(buf, have, "\r\n\r\n", 4)) != NULL) {
            size_t used = (size_t)(end + 4 - buf);
            if (write(fd, response, sizeof response - 1) < 0) goto out;
            memmove(buf, buf + used, have - used);
            have -= used;
        }
        if (have == sizeof buf) break;   /* request too large: drop the peer */
    }
out:
    close(fd);
}

CORO static void server(int lfd, long conns) {
    for (long i = 0; conns < 0 || i < conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) { perror("accept"); if (conns >= 0) break; else continue; }
        coro_go(serve_conn(fd));
    }
    close(lfd);
}

CORO static void client(struct sockaddr_in addr, struct stats *st) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
        if (fd >= 0) close(fd);
        coro_wg_done(&st->done);
        return;
    }
    static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for (int r = 0; r < REQUESTS; r++) {
        if (write(fd, request, sizeof request - 1) < 0) break;
        char buf[256];
        size_t got = 0, want = sizeof response - 1;
        while (got < want) {
            ssize_t n = read(fd, buf + got, want - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == want && memcmp(buf, response, want) == 0)
            __atomic_fetch_add(&st->ok, 1, __ATOMIC_RELAXED);
        else
            __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
    }
    close(fd);
    coro_wg_done(&st->done);
}

CORO static int run(int port) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
        perror("listen");
        return 1;
    }
    if (port > 0) {
        fprintf(stderr, "serving on 127.0.0.1:%d\n", port);
        coro_go(server(lfd, -1));
        return 0;
    }
    struct stats st;
    st.ok = 0;
    st.errors = 0;
    coro_wg_init(&st.done);
    coro_wg_add(&st.done, CLIENTS);
    coro_go(server(lfd, CLIENTS));
    for (int i = 0; i < CLIENTS; i++)
        coro_go(client(addr, &st));
    coro_wg_wait(&st.done);
    printf("%d requests answered, %d errors\n", st.ok, st.errors);
    return st.errors != 0;
}

int main(int argc, char **argv) {
    int port = 0;
    if (argc == 3 && strcmp(argv[1], "--serve") == 0) port = atoi(argv[2]);
    else if (argc != 1) { fprintf(stderr, "usage: %s [--serve PORT]\n", argv[0]); return 2; }
    return coro_main(run(port));
}
