/*
 * chat-group-load: the chat benchmark's paced group cell, driven from one epoll thread in C, so the
 * load generator costs the 2-core machine as little as it can and the server's share is what is
 * measured. It does what ChatLoad does for that cell, and checks the same things: N users u0..u(N-1)
 * (seeded beforehand, same password) connect from 127.0.0.2 upwards (16 users an address: the
 * server's LOGIN limit is per address) and log in; S of them send SAY <seq> <scheduled-ns> at R
 * messages a second together, on schedule (an open loop: a late send keeps its scheduled time, so
 * a stall shows in the latency); every user checks that each GROUP line comes from a sender, in
 * that sender's order, and records scheduled-send to arrival. After the window the senders stop and
 * everything must arrive within 10 s; lost (never arrived) must be 0.
 *
 * The same cell runs against an IRC server (ngircd, the in-memory alternative), with everyone in one
 * channel and PRIVMSG to it as the group message: same users, rate, order checks and histogram.
 *
 * Build: gcc -O2 -o chat-group-load chat-group-load.c
 * Usage: chat-group-load <chat|irc> <port> <users> <senders> <rate> <warmup s> <window s> <password> <server pid>
 * Prints one line: deliveries/s in the window, delivery p50/p99/p99.9 (ms), lost, reordered, and
 * the server's CPU and this process's (user + system, over the window) per delivery.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IN_BYTES 65536
#define USERS_PER_ADDRESS 16
#define HIST_US 2000000 /* latency histogram: 1 us buckets up to 2 s, the last one open */

enum state { CONNECTING, HELLO, LOGGING_IN, READY };

struct client {
    int fd, index, state, slot;
    int in_len;
    long sent, acked;
    long *expect; /* per sender slot: next sequence number expected */
    long received;
    long last_id;
    char in[IN_BYTES];
};

static struct client *clients;
static int users, senders;
/* Which server: the jevent chat room, or an IRC server (ngircd) with everyone in one channel. */
static int irc;
static long hist[HIST_US + 1];
static long in_window, reordered, delivered_total;
static int64_t window_start, window_end;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what, int index) {
    fprintf(stderr, "chat-group-load: u%d: %s (%s)\n", index, what, errno ? strerror(errno) : "");
    exit(1);
}

static void send_all(struct client *c, const char *s, int n) {
    /* Commands are short and the server reads them at once: a partial write means it is stuck. */
    int w = (int) write(c->fd, s, n);
    if (w != n) {
        die("short write to the server", c->index);
    }
}

static int parse_long(const char **p, const char *end, long *out) {
    long x = 0;
    const char *q = *p;
    if (q >= end || *q < '0' || *q > '9') {
        return -1;
    }
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        x = x * 10 + (*q - '0');
    }
    *out = x;
    *p = q < end ? q + 1 : q;
    return 0;
}

static void check(struct client *c, long sender, long seq, long id, long sent, int64_t at);

/* GROUP u<sender> <id> <epoch-ms> <seq> <scheduled-ns> */
static void delivery(struct client *c, const char *p, const char *end, int64_t at) {
    long sender, id, ms, seq, sent;
    if (*p++ != 'u' || parse_long(&p, end, &sender) || parse_long(&p, end, &id) || parse_long(&p, end, &ms)
            || parse_long(&p, end, &seq) || parse_long(&p, end, &sent)) {
        die("a GROUP line that is not the load's", c->index);
    }
    check(c, sender, seq, id, sent, at);
}

static void check(struct client *c, long sender, long seq, long id, long sent, int64_t at) {
    if (sender >= senders || sender == c->index) {
        die("a group line from a user who does not send to it", c->index);
    }
    if (seq != c->expect[sender] || (!irc && id <= c->last_id)) {
        reordered++;
    }
    c->expect[sender] = seq + 1;
    c->last_id = id;
    c->received++;
    delivered_total++;
    if (at >= window_start && at < window_end) {
        int64_t us = (at - sent) / 1000;
        hist[us < 0 ? 0 : us > HIST_US ? HIST_US : us]++;
        in_window++;
    }
}

/*
 * IRC: ":u<sender>!<user>@<host> PRIVMSG #load :<seq> <scheduled-ns>" is a delivery; the welcome's
 * end (376 end of MOTD, or 422 no MOTD) means join the channel; 366 (end of NAMES) means joined.
 * IRC has no acknowledgement and no message id: order is checked per sender only.
 */
