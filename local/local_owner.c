/* SPDX-License-Identifier: MIT */
/* local_owner - deliveries as a mailbox owner, through one long-lived
 * child per identity.
 *
 * Started as root, local must write each Maildir as its owner
 * (virtual_uid_maps / virtual_gid_maps) and never as root. Forking for
 * every delivery is safe but costs more than the delivery itself, so the
 * first delivery for an identity forks a child that drops to it for good
 * (it can never become root again) and then serves jobs over a
 * socketpair: the queue file descriptor and the job's attributes go in
 * ("kind" names the job: a Maildir or mbox delivery, an alias or
 * .forward expansion with its files and commands, a forwarded copy
 * written into the queue as mail_owner), a status and a text come back.
 * A small pool keeps the most recent identities; a child that fails is
 * replaced once, then the recipient is deferred. The queue file goes to
 * a child only as a fresh read-only descriptor (local_owner_fd): the one
 * qmgr passed is read-write, and a mailbox owner must not be able to
 * change a queue file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/params.h"
#include "queue/qfile.h"
#include "server/master_proto.h"
#include "server/server.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/fdpass.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "local.h"

#define OWNER_POOL 8

struct owner {
	uid_t uid;
	gid_t gid;
	pid_t pid; /* 0: slot free */
	struct stream *s;
	unsigned long last_use;
};

static struct owner pool[OWNER_POOL];
static unsigned long use_clock;

/* The Maildir job: "rcpt" into the Maildir "path". */
static int
job_maildir(struct local_msg *m, const struct attr_list *req, struct buf *out)
{
	const char *rcpt = attr_get(req, "rcpt"), *path = attr_get(req, "path");
	const char *error;

	if (rcpt == NULL || path == NULL) {
		buf_puts(out, "bad maildir job");
		return -1;
	}
	if (local_write_maildir(m, rcpt, path, &error) < 0) {
		buf_puts(out, error);
		return -1;
	}
	return 0;
}

static const struct {
	const char *kind;
	local_job_fn *fn;
} jobs[] = {
	{ "maildir", job_maildir },
	{ "forward", local_job_forward },
	{ "expand", local_job_expand },
	{ "mbox", local_job_mbox },
};

/* Run the job that req names, as the current identity. */
static int
run_job(struct local_msg *m, const struct attr_list *req, struct buf *out)
{
	const char *kind = attr_get(req, "kind");
	size_t i;

	m->sender = attr_get(req, "sender");
	m->queue_id = attr_get(req, "queue_id");
	for (i = 0; kind != NULL && m->sender != NULL &&
	     i < sizeof(jobs) / sizeof(jobs[0]);
	     i++)
		if (strcmp(jobs[i].kind, kind) == 0)
			return jobs[i].fn(m, req, out);
	buf_puts(out, "unknown job");
	return -1;
}

/* The child: serve jobs until the parent goes away. */
static void __attribute__((noreturn)) owner_child(int sock)
{
	struct attr_list req = { 0 };
	struct stream *s = stream_create(sock, 0);
	struct buf out;
	const char *error;

	buf_init(&out, LOCAL_ANSWER_MAX);
	for (;;) {
		struct local_msg m;
		int fd, ret;

		fd = fdpass_recv(sock, 0, &error);
		if (fd < 0)
			_exit(0); /* parent closed: done */
		if (attr_recv(s, &req, &error) <= 0)
			_exit(1);
		memset(&m, 0, sizeof(m));
		m.fd = fd;
		buf_reset(&out);
		ret = run_job(&m, &req, &out);
		close(fd);
		attr_put(s, "status", ret == 0 ? "ok" : "error");
		attr_put(s, "text", buf_cstr(&out));
		attr_put_end(s);
		if (stream_flush(s, &error) < 0)
			_exit(1);
	}
}

static void
owner_close(struct owner *o)
{
	int status;

	stream_destroy(&o->s);
	/* EOF makes the child exit; do not wait for ever on a stuck one. */
	kill(o->pid, SIGTERM);
	while (waitpid(o->pid, &status, 0) < 0 && errno == EINTR)
		;
	o->pid = 0;
}

/* Start a child for (uid, gid). queue_fd and ro_fd (this delivery's
 * descriptors of the queue file) are closed in the child: it gets each
 * queue file only with a request. */
