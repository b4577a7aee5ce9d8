/* SPDX-License-Identifier: MIT */
/* server_login - the three processes of a mail access service. See
 * server_login.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/resolve.h"
#include "proto/auth_clnt.h"
#include "server/server.h"
#include "server/server_login.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/fdio.h"
#include "util/fdpass.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

/* Between the login process and the serve process: the login sends
 * ATTR_LOGIN_COOKIE and ATTR_LOGIN_METHOD; the reply has
 * ATTR_LOGIN_STATUS ("ok", "fail": no mailbox, "tempfail") and, with
 * "ok", ATTR_LOGIN_MPID and ATTR_LOGIN_USER; the login answers "ready"
 * and the session's socket follows as a passed descriptor. */
#define ATTR_LOGIN_COOKIE "cookie"
#define ATTR_LOGIN_METHOD "method"
#define ATTR_LOGIN_STATUS "status"
#define ATTR_LOGIN_REASON "reason"
#define ATTR_LOGIN_MPID "mpid"
#define ATTR_LOGIN_USER "user"

/* The numeric address of sa into out ("unknown" when not IP). */
static void
addr_text(const struct sockaddr_storage *sa, char *out, size_t size,
    int *loopback)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	snprintf(out, size, "unknown");
	if (sa->ss_family == AF_INET) {
		inet_ntop(AF_INET, &in4->sin_addr, out, (socklen_t)size);
		if (loopback != NULL)
			*loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	} else if (sa->ss_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			struct in_addr a;

			memcpy(&a, &in6->sin6_addr.s6_addr[12], 4);
			inet_ntop(AF_INET, &a, out, (socklen_t)size);
			if (loopback != NULL)
				*loopback = in6->sin6_addr.s6_addr[12] == 127;
		} else {
			inet_ntop(AF_INET6, &in6->sin6_addr, out,
			    (socklen_t)size);
			if (loopback != NULL)
				*loopback =
				    IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		}
	}
}

