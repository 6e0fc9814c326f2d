// SPDX-License-Identifier: GPL-2.0
/* The snapshot behind every ports.* check: sock_diag dumps of TCP (and UDP
 * when a mailcow port uses it) for both families, the owners of just the
 * sockets on mailcow's ports, their cgroups and containers, and the DNAT
 * rules. Taken once per run; the checks only read it. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "container.h"
#include "log.h"
#include "ports_scan.h"
#include "sysroot.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int on_mailcow_port(const struct mx_config *cfg, const struct mx_sock *s)
{
	int i;

	for (i = 0; i < cfg->nports; i++) {
		unsigned want = s->proto == IPPROTO_UDP ? MX_UDP : MX_TCP;

		if (cfg->ports[i].port == s->port && (cfg->ports[i].proto & want))
			return 1;
	}
	return 0;
}

/* Keeps only the sockets on mailcow's ports (in place). */
static void keep_mailcow_ports(struct mx_sock_list *l, const struct mx_config *cfg)
{
	size_t i, j = 0;

	for (i = 0; i < l->n; i++)
		if (on_mailcow_port(cfg, &l->v[i]))
			l->v[j++] = l->v[i];
	l->n = j;
}

static void fill_listeners(struct mx_ports_scan *sc)
{
	size_t i;

	sc->l = calloc(sc->socks.n ? sc->socks.n : 1, sizeof(*sc->l));
	if (!sc->l) {
		sc->err = -ENOMEM;
		snprintf(sc->err_what, sizeof(sc->err_what), "allocate listeners");
		return;
	}
	sc->n = sc->socks.n;
	for (i = 0; i < sc->n; i++) {
		struct mx_listener *l = &sc->l[i];

		l->s = sc->socks.v[i];
		l->own = mx_pidmap_find(&sc->pm, l->s.inode, &l->nown);
		mx_holder_fill(&l->h, &l->s, l->own, l->nown);
		if (l->h.cgroup[0])
			mx_unit_of_cgroup(l->h.cgroup, l->unit, sizeof(l->unit));
	}
}

void mx_ports_scan_from(struct mx_ports_scan *sc, const struct mx_config *cfg,
			struct mx_sock_list *socks, struct mx_pidmap *pm, struct mx_dnat_list *dnat,
			int ipv6)
{
	memset(sc, 0, sizeof(*sc));
	sc->socks = *socks;
	memset(socks, 0, sizeof(*socks));
	keep_mailcow_ports(&sc->socks, cfg);
	sc->pm = *pm;
	memset(pm, 0, sizeof(*pm));
	if (dnat) {
		sc->dnat = *dnat;
		memset(dnat, 0, sizeof(*dnat));
	}
	sc->ipv6 = ipv6;
	fill_listeners(sc);
}

static void *iter_open_thread(void *arg)
{
	mx_pidmap_iter_open(arg);
	return NULL;
}

/* The owners of the sockets, and the nat ruleset meanwhile. The BPF
 * iterator's load (kernel BTF, verifier: the bulk of its cost) runs in a
 * thread while this one asks the mechanism chooser (whose feature probe
 * loads a program too) and reads the ruleset; it only starts when some
 * socket needs an owner. */
static int owners(const struct mx_sock_list *socks, const __u64 *want, struct mx_pidmap *pm,
		  struct mx_dnat_list *dnat)
{
	const char *force = getenv("MXPROBE_PIDMAP"), *mech;
	struct mx_pidmap_iter it = {0};
	int started = 0, use_bpf, err;
	pthread_t th;

	if (socks->n && mx_sysroot_live() && !(force && !strcmp(force, "procfs")))
		started = !pthread_create(&th, NULL, iter_open_thread, &it);
	mech = force ? force : mx_pidmap_mechanism(NULL);
	use_bpf = !strcmp(mech, "bpf") || !strcmp(mech, "bpf_iter task_file");
	/* MXPROBE_RECORD_NFT=FILE: the nf_tables dump for fixtures. */
	if (mx_dnat_read(dnat, getenv("MXPROBE_RECORD_NFT")))
		mx_dbg("ports: read nat rules: %s", dnat->rs.err);
	if (started)
		pthread_join(th, NULL);
	if (!socks->n) {
		memset(pm, 0, sizeof(*pm));
		pm->mechanism = "none needed";
		return 0;
	}
	err = -ENOSYS;
	if (use_bpf && started) {
		err = mx_pidmap_iter_run(&it, pm, want, socks->n);
		if (err && !force)
			mx_info("ports: task_file iterator failed (%s): walking /proc instead",
				strerror(-err));
	}
	if (started)
		mx_pidmap_iter_close(&it);
	if (err && !(force && use_bpf))
		err = mx_pidmap_build_procfs(pm, want, socks->n);
	return err;
}

