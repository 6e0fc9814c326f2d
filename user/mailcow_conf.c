// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailcow_conf.h"
#include "sysroot.h"

void mx_mc_error(struct mx_mailcow_conf *mc, int line, const char *fmt, ...)
{
	struct mx_mc_error *e;
	va_list ap;

	if (mc->nerrors >= MX_MC_MAX_ERRORS) {
		mc->errors_dropped++;
		return;
	}
	e = &mc->errors[mc->nerrors++];
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

int mx_parse_bool(const char *s)
{
	static const char *yes[] = {"y", "yes", "true", "1", "on"};
	static const char *no[] = {"n", "no", "false", "0", "off"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

static void set_var(struct mx_mailcow_conf *mc, const char *key, const char *val, int line)
{
	int i;

	/* docker compose takes the last assignment of a key; so do we. */
	for (i = 0; i < mc->nvars; i++) {
		if (!strcmp(mc->vars[i].key, key)) {
			snprintf(mc->vars[i].value, sizeof(mc->vars[i].value), "%s", val);
			mc->vars[i].line = line;
			return;
		}
	}
	if (mc->nvars >= MX_MC_MAX_VARS) {
		mx_mc_error(mc, line, "too many variables (more than %d): %s ignored",
			    MX_MC_MAX_VARS, key);
		return;
	}
	snprintf(mc->vars[mc->nvars].key, sizeof(mc->vars[0].key), "%s", key);
	snprintf(mc->vars[mc->nvars].value, sizeof(mc->vars[0].value), "%s", val);
	mc->vars[mc->nvars].line = line;
	mc->nvars++;
}

/* Parses the value part of one line (after '='); returns 0 or -1 after
 * recording why. Quoting follows docker compose's .env rules. */
static int parse_value(struct mx_mailcow_conf *mc, const char *p, int line, char *out, size_t len)
{
	size_t o = 0;
	char q;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"' || *p == '\'') {
		q = *p++;
		while (*p && *p != q) {
			char c = *p++;

			if (q == '"' && c == '\\' && *p) {
				c = *p++;
				if (c == 'n')
					c = '\n';
				else if (c == 't')
					c = '\t';
			}
			if (o + 1 >= len) {
				mx_mc_error(mc, line, "value longer than %zu characters", len - 1);
				return -1;
			}
			out[o++] = c;
		}
		if (*p != q) {
			mx_mc_error(mc, line, "unterminated %s quote",
				    q == '"' ? "double" : "single");
			return -1;
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '#') {
			mx_mc_error(mc, line, "text after the closing quote: '%s'", p);
			return -1;
		}
		out[o] = '\0';
		return 0;
	}
	/* Unquoted: a '#' starts a comment only after white space, as in compose. */
	while (*p) {
		if (*p == '#' && o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
			break;
		if (*p == '"' || *p == '\'') {
			mx_mc_error(mc, line, "quote inside an unquoted value");
			return -1;
		}
		if (o + 1 >= len) {
			mx_mc_error(mc, line, "value longer than %zu characters", len - 1);
			return -1;
		}
		out[o++] = *p++;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t' || out[o - 1] == '\r'))
		o--;
	out[o] = '\0';
	return 0;
}

static void parse_line(struct mx_mailcow_conf *mc, char *s, int line)
{
	char key[sizeof(mc->vars[0].key)], val[sizeof(mc->vars[0].value)];
	size_t k = 0;
	char *p = s;
	size_t n = strlen(s);

	if (n && s[n - 1] == '\r')
		s[--n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#')
		return;
	if (!strncmp(p, "export ", 7))
		p += 7;
	if (!(isalpha((unsigned char)*p) || *p == '_')) {
		mx_mc_error(mc, line, "expected KEY=VALUE, found '%.60s'", p);
		return;
	}
	while (isalnum((unsigned char)*p) || *p == '_') {
		if (k + 1 >= sizeof(key)) {
			mx_mc_error(mc, line, "variable name too long");
			return;
		}
		key[k++] = *p++;
	}
	key[k] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=') {
		if (!strchr(p, '='))
			mx_mc_error(mc, line, "expected KEY=VALUE, found '%.60s'", s);
		else
			mx_mc_error(mc, line, "invalid character '%c' in variable name %s", *p,
				    key);
		return;
	}
	if (parse_value(mc, p + 1, line, val, sizeof(val)))
		return;
	set_var(mc, key, val, line);
}

static void interpret(struct mx_mailcow_conf *mc)
{
	const char *v;
	int b;

	mc->skip_clamd = mc->skip_fts = mc->enable_ipv6 = -1;
	mc->skip_fts_from_solr = 0;
	if ((v = mx_mc_get(mc, "SKIP_CLAMD"))) {
		if ((b = mx_parse_bool(v)) < 0)
			mx_mc_error(mc, mx_mc_line(mc, "SKIP_CLAMD"),
				    "SKIP_CLAMD: '%s' is not y or n", v);
		else
			mc->skip_clamd = b;
	}
	if ((v = mx_mc_get(mc, "SKIP_FTS"))) {
		if ((b = mx_parse_bool(v)) < 0)
			mx_mc_error(mc, mx_mc_line(mc, "SKIP_FTS"), "SKIP_FTS: '%s' is not y or n",
				    v);
		else
			mc->skip_fts = b;
	} else if ((v = mx_mc_get(mc, "SKIP_SOLR"))) {
		if ((b = mx_parse_bool(v)) < 0) {
			mx_mc_error(mc, mx_mc_line(mc, "SKIP_SOLR"),
				    "SKIP_SOLR: '%s' is not y or n", v);
		} else {
			mc->skip_fts = b;
			mc->skip_fts_from_solr = 1;
		}
	}
	if ((v = mx_mc_get(mc, "ENABLE_IPV6"))) {
		if ((b = mx_parse_bool(v)) < 0)
			mx_mc_error(mc, mx_mc_line(mc, "ENABLE_IPV6"),
				    "ENABLE_IPV6: '%s' is not true or false", v);
		else
			mc->enable_ipv6 = b;
	}
}

void mx_mc_parse(struct mx_mailcow_conf *mc, const char *text)
{
	const char *p = text, *nl;
	char buf[1024];
	int line = 0;
	size_t n;

	mc->nvars = mc->nerrors = mc->errors_dropped = 0;
	while (*p) {
		line++;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(buf)) {
			mx_mc_error(mc, line, "line longer than %zu characters", sizeof(buf) - 1);
		} else {
			memcpy(buf, p, n);
			buf[n] = '\0';
			if (memchr(buf, '\0', n) != NULL && strlen(buf) != n)
				mx_mc_error(mc, line, "NUL byte in line");
			else
				parse_line(mc, buf, line);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	interpret(mc);
}

int mx_mc_load(struct mx_mailcow_conf *mc, const char *path, int through_sysroot)
{
	FILE *f = through_sysroot ? mx_fopen(path, "r") : fopen(path, "r");
	char *text = NULL;
	size_t cap = 0, len = 0, n;
	char chunk[4096];
	int err = 0;

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			char *t;

			cap = (len + n + 1) * 2;
			t = realloc(text, cap);
			if (!t) {
				err = -ENOMEM;
				goto out;
			}
			text = t;
		}
		memcpy(text + len, chunk, n);
		len += n;
	}
	if (ferror(f)) {
		err = -EIO;
		goto out;
	}
	if (!text) {
		text = strdup("");
		if (!text) {
			err = -ENOMEM;
			goto out;
		}
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		/* A binary file would otherwise be read up to its first NUL. */
		memset(mc, 0, sizeof(*mc));
		mc->skip_clamd = mc->skip_fts = mc->enable_ipv6 = -1;
		mx_mc_error(mc, 0, "file contains NUL bytes: not a text file");
	} else {
		mx_mc_parse(mc, text);
	}
	mc->present = 1;
	snprintf(mc->path, sizeof(mc->path), "%s", path);
out:
	free(text);
	fclose(f);
	return err;
}

const char *mx_mc_get(const struct mx_mailcow_conf *mc, const char *key)
{
	int i;

	for (i = 0; i < mc->nvars; i++)
		if (!strcmp(mc->vars[i].key, key))
			return mc->vars[i].value;
	return NULL;
}

int mx_mc_line(const struct mx_mailcow_conf *mc, const char *key)
{
	int i;

	for (i = 0; i < mc->nvars; i++)
		if (!strcmp(mc->vars[i].key, key))
			return mc->vars[i].line;
	return 0;
}
