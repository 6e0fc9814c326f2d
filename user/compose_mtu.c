// SPDX-License-Identifier: GPL-2.0
/* Minimal YAML reading for two keys of mailcow's compose files, see
 * compose_mtu.h. Block mappings only (what mailcow ships and what its docs
 * tell users to write); flow mappings ({a: b}) are not followed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose_mtu.h"
#include "sysroot.h"

#define MAX_DEPTH 12

struct level {
	int indent;
	char key[64];
};

#define NET "networks/mailcow-network"

/* Strips a trailing comment (" #" outside quotes) and blanks. */
static void strip_value(char *v)
{
	char q = 0, *p, *e;

	for (p = v; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
	e = v + strlen(v);
	while (e > v && isspace((unsigned char)e[-1]))
		*--e = '\0';
}

static void unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		memmove(v, v + 1, n - 2);
		v[n - 2] = '\0';
	}
}

/* ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR with mailcow.conf's values
 * (compose reads them from .env, a link to mailcow.conf). */
static void substitute(const char *in, const struct mx_mailcow_conf *mc, char *out, size_t len)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		char name[48], def[64];
		const char *val = NULL, *end;
		size_t n = 0;
		int brace, colon = 0, has_def = 0;

		if (in[0] != '$' ||
		    !(in[1] == '{' || isalpha((unsigned char)in[1]) || in[1] == '_')) {
			out[o++] = *in++;
			continue;
		}
		brace = in[1] == '{';
		in += brace ? 2 : 1;
		while ((isalnum((unsigned char)*in) || *in == '_') && n + 1 < sizeof(name))
			name[n++] = *in++;
		name[n] = '\0';
		def[0] = '\0';
		if (brace) {
			if (in[0] == ':' && in[1] == '-')
				colon = 1, in++;
			if (*in == '-') {
				in++;
				end = strchr(in, '}');
				n = end ? (size_t)(end - in) : strlen(in);
				if (n >= sizeof(def))
					n = sizeof(def) - 1;
				memcpy(def, in, n);
				def[n] = '\0';
				has_def = 1;
				in += n;
			}
			if (*in == '}')
				in++;
		}
		if (mc)
			val = mx_mc_get(mc, name);
		if (has_def && (!val || (colon && !*val)))
			val = def;
		for (; val && *val && o + 1 < len; val++)
			out[o++] = *val;
	}
	out[o] = '\0';
}

