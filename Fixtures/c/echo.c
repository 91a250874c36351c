/* echo: a TCP echo server on 127.0.0.1 (port 0) and 100 client coroutines
 * that each send 10 messages and check every echo; accept, read and write
 * suspend on the poller instead of blocking a worker. */
#include <coro.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CLIENTS = 100, MESSAGES = 10 };

struct stats {
    coro_wg clients_done;
    int ok, errors;
};

CORO static void serve_conn(int fd) {
    char buf[512];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0) goto out;
            off += w;
        }
    }
out:
    close(fd);
}

CORO static void server(int lfd, int conns) {
    for (int i = 0; i < conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) { perror("accept"); break; }
        coro_go(serve_conn(fd));
    }
    close(lfd);
}

CORO static void client(int id, struct sockaddr_in addr, struct stats *st) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
        if (fd >= 0) close(fd);
        coro_wg_done(&st->clients_done);
        return;
    }
    for (int m = 0; m < MESSAGES; m++) {
        char msg[64], back[64];
        int len = snprintf(msg, sizeof msg, "client %d message %d", id, m);
        if (write(fd, msg, (size_t)len) != len) { __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED); break; }
        int got = 0;
        while (got < len) {
            ssize_t n = read(fd, back + got, (size_t)(len - got));
            if (n <= 0) break;
            got += (int)n;
        }
        if (got == len && memcmp(msg, back, (size_t)len) == 0) __atomic_fetch_add(&st->ok, 1, __ATOMIC_RELAXED);
        else __atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
    }
    close(fd);
    coro_wg_done(&st->clients_done);
}

CORO static int run(void) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 128) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
        perror("listen");
        return 1;
    }
    struct stats st;
    st.ok = 0;
    st.errors = 0;
    coro_wg_init(&st.clients_done);
    coro_wg_add(&st.clients_done, CLIENTS);
    coro_go(server(lfd, CLIENTS));
    for (int i = 0; i < CLIENTS; i++)
        coro_go(client(i, addr, &st));
    coro_wg_wait(&st.clients_done);
    printf("%d clients, %d messages echoed, %d errors\n", CLIENTS, st.ok, st.errors);
    return st.errors != 0;
}

int main(void) {
    return coro_main(run());
}
