/* SPDX-License-Identifier: GPL-2.0 */
/* Every read of /proc, /sys, /etc and /run goes through here, so that
 * --sysroot DIR (tests, offline analysis of a collected bundle) sees DIR. */
#ifndef MX_SYSROOT_H
#define MX_SYSROOT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/stat.h>

/* DIR, or NULL/"" for the live system. Not thread-safe: call before any check runs. */
int mx_sysroot_set(const char *dir);
const char *mx_sysroot(void);
/* True when reading a live system (no --sysroot): probes that need the
 * running kernel (CPUID, BPF, sockets) only run then. */
int mx_sysroot_live(void);

/* Writes sysroot + path into buf; returns buf, or NULL when it does not fit. */
char *mx_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int mx_open(const char *path, int flags);
FILE *mx_fopen(const char *path, const char *mode);
/* Reads a whole (small) file into buf, NUL-terminated; returns its length or
 * -errno. Trailing newlines are kept. */
ssize_t mx_read_file(const char *path, char *buf, size_t len);
/* Reads the first line without its newline; returns length or -errno. */
ssize_t mx_read_line(const char *path, char *buf, size_t len);
/* Reads an unsigned decimal number; returns 0 or -errno. */
int mx_read_u64(const char *path, unsigned long long *out);
int mx_exists(const char *path);
int mx_stat(const char *path, struct stat *st);

#endif
