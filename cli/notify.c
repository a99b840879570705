/*
 * notify.c — systemd's service notifications (sd_notify's protocol, not
 * libsystemd): a datagram "READY=1", "WATCHDOG=1" ... to the AF_UNIX socket
 * named by NOTIFY_SOCKET (a path, or an abstract name written with a
 * leading '@'). Without NOTIFY_SOCKET (not started by systemd, or not
 * Type=notify) every call does nothing.
 */
#include "cli/cli.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int gw_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    size_t len, n = strlen(state);
    ssize_t sent;
    int fd;

    if (path == NULL || (path[0] != '/' && path[0] != '@'))
        return 0;
    len = strlen(path);
    if (len >= sizeof(sa.sun_path))
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';   /* abstract: no terminating NUL counted */
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    sent = sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
                  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/')));
    close(fd);
    return sent == (ssize_t)n ? 1 : -1;
}

/* WATCHDOG_USEC when it is meant for this process (WATCHDOG_PID, when
 * set, is ours), in microseconds; else 0. */
static unsigned long long watchdog_usec(void)
{
    const char *v = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    unsigned long long us;
    char *end;

    if (v == NULL || *v < '0' || *v > '9')
        return 0;
    us = strtoull(v, &end, 10);
    if (*end != '\0')
        return 0;
    if (pid && *pid && strtoll(pid, NULL, 10) != (long long)getpid())
        return 0;
    return us;
}

void gw_notify_watchdog(void)
{
    static int checked;
    static unsigned long long every_us, last_us;
    struct timespec ts;
    unsigned long long now_us;

    if (!checked) {
        checked = 1;
        every_us = watchdog_usec() / 2;   /* at half the interval systemd waits */
    }
    if (every_us == 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now_us = (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
    if (last_us != 0 && now_us - last_us < every_us)
        return;
    last_us = now_us;
    gw_notify("WATCHDOG=1");
}