static void irc_line(struct client *c, const char *s, const char *e, int64_t at, int *ready) {
    char buf[64];
    if (e - s >= 4 && memcmp(s, "PING", 4) == 0) {
        int n = snprintf(buf, sizeof buf, "PONG%.*s\r\n", (int) (e - s - 4 > 40 ? 40 : e - s - 4), s + 4);
        send_all(c, buf, n);
        return;
    }
    const char *sp = memchr(s, ' ', e - s);
    if (sp == NULL) {
        return;
    }
    const char *cmd = sp + 1;
    if (e - cmd > 8 && memcmp(cmd, "PRIVMSG ", 8) == 0) {
        const char *p = s + 2, *text = memmem(cmd, e - cmd, " :", 2);
        long sender, seq, sent;
        if (s[1] != 'u' || parse_long(&p, sp, &sender) || text == NULL) {
            die("a PRIVMSG that is not the load's", c->index);
        }
        p = text + 2;
        if (parse_long(&p, e, &seq) || parse_long(&p, e, &sent)) {
            die("a PRIVMSG that is not the load's", c->index);
        }
        check(c, sender, seq, 0, sent, at);
    } else if (e - cmd >= 4 && (memcmp(cmd, "376 ", 4) == 0 || memcmp(cmd, "422 ", 4) == 0)) {
        if (c->index < senders) {
            /* IRC servers throttle a client to about a line a second; ngircd's user mode +F (relaxed
               flood protection, for operators only) lets a sender keep the cell's rate. */
            int n = snprintf(buf, sizeof buf, "OPER load load\r\nMODE u%d +F\r\n", c->index);
            send_all(c, buf, n);
        }
        send_all(c, "JOIN #load\r\n", 12);
        c->state = LOGGING_IN;
    } else if (e - cmd >= 4 && memcmp(cmd, "366 ", 4) == 0) {
        c->state = READY;
        ++*ready;
    } else if (e - cmd >= 4 && cmd[0] >= '4' && cmd[0] <= '5' && cmd[3] == ' ') {
        fprintf(stderr, "u%d got: %.*s\n", c->index, (int) (e - s), s);
        die("an IRC error reply", c->index);
    }
}

static void line(struct client *c, const char *s, const char *e, int64_t at, const char *password, int *ready) {
    char buf[128];
    if (irc) {
        irc_line(c, s, e > s && e[-1] == '\r' ? e - 1 : e, at, ready);
    } else if (e - s > 6 && memcmp(s, "GROUP ", 6) == 0) {
        delivery(c, s + 6, e, at);
    } else if (e - s >= 5 && memcmp(s, "HELLO", 5) == 0) {
        int n = snprintf(buf, sizeof buf, "LOGIN u%d %s\n", c->index, password);
        send_all(c, buf, n);
        c->state = LOGGING_IN;
    } else if (e - s > 11 && memcmp(s, "OK welcome ", 11) == 0) {
        c->state = READY;
        ++*ready;
    } else if (e - s > 8 && memcmp(s, "OK sent ", 8) == 0) {
        c->acked++;
    } else if (e - s >= 4 && (memcmp(s, "JOIN", 4) == 0 || memcmp(s, "PART", 4) == 0 || memcmp(s, "TOKE", 4) == 0)) {
        /* others logging in and out, the resume token: not the load's business */
    } else {
        fprintf(stderr, "u%d got: %.*s\n", c->index, (int) (e - s), s);
        die("an unexpected line", c->index);
    }
}

static void readable(struct client *c, const char *password, int *ready) {
    ssize_t n = read(c->fd, c->in + c->in_len, IN_BYTES - c->in_len);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        die("the server closed the connection", c->index);
    }
    int64_t at = now_ns();
    int end = c->in_len + (int) n, start = 0;
    for (int i = c->in_len; i < end; i++) {
        if (c->in[i] == '\n') {
            line(c, c->in + start, c->in + i, at, password, ready);
            start = i + 1;
        }
    }
    if (start == 0 && end == IN_BYTES) {
        die("a line longer than the input buffer", c->index);
    }
    memmove(c->in, c->in + start, end - start);
    c->in_len = end - start;
}

static int open_client(struct client *c, int ep, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    int a = 2 + c->index / USERS_PER_ADDRESS;
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000000 | a)};
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *) &src, sizeof src) != 0) {
        die("bind", c->index);
    }
    if (connect(fd, (struct sockaddr *) &dst, sizeof dst) != 0 && errno != EINPROGRESS) {
        die("connect", c->index);
    }
    c->fd = fd;
    c->state = CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return fd;
}

static double percentile(double q) {
    long want = (long) (q * in_window), seen = 0;
    for (int i = 0; i <= HIST_US; i++) {
        seen += hist[i];
        if (seen > want) {
            return i / 1000.0;
        }
    }
    return HIST_US / 1000.0;
}

/* CPU seconds (user + system) of process pid so far, from /proc/<pid>/stat, or -1. */
static double process_cpu_seconds(long pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');   /* the command name may hold spaces; fields count from its end */
    unsigned long utime, stime;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
        return -1;
    }
    return (double) (utime + stime) / sysconf(_SC_CLK_TCK);
}

