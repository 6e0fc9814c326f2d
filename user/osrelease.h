/* SPDX-License-Identifier: GPL-2.0 */
/* os-release(5): /etc/os-release, falling back to /usr/lib/os-release. */
#ifndef MX_OSRELEASE_H
#define MX_OSRELEASE_H

struct mx_osrelease {
	char id[32];
	char id_like[128];
	char version_id[32];
	char pretty_name[128];
	char name[64];
	char path[64]; /* which file was read */
};

/* 0, or -errno when neither file could be read. */
int mx_osrelease_read(struct mx_osrelease *o);
/* Parses the text of an os-release file (exposed for unit tests). */
void mx_osrelease_parse(struct mx_osrelease *o, const char *text);

#endif
