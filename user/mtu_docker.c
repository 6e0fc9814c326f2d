// SPDX-License-Identifier: GPL-2.0
/* mtu.docker: does mailcow's bridge fit the uplink and the path? The MTU a
 * container uses is its network's (com.docker.network.driver.mtu, default
 * 1500); when that exceeds what the uplink carries, or what the path
 * carries without frag-needed, TLS handshakes and big mails hang
 * (mailcow #1558, #2943, #5778). */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "compose_mtu.h"
#include "mtu.h"
#include "nl_route.h"
#include "sysroot.h"

#define DOCKER_DEFAULT_MTU 1500
#define MAX_LINKS 256

static int json_int(json_object *o, const char *key, int def)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return def;
	return json_object_get_int(v);
}

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

/* The mailcow directory and whether it is read through --sysroot. */
static void mailcow_dir(const struct mx_ctx *ctx, char *dir, size_t len, int *through_sysroot)
{
	const struct mx_config *cfg = ctx->cfg;

	*through_sysroot = 0;
	if (cfg->mailcow_dir[0]) {
		snprintf(dir, len, "%s", cfg->mailcow_dir);
		return;
	}
	if (cfg->mc.present) {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s", cfg->mc.path);
		snprintf(dir, len, "%s", dirname(tmp));
		/* An explicit --mailcow-conf is taken as given (cli.c). */
		*through_sysroot = !ctx->opts->mailcow_conf;
		return;
	}
	snprintf(dir, len, "/opt/mailcow-dockerized");
	*through_sysroot = 1;
}

struct uplink {
	char ifname[IF_NAMESIZE];
	int mtu;       /* interface MTU, 0 unknown */
	int path;      /* smallest measured path MTU, 0 unknown */
	int blackhole; /* that path MTU was found by silent loss */
	char target[64];
};

static void uplink_from_path(struct mx_ctx *ctx, struct uplink *u)
{
	json_object *d = mx_ctx_data(ctx, "mtu.path");
	static const char *const fams[] = {"ipv4", "ipv6"};
	size_t i;

	for (i = 0; i < 2; i++) {
		json_object *f;
		int m, p;

		if (!d || !json_object_object_get_ex(d, fams[i], &f) || !f)
			continue;
		m = json_int(f, "uplink_mtu_bytes", 0);
		p = json_int(f, "path_mtu_bytes", 0);
		if (m && (!u->mtu || m < u->mtu)) {
			u->mtu = m;
			snprintf(u->ifname, sizeof(u->ifname), "%s",
				 json_str(f, "interface") ?: "?");
		}
		if (p && (!u->path || p < u->path)) {
			json_object *bh;

			u->path = p;
			u->blackhole = json_object_object_get_ex(f, "blackhole", &bh) &&
				       json_object_get_boolean(bh);
			snprintf(u->target, sizeof(u->target), "%s", json_str(f, "address") ?: "?");
		}
	}
	if (u->mtu)
		return;
	/* mtu.path did not run (or failed): the route to the target. */
	{
		struct in_addr a;
		struct mx_route rt;

		if (inet_pton(AF_INET, ctx->cfg->mtu_target, &a) == 1 &&
		    !mx_route_get(AF_INET, &a, &rt)) {
			u->mtu = (int)rt.dev_mtu;
			snprintf(u->ifname, sizeof(u->ifname), "%s", rt.ifname);
		}
	}
}

static int is_docker_bridge(const struct mx_link *l, const char *mailcow_br)
{
	return !strcmp(l->kind, "bridge") &&
	       (!strncmp(l->name, "br-", 3) || !strcmp(l->name, "docker0") ||
		!strcmp(l->name, mailcow_br));
}

