// SPDX-License-Identifier: GPL-2.0
/* Process -> container: the cgroup path carries the container id (Docker's
 * systemd driver: .../docker-<id>.scope, cgroupfs driver: /docker/<id>,
 * podman: libpod-<id>.scope); the name comes from Docker's API socket
 * (GET /containers/json?all=1 over the unix socket, fetched once and
 * cached). Without the socket the id and the cgroup path are all we say. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <netinet/in.h>

#include "container.h"
#include "log.h"
#include "sysroot.h"

#define API_MAX_BYTES (8u << 20)

/* Forward: the container id test, used to pick the telling v1 line. */
int mx_container_id_of_cgroup(const char *cg, char *id, size_t idlen);

int mx_cgroup_of_pid(__u32 pid, char *buf, size_t len)
{
	char path[64], data[4096], *line, *save = NULL, id[65];
	const char *v2 = NULL, *sysd = NULL, *cont = NULL, *first = NULL;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	n = mx_read_file(path, data, sizeof(data));
	if (n < 0)
		return (int)n;
	/* cgroup v2 has one line "0::/path". Hybrid and v1 hosts (and Docker's
	 * cgroupfs driver there) may leave it at "/" while the systemd or a
	 * controller hierarchy names the unit or container: take the most
	 * telling line. */
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strchr(line, ':');

		p = p ? strchr(p + 1, ':') : NULL;
		if (!p)
			continue;
		*p++ = '\0';
		if (!strcmp(line, "0:"))
			v2 = p;
		else if (strstr(line, "name=systemd"))
			sysd = p;
		if (!cont && mx_container_id_of_cgroup(p, id, sizeof(id)))
			cont = p;
		if (!first)
			first = p;
	}
	if (cont)
		snprintf(buf, len, "%s", cont);
	else if (v2 && strcmp(v2, "/"))
		snprintf(buf, len, "%s", v2);
	else if (sysd && strcmp(sysd, "/"))
		snprintf(buf, len, "%s", sysd);
	else if (v2 || first)
		snprintf(buf, len, "%s", v2 ? v2 : first);
	else
		return -ENOENT;
	return 0;
}

static int is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

int mx_container_id_of_cgroup(const char *cg, char *id, size_t idlen)
{
	const char *p, *found = NULL;

	/* The last 64-hex component: a container's own sub-cgroups
	 * (/docker/<id>/init) and nested runtimes still name the innermost. */
	for (p = cg; *p; p++) {
		if (p != cg && p[-1] != '/' && p[-1] != '-')
			continue;
		if (strlen(p) >= 64 && is_hex64(p) &&
		    (p[64] == '\0' || p[64] == '/' || p[64] == '.'))
			found = p;
	}
	if (!found) {
		if (idlen)
			id[0] = '\0';
		return 0;
	}
	snprintf(id, idlen, "%.64s", found);
	return 1;
}

int mx_unit_of_cgroup(const char *cg, char *unit, size_t len)
{
	const char *last = NULL, *p = cg, *end;

	/* The innermost .service (a .scope is a container or a session). */
	while ((p = strstr(p, ".service"))) {
		if (p[8] == '\0' || p[8] == '/')
			last = p;
		p += 8;
	}
	if (!last)
		return 0;
	end = last + 8;
	while (last > cg && last[-1] != '/')
		last--;
	snprintf(unit, len, "%.*s", (int)(end - last), last);
	return 1;
}

/* The cached container list. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_object *containers; /* array, or NULL */
static int fetched, fetch_err;
static char sock_path[256];
static long timeout_ms = 5000;

void mx_docker_set_timeout(double seconds)
{
	pthread_mutex_lock(&lock);
	if (seconds > 0)
		timeout_ms = (long)(seconds * 1000);
	pthread_mutex_unlock(&lock);
}

const char *mx_docker_socket(void)
{
	const char *h = getenv("DOCKER_HOST");

	if (!sock_path[0]) {
		if (h && !strncmp(h, "unix://", 7))
			snprintf(sock_path, sizeof(sock_path), "%s", h + 7);
		else
			snprintf(sock_path, sizeof(sock_path), "/var/run/docker.sock");
	}
	return sock_path;
}

struct body {
	char *p;
	size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct body *b = ud;
	size_t n = size * nmemb;
	char *np;

	if (b->n + n > API_MAX_BYTES)
		return 0;
	np = realloc(b->p, b->n + n + 1);
	if (!np)
		return 0;
	memcpy(np + b->n, ptr, n);
	b->n += n;
	np[b->n] = '\0';
	b->p = np;
	return n;
}

/* GET /containers/json?all=1. The reply is believed only when it is a 200
 * with a JSON array whose entries carry a 64-hex Id. */