void
login_peer_get(int fd, struct login_peer *p)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	memset(p, 0, sizeof(*p));
	memset(&sa, 0, sizeof(sa));
	if (getpeername(fd, (struct sockaddr *)&sa, &len) == 0)
		addr_text(&sa, p->rip, sizeof(p->rip), &p->loopback);
	else
		snprintf(p->rip, sizeof(p->rip), "unknown");
	len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		addr_text(&sa, p->lip, sizeof(p->lip), NULL);
	else
		snprintf(p->lip, sizeof(p->lip), "unknown");
	snprintf(p->client, sizeof(p->client), "unknown[%s]", p->rip);
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
start_session(const struct login_service *svc, struct stream *ctl,
    int client_in, int client_out, const struct attr_list *req,
    const struct login_peer *p)
{
	const char *cookie = attr_get(req, ATTR_LOGIN_COOKIE);
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
	switch (auth_clnt_redeem(svc->name, cookie, &r)) {
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
		svc->session(sp[1], user, buf_cstr(&path), p);
		_exit(0);
	}
	close(sp[1]);
	sp[1] = -1;
	/* "ok", then the socket once the login process asks for it: a
	 * descriptor must not arrive while it still reads the reply. */
	if (attr_put(ctl, ATTR_LOGIN_STATUS, "ok") < 0 ||
	    attr_put_long(ctl, ATTR_LOGIN_MPID, (long)pid) < 0 ||
	    attr_put(ctl, ATTR_LOGIN_USER, user) < 0 || attr_put_end(ctl) < 0 ||
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
	log_warn("%s: session for user=<%s> not started: %s, rip=%s",
	    svc->log_name, log_str(user != NULL ? user : ""), why, p->rip);
	(void)attr_put(ctl, ATTR_LOGIN_STATUS, tempfail ? "tempfail" : "fail");
	(void)attr_put(ctl, ATTR_LOGIN_REASON, why);
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

/* The login process's user (mail_owner), looked up once by this
 * process: in each login child the lookup went through NSS per
 * connection (nscd probed, /etc/passwd read; milliseconds on a cold
 * disk). Looked up again when mail_owner names another user (a reload). */
static int
login_ids(uid_t *uid, gid_t *gid, const char **error_r)
{
	static char *name;
	static uid_t known_uid;
	static gid_t known_gid;

	if (name == NULL || strcmp(name, var_mail_owner) != 0) {
		if (server_user_ids(var_mail_owner, &known_uid, &known_gid,
			error_r) < 0)
			return -1;
		xfree(name);
		name = xstrdup(var_mail_owner);
	}
	*uid = known_uid;
	*gid = known_gid;
	return 0;
}

void
server_login_serve(const struct login_service *svc, int in_fd, int out_fd)
{
	struct login_peer peer;
	struct attr_list req = { 0 };
	struct stream *ctl;
	const char *error;
	uid_t uid = 0;
	gid_t gid = 0;
	int sp[2], null, on = 1;
	pid_t login, session = 0;

	login_peer_get(in_fd, &peer);
	if (server_is_root() && login_ids(&uid, &gid, &error) < 0) {
		log_warn("%s: %s", VAR_MAIL_OWNER, error);
		return;
	}
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
		if (server_is_root())
			become(uid, gid, var_mail_owner);
		/* Replies go out whole (streams flush them at once): Nagle
		 * would only hold the last piece of a long one for the
		 * client's delayed ACK (measured: 40 ms in LIST and UIDL). */
		(void)setsockopt(in_fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));
		svc->login(in_fd, out_fd, sp[1], &peer);
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
		session = start_session(svc, ctl, in_fd, out_fd, &req, &peer);
	attr_list_clear(&req);
	stream_destroy(&ctl);
	reap(login);
	reap(session);
}

int
server_login_session(const struct login_service *svc, int ctl_fd,
    const char *cookie, const char *method, long *mpid_r, char **user_r)
{
	struct stream *ctl = stream_create(ctl_fd, STREAM_FLAG_NOCLOSE);
	struct attr_list r = { 0 };
	const char *error, *status, *user;
	int fd = -1;

	*mpid_r = 0;
	*user_r = NULL;
	stream_set_timeout(ctl, AUTH_CLNT_TIMEOUT);
	if (attr_put(ctl, ATTR_LOGIN_COOKIE, cookie) < 0 ||
	    attr_put(ctl, ATTR_LOGIN_METHOD, method) < 0 ||
	    attr_put_end(ctl) < 0 || stream_flush(ctl, &error) < 0 ||
	    attr_recv(ctl, &r, &error) != 1 ||
	    (status = attr_get(&r, ATTR_LOGIN_STATUS)) == NULL) {
		log_warn("%s: no session: the serve process is gone",
		    svc->log_name);
		goto out;
	}
	if (strcmp(status, "ok") != 0) {
		fd = strcmp(status, "fail") == 0 ? -2 : -1;
		goto out;
	}
	(void)attr_get_long(&r, ATTR_LOGIN_MPID, mpid_r);
	user = attr_get(&r, ATTR_LOGIN_USER);
	/* Ready for the descriptor: nothing else is on its way. */
	if (attr_put(ctl, ATTR_LOGIN_STATUS, "ready") < 0 ||
	    attr_put_end(ctl) < 0 || stream_flush(ctl, &error) < 0 ||
	    (fd = fdpass_recv(ctl_fd, AUTH_CLNT_TIMEOUT, &error)) < 0) {
		log_warn("%s: no session: %s", svc->log_name, error);
		fd = -1;
		goto out;
	}
	*user_r = xstrdup(user != NULL ? user : "");
out:
	attr_list_clear(&r);
	stream_destroy(&ctl);
	return fd;
}

/* Client bytes the relay holds for a session that is busy sending: past
 * this, it reads no more from the client until the session takes some. */
#define RELAY_UP_MAX 65536
/* What the relay reads from the session at a time. */
#define RELAY_DOWN_MAX (256 * 1024)

void
server_login_relay(struct stream *client, int fd, long idle_s)
{
	char buf[16384];
	/* The session's output: a whole message of FETCH BODY[] at a time,
	 * where the socket holds one */
	static char down[RELAY_DOWN_MAX];
	struct buf up; /* client bytes the session has not taken yet */
	const char *error;
	size_t off = 0;
	ssize_t got;
	int ret, flags, left = 0, timeout = (int)(idle_s + 60) * 1000;

	/* Neither side may stop the other: a session busy sending a long
	 * message is not written to while its socket is full (the client's
	 * next commands wait in up), and its output is read meanwhile. A
	 * relay that blocked on either would deadlock with a client that
	 * pipelines hundreds of commands. */
	if ((flags = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	buf_init(&up, RELAY_UP_MAX + sizeof(buf));
	for (;;) {
		int want_client = !left && buf_len(&up) < RELAY_UP_MAX;
		int ready = want_client && stream_pending(client) > 0;
		/* A client not listened to is left out of poll, which
		 * would otherwise report its hang-up again and again. */
		struct pollfd pfd[2] = {
			{ want_client ? stream_fd(client) : -1, POLLIN, 0 },
			{ fd, POLLIN | (buf_len(&up) > off ? POLLOUT : 0), 0 },
		};

		ret = poll(pfd, 2, ready ? 0 : timeout);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0 || (ret == 0 && !ready))
			break; /* the session's own timer has failed */
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			got = read(fd, down, sizeof(down));
			if (got == 0 ||
			    (got < 0 && errno != EAGAIN && errno != EINTR))
				break; /* the session is over */
			if (got > 0 && !left &&
			    (stream_write(client, down, (size_t)got) < 0 ||
				stream_flush(client, &error) < 0))
				left = 1; /* the client is gone: drain */
		}
		if (buf_len(&up) > off && (pfd[1].revents & POLLOUT)) {
			got = write(fd, up.data + off, buf_len(&up) - off);
			if (got < 0 && errno != EAGAIN && errno != EINTR)
				break;
			if (got > 0 && (off += (size_t)got) == buf_len(&up)) {
				buf_reset(&up);
				off = 0;
			}
		}
		if (left && buf_len(&up) == off)
			/* Everything the client said has reached the session
			 * (a QUIT that came before the end counts): now it
			 * sees the end. */
			(void)shutdown(fd, SHUT_WR);
		if (ready || (pfd[0].revents != 0 && want_client)) {
			/* Commands are lines: one at a time, or a piece of a
			 * long one. */
			ret = stream_get_line(client, &up, sizeof(buf), &error);
			if (ret != STREAM_LINE && ret != STREAM_PARTIAL) {
				left = 1; /* no UPDATE unless QUIT came */
				if (buf_len(&up) == off)
					(void)shutdown(fd, SHUT_WR);
			}
		}
	}
	buf_deinit(&up);
	(void)stream_flush(client, &error);
}

void
server_login_hand_over(struct stream *client, int fd, const char *first,
    size_t n, long idle_s)
{
	const char *error, *held;
	size_t nheld;

	if (stream_is_plain(client)) {
		/* The connection itself, then the first bytes and what the
		 * client pipelined: the session reads them to their end,
		 * and this process is done. */
		held = stream_buffered(client, &nheld);
		/* Whatever this process still has to say goes first. */
		if (stream_flush(client, &error) < 0)
			log_warn("hand-over to the session: %s", error);
		else if (fdpass_send(fd, stream_fd(client), &error) < 0)
			log_warn("hand-over to the session failed: %s", error);
		else if (fd_write_all(fd, first, n) < 0 ||
		    fd_write_all(fd, held, nheld) < 0)
			log_warn("hand-over to the session failed: %m");
		stream_discard_input(client);
		return;
	}
	/* TLS stays here: relayed, the client's pipelined bytes first. */
	if (fd_write_all(fd, "R", 1) == 0 && fd_write_all(fd, first, n) == 0)
		server_login_relay(client, fd, idle_s);
}

int
server_login_accept(int fd, struct buf *first)
{
	const char *error;
	ssize_t got;
	int client;

	switch (fdpass_recv_opt(fd, 0, &client, &error)) {
	case 1:
		break;
	case 0:
		return -1; /* the login process ended first */
	default:
		log_warn("session: no connection from the login process: %s",
		    error);
		return -1;
	}
	if (client < 0)
		return fd; /* relayed: the bytes follow on fd */
	for (;;) {
		char chunk[4096];

		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 ||
		    (got > 0 && buf_append(first, chunk, (size_t)got) < 0)) {
			log_warn("session: the login's first bytes: %s",
			    got < 0 ? strerror(errno)
				    : "more than the session reads");
			close(client);
			return -1;
		}
		if (got == 0)
			break;
	}
	close(fd);
	return client;
}
