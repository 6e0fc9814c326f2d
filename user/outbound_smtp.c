// SPDX-License-Identifier: GPL-2.0
/* Outbound probe of port 25 as an MTA talks: banner, EHLO, STARTTLS,
 * TLS (certificate reported, not required), QUIT. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "outbound.h"

static void smtp_send(struct ob_probe *op, const char *cmd)
{
	ob_queue_write(op, cmd, strlen(cmd));
	op->rlen = 0;
	mx_loop_modify(&op->p, op->p.fds[0], EPOLLOUT);
}

void ob_smtp_finish(struct ob_probe *op, const char *warn_fmt, ...)
{
	char tls[160] = "";

	/* Leave politely: the server logs a clean session. */
	if (ob_conn_write(op, op->p.fds[0], "QUIT\r\n", 6) < 0) {
		/* closing ends the session anyway */
	}
	if (warn_fmt) {
		va_list ap;

		va_start(ap, warn_fmt);
		vsnprintf(op->warn_text, sizeof(op->warn_text), warn_fmt, ap);
		va_end(ap);
		op->warn = 1;
	}
	if (op->starttls == 1 && op->tls_version[0])
		snprintf(tls, sizeof(tls), "; STARTTLS: %s, certificate %s%s", op->tls_version,
			 op->tls_verify_error[0] ? "not verified: " : "verified",
			 op->tls_verify_error);
	else if (op->starttls == 0)
		snprintf(tls, sizeof(tls), "; no STARTTLS offered");
	mx_probe_ok(&op->p, "%s%s%s%s", op->banner, tls, op->warn ? "; " : "",
		    op->warn ? op->warn_text : "");
}

/* Port 25: banner, then EHLO and STARTTLS as an MTA talks. */
void ob_smtp_step(struct ob_probe *op, int eof)
{
	struct mx_probe *p = &op->p;
	char *buf = (char *)op->rbuf, line[256];
	enum mx_reply v;
	int code = 0;

	if (op->smtp_step == 0) {
		v = mx_smtp_banner(buf, op->rlen, &op->code, op->text, sizeof(op->text));
		if (v == MX_REPLY_VALID) {
			snprintf(op->banner, sizeof(op->banner), "%s", op->text);
			op->smtp_step = 1;
			smtp_send(op, "EHLO mxprobe.invalid\r\n");
		} else if (v == MX_REPLY_BAD) {
			mx_probe_fail(p, 0, "server answered but refuses: %s", op->text);
		} else if (eof) {
			mx_probe_fail(p, 0, "connection closed before a complete 220 greeting");
		}
		return;
	}
	v = mx_smtp_reply(buf, op->rlen, &code, line, sizeof(line));
	if (v == MX_REPLY_MORE) {
		if (eof)
			ob_smtp_finish(op, "connection closed after %s",
				       op->smtp_step == 1 ? "EHLO" : "STARTTLS");
		return;
	}
	if (op->smtp_step == 1) {
		if (v != MX_REPLY_VALID || code != 250) {
			ob_smtp_finish(op, "EHLO answered: %s", line);
			return;
		}
		/* A capability line "250-STARTTLS" / "250 STARTTLS"; Cisco's
		 * ESMTP inspection overwrites it with X characters. */
		op->starttls = strcasestr(buf, "250-STARTTLS") || strcasestr(buf, "250 STARTTLS");
		op->starttls_masked = strstr(buf, "XXXXXXXA") != NULL;
		if (!op->starttls) {
			if (op->starttls_masked)
				ob_smtp_finish(
				    op, "a middlebox on the path hides STARTTLS (Cisco-style "
					"ESMTP inspection): mail leaves unencrypted");
			else
				ob_smtp_finish(op, NULL);
			return;
		}
		op->smtp_step = 2;
		smtp_send(op, "STARTTLS\r\n");
		return;
	}
	if (op->smtp_step == 2) {
		if (v != MX_REPLY_VALID || code != 220) {
			ob_smtp_finish(op, "STARTTLS answered: %s", line);
			return;
		}
		op->smtp_step = 3;
		op->rlen = 0;
		op->stage = OB_ST_TLS;
		mx_loop_modify(p, p->fds[0], EPOLLOUT);
	}
}
