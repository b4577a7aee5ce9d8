/* SPDX-License-Identifier: MIT */
/* local_forward - a copy of the message to other addresses: what an
 * alias or a .forward that names addresses does. The copy is a new queue
 * file, written durably as mail_owner (queue files are mail_owner's) by
 * the job below before the original recipient counts as delivered: a
 * crash between the two means a duplicate, never a loss. The copy keeps
 * the envelope sender (or the list owner's address, aliases(5)
 * "owner-"), gets a Delivered-To: header for the forwarding address (a
 * copy that comes back to it is a loop, see local_msg_scan) and goes
 * through virtual_alias_maps like any new mail. */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "conf/params.h"
#include "mail/resolve.h"
#include "queue/qfile.h"
#include "queue/trigger.h"
#include "server/server.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/log.h"

#include "local.h"

/* Job "forward": "rcpt" is the forwarding address, each "to" a new
 * recipient, "from" the envelope sender of the copy. Answers the new
 * queue ID. */
int
local_job_forward(struct local_msg *m, const struct attr_list *req,
    struct buf *out)
{
	const char *rcpt = attr_get(req, "rcpt"), *from = attr_get(req, "from");
	struct qfile_writer *w;
	struct qfile_content *c;
	struct timeval now;
	struct buf head;
	const char *error, *p;
	size_t i, n, nrcpt = 0;
	int ret;

	if (rcpt == NULL || from == NULL) {
		buf_puts(out, "bad forward job");
		return -1;
	}
	if (qfile_create(".", &w, &error) < 0) {
		buf_printf(out, "cannot create a queue file: %s", error);
		return -1;
	}
	gettimeofday(&now, NULL);
	qfile_put_time(w, now);
	qfile_put_sender(w, from);
	qfile_put_attr(w, "origin", "forward");
	if (m->queue_id != NULL)
		qfile_put_attr(w, "origin_queue_id", m->queue_id);
	for (i = 0; i < req->n; i++) {
		struct resolve_list finals = { 0 };
		struct resolve_error err;
		size_t j;

		if (strcmp(req->a[i].name, "to") != 0)
			continue;
		if (resolve_alias(req->a[i].value, &finals, &err) < 0) {
			buf_printf(out, "%s", err.text);
			resolve_list_free(&finals);
			qfile_abort(&w);
			return -1;
		}
		for (j = 0; j < finals.n; j++, nrcpt++)
			qfile_put_rcpt(w, finals.addr[j], req->a[i].value);
		resolve_list_free(&finals);
	}
	if (nrcpt == 0) {
		buf_puts(out, "forward job without recipients");
		qfile_abort(&w);
		return -1;
	}
	buf_init(&head, 1024);
	buf_printf(&head, "Delivered-To: %s\n", rcpt);
	qfile_put_content(w, head.data, head.len);
	buf_deinit(&head);
	if (qfile_content_open(m->fd, &c, &error) < 0) {
		buf_printf(out, "queue file: %s", error);
		qfile_abort(&w);
		return -1;
	}
	while ((ret = qfile_content_read(c, &p, &n, &error)) > 0)
		qfile_put_content(w, p, n);
	qfile_content_close(&c);
	if (ret < 0) {
		buf_printf(out, "queue file: %s", error);
		qfile_abort(&w);
		return -1;
	}
	if (qfile_commit(w, &error) < 0) {
		buf_printf(out, "cannot queue the copy: %s", error);
		qfile_abort(&w);
		return -1;
	}
	buf_puts(out, qfile_writer_id(w));
	qfile_writer_destroy(&w);
	/* qmgr also finds it at its next scan. */
	if (trigger_send("public/qmgr", TRIGGER_REQ_WAKEUP, &error) < 0)
		log_warn("cannot wake qmgr: %s", error);
	return 0;
}

int
local_forward(struct local_msg *m, const char *rcpt, const char *from,
    const char *const *to, size_t nto, struct buf *out)
{
	struct attr_list req = { 0 };
	const char *error;
	uid_t uid;
	gid_t gid;
	size_t i;
	int ret;

	if (server_user_ids(var_mail_owner, &uid, &gid, &error) < 0) {
		buf_reset(out);
		buf_printf(out, "%s: %s", VAR_MAIL_OWNER, error);
		return -1;
	}
	attr_list_add(&req, "kind", "forward");
	attr_list_add(&req, "rcpt", rcpt);
	attr_list_add(&req, "from", from);
	for (i = 0; i < nto; i++)
		attr_list_add(&req, "to", to[i]);
	ret = local_run_as(m, uid, gid, &req, out);
	attr_list_clear(&req);
	return ret;
}
