// SPDX-License-Identifier: GPL-2.0
/* Rule naming for trace events (see trace_rules.h). Chains and rule
 * handles come from the kernel over netlink (libnftnl dumps); the rule text
 * comes from the tool that owns the table, which is the only faithful
 * renderer of its own rules: `iptables-nft -S CHAIN` for iptables-nft tables
 * (xt matches have no nft syntax), `nft -a list chain` for native ones. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "log.h"
#include "trace_rules.h"

extern char **environ;

struct chain_info {
	int family;
	char table[64], chain[64];
	int hook, prio; /* hook -1: regular chain */
	/* Rules, filled on first use. */
	int loaded;
	int nrules;
	uint64_t *handles;
	char **texts;
};

struct mx_rules {
	struct mnl_socket *nl;
	uint32_t seq;
	uint32_t gen;
	int have_gen;
	double gen_checked;
	struct chain_info *chains;
	int nchains;
};

const char *mx_nfproto_name(int family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_NETDEV:
		return "netdev";
	}
	return "?";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One request, every answer to cb; 0 or -errno. */
static int nl_query(struct mx_rules *r, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	uint32_t portid = mnl_socket_get_portid(r->nl);
	int n;

	if (mnl_socket_sendto(r->nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		n = mnl_cb_run(buf, n, req->nlmsg_seq, portid, cb, data);
		if (n <= 0)
			return n < 0 ? -errno : 0;
	}
}

static void free_chains(struct mx_rules *r)
{
	int i, j;

	for (i = 0; i < r->nchains; i++) {
		for (j = 0; j < r->chains[i].nrules; j++)
			free(r->chains[i].texts[j]);
		free(r->chains[i].texts);
		free(r->chains[i].handles);
	}
	free(r->chains);
	r->chains = NULL;
	r->nchains = 0;
}

static int chain_cb(const struct nlmsghdr *h, void *data)
{
	struct mx_rules *r = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct chain_info *ci, *grown;

	if (!c || nftnl_chain_nlmsg_parse(h, c) < 0)
		goto out;
	grown = realloc(r->chains, (r->nchains + 1) * sizeof(*r->chains));
	if (!grown)
		goto out;
	r->chains = grown;
	ci = &r->chains[r->nchains++];
	memset(ci, 0, sizeof(*ci));
	ci->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	snprintf(ci->table, sizeof(ci->table), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
	snprintf(ci->chain, sizeof(ci->chain), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	ci->hook = -1;
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		ci->hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
		ci->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	}
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int load_chains(struct mx_rules *r)
{
	char buf[256];
	struct nlmsghdr *h;

	free_chains(r);
	h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, ++r->seq);
	return nl_query(r, h, chain_cb, r);
}

static int gen_cb(const struct nlmsghdr *h, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (g && nftnl_gen_nlmsg_parse(h, g) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

void mx_rules_refresh(struct mx_rules *r)
{
	char buf[256];
	struct nlmsghdr *h;
	uint32_t gen = 0;
	double t = now_s();
	int err;

	/* Several events per packet ask: one question per 100 ms is plenty. */
	if (r->have_gen && t - r->gen_checked < 0.1)
		return;
	r->gen_checked = t;
	h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC, NLM_F_ACK, ++r->seq);
	err = nl_query(r, h, gen_cb, &gen);
	if (err) {
		mx_dbg("rules: generation: %s", strerror(-err));
		return;
	}
	if (r->have_gen && gen == r->gen)
		return;
	r->gen = gen;
	r->have_gen = 1;
	err = load_chains(r);
	mx_dbg("rules: generation %u, %d chains (%s)", gen, r->nchains, err ? strerror(-err) : "ok");
}

int mx_rules_open(struct mx_rules **out)
{
	struct mx_rules *r = calloc(1, sizeof(*r));
	struct timeval tv = {.tv_sec = 3};

	if (!r)
		return -ENOMEM;
	r->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!r->nl || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mx_rules_close(r);
		return err;
	}
	setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r->seq = time(NULL);
	mx_rules_refresh(r);
	*out = r;
	return 0;
}

static struct chain_info *find_chain(struct mx_rules *r, int family, const char *table,
				     const char *chain)
{
	int i;

	for (i = 0; i < r->nchains; i++)
		if (r->chains[i].family == family && !strcmp(r->chains[i].table, table) &&
		    !strcmp(r->chains[i].chain, chain))
			return &r->chains[i];
	return NULL;
}

int mx_rules_chain_hook(struct mx_rules *r, int family, const char *table, const char *chain,
			int *prio)
{
	struct chain_info *ci;

	mx_rules_refresh(r);
	ci = find_chain(r, family, table, chain);
	if (!ci)
		return -2;
	if (prio)
		*prio = ci->prio;
	return ci->hook;
}

static int rule_cb(const struct nlmsghdr *h, void *data)
{
	struct chain_info *ci = data;
	struct nftnl_rule *rl = nftnl_rule_alloc();
	uint64_t *grown;

	if (rl && nftnl_rule_nlmsg_parse(h, rl) == 0) {
		grown = realloc(ci->handles, (ci->nrules + 1) * sizeof(*grown));
		if (grown) {
			ci->handles = grown;
			ci->handles[ci->nrules++] = nftnl_rule_get_u64(rl, NFTNL_RULE_HANDLE);
		}
	}
	nftnl_rule_free(rl);
	return MNL_CB_OK;
}

/* Runs argv and returns its stdout (NUL-terminated, caller frees). */
static char *run_capture(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (!out || pipe2(p, O_CLOEXEC)) {
		free(out);
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		free(out);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while ((n = read(p[0], out + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 >= cap) {
			char *g = realloc(out, cap * 2);

			if (!g)
				break;
			out = g;
			cap *= 2;
		}
	}
	out[len] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		free(out);
		return NULL;
	}
	return out;
}

/* "-A DOCKER-USER -s 203.0.113.0/24 -p tcp -m tcp --dport 25 -j DROP" ->
 * "-s 203.0.113.0/24 -p tcp --dport 25 -j DROP" */
static char *tidy_ipt(const char *line, const char *chain)
{
	char prefix[80], *s, *m;

	snprintf(prefix, sizeof(prefix), "-A %s ", chain);
	if (!strncmp(line, prefix, strlen(prefix)))
		line += strlen(prefix);
	s = strdup(line);
	if (!s)
		return NULL;
	/* The implicit protocol match iptables-save spells out. */
	for (const char *const *p = (const char *const[]){"-m tcp ", "-m udp ", NULL}; *p; p++)
		while ((m = strstr(s, *p)))
			memmove(m, m + strlen(*p), strlen(m + strlen(*p)) + 1);
	return s;
}

static void load_texts(struct chain_info *ci)
{
	char *out = NULL, *line, *save = NULL, handle_s[32];
	int i = 0;

	ci->texts = calloc(ci->nrules ? ci->nrules : 1, sizeof(*ci->texts));
	if (!ci->texts)
		return;
	if (ci->family == NFPROTO_IPV4 || ci->family == NFPROTO_IPV6) {
		char *argv[] = {ci->family == NFPROTO_IPV4 ? "iptables-nft" : "ip6tables-nft", "-w",
				"-t", ci->table, "-S", ci->chain, NULL};

		out = run_capture(argv);
		if (out) {
			for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				if (!strncmp(line, "-A ", 3) && i < ci->nrules)
					ci->texts[i++] = tidy_ipt(line, ci->chain);
			free(out);
			/* Counts differ: not a table iptables-nft can render. */
			if (i == ci->nrules)
				return;
			while (i > 0)
				free(ci->texts[--i]);
		}
	}
	{
		char *argv[] = {"nft", "-a", "list", "chain", (char *)mx_nfproto_name(ci->family),
				ci->table, ci->chain, NULL};

		out = run_capture(argv);
	}
	if (!out)
		return;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *h = strstr(line, " # handle ");
		uint64_t handle;
		int k;

		if (!h)
			continue;
		handle = strtoull(h + 10, NULL, 10);
		*h = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		for (k = 0; k < ci->nrules; k++)
			if (ci->handles[k] == handle && !ci->texts[k])
				ci->texts[k] = strdup(line);
	}
	(void)handle_s;
	free(out);
}

int mx_rules_describe(struct mx_rules *r, int family, const char *table, const char *chain,
		      uint64_t handle, int *pos, char *text, size_t len)
{
	struct chain_info *ci;
	int i;

	mx_rules_refresh(r);
	ci = find_chain(r, family, table, chain);
	if (!ci)
		return -1;
	if (!ci->loaded) {
		char buf[512];
		struct nlmsghdr *h;
		struct nftnl_rule *rl = nftnl_rule_alloc();

		ci->loaded = 1;
		if (!rl)
			return -1;
		nftnl_rule_set_str(rl, NFTNL_RULE_TABLE, table);
		nftnl_rule_set_str(rl, NFTNL_RULE_CHAIN, chain);
		h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family, NLM_F_DUMP, ++r->seq);
		nftnl_rule_nlmsg_build_payload(h, rl);
		nftnl_rule_free(rl);
		nl_query(r, h, rule_cb, ci);
		load_texts(ci);
	}
	for (i = 0; i < ci->nrules; i++)
		if (ci->handles[i] == handle) {
			*pos = i + 1;
			snprintf(text, len, "%s",
				 ci->texts && ci->texts[i] ? ci->texts[i] : "(rule text unavailable)");
			return 0;
		}
	return -1;
}

void mx_rules_close(struct mx_rules *r)
{
	if (!r)
		return;
	free_chains(r);
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}
