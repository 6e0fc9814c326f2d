// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>

#include "report.h"

json_object *mx_report_json(const struct mx_host *h, const struct mx_report *rep)
{
	json_object *root = json_object_new_object();
	json_object *host = json_object_new_object();
	json_object *checks = json_object_new_array();
	json_object *sum = json_object_new_object();
	size_t i;

	json_object_object_add(root, "mxprobe", json_object_new_string(MX_VERSION));
	json_object_object_add(root, "schema", json_object_new_int(MX_SCHEMA));
	json_object_object_add(host, "hostname", json_object_new_string(h->hostname));
	json_object_object_add(host, "kernel", json_object_new_string(h->kernel));
	json_object_object_add(host, "os", json_object_new_string(h->os));
	json_object_object_add(root, "host", host);
	for (i = 0; i < rep->n; i++) {
		const struct mx_result *r = &rep->results[i];
		json_object *c = json_object_new_object();

		json_object_object_add(c, "id", json_object_new_string(r->check->id));
		json_object_object_add(c, "group", json_object_new_string(r->group->name));
		json_object_object_add(c, "status",
				       json_object_new_string(mx_status_name(r->status)));
		json_object_object_add(c, "summary",
				       json_object_new_string(r->summary ? r->summary : ""));
		json_object_object_add(c, "remedy",
				       r->remedy ? json_object_new_string(r->remedy) : NULL);
		json_object_object_add(
		    c, "data", r->data ? json_object_get(r->data) : json_object_new_object());
		/* Round to microseconds: the rest is noise. */
		json_object_object_add(c, "elapsed_ms",
				       json_object_new_double(round(r->elapsed_ms * 1000) / 1000));
		json_object_array_add(checks, c);
	}
	json_object_object_add(root, "checks", checks);
	for (i = 0; i < MX_STATUS_COUNT; i++)
		json_object_object_add(sum, mx_status_name(i), json_object_new_int(rep->counts[i]));
	json_object_object_add(root, "summary", sum);
	return root;
}