/* "a/b/key" for the current line, to compare with the paths we want. */
static int path_is(const struct level *st, int depth, const char *key, const char *want)
{
	char buf[512];
	size_t o = 0;
	int i;

	for (i = 0; i < depth; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s/", st[i].key);
	if (o >= sizeof(buf))
		return 0;
	snprintf(buf + o, sizeof(buf) - o, "%s", key);
	return !strcmp(buf, want);
}

void mx_compose_parse(const char *text, const char *name, const struct mx_mailcow_conf *mc,
		      struct mx_compose_net *out)
{
	struct level st[MAX_DEPTH];
	int depth = 0, lineno = 0;
	const char *p = text;

	while (*p) {
		char line[1024], key[64], *c, *val;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int indent = 0;

		lineno++;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : p + strlen(p);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		while (line[indent] == ' ' || line[indent] == '\t')
			indent++;
		c = line + indent;
		if (!*c || *c == '#' || !strncmp(c, "---", 3))
			continue;
		/* A list item opens a level of its own; "- key: v" carries
		 * a key two columns in. */
		if (c[0] == '-' && (c[1] == ' ' || !c[1])) {
			while (depth > 0 && st[depth - 1].indent >= indent)
				depth--;
			if (depth < MAX_DEPTH) {
				st[depth].indent = indent;
				snprintf(st[depth].key, sizeof(st[depth].key), "-");
				depth++;
			}
			c += c[1] ? 2 : 1;
			indent += 2;
			while (*c == ' ')
				c++, indent++;
		}
		/* key: quoted, or up to ": " / ":" at the end. */
		if (*c == '"' || *c == '\'') {
			char *q = strchr(c + 1, *c);

			if (!q || q[1] != ':')
				continue;
			n = (size_t)(q - c - 1);
			val = q + 2;
			c++;
		} else {
			char *colon = c;

			while ((colon = strchr(colon, ':')) && colon[1] && colon[1] != ' ' &&
			       colon[1] != '\t')
				colon++;
			if (!colon)
				continue;
			n = (size_t)(colon - c);
			val = colon + 1;
		}
		if (n == 0 || n >= sizeof(key))
			continue;
		memcpy(key, c, n);
		key[n] = '\0';
		while (n > 0 && isspace((unsigned char)key[n - 1]))
			key[--n] = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		strip_value(val);
		while (depth > 0 && st[depth - 1].indent >= indent)
			depth--;

		if (path_is(st, depth, key, NET))
			out->network_found = 1;
		if (path_is(st, depth, key, NET "/driver_opts/com.docker.network.driver.mtu")) {
			char sub[64], *end;
			long v;

			unquote(val);
			snprintf(out->mtu_raw, sizeof(out->mtu_raw), "%s", val);
			substitute(val, mc, sub, sizeof(sub));
			errno = 0;
			v = strtol(sub, &end, 10);
			out->mtu_invalid = errno || end == sub || *end || v < 68 || v > 65535;
			out->mtu = out->mtu_invalid ? 0 : (unsigned)v;
			snprintf(out->mtu_file, sizeof(out->mtu_file), "%s", name);
			out->mtu_line = lineno;
		}
		if (path_is(st, depth, key, NET "/driver_opts/com.docker.network.bridge.name")) {
			char sub[64];

			unquote(val);
			substitute(val, mc, sub, sizeof(sub));
			/* Interface names are at most IFNAMSIZ - 1 = 15 bytes. */
			if (*sub && strlen(sub) < sizeof(out->bridge))
				memcpy(out->bridge, sub, strlen(sub) + 1);
		}
		if (depth < MAX_DEPTH) {
			st[depth].indent = indent;
			snprintf(st[depth].key, sizeof(st[depth].key), "%s", key);
			depth++;
		}
	}
}

static int read_one(const char *path, int through_sysroot, const struct mx_mailcow_conf *mc,
		    struct mx_compose_net *out)
{
	char full[PATH_MAX];
	FILE *f;
	char *text;
	long n;

	f = through_sysroot ? mx_fopen(path, "r") : fopen(path, "re");
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (4 << 20) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EFBIG;
	}
	text = malloc((size_t)n + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = (long)fread(text, 1, (size_t)n, f);
	text[n] = '\0';
	fclose(f);
	if (through_sysroot && !mx_sysroot_live() && mx_path(full, sizeof(full), "%s", path))
		path = full;
	mx_compose_parse(text, path, mc, out);
	free(text);
	out->files++;
	return 0;
}

/* Compose's own lookup order for the main file and its override. */
static const char *const mains[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
				    "docker-compose.yml"};
static const char *const overrides[] = {"compose.override.yaml", "compose.override.yml",
					"docker-compose.override.yaml",
					"docker-compose.override.yml"};

int mx_compose_read(const char *dir, int through_sysroot, const struct mx_mailcow_conf *mc,
		    struct mx_compose_net *out)
{
	char path[PATH_MAX];
	size_t i;
	int err = -ENOENT;

	memset(out, 0, sizeof(*out));
	snprintf(out->bridge, sizeof(out->bridge), "br-mailcow");
	for (i = 0; i < sizeof(mains) / sizeof(mains[0]) && err == -ENOENT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, mains[i]);
		err = read_one(path, through_sysroot, mc, out);
	}
	if (err)
		return err;
	snprintf(out->file, sizeof(out->file), "%s", path);
	for (i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, overrides[i]);
		if (read_one(path, through_sysroot, mc, out) == 0)
			break;
	}
	return out->files;
}
