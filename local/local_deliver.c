/* SPDX-License-Identifier: MIT */
/* local_deliver - one recipient into its Maildir, as its owner. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/resolve.h"
#include "proto/local_clnt.h"
#include "queue/msghdr.h"
#include "queue/qfile.h"
#include "server/server.h"
#include "store/maildir.h"
#include "store/uidlist.h"
#include "util/buf.h"
#include "util/delay.h"
#include "util/log.h"
#include "util/mem.h"

#include "local.h"

/* Collect the Delivered-To: values of the header section (up to
 * header_size_limit bytes) so that a message that comes back to an
 * address it was already delivered to is recognised as a loop. */
int
local_msg_scan(struct local_msg *m, const char **error_r)
{
	struct buf hdr;
	const char *line, *end;

	buf_init(&hdr, (size_t)var_header_size_limit);
	if (msghdr_read(m->fd, &hdr, error_r) < 0) {
		buf_deinit(&hdr);
		return -1;
	}
	for (line = hdr.data; line < hdr.data + hdr.len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(hdr.data + hdr.len - line));
		if (end == NULL)
			end = hdr.data + hdr.len;
		if (end - line > 13 &&
		    strncasecmp(line, "Delivered-To:", 13) == 0) {
			const char *v = line + 13;

			while (*v == ' ' || *v == '\t')
				v++;
			m->delivered_to = xrealloc(m->delivered_to,
			    (m->ndelivered_to + 1) * sizeof(char *));
			m->delivered_to[m->ndelivered_to++] =
			    xstrndup(v, (size_t)(end - v));
		}
	}
	buf_deinit(&hdr);
	return 0;
}

void
local_msg_free(struct local_msg *m)
{
	size_t i;

	for (i = 0; i < m->ndelivered_to; i++)
		xfree(m->delivered_to[i]);
	xfree(m->delivered_to);
	m->delivered_to = NULL;
	m->ndelivered_to = 0;
}

