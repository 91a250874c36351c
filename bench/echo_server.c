/*
 * echo_server.c — the TCP echo server of the echo benchmark, annotated C
 * translated by coroc: one coroutine per connection, read then write back.
 * Peers: epoll_server.c (hand-written epoll loop), go/netserver.go.
 * The load comes from echo_load.c (100 connections x 64 B round trips).
 * Usage: echo_server PORT   (serves 127.0.0.1:PORT until killed)
 */
#include <coro.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

CORO static void serve_conn(int fd) {
    char buf[512];
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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

CORO static int serve(int port) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        perror("echo_server: listen");
        return 1;
    }
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) { perror("echo_server: accept"); continue; }
        coro_go(serve_conn(fd));
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
    return coro_main(serve(atoi(argv[1])));
}
