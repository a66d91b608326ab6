// peak-rss: run a command, report its wall time and peak memory.
//
//   peak-rss RESULT_FILE COMMAND [ARGS...]
//
// Forks, execs COMMAND (stdio inherited), waits with wait4() and writes one line
//   <wall_ns> <maxrss_kib> <exit_status>
// to RESULT_FILE, where exit_status is the exit code, or 128+signal if killed.
// Wall time runs from just before fork() to the return of wait4(), so it
// includes process start-up. ru_maxrss from wait4() is the peak resident set of
// the child, or of the largest of its own waited-for children (so for gcore, a
// shell script, it is gdb's peak). Using wait4 avoids any dependency on
// /usr/bin/time.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: peak-rss RESULT_FILE COMMAND [ARGS...]\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        fprintf(stderr, "peak-rss: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }

    long long start = now_ns();
    pid_t child = fork();
    if (child < 0) {
        perror("peak-rss: fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peak-rss: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }

    int status;
    struct rusage ru;
    while (wait4(child, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("peak-rss: wait4");
            return 2;
        }
    }
    long long wall = now_ns() - start;

    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(out, "%lld %ld %d\n", wall, ru.ru_maxrss, code);
    fclose(out);
    return code;
}
