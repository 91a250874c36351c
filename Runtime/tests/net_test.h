/*
 * net_test.h — loopback socket set-up shared by the socket tests
 * (test_io.c, test_badinput.c, test_net_stress.c, test_stackful_io.c), on top
 * of rt_test.h.  Set-up runs on the plain thread before (or outside) the
 * scheduler; a failed step is a failed CHECK of the current phase.
 */
#ifndef NET_TEST_H
#define NET_TEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "rt_test.h"

/* A TCP socket listening on 127.0.0.1 at a port the kernel picks; `*addr`
 * gets that address, for clients to connect to.  SO_REUSEADDR is set (as
 * test_net_stress.c always did) so a rerun is never refused by old
 * TIME_WAIT connections. */
static inline int net_listen_loopback(struct sockaddr_in *addr, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    *addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_EQ(bind(fd, (struct sockaddr *)addr, sizeof *addr), 0);
    CHECK_EQ(listen(fd, backlog), 0);
    socklen_t len = sizeof *addr;
    CHECK_EQ(getsockname(fd, (struct sockaddr *)addr, &len), 0);
    return fd;
}

#endif /* NET_TEST_H */
