/* SPDX-License-Identifier: MIT */
/* pop3d_serve - the process master started for one POP3 connection: it
 * forks the login process and, after a login that auth(8) vouches for,
 * the session process as the mailbox owner. It never reads the client.
 * See pop3d.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/resolve.h"
#include "proto/auth_clnt.h"
#include "server/server.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/fdpass.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "pop3d.h"

void
pop3d_pre_jail(void)
{
	/* The delivery tables say where a user's Maildir is, as for local;
	 * a table that cannot be opened fails logins, not the daemon. */
	resolve_init_lenient();
	pop3d_login_init();
}

/* Become uid/gid for good, when root. */
static void
become(uid_t uid, gid_t gid, const char *who)
{
	const char *error;

	if (server_is_root() &&
	    server_drop_privileges(uid, gid, NULL, &error) < 0)
		log_fatal("drop privileges to %s: %s", who, error);
}

/* The Maildir and owner of user's mailbox: the user name, with
 * "@login_default_domain" when it has no domain (as Postfix completes an
 * address with $myorigin), as a virtual mailbox.
 * 0, or -1 (a table failed: try again later) or -2 (no such mailbox)
 * with why (for the log). */
static int
find_mailbox(const char *user, struct buf *path, uid_t *uid, gid_t *gid,
    struct buf *addr, const char **why)
{
	struct resolve_error err;
	static char text[600];

	buf_reset(addr);
	if (strchr(user, '@') != NULL || *var_login_default_domain == '\0')
		buf_puts(addr, user);
	else
		buf_printf(addr, "%s@%s", user, var_login_default_domain);
	switch (resolve_class(buf_cstr(addr), &err)) {
	case RESOLVE_VIRTUAL:
		break;
	case -1:
		snprintf(text, sizeof(text), "%s", err.text);
		*why = text;
		return -1;
	default:
		snprintf(text, sizeof(text), "%s: no mailbox in %s",
		    buf_cstr(addr), VAR_VIRT_MAILBOX_MAPS);
		*why = text;
		return -2;
	}
	if (resolve_mailbox(buf_cstr(addr), path, &err) < 0 ||
	    resolve_owner(buf_cstr(addr), uid, gid, &err) < 0) {
		snprintf(text, sizeof(text), "%s", err.text);
		*why = text;
		return -1;
	}
	return 0;
}

static void
reap(pid_t pid)
{
	int status;

	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Answer the login process's one request. Returns the session's pid, or
 * 0 when none was started. */
static pid_t
start_session(struct stream *ctl, int client_in, int client_out,
    const struct attr_list *req, const struct pop3_peer *p)
{
	const char *cookie = attr_get(req, ATTR_POP3_COOKIE);
	const char *why = NULL, *error;
	struct auth_clnt_reply r;
	struct attr_list ack = { 0 };
	struct buf path, addr;
	char *user = NULL;
	int sp[2] = { -1, -1 }, tempfail = 1, rc;
	pid_t pid = 0;
	uid_t uid;
	gid_t gid;

	buf_init(&path, 4096);
	buf_init(&addr, 1024);
	if (cookie == NULL) {
		why = "login process sent no cookie";
		goto refuse;
	}
	/* Who logged in, from auth: never from the login process. */
	switch (auth_clnt_redeem("pop3d", cookie, &r)) {
	case AUTH_CLNT_OK:
		user = xstrdup(r.user);
		break;
	case AUTH_CLNT_TEMPFAIL:
		why = r.text;
		goto refuse;
	default:
		why = "auth does not know the login's cookie";
		goto refuse;
	}
	/* The children must not share this connection to auth. */
	auth_clnt_close();
	if ((rc = find_mailbox(user, &path, &uid, &gid, &addr, &why)) < 0) {
		tempfail = rc == -1;
		goto refuse;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		why = strerror(errno);
		goto refuse;
	}
	if ((pid = fork()) < 0) {
		why = strerror(errno);
		pid = 0;
		goto refuse;
	}
	if (pid == 0) {
		/* The session: the mailbox owner's, for good, on its end
		 * of the pair; the client is the login process's. */
		close(sp[0]);
		close(stream_fd(ctl));
		close(client_in);
		if (client_out != client_in)
			close(client_out);
		become(uid, gid, buf_cstr(&addr));
		pop3d_trans(sp[1], user, buf_cstr(&path), p);
		_exit(0);
	}
	close(sp[1]);
	sp[1] = -1;
	/* "ok", then the socket once the login process asks for it: a
	 * descriptor must not arrive while it still reads the reply. */
	if (attr_put(ctl, ATTR_POP3_STATUS, "ok") < 0 ||
	    attr_put_long(ctl, ATTR_POP3_MPID, (long)pid) < 0 ||
	    attr_put(ctl, ATTR_POP3_USER, user) < 0 || attr_put_end(ctl) < 0 ||
	    stream_flush(ctl, &error) < 0 ||
	    attr_recv(ctl, &ack, &error) != 1 ||
	    fdpass_send(stream_fd(ctl), sp[0], &error) < 0) {
		/* The login process is gone: the session reads EOF. */
		log_debug(1, "login process gone before the session started");
	}
	attr_list_clear(&ack);
	close(sp[0]);
	goto out;
refuse:
	log_warn("pop3-login: session for user=<%s> not started: %s, rip=%s",
	    log_str(user != NULL ? user : ""), why, p->rip);
	(void)attr_put(ctl, ATTR_POP3_STATUS, tempfail ? "tempfail" : "fail");
	(void)attr_put(ctl, ATTR_POP3_REASON, why);
	(void)attr_put_end(ctl);
	(void)stream_flush(ctl, &error);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
out:
	auth_clnt_close();
	xfree(user);
	buf_deinit(&path);
	buf_deinit(&addr);
	return pid;
}

void
pop3d_serve(int in_fd, int out_fd)
{
	struct pop3_peer peer;
	struct attr_list req = { 0 };
	struct stream *ctl;
	const char *error;
	uid_t uid;
	gid_t gid;
	int sp[2], null;
	pid_t login, session = 0;

	pop3_peer_get(in_fd, &peer);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		log_warn("socketpair: %m");
		return;
	}
	if ((login = fork()) < 0) {
		log_warn("fork: %m");
		close(sp[0]);
		close(sp[1]);
		return;
	}
	if (login == 0) {
		/* The login process: mail_owner, as smtpd is. */
		close(sp[0]);
		if (server_is_root()) {
			if (server_user_ids(var_mail_owner, &uid, &gid,
				&error) < 0)
				log_fatal("%s: %s", VAR_MAIL_OWNER, error);
			become(uid, gid, var_mail_owner);
		}
		pop3d_login(in_fd, out_fd, sp[1], &peer);
		_exit(0);
	}
	close(sp[1]);
	/* The client is the login process's alone: this process keeps the
	 * descriptor numbers (the skeleton closes them) but not the
	 * connection. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		(void)dup2(null, in_fd);
		if (out_fd != in_fd)
			(void)dup2(null, out_fd);
		close(null);
	}
	ctl = stream_create(sp[0], 0);
	/* The login process keeps its own time: it ends the session when
	 * the client is idle or past its deadline, and so ends this wait. */
	stream_set_timeout(ctl, 0);
	if (attr_recv(ctl, &req, &error) == 1)
		session = start_session(ctl, in_fd, out_fd, &req, &peer);
	attr_list_clear(&req);
	stream_destroy(&ctl);
	reap(login);
	reap(session);
}
