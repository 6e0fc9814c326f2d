// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysroot.h"

static char g_root[PATH_MAX];

int mx_sysroot_set(const char *dir)
{
	size_t n;

	if (!dir || !*dir) {
		g_root[0] = '\0';
		return 0;
	}
	n = strlen(dir);
	if (n >= sizeof(g_root))
		return -ENAMETOOLONG;
	memcpy(g_root, dir, n + 1);
	/* "/" and "dir/" must not produce "//proc" or "dir//proc". */
	while (n > 0 && g_root[n - 1] == '/')
		g_root[--n] = '\0';
	return 0;
}

const char *mx_sysroot(void)
{
	return g_root[0] ? g_root : "/";
}

int mx_sysroot_live(void)
{
	return g_root[0] == '\0';
}

char *mx_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s", g_root);
	if (n < 0 || (size_t)n >= len)
		return NULL;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return NULL;
	return buf;
}

int mx_open(const char *path, int flags)
{
	char p[PATH_MAX];

	if (!mx_path(p, sizeof(p), "%s", path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(p, flags | O_CLOEXEC);
}

FILE *mx_fopen(const char *path, const char *mode)
{
	char p[PATH_MAX];

	if (!mx_path(p, sizeof(p), "%s", path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(p, mode);
}

ssize_t mx_read_file(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd, err;

	if (len == 0)
		return -EINVAL;
	fd = mx_open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	/* procfs and sysfs files may need several reads. */
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return off;
}

ssize_t mx_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n = mx_read_file(path, buf, len);
	char *nl;

	if (n < 0)
		return n;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return strlen(buf);
}

int mx_read_u64(const char *path, unsigned long long *out)
{
	char buf[64], *end;
	ssize_t n = mx_read_line(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int mx_stat(const char *path, struct stat *st)
{
	char p[PATH_MAX];

	if (!mx_path(p, sizeof(p), "%s", path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return stat(p, st);
}

int mx_exists(const char *path)
{
	struct stat st;

	return mx_stat(path, &st) == 0;
}
