/* halfclose: the shape of issue 12.  A server coroutine accepts on
 * 127.0.0.1 and spawns an echo coroutine per connection (read until EOF,
 * write everything back, close).  Each client connects, sends one message,
 * shutdown(SHUT_WR)s, reads the echo into a 256-byte buffer until EOF, closes
 * and reports one byte on a pipe; run() reads the pipe until all reported.
 * Message lengths include 255, 256 and 257: ending just below, exactly at
 * and just above the clients' read buffer.
 *
 * Issue 12: the echo coroutine's first read returned the message short, and
 * the runtime's short-read rule then took the input queue for empty, though
 * the client's FIN was already queued behind the data (one epoll edge for
 * both): the read of EOF parked forever.  With the old rule 30 and 50 clients
 * usually passed and 1,000 hung.  The backlog is the round's client count:
 * with 128 and 1,000 simultaneous connects the kernel answers with SYN
 * cookies and resets some connections (nstat: TcpExtSyncookiesFailed),
 * which is not what this test is about. */
#include <coro.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BUF = 256 };

static int msg_len(int id) {
    static const int edge[] = {BUF - 1, BUF, BUF + 1, 1, 2 * BUF};
    if (id % 4 == 3) return edge[(id / 4) % 5];
    return 100 + id % 51;   /* 100..150 */
}

static char msg_byte(int id, int i) { return (char)('a' + (id * 7 + i) % 26); }

CORO static void echo(int fd) {
    char buf[BUF];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) perror("echo read");
        if (n <= 0) break;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0) { perror("echo write"); goto out; }
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
        coro_go(echo(fd));
    }
    close(lfd);
}

/* Reports 'k' (echo intact) or 'e' on the pipe. */
CORO static void client(int id, struct sockaddr_in addr, int report) {
    char status = 'e';
    char msg[2 * BUF], back[BUF];
    int len = msg_len(id);
    for (int i = 0; i < len; i++) msg[i] = msg_byte(id, i);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) goto done;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); goto out; }
    int off = 0;
    while (off < len) {
        ssize_t w = send(fd, msg + off, (size_t)(len - off), 0);
        if (w <= 0) { perror("send"); goto out; }
        off += (int)w;
    }
    if (shutdown(fd, SHUT_WR) < 0) goto out;
    int got = 0, seen = 0;
    for (;;) {
        ssize_t n = read(fd, back + got, (size_t)(BUF - got));
        if (n < 0) { perror("client read"); goto out; }
        if (n == 0) break;
        got += (int)n;
        if (got == BUF || seen + got >= len) {   /* check and consume the chunk */
            if (seen + got > len || memcmp(back, msg + seen, (size_t)got) != 0) { fprintf(stderr, "mismatch id %d len %d seen %d got %d\n", id, len, seen, got); goto out; }
            seen += got;
            got = 0;
        }
    }
    if (seen + got == len && got == 0) status = 'k';
out:
    close(fd);
done:
    write(report, &status, 1);
}

CORO static int round_of(int clients) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, clients) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
        perror("listen");
        return -1;
    }
    int p[2];
    if (pipe(p) < 0) { perror("pipe"); return -1; }
    coro_go(server(lfd, clients));
    for (int i = 0; i < clients; i++)
        coro_go(client(i, addr, p[1]));
    int ok = 0;
    for (int i = 0; i < clients; i++) {
        char c;
        if (read(p[0], &c, 1) != 1) { perror("read report"); break; }
        if (c == 'k') ok++;
    }
    close(p[0]);
    close(p[1]);
    return ok;
}

/* Rounds: 30, 50 and 1,000 clients (halfclose.expected), or the counts
 * given as arguments (scripts/halfclose-scale.sh: 500 and 5,000). */
CORO static int run(int argc, char **argv) {
    static const int defaults[] = {30, 50, 1000};
    int n = argc > 1 ? argc - 1 : 3;
    int bad = 0;
    for (int r = 0; r < n; r++) {
        int clients = argc > 1 ? atoi(argv[r + 1]) : defaults[r];
        int ok = round_of(clients);
        printf("%d clients: %d echoes intact\n", clients, ok);
        fflush(stdout);
        bad |= ok != clients;
    }
    return bad;
}

int main(int argc, char **argv) {
    return coro_main(run(argc, argv));
}
