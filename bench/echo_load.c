/*
 * echo_load.c — load client of the TCP echo benchmark: CONNS connections to
 * 127.0.0.1:PORT, each with one 64-byte message in flight: send it, wait for
 * all 64 bytes to come back, send the next.  One thread, epoll.  Runs for
 * SECONDS after every connection is up and reports completed round trips per
 * second over all connections.  Any byte that differs from what was sent is
 * an error (exit 1).
 * Prints "RESULT echo_rps <round trips/s>".
 * Usage: echo_load PORT [CONNS] [SECONDS]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "bench_util.h"

enum { MSG = 64 };

typedef struct {
    int fd;
    int got;
    unsigned char msg[MSG], back[MSG];
} client;

static int send_msg(client *c, unsigned seq) {
    memset(c->msg, (int)(seq & 0xFF), MSG);
    memcpy(c->msg, &seq, sizeof seq);
    c->got = 0;
    return write(c->fd, c->msg, MSG) == MSG ? 0 : -1;   /* 64 B always fits a fresh socket buffer */
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT [CONNS] [SECONDS]\n", argv[0]); return 2; }
    int conns = (int)bench_arg(argc, argv, 2, 100);
    double seconds = (double)bench_arg(argc, argv, 3, 3);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)atoi(argv[1]));

    client *cs = calloc((size_t)conns, sizeof *cs);
    int ep = epoll_create1(0);
    if (!cs || ep < 0) { perror("echo_load"); return 1; }
    int one = 1;
    for (int i = 0; i < conns; i++) {
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(cs[i].fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("echo_load: connect"); return 1; }
        setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    unsigned seq = 0;
    long done = 0;
    double start = bench_now_ns(), stop = start + seconds * 1e9, now = start;
    for (int i = 0; i < conns; i++)
        if (send_msg(&cs[i], seq++) < 0) { perror("echo_load: write"); return 1; }
    struct epoll_event events[256];
    while (now < stop) {
        int n = epoll_wait(ep, events, 256, 100);
        if (n < 0 && errno != EINTR) { perror("echo_load: epoll_wait"); return 1; }
        for (int k = 0; k < n; k++) {
            client *c = events[k].data.ptr;
            ssize_t r = read(c->fd, c->back + c->got, (size_t)(MSG - c->got));
            if (r <= 0) { fprintf(stderr, "echo_load: server closed a connection\n"); return 1; }
            c->got += (int)r;
            if (c->got < MSG) continue;
            if (memcmp(c->back, c->msg, MSG) != 0) { fprintf(stderr, "echo_load: wrong echo\n"); return 1; }
            done++;
            if (send_msg(c, seq++) < 0) { perror("echo_load: write"); return 1; }
        }
        now = bench_now_ns();
    }
    bench_result("echo_rps", (double)done / ((now - start) / 1e9));
    for (int i = 0; i < conns; i++) close(cs[i].fd);
    return 0;
}
