// SPDX-License-Identifier: GPL-2.0
/* See trace_names.h. Everything is looked up lazily, once per run (the
 * container table at most every two seconds), because a trace of a busy
 * port asks the same questions thousands of times. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "log.h"
#include "sysroot.h"
#include "trace_names.h"

/* ---- drop reasons */

static char **reasons;
static uint32_t nreasons;
static int reasons_loaded;

static void load_reasons(void)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	int id, i;

	reasons_loaded = 1;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id > 0) {
		t = btf__type_by_id(btf, id);
		e = btf_enum(t);
		for (i = 0; i < btf_vlen(t); i++, e++) {
			const char *n = btf__name_by_offset(btf, e->name_off);
			uint32_t v = e->val;

			if (v > 4096)
				continue; /* subsystem reasons live in the high bits */
			if (v >= nreasons) {
				char **g = realloc(reasons, (v + 1) * sizeof(*g));

				if (!g)
					break;
				memset(g + nreasons, 0, (v + 1 - nreasons) * sizeof(*g));
				reasons = g;
				nreasons = v + 1;
			}
			if (!strncmp(n, "SKB_DROP_REASON_", 16))
				n += 16;
			free(reasons[v]);
			reasons[v] = strdup(n);
		}
	}
	btf__free(btf);
}

const char *mx_drop_reason_name(uint32_t reason, char *buf, size_t len)
{
	if (!reasons_loaded)
		load_reasons();
	if (reason < nreasons && reasons[reason])
		return reasons[reason];
	snprintf(buf, len, "reason %u", reason);
	return buf;
}

/* ---- kernel symbols */

struct ksym {
	uint64_t addr;
	char *name;
};
static struct ksym *ksyms;
static size_t nksyms;
static int ksyms_loaded;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_ksyms(void)
{
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;
	FILE *f;

	ksyms_loaded = 1;
	f = mx_fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (nksyms == cap) {
			struct ksym *g = realloc(ksyms, (cap = cap ? cap * 2 : 65536) * sizeof(*g));

			if (!g)
				break;
			ksyms = g;
		}
		ksyms[nksyms].addr = addr;
		ksyms[nksyms++].name = strdup(name);
	}
	fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), ksym_cmp);
}

const char *mx_ksym(uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi;

	if (!ksyms_loaded)
		load_ksyms();
	hi = nksyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !addr)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else
		snprintf(buf, len, "%s+0x%llx", ksyms[lo - 1].name,
			 (unsigned long long)(addr - ksyms[lo - 1].addr));
	return buf;
}

/* ---- containers (Docker's API on its unix socket) */

struct ctr {
	int family;
	uint8_t addr[16];
	char name[128];
};
static struct ctr *ctrs;
static size_t nctrs;
static double ctrs_at = -10;

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct buf {
	char *p;
	size_t n;
};

static size_t on_body(char *d, size_t sz, size_t nm, void *u)
{
	struct buf *b = u;
	char *g;

	if (b->n + sz * nm > (8u << 20))
		return 0;
	g = realloc(b->p, b->n + sz * nm + 1);
	if (!g)
		return 0;
	b->p = g;
	memcpy(b->p + b->n, d, sz * nm);
	b->n += sz * nm;
	b->p[b->n] = 0;
	return sz * nm;
}

static void add_ctr(const char *name, const char *ip)
{
	struct ctr c = {0}, *g;

	if (!ip || !*ip)
		return;
	if (inet_pton(AF_INET, ip, c.addr) == 1)
		c.family = 4;
	else if (inet_pton(AF_INET6, ip, c.addr) == 1)
		c.family = 6;
	else
		return;
	snprintf(c.name, sizeof(c.name), "%s", name[0] == '/' ? name + 1 : name);
	g = realloc(ctrs, (nctrs + 1) * sizeof(*g));
	if (!g)
		return;
	ctrs = g;
	ctrs[nctrs++] = c;
}

static void load_containers(void)
{
	const char *host = getenv("DOCKER_HOST");
	char sock[512];
	struct buf b = {0};
	json_object *arr = NULL;
	CURL *c;
	size_t i;

	ctrs_at = mono();
	nctrs = 0;
	if (host && strncmp(host, "unix://", 7))
		return; /* a TCP Docker host is not this machine's */
	if (host)
		snprintf(sock, sizeof(sock), "%s", host + 7);
	else if (!mx_path(sock, sizeof(sock), "/run/docker.sock"))
		return;
	if (access(sock, W_OK))
		return;
	c = curl_easy_init();
	if (!c)
		return;
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, "http://docker/v1.24/containers/json");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) == CURLE_OK && b.p)
		arr = json_tokener_parse(b.p);
	curl_easy_cleanup(c);
	free(b.p);
	if (!arr || !json_object_is_type(arr, json_type_array))
		goto out;
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *ct = json_object_array_get_idx(arr, i), *names, *ns, *nets;
		const char *name = "?";

		if (json_object_object_get_ex(ct, "Names", &names) &&
		    json_object_array_length(names) > 0)
			name = json_object_get_string(json_object_array_get_idx(names, 0));
		if (!json_object_object_get_ex(ct, "NetworkSettings", &ns) ||
		    !json_object_object_get_ex(ns, "Networks", &nets))
			continue;
		json_object_object_foreach(nets, k, net)
		{
			json_object *v;

			(void)k;
			if (json_object_object_get_ex(net, "IPAddress", &v))
				add_ctr(name, json_object_get_string(v));
			if (json_object_object_get_ex(net, "GlobalIPv6Address", &v))
				add_ctr(name, json_object_get_string(v));
		}
	}
