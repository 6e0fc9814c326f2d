// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "report.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *status_color(enum mx_status st)
{
	switch (st) {
	case MX_PASS:
		return "\033[32m";
	case MX_WARN:
		return "\033[33m";
	case MX_FAIL:
		return "\033[1;31m";
	case MX_ERROR:
		return "\033[35m";
	default:
		return "\033[2m";
	}
}

static const char *const status_label[MX_STATUS_COUNT] = {"PASS", "WARN", "FAIL", "SKIP", "ERR "};

static void print_data(FILE *f, json_object *data, int indent)
{
	json_object_object_foreach(data, key, val)
	{
		fprintf(f, "%*s%s: %s\n", indent, "", key,
			val ? json_object_to_json_string_ext(
				  val, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
			    : "null");
	}
}

void mx_render_text(FILE *f, const struct mx_host *h, const struct mx_report *rep, int color)
{
	const struct mx_group *group = NULL;
	size_t i, w = 0;

	for (i = 0; i < rep->n; i++) {
		size_t n = strlen(rep->results[i].check->title);

		if (n > w)
			w = n;
	}
	fprintf(f, "%smxprobe %s%s on %s: %s, kernel %s\n", color ? C_BOLD : "", MX_VERSION,
		color ? C_RESET : "", h->hostname, h->os, h->kernel);
	for (i = 0; i < rep->n; i++) {
		const struct mx_result *r = &rep->results[i];

		if (r->group != group) {
			group = r->group;
			fprintf(f, "\n%s%s%s\n", color ? C_BOLD : "", group->title,
				color ? C_RESET : "");
		}
		fprintf(f, "  %s%s%s  %-*s  %s\n", color ? status_color(r->status) : "",
			status_label[r->status], color ? C_RESET : "", (int)w, r->check->title,
			r->summary ? r->summary : "");
		if (r->remedy && r->status != MX_PASS && r->status != MX_SKIP)
			fprintf(f, "  %*s  %sremedy:%s %s\n", (int)(w + 6), "", color ? C_BOLD : "",
				color ? C_RESET : "", r->remedy);
		if (mx_log_enabled(MX_LOG_INFO) && r->data)
			print_data(f, r->data, (int)(w + 8));
	}
	fprintf(f, "\nsummary: %u pass, %u warn, %u fail, %u skip, %u error\n",
		rep->counts[MX_PASS], rep->counts[MX_WARN], rep->counts[MX_FAIL],
		rep->counts[MX_SKIP], rep->counts[MX_ERROR]);
}
