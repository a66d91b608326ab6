// plain-copy: the "plain limit" for a full dump.
//
//   plain-copy PID OUTPUT_FILE
//
// Copies every readable mapping of /proc/PID/maps into OUTPUT_FILE with
// process_vm_readv, in 8 MiB chunks, and prints "<bytes> bytes copied". No
// ptrace stop, no headers, no notes: just the bytes a full dump has to move,
// moved as cheaply as the kernel allows. A full dumper cannot be expected to
// beat this; the benchmark reports how far above it a dumper lands.
//
// Skipped: mappings without 'r', and [vvar], [vvar_vclock], [vsyscall] (kernel
// pages that process_vm_readv cannot, or should not, read). Ranges that fail to
// read (e.g. a file mapping past the end of a truncated file) are skipped a page
// at a time, as a dumper would have to.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHUNK (8UL << 20)
#define PAGE 4096UL

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: plain-copy PID OUTPUT_FILE\n");
        return 2;
    }
    pid_t pid = (pid_t)atoi(argv[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *maps = fopen(path, "r");
    if (!maps) {
        fprintf(stderr, "plain-copy: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0) {
        fprintf(stderr, "plain-copy: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    char *buf = malloc(CHUNK);
    if (!buf) {
        fprintf(stderr, "plain-copy: out of memory\n");
        return 1;
    }

    uint64_t copied = 0, skipped = 0;
    char line[4096];
    while (fgets(line, sizeof line, maps)) {
        uint64_t lo, hi;
        char perms[8];
        int name_at = 0;
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %n", &lo, &hi, perms, &name_at) < 3)
            continue;
        const char *name = name_at ? line + name_at : "";
        if (perms[0] != 'r') continue;
        if (!strncmp(name, "[vvar]", 6) || !strncmp(name, "[vvar_vclock]", 13) ||
            !strncmp(name, "[vsyscall]", 10))
            continue;

        uint64_t at = lo;
        while (at < hi) {
            size_t want = (size_t)(hi - at < CHUNK ? hi - at : CHUNK);
            struct iovec local = {buf, want};
            struct iovec remote = {(void *)(uintptr_t)at, want};
            ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
            if (got < 0) {
                if (errno == ESRCH) {
                    fprintf(stderr, "plain-copy: process %d is gone\n", (int)pid);
                    return 1;
                }
                if (errno == EPERM) {
                    fprintf(stderr, "plain-copy: process_vm_readv: %s\n", strerror(errno));
                    return 1;
                }
                got = 0;  // unreadable at 'at': skip one page below
            }
            if (got > 0 && write_all(out, buf, (size_t)got) < 0) {
                fprintf(stderr, "plain-copy: write: %s\n", strerror(errno));
                return 1;
            }
            copied += (uint64_t)got;
            at += (uint64_t)got;
            if ((size_t)got < want) {  // partial read stops at the first bad page
                uint64_t step = hi - at < PAGE ? hi - at : PAGE;
                at += step;
                skipped += step;
            }
        }
    }
    fclose(maps);
    if (close(out) < 0) {
        fprintf(stderr, "plain-copy: close: %s\n", strerror(errno));
        return 1;
    }
    printf("%" PRIu64 " bytes copied (%" PRIu64 " bytes unreadable, skipped)\n", copied, skipped);
    free(buf);
    return 0;
}