void
local_result_set(struct local_result *res, const char *status, const char *fmt,
    ...)
{
	va_list ap;

	snprintf(res->status, sizeof(res->status), "%s", status);
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

/* The delivered message's UID, at once, when the Maildir has a UID list
 * (uidlist.h): IMAP and POP3 then agree on it and on arrival order. The
 * delivery stands whatever happens here: a message without a UID gets one
 * at the next open. */
static void
give_uid(const char *maildir, const char *final)
{
	struct buf err;

	buf_init(&err, 1024);
	if (uidlist_add_delivered(maildir, strrchr(final, '/') + 1, &err) < 0)
		log_warn("%s: UID not given at delivery: %s", maildir,
		    buf_cstr(&err));
	buf_deinit(&err);
}

int
local_copy_message(const struct local_msg *m, const char *rcpt,
    local_copy_fn *fn, void *ctx, const char **error_r)
{
	struct qfile_content *c;
	struct buf head;
	const char *p;
	size_t n;
	int ret;

	buf_init(&head, 4096);
	/* RFC 5321 4.4: the final delivery adds Return-Path:. */
	buf_printf(&head, "Return-Path: <%s>\nDelivered-To: %s\n", m->sender,
	    rcpt);
	ret = fn(ctx, head.data, head.len);
	buf_deinit(&head);
	*error_r = NULL;
	if (ret < 0)
		return -1;
	if (qfile_content_open(m->fd, &c, error_r) < 0)
		return -1;
	while ((ret = qfile_content_read(c, &p, &n, error_r)) > 0) {
		if (fn(ctx, p, n) < 0) {
			*error_r = NULL;
			ret = -1;
			break;
		}
	}
	qfile_content_close(&c);
	return ret < 0 ? -1 : 0;
}

struct maildir_copy {
	struct maildir_msg *md;
	const char *error;
};

static int
maildir_copy(void *ctx, const char *p, size_t n)
{
	struct maildir_copy *c = ctx;

	return maildir_write(c->md, p, n, &c->error);
}

int
local_write_maildir(struct local_msg *m, const char *rcpt, const char *path,
    const char **error_r)
{
	struct maildir_copy c = { NULL, NULL };
	struct buf name;
	int ret;

	if (maildir_open(path, &c.md, error_r) < 0)
		return -1;
	if (local_copy_message(m, rcpt, maildir_copy, &c, error_r) < 0) {
		if (*error_r == NULL)
			*error_r = c.error;
		maildir_abort(&c.md);
		return -1;
	}
	buf_init(&name, 8192);
	ret = maildir_commit(c.md, &name, error_r);
	if (ret == 0)
		give_uid(path, buf_cstr(&name));
	buf_deinit(&name);
	return ret;
}

static void
log_result(struct local_msg *m, const char *rcpt, const char *orig,
    const struct local_result *res, const struct timeval *start)
{
	struct timeval now, stage[DELAY_STAGES] = { { 0, 0 } };
	char fields[DELAY_FIELDS_MAX];
	const char *status = res->status[0] == '2' ? "sent"
	    : res->status[0] == '4'                ? "deferred"
						   : "bounced";

	gettimeofday(&now, NULL);
	/* No queue manager time stamps reach us: what came before this
	 * delivery is "before the queue manager". */
	stage[DELAY_BEFORE_QMGR] = delay_between(&m->arrival, start);
	stage[DELAY_TRANSMISSION] = delay_between(start, &now);
	log_info("%s: to=<%s>%s%s%s, relay=local, %s, dsn=%s, status=%s (%s)",
	    m->queue_id, rcpt, strcasecmp(rcpt, orig) ? ", orig_to=<" : "",
	    strcasecmp(rcpt, orig) ? orig : "",
	    strcasecmp(rcpt, orig) ? ">" : "",
	    delay_fields(fields, delay_between(&m->arrival, &now), stage),
	    res->status, status, res->text);
}

void
local_deliver(struct local_msg *m, const char *rcpt, const char *orig,
    struct local_result *res)
{
	struct resolve_error err;
	struct timeval start;
	struct buf path;
	const char *error;
	char errbuf[400];
	size_t i;
	int cls;

	gettimeofday(&start, NULL);
	buf_init(&path, 8192);
	cls = resolve_class(rcpt, &err);
	if (cls != RESOLVE_VIRTUAL && cls != RESOLVE_LOCAL) {
		if (cls == RESOLVE_POSTMASTER)
			local_result_set(res, "5.1.1",
			    "no mailbox for <%s>; give "
			    "postmaster a virtual_alias_maps entry",
			    rcpt);
		else
			local_result_set(res, err.dsn, "%s", err.text);
		goto done;
	}
	for (i = 0; i < m->ndelivered_to; i++) {
		if (strcasecmp(m->delivered_to[i], rcpt) == 0) {
			local_result_set(res, "5.4.6",
			    "mail forwarding loop for %s", rcpt);
			goto done;
		}
	}
	if (cls == RESOLVE_LOCAL) {
		local_deliver_user(m, rcpt, res);
		goto done;
	}
	if (resolve_mailbox(rcpt, &path, &err) < 0) {
		local_result_set(res, err.dsn, "%s", err.text);
		goto done;
	}
	if (path.len == 0 || path.data[path.len - 1] != '/') {
		/* Retrying cannot help until the table changes, and a table
		 * fix is an administrator's act: return the mail now rather
		 * than keep it for maximal_queue_lifetime ("tern check"
		 * reports such entries before they get mail). */
		log_warn("%s: mailbox %s of %s is an mbox path; only Maildir "
			 "delivery is supported: end the value with \"/\"",
		    VAR_VIRT_MAILBOX_MAPS, path.data, rcpt);
		/* The path stays in the log: the bounce goes outside. */
		local_result_set(res, "5.3.5",
		    "mbox delivery is not supported: the "
		    "mailbox of <%s> is not a Maildir",
		    rcpt);
		goto done;
	}
	if (server_is_root()) {
		uid_t uid;
		gid_t gid;

		if (resolve_owner(rcpt, &uid, &gid, &err) < 0) {
			local_result_set(res, err.dsn, "%s", err.text);
			goto done;
		}
		if (local_as_user(m, rcpt, path.data, uid, gid, errbuf,
			sizeof(errbuf)) < 0) {
			local_result_set(res, "4.2.0",
			    "maildir delivery failed: %s", errbuf);
			goto done;
		}
	} else if (local_write_maildir(m, rcpt, path.data, &error) < 0) {
		local_result_set(res, "4.2.0", "maildir delivery failed: %s",
		    error);
		goto done;
	}
	local_result_set(res, "2.0.0", "delivered to maildir");
done:
	log_result(m, rcpt, orig, res, &start);
	buf_deinit(&path);
}
