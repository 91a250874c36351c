/* Proves: under _GNU_SOURCE glibc declares accept/connect/bind with a
 * transparent-union parameter (__SOCKADDR_ARG), for which clang builds an
 * implicit compound literal around the argument; that argument must be passed
 * as written, not moved into the frame like a real compound literal.
 * A loopback server and client exchange one message. */
#define _GNU_SOURCE
#include <coro.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

CORO static void server(int lfd) {
    int fd = accept(lfd, NULL, NULL);
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) write(fd, buf, (size_t)n);
    close(fd);
    close(lfd);
}

CORO static int run(void) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
        return 1;
    coro_go(server(lfd));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return 2;
    write(fd, "ping", 4);
    char back[8] = {0};
    ssize_t n = read(fd, back, sizeof back - 1);
    printf("echoed %zd bytes: %s\n", n, back);
    close(fd);
    return 0;
}

int main(void) {
    return coro_main(run());
}