static double cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 10 || (strcmp(argv[1], "chat") != 0 && strcmp(argv[1], "irc") != 0)) {
        fprintf(stderr, "usage: chat-group-load <chat|irc> <port> <users> <senders> <rate> <warmup s> <window s> <password>"
                        " <server pid>\n");
        return 2;
    }
    irc = strcmp(argv[1], "irc") == 0;
    argv++;
    int port = atoi(argv[1]);
    users = atoi(argv[2]);
    senders = atoi(argv[3]);
    double rate = atof(argv[4]);
    double warmup = atof(argv[5]), window = atof(argv[6]);
    const char *password = argv[7];
    long server_pid = atol(argv[8]);
    int64_t period = (int64_t) (1e9 * senders / rate);
    clients = calloc(users, sizeof *clients);
    int ep = epoll_create1(0), ready = 0, connected = 0, opened = 0;
    struct epoll_event events[256];

    /* Log everyone in, 100 connects under way at a time (the server's backlog is 511). */
    int64_t deadline = now_ns() + 120 * 1000000000LL;
    while (ready < users) {
        while (opened < users && opened - connected < 100) {
            clients[opened].index = opened;
            clients[opened].expect = calloc(senders, sizeof(long));
            open_client(&clients[opened], ep, port);
            opened++;
        }
        int n = epoll_wait(ep, events, 256, 10);
        for (int i = 0; i < n; i++) {
            struct client *c = events[i].data.ptr;
            if (c->state == CONNECTING && (events[i].events & (EPOLLOUT | EPOLLERR))) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    errno = err;
                    die("connect", c->index);
                }
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                c->state = HELLO;
                connected++;
                if (irc) {
                    char buf[96];
                    int len = snprintf(buf, sizeof buf, "NICK u%d\r\nUSER u%d 0 * :load user %d\r\n", c->index, c->index,
                                       c->index);
                    send_all(c, buf, len);
                }
            }
            if (events[i].events & EPOLLIN) {
                readable(c, password, &ready);
            }
        }
        if (now_ns() > deadline) {
            fprintf(stderr, "only %d of %d users logged in after 120 s\n", ready, users);
            return 1;
        }
    }

    /* Run: senders 0..S-1, staggered over one period; the window follows the warm-up. */
    int64_t start = now_ns();
    int64_t *next_at = calloc(senders, sizeof *next_at);
    for (int s = 0; s < senders; s++) {
        next_at[s] = start + period * s / senders;
    }
    window_start = start + (int64_t) (warmup * 1e9);
    window_end = window_start + (int64_t) (window * 1e9);
    double cpu_start = 0, server_start = 0;
    int measuring = 0;
    long window_sent = 0;
    for (;;) {
        int64_t t = now_ns();
        if (!measuring && t >= window_start) {
            measuring = 1;
            cpu_start = cpu_seconds();
            server_start = process_cpu_seconds(server_pid);
        }
        if (t >= window_end) {
            break;
        }
        int64_t soonest = window_end;
        for (int s = 0; s < senders; s++) {
            while (next_at[s] <= t) {
                char buf[64];
                struct client *c = &clients[s];
                int len = snprintf(buf, sizeof buf, irc ? "PRIVMSG #load :%ld %lld\r\n" : "SAY %ld %lld\n", c->sent,
                                   (long long) next_at[s]);
                send_all(c, buf, len);
                c->sent++;
                if (next_at[s] >= window_start && next_at[s] < window_end) {
                    window_sent++;
                }
                next_at[s] += period;
            }
            if (next_at[s] < soonest) {
                soonest = next_at[s];
            }
        }
        /* Sleep no later than the next send: epoll_wait's millisecond timeout rounds up. */
        int64_t wait_ns = soonest - now_ns();
        int timeout = wait_ns <= 0 ? 0 : (int) (wait_ns / 1000000);
        int n = epoll_wait(ep, events, 256, timeout);
        for (int i = 0; i < n; i++) {
            readable(events[i].data.ptr, password, &ready);
        }
    }
    double cpu = cpu_seconds() - cpu_start;
    double server_cpu = process_cpu_seconds(server_pid) - server_start;

    /* Drain: every message sent must reach every other user within 10 s. */
    long total_sent = 0;
    for (int s = 0; s < senders; s++) {
        total_sent += clients[s].sent;
    }
    long expected = total_sent * (users - 1);
    deadline = now_ns() + 10 * 1000000000LL;
    while (delivered_total < expected && now_ns() < deadline) {
        int n = epoll_wait(ep, events, 256, 10);
        for (int i = 0; i < n; i++) {
            readable(events[i].data.ptr, password, &ready);
        }
    }
    printf("%s group %du, %d senders, %.0f msgs/s: %.0f deliveries/s, delivery p50 %.2f / p99 %.2f / p99.9 %.2f ms,"
           " lost %ld, reordered %ld, server CPU %.2f us/delivery (%.2f cores), load CPU %.2f us/delivery (%.2f cores)\n",
           irc ? "irc " : "chat", users, senders, rate, in_window / window, percentile(0.50), percentile(0.99), percentile(0.999),
           expected - delivered_total, reordered, server_cpu * 1e6 / (in_window ? in_window : 1), server_cpu / window,
           cpu * 1e6 / (in_window ? in_window : 1), cpu / window);
    return expected == delivered_total && reordered == 0 ? 0 : 1;
}
