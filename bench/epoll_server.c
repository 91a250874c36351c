/*
 * epoll_server.c — the hand-written peer of the network benchmarks: one
 * thread, one epoll instance, non-blocking sockets, edge-triggered (a short
 * read means drained: more data brings a new edge), a small state record per
 * connection.  It does what the translated servers do
 * (Fixtures/c/http.c, echo_server.c) with nothing in between: no scheduler,
 * no coroutines, no frames.
 *   http  answer every request that ends with \r\n\r\n with a fixed
 *         "Hello, world!" response (keep-alive)
 *   echo  write back what was read
 * Connections are registered for EPOLLIN only; a write that does not complete
 * keeps the rest in `out`, adds EPOLLOUT until it is flushed, and reads no
 * more meanwhile (back-pressure).  Asking for EPOLLOUT all the time would
 * cost a wake-up per ACK.
 * Usage: epoll_server http|echo PORT   (serves 127.0.0.1:PORT until killed)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char response[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "Hello, world!";

typedef struct conn {
    int fd;
    size_t have;           /* bytes of an unfinished request in in[] (http) */
    size_t out_len, out_off;
    int watching_out;      /* EPOLLOUT is in the interest set */
    char in[4096];
    char out[8192];        /* pending output while the socket is full */
} conn;

static int http_mode;
static int ep;

static void watch_out(conn *c, int on) {
    if (c->watching_out == on) return;
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET | (on ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->watching_out = on;
}

static void drop(conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Queue bytes for c; 0, or -1 when the peer is gone or floods us. */
static int emit(conn *c, const char *p, size_t n) {
    if (c->out_len == c->out_off) {
        ssize_t w = write(c->fd, p, n);
        if (w < 0 && errno != EAGAIN) return -1;
        if (w < 0) w = 0;
        p += w;
        n -= (size_t)w;
        c->out_len = c->out_off = 0;
    }
    if (n == 0) return 0;
    if (c->out_len + n > sizeof c->out) return -1;
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

/* Reads what is there and answers it; -1 closes the connection. */
static int on_readable(conn *c) {
    for (;;) {
        char *dst = http_mode ? c->in + c->have : c->in;
        size_t room = http_mode ? sizeof c->in - c->have : sizeof c->in;
        ssize_t n = read(c->fd, dst, room);
        if (n == 0) return -1;
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        if (!http_mode) {
            if (emit(c, c->in, (size_t)n) < 0) return -1;
        } else {
            c->have += (size_t)n;
            char *end;
            while ((end = memmem(c->in, c->have, "\r\n\r\n", 4)) != NULL) {
                size_t used = (size_t)(end + 4 - c->in);
                if (emit(c, response, sizeof response - 1) < 0) return -1;
                memmove(c->in, c->in + used, c->have - used);
                c->have -= used;
            }
            if (c->have == sizeof c->in) return -1;   /* request too large */
        }
        if (c->out_len != c->out_off) { watch_out(c, 1); return 0; }   /* flush first */
        if ((size_t)n < room) return 0;             /* drained the socket */
    }
}

static int on_writable(conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (w < 0) return errno == EAGAIN ? 0 : -1;
        c->out_off += (size_t)w;
    }
    c->out_len = c->out_off = 0;
    watch_out(c, 0);
    return on_readable(c);
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "http") != 0 && strcmp(argv[1], "echo") != 0)) {
        fprintf(stderr, "usage: %s http|echo PORT\n", argv[0]);
        return 2;
    }
    http_mode = strcmp(argv[1], "http") == 0;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        perror("epoll_server: listen");
        return 1;
    }
    ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };   /* NULL = listener */
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            conn *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    if (!nc) { close(fd); continue; }
                    nc->fd = fd;
                    struct epoll_event cev = { .events = EPOLLIN | EPOLLET, .data.ptr = nc };
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            int r = 0;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) r = -1;
            if (r == 0 && (events[i].events & EPOLLOUT) && c->out_len != c->out_off) r = on_writable(c);
            else if (r == 0 && (events[i].events & EPOLLIN)) r = on_readable(c);
            if (r < 0) drop(c);
        }
    }
}