static struct owner *
owner_start(uid_t uid, gid_t gid, int queue_fd, int ro_fd, const char **error_r)
{
	struct owner *o = NULL;
	int sv[2];
	pid_t pid;
	size_t i;

	for (i = 0; i < OWNER_POOL; i++) {
		if (pool[i].pid == 0) {
			o = &pool[i];
			break;
		}
		if (o == NULL || pool[i].last_use < o->last_use)
			o = &pool[i];
	}
	if (o->pid != 0)
		owner_close(o); /* the least recently used identity */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		*error_r = strerror(errno);
		return NULL;
	}
	if ((pid = fork()) < 0) {
		*error_r = strerror(errno);
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		const char *error;

		/* Keep only what a delivery needs (the log stays): not
		 * the qmgr connection, not the master's descriptors, not
		 * other identities' sockets. */
		close(sv[0]);
		close(queue_fd);
		close(ro_fd);
		close(MASTER_STATUS_FD);
		close(MASTER_LISTEN_FD);
		if (local_conn_fd > MASTER_LISTEN_FD)
			close(local_conn_fd);
		for (i = 0; i < OWNER_POOL; i++)
			if (pool[i].pid != 0 && &pool[i] != o)
				close(stream_fd(pool[i].s));
		if (server_drop_privileges(uid, gid, NULL, &error) < 0) {
			log_error("delivery process for uid %ld: %s", (long)uid,
			    error);
			_exit(1);
		}
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(0);
		owner_child(sv[1]);
	}
	close(sv[1]);
	o->uid = uid;
	o->gid = gid;
	o->pid = pid;
	o->s = stream_create(sv[0], 0);
	stream_set_timeout(o->s, (int)var_ipc_timeout);
	return o;
}

static struct owner *
owner_find(uid_t uid, gid_t gid)
{
	size_t i;

	for (i = 0; i < OWNER_POOL; i++)
		if (pool[i].pid != 0 && pool[i].uid == uid &&
		    pool[i].gid == gid)
			return &pool[i];
	return NULL;
}

/* One exchange with a child. 1 done, 0 the job failed (the reason in
 * out), -1 the child itself failed. */
static int
owner_exchange(struct owner *o, int fd, const struct attr_list *req,
    struct buf *out)
{
	struct attr_list rep = { 0 };
	const char *error, *status, *text;
	int ret = -1;

	if (fdpass_send(stream_fd(o->s), fd, &error) < 0 ||
	    attr_put_list(o->s, req) < 0 || stream_flush(o->s, &error) < 0 ||
	    attr_recv(o->s, &rep, &error) <= 0)
		goto out;
	status = attr_get(&rep, "status");
	text = attr_get(&rep, "text");
	buf_reset(out);
	if (status != NULL) {
		buf_puts(out, text != NULL ? text : "");
		ret = strcmp(status, "ok") == 0 ? 1 : 0;
		if (ret == 0 && out->len == 0)
			buf_puts(out, "unknown error");
	}
out:
	attr_list_clear(&rep);
	return ret;
}

int
local_owner_fd(const struct local_msg *m, const char **error_r)
{
	static char why[256];
	struct stat a, b;
	char path[64];
	int fd;

	/* The daemon's working directory is the queue directory (also in
	 * a chroot), and qmgr delivers only from active/. */
	if (m->queue_id == NULL || !qfile_is_id(m->queue_id)) {
		*error_r = "bad queue ID";
		return -1;
	}
	snprintf(path, sizeof(path), "active/%s", m->queue_id);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(why, sizeof(why), "open %s read-only: %s", path,
		    strerror(errno));
		*error_r = why;
		return -1;
	}
	/* The same file as the one qmgr passed, not whatever has the name
	 * now. */
	if (fstat(fd, &a) < 0 || fstat(m->fd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		close(fd);
		snprintf(why, sizeof(why),
		    "%s is not the queue file that "
		    "qmgr passed",
		    path);
		*error_r = why;
		return -1;
	}
	return fd;
}

/* The job in req, through the child for (uid, gid). */
static int
owner_run(struct local_msg *m, uid_t uid, gid_t gid,
    const struct attr_list *req, struct buf *out)
{
	const char *error;
	int attempt, ret = -1, ro;

	buf_reset(out);
	if ((ro = local_owner_fd(m, &error)) < 0) {
		buf_printf(out, "queue file: %s", error);
		return -1;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		struct owner *o = owner_find(uid, gid);

		if (o == NULL &&
		    (o = owner_start(uid, gid, m->fd, ro, &error)) == NULL) {
			buf_reset(out);
			buf_printf(out, "delivery process: %s", error);
			break;
		}
		o->last_use = ++use_clock;
		ret = owner_exchange(o, ro, req, out);
		if (ret >= 0) {
			ret = ret ? 0 : -1;
			break;
		}
		/* The child died or hung: replace it once. */
		log_warn("delivery process pid %ld for uid %ld failed; "
			 "restarting it",
		    (long)o->pid, (long)uid);
		owner_close(o);
		buf_reset(out);
		buf_puts(out, "delivery process failed");
	}
	close(ro);
	return ret;
}

int
local_run_as(struct local_msg *m, uid_t uid, gid_t gid, struct attr_list *req,
    struct buf *out)
{
	struct local_msg copy = *m;

	attr_list_add(req, "sender", m->sender);
	attr_list_add(req, "queue_id", m->queue_id);
	buf_reset(out);
	if (uid == 0) {
		buf_puts(out, "a delivery never runs as root");
		return -1;
	}
	if (server_is_root())
		return owner_run(m, uid, gid, req, out);
	/* Started by an ordinary user, the whole suite is that user. */
	return run_job(&copy, req, out);
}