out:
	json_object_put(arr);
}

int mx_container_by_addr(int family, const uint8_t *addr, char *name, size_t len)
{
	int pass;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		if (pass || mono() - ctrs_at > 30) {
			if (pass && mono() - ctrs_at < 2)
				return -1;
			load_containers();
		}
		for (i = 0; i < nctrs; i++)
			if (ctrs[i].family == family &&
			    !memcmp(ctrs[i].addr, addr, family == 4 ? 4 : 16)) {
				snprintf(name, len, "%s", ctrs[i].name);
				return 0;
			}
	}
	return -1;
}

/* ---- local sockets */

static int owner_of_inode(unsigned long ino, char *buf, size_t len)
{
	char want[64], path[600], link[64], comm[64];
	struct dirent *p, *f;
	DIR *proc, *fds;
	ssize_t n;

	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	proc = opendir("/proc");
	if (!proc)
		return -1;
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (strcmp(link, want))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
			if (mx_read_line(path, comm, sizeof(comm)) < 0)
				snprintf(comm, sizeof(comm), "?");
			snprintf(buf, len, "%s, pid %.16s", comm, p->d_name);
			closedir(fds);
			closedir(proc);
			return 0;
		}
		closedir(fds);
	}
	closedir(proc);
	return -1;
}

/* /proc prints each 32-bit word of an address in host byte order. */
static void proc_addr(const char *hex, int alen, uint8_t *a)
{
	int i;

	for (i = 0; i < alen / 4; i++) {
		unsigned int w = 0;

		sscanf(hex + i * 8, "%8x", &w);
		memcpy(a + i * 4, &w, 4);
	}
}

int mx_local_socket(int family, int proto, const uint8_t *addr, uint16_t port, const uint8_t *raddr,
		    uint16_t rport, int syn, char *buf, size_t len)
{
	char path[64], line[512], local[64], remote[64], who[128];
	unsigned long ino, best_ino = 0;
	unsigned int lport, rp, st;
	int alen = family == 4 ? 4 : 16, best = -1;
	char best_addr[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s%s", proto == 6 ? "tcp" : "udp",
		 family == 6 ? "6" : "");
	f = mx_fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		uint8_t a[16] = {0}, r[16] = {0};
		int score;

		if (sscanf(line,
			   " %*d: %63[0-9A-Fa-f]:%x %63[0-9A-Fa-f]:%x %x %*s %*s %*s %*s %*s %lu",
			   local, &lport, remote, &rp, &st, &ino) != 6 ||
		    lport != port)
			continue;
		proc_addr(local, alen, a);
		proc_addr(remote, alen, r);
		/* The connection's own socket first, then an exact listener or
		 * unconnected UDP socket, then a wildcard one. */
		/* (A SYN is for the listener; inode 0 is a TIME_WAIT leftover.) */
		if (!syn && ino && !memcmp(a, addr, alen) && rp == rport && !memcmp(r, raddr, alen))
			score = 3;
		else if (st == (proto == 6 ? 0x0A : 0x07) && !memcmp(a, addr, alen))
			score = 2;
		else if (st == (proto == 6 ? 0x0A : 0x07) && !memcmp(a, (uint8_t[16]){0}, alen))
			score = 1;
		else
			continue;
		if (score > best) {
			best = score;
			best_ino = ino;
			inet_ntop(family == 4 ? AF_INET : AF_INET6, a, best_addr,
				  sizeof(best_addr));
		}
	}
	fclose(f);
	if (best < 0)
		return -1;
	if (owner_of_inode(best_ino, who, sizeof(who)))
		snprintf(who, sizeof(who), "socket inode %lu", best_ino);
	snprintf(buf, len, family == 6 ? "[%s]:%u (%s%s)" : "%s:%u (%s%s)", best_addr, port,
		 best == 3 ? "connected, " : "", who);
	return 0;
}

void mx_trace_names_free(void)
{
	size_t i;

	for (i = 0; i < nreasons; i++)
		free(reasons[i]);
	free(reasons);
	for (i = 0; i < nksyms; i++)
		free(ksyms[i].name);
	free(ksyms);
	free(ctrs);
}