static int fetch(void)
{
	struct body b = {0};
	long code = 0;
	char path[4096];
	CURLcode rc;
	CURL *c;
	int err = 0;
	size_t i;

	if (!mx_sysroot_live())
		return -ENOENT;
	if (!mx_path(path, sizeof(path), "%s", mx_docker_socket()) || !mx_exists(path))
		return -ENOENT;
	c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, path);
	curl_easy_setopt(c, CURLOPT_URL, "http://localhost/containers/json?all=1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		mx_dbg("docker: GET /containers/json on %s: %s", path, curl_easy_strerror(rc));
		err = rc == CURLE_COULDNT_CONNECT ? -ECONNREFUSED : -EIO;
		goto out;
	}
	if (code != 200) {
		mx_dbg("docker: GET /containers/json on %s: HTTP %ld", path, code);
		err = -EPROTO;
		goto out;
	}
	containers = b.p ? json_tokener_parse(b.p) : NULL;
	if (!containers || !json_object_is_type(containers, json_type_array)) {
		err = -EBADMSG;
		goto out;
	}
	for (i = 0; i < json_object_array_length(containers); i++) {
		json_object *e = json_object_array_get_idx(containers, i), *id;

		if (!json_object_object_get_ex(e, "Id", &id) ||
		    strlen(json_object_get_string(id)) != 64 ||
		    !is_hex64(json_object_get_string(id))) {
			err = -EBADMSG;
			goto out;
		}
	}
out:
	if (err) {
		json_object_put(containers);
		containers = NULL;
	}
	free(b.p);
	return err;
}

static int ensure(void)
{
	pthread_mutex_lock(&lock);
	if (!fetched) {
		fetch_err = fetch();
		fetched = 1;
	}
	pthread_mutex_unlock(&lock);
	return fetch_err;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

/* Docker names start with '/'; the first name is the container's own. */
static void name_of(json_object *e, char *name, size_t len)
{
	json_object *names;
	const char *n = "";

	if (json_object_object_get_ex(e, "Names", &names) &&
	    json_object_is_type(names, json_type_array) && json_object_array_length(names) > 0)
		n = json_object_get_string(json_object_array_get_idx(names, 0));
	if (n && *n == '/')
		n++;
	snprintf(name, len, "%s", n ? n : "");
}

int mx_container_of_pid(__u32 pid, char *id, size_t idlen, char *name, size_t namelen)
{
	char cg[512], full[65];
	size_t i;
	int err;

	if (idlen)
		id[0] = '\0';
	if (namelen)
		name[0] = '\0';
	err = mx_cgroup_of_pid(pid, cg, sizeof(cg));
	if (err)
		return err;
	if (!mx_container_id_of_cgroup(cg, full, sizeof(full)))
		return 0;
	snprintf(id, idlen, "%s", full);
	if (ensure())
		return 1;
	for (i = 0; i < json_object_array_length(containers); i++) {
		json_object *e = json_object_array_get_idx(containers, i);

		if (!strcmp(str_of(e, "Id"), full)) {
			name_of(e, name, namelen);
			break;
		}
	}
	return 1;
}

/* The container's address on its first network (docker-proxy's target). */
static void private_ip_of(json_object *e, char *ip, size_t len)
{
	json_object *ns, *nets;

	ip[0] = '\0';
	if (!json_object_object_get_ex(e, "NetworkSettings", &ns) ||
	    !json_object_object_get_ex(ns, "Networks", &nets))
		return;
	json_object_object_foreach(nets, k, net)
	{
		(void)k;
		if (*str_of(net, "IPAddress")) {
			snprintf(ip, len, "%s", str_of(net, "IPAddress"));
			return;
		}
	}
}

int mx_docker_published(__u16 port, int proto, struct mx_published *out, int max)
{
	const char *want = proto == IPPROTO_UDP ? "udp" : "tcp";
	int err = ensure(), n = 0;
	size_t i, j;

	if (err)
		return err;
	for (i = 0; i < json_object_array_length(containers); i++) {
		json_object *e = json_object_array_get_idx(containers, i), *ports;

		if (strcmp(str_of(e, "State"), "running") ||
		    !json_object_object_get_ex(e, "Ports", &ports) ||
		    !json_object_is_type(ports, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(ports); j++) {
			json_object *p = json_object_array_get_idx(ports, j), *pub, *priv;
			struct mx_published *o;

			if (!json_object_object_get_ex(p, "PublicPort", &pub) ||
			    json_object_get_int(pub) != port || strcmp(str_of(p, "Type"), want))
				continue;
			if (n >= max)
				return n;
			o = &out[n++];
			memset(o, 0, sizeof(*o));
			snprintf(o->id, sizeof(o->id), "%s", str_of(e, "Id"));
			name_of(e, o->name, sizeof(o->name));
			snprintf(o->image, sizeof(o->image), "%s", str_of(e, "Image"));
			snprintf(o->host_ip, sizeof(o->host_ip), "%s",
				 *str_of(p, "IP") ? str_of(p, "IP") : "0.0.0.0");
			private_ip_of(e, o->private_ip, sizeof(o->private_ip));
			o->host_port = port;
			o->private_port = json_object_object_get_ex(p, "PrivatePort", &priv)
					      ? (__u16)json_object_get_int(priv)
					      : 0;
			o->proto = proto;
		}
	}
	return n;
}