int mx_ports_scan_take(struct mx_ports_scan *sc, const struct mx_config *cfg)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct mx_sock_list socks = {0};
	struct mx_pidmap pm = {0};
	struct mx_dnat_list dnat = {0};
	unsigned protos = 0;
	__u64 *want = NULL;
	FILE *rec = NULL;
	double t0, t1;
	size_t i;
	int err, f, udp;

	memset(sc, 0, sizeof(*sc));
	/* MXPROBE_RECORD_SOCKDIAG=FILE keeps the raw replies: the unit tests'
	 * fixtures, and what to attach to a bug report. */
	if (getenv("MXPROBE_RECORD_SOCKDIAG")) {
		rec = fopen(getenv("MXPROBE_RECORD_SOCKDIAG"), "we");
		if (!rec)
			mx_warn("ports: record sock_diag replies to %s: %s",
				getenv("MXPROBE_RECORD_SOCKDIAG"), strerror(errno));
	}
	for (i = 0; i < (size_t)cfg->nports; i++)
		protos |= cfg->ports[i].proto;
	t0 = now_ms();
	for (udp = 0; udp < 2; udp++) {
		int proto = udp ? IPPROTO_UDP : IPPROTO_TCP;

		if (!(protos & (udp ? MX_UDP : MX_TCP)))
			continue;
		for (f = 0; f < 2; f++) {
			err = mx_sockdiag_dump(families[f], proto, mx_sockdiag_states(proto), 0,
					       &socks, rec);
			if (err && families[f] == AF_INET6 &&
			    (err == -ENOENT || err == -EAFNOSUPPORT))
				continue; /* no IPv6 here */
			if (err) {
				sc->err = err;
				snprintf(sc->err_what, sizeof(sc->err_what), "sock_diag %s/%s dump",
					 families[f] == AF_INET ? "inet" : "inet6",
					 udp ? "udp" : "tcp");
				mx_sock_list_free(&socks);
				if (rec)
					fclose(rec);
				return err;
			}
		}
	}
	if (rec)
		fclose(rec);
	keep_mailcow_ports(&socks, cfg);
	sc->diag_ms = now_ms() - t0;

	t0 = now_ms();
	want = calloc(socks.n ? socks.n : 1, sizeof(*want));
	if (!want) {
		mx_sock_list_free(&socks);
		return sc->err = -ENOMEM;
	}
	for (i = 0; i < socks.n; i++)
		want[i] = socks.v[i].inode;
	err = owners(&socks, want, &pm, &dnat);
	free(want);
	if (err) {
		/* Sockets without owners are still worth reporting. */
		mx_warn("ports: find socket owners: %s", strerror(-err));
		memset(&pm, 0, sizeof(pm));
	}
	sc->pidmap_ms = now_ms() - t0;
	mx_dbg("ports: sock_diag %.1f ms (%zu sockets on mailcow ports), owners (%s) and nat rules "
	       "%.1f ms",
	       sc->diag_ms, socks.n, pm.mechanism ? pm.mechanism : "none", sc->pidmap_ms);
	err = dnat.rs.err[0] ? -1 : 0;
	t0 = sc->diag_ms;
	t1 = sc->pidmap_ms;
	mx_ports_scan_from(sc, cfg, &socks, &pm, &dnat, mx_exists("/proc/net/if_inet6"));
	sc->dnat_err = err;
	sc->diag_ms = t0;
	sc->pidmap_ms = t1;
	return sc->err;
}

void mx_ports_scan_free(struct mx_ports_scan *sc)
{
	mx_sock_list_free(&sc->socks);
	mx_pidmap_free(&sc->pm);
	mx_dnat_free(&sc->dnat);
	free(sc->l);
	memset(sc, 0, sizeof(*sc));
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct mx_ports_scan cached, *injected;
static int taken;

static void free_cached(void)
{
	mx_ports_scan_free(&cached);
}

const struct mx_ports_scan *mx_ports_scan_get(const struct mx_config *cfg)
{
	const struct mx_ports_scan *sc;

	pthread_mutex_lock(&lock);
	if (injected) {
		sc = injected;
	} else {
		if (!taken) {
			mx_ports_scan_take(&cached, cfg);
			taken = 1;
			atexit(free_cached);
		}
		sc = &cached;
	}
	pthread_mutex_unlock(&lock);
	return sc;
}

void mx_ports_scan_inject(struct mx_ports_scan *sc)
{
	pthread_mutex_lock(&lock);
	injected = sc;
	pthread_mutex_unlock(&lock);
}
