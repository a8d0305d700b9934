/*
 * nodelay.so: LD_PRELOAD shim that sets TCP_NODELAY on every socket a server accepts, so a server
 * that does not (ngircd) is compared with the chat server, which does, on equal terms: without it a
 * small write can wait for the peer's delayed ACK.
 *
 * Build: gcc -O2 -shared -fPIC -o nodelay.so nodelay.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>

static int nodelay(int fd) {
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   /* not TCP (a Unix socket): no-op */
    }
    return fd;
}

int accept(int s, struct sockaddr *a, socklen_t *l) {
    static int (*real)(int, struct sockaddr *, socklen_t *);
    if (real == NULL) {
        real = (int (*)(int, struct sockaddr *, socklen_t *)) dlsym(RTLD_NEXT, "accept");
    }
    return nodelay(real(s, a, l));
}

int accept4(int s, struct sockaddr *a, socklen_t *l, int flags) {
    static int (*real)(int, struct sockaddr *, socklen_t *, int);
    if (real == NULL) {
        real = (int (*)(int, struct sockaddr *, socklen_t *, int)) dlsym(RTLD_NEXT, "accept4");
    }
    return nodelay(real(s, a, l, flags));
}
