// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "osrelease.h"
#include "sysroot.h"

/* Values may be quoted with " or ' and use shell escapes (os-release(5)). */
static void unquote(const char *in, char *out, size_t len)
{
	size_t o = 0;
	char q = 0;

	if (*in == '"' || *in == '\'')
		q = *in++;
	while (*in && o + 1 < len) {
		if (q && *in == q)
			break;
		if (q == '"' && *in == '\\' && in[1])
			in++;
		out[o++] = *in++;
	}
	out[o] = '\0';
}

void mx_osrelease_parse(struct mx_osrelease *o, const char *text)
{
	char line[512];
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *eq;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : p + strlen(p);
		if (line[0] == '#' || !(eq = strchr(line, '=')))
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "ID"))
			unquote(eq, o->id, sizeof(o->id));
		else if (!strcmp(line, "ID_LIKE"))
			unquote(eq, o->id_like, sizeof(o->id_like));
		else if (!strcmp(line, "VERSION_ID"))
			unquote(eq, o->version_id, sizeof(o->version_id));
		else if (!strcmp(line, "PRETTY_NAME"))
			unquote(eq, o->pretty_name, sizeof(o->pretty_name));
		else if (!strcmp(line, "NAME"))
			unquote(eq, o->name, sizeof(o->name));
	}
}

int mx_osrelease_read(struct mx_osrelease *o)
{
	static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
	char text[4096];
	ssize_t n = -1;
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < 2; i++) {
		n = mx_read_file(paths[i], text, sizeof(text));
		if (n >= 0) {
			snprintf(o->path, sizeof(o->path), "%s", paths[i]);
			break;
		}
	}
	if (n < 0)
		return (int)n;
	mx_osrelease_parse(o, text);
	return 0;
}