void mx_check_mtu_docker(struct mx_ctx *ctx, struct mx_result *r)
{
	static struct mx_link links[MAX_LINKS];
	struct mx_compose_net cn;
	struct uplink u = {0};
	char dir[PATH_MAX], where[PATH_MAX + 512];
	json_object *arr;
	int through, nc, nl, i, safe, want, bridge_mtu = 0, docker0 = 0;

	uplink_from_path(ctx, &u);
	mailcow_dir(ctx, dir, sizeof(dir), &through);
	nc = mx_compose_read(dir, through, &ctx->cfg->mc, &cn);
	nl = mx_link_list(links, MAX_LINKS);
	if (nl < 0) {
		mx_result_set(r, MX_ERROR, "list links: %s", strerror(-nl));
		return;
	}
	mx_data_str(r, "mailcow_dir", dir);
	mx_data_str(r, "compose_file", nc > 0 ? cn.file : NULL);
	mx_data_str(r, "uplink_interface", u.ifname[0] ? u.ifname : NULL);
	if (u.mtu)
		mx_data_int(r, "uplink_mtu_bytes", u.mtu);
	if (u.path)
		mx_data_int(r, "path_mtu_bytes", u.path);
	mx_data_bool(r, "path_blackhole", u.blackhole);
	arr = json_object_new_array();
	for (i = 0; i < nl && i < MAX_LINKS; i++) {
		json_object *b;

		if (!is_docker_bridge(&links[i], cn.bridge[0] ? cn.bridge : "br-mailcow"))
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "name", json_object_new_string(links[i].name));
		json_object_object_add(b, "mtu_bytes", json_object_new_int((int)links[i].mtu));
		json_object_array_add(arr, b);
		if (!strcmp(links[i].name, nc > 0 ? cn.bridge : "br-mailcow"))
			bridge_mtu = (int)links[i].mtu;
		if (!strcmp(links[i].name, "docker0"))
			docker0 = (int)links[i].mtu;
	}
	json_object_object_add(mx_result_data(r), "bridges", arr);
	mx_data_str(r, "mailcow_bridge", nc > 0 ? cn.bridge : "br-mailcow");
	if (bridge_mtu)
		mx_data_int(r, "mailcow_bridge_mtu_bytes", bridge_mtu);
	if (nc > 0 && cn.mtu) {
		mx_data_int(r, "compose_mtu_bytes", cn.mtu);
		mx_data_str(r, "compose_mtu_file", cn.mtu_file);
		mx_data_int(r, "compose_mtu_line", cn.mtu_line);
	}
	if (!u.mtu) {
		mx_result_set(r, MX_SKIP,
			      "uplink MTU unknown: no route toward the measured target");
		return;
	}
	if (nc > 0 && cn.mtu_invalid) {
		mx_result_set(r, MX_FAIL, "%s:%d: com.docker.network.driver.mtu '%s' is not an MTU",
			      cn.mtu_file, cn.mtu_line, cn.mtu_raw);
		mx_result_remedy(r, "write a number between 68 and %d there", u.mtu);
		return;
	}
	/* The most a container may send: the uplink's MTU, or less when
	 * the path drops bigger packets without telling (a black hole). */
	safe = u.mtu;
	if (u.path && u.blackhole && u.path < safe)
		safe = u.path;
	mx_data_int(r, "recommended_mtu_bytes", safe);
	want = nc > 0 && cn.mtu ? (int)cn.mtu : DOCKER_DEFAULT_MTU;
	snprintf(where, sizeof(where),
		 "in %s/docker-compose.override.yml set networks: mailcow-network: driver_opts: "
		 "com.docker.network.driver.mtu: \"%d\", then recreate the network "
		 "(docker compose down && docker compose up -d); daemon.json's \"mtu\" only "
		 "reaches docker0, not mailcow's bridge",
		 dir, safe);
	if (want > safe) {
		/* Before mailcow is installed this is advice, after it a fault. */
		mx_result_set(r, nc > 0 || bridge_mtu ? MX_FAIL : MX_WARN,
			      "mailcow's network %s MTU %d%s, but %s carries only %d%s",
			      bridge_mtu ? "uses" : "will use", want,
			      nc > 0 && cn.mtu ? "" : " (Docker's default: compose sets none)",
			      u.blackhole && u.path == safe ? "the path" : u.ifname, safe,
			      u.blackhole && u.path == safe ? " (ICMP black hole, see mtu.path)"
							    : "");
		mx_result_remedy(r, "%s", where);
		return;
	}
	if (bridge_mtu > safe) {
		mx_result_set(
		    r, MX_FAIL,
		    "%s has MTU %d although %s:%d sets %d: the network predates the setting",
		    cn.bridge, bridge_mtu, cn.mtu_file, cn.mtu_line, want);
		mx_result_remedy(
		    r, "recreate the network: docker compose down && docker compose up -d");
		return;
	}
	if (nc <= 0 && !bridge_mtu) {
		mx_result_set(
		    r, MX_PASS,
		    "%s MTU %d: Docker's default %d fits (no mailcow compose file in %s yet)",
		    u.ifname, u.mtu, DOCKER_DEFAULT_MTU, dir);
		return;
	}
	mx_result_set(r, MX_PASS, "mailcow's network MTU %d%s fits %s (%d)%s",
		      bridge_mtu ? bridge_mtu : want,
		      bridge_mtu ? " (its bridge)"
		      : cn.mtu	 ? " (set in compose)"
				 : " (Docker's default; compose sets none)",
		      u.blackhole && u.path == safe ? "the path" : u.ifname, safe,
		      want < safe ? "; a bit lower than needed" : "");
	if (docker0 > safe) {
		json_object_object_add(
		    mx_result_data(r), "docker0_note",
		    json_object_new_string(
			"docker0 exceeds the uplink MTU: set \"mtu\" in /etc/docker/daemon.json "
			"(mailcow does not use docker0)"));
	}
}
