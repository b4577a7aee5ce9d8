/* SPDX-License-Identifier: MIT */
/* master_service - listening sockets, forking children, their status. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/mastercf.h"
#include "conf/params.h"
#include "queue/trigger.h"
#include "server/master_proto.h"
#include "server/server.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

#include "master.h"

#define LISTEN_BACKLOG 256

struct child *master_children;

static int
open_inet(const char *spec, const char **error_r)
{
	static char msg[8704];
	struct addrinfo hints, *res, *ai;
	char host[256], port[64];
	const char *colon = strrchr(spec, ':');
	size_t hlen;
	int fd = -1, on = 1, gai;

	if (colon == NULL || (hlen = (size_t)(colon - spec)) >= sizeof(host)) {
		*error_r = "bad inet address";
		return -1;
	}
	memcpy(host, spec, hlen);
	host[hlen] = 0;
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = 0;
	}
	snprintf(port, sizeof(port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	gai = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (gai != 0) {
		snprintf(msg, sizeof(msg), "%s: %s", spec, gai_strerror(gai));
		*error_r = msg;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			break;
		snprintf(msg, sizeof(msg), "bind %s: %s", spec,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		*error_r = msg;
	return fd;
}

static int
open_unix(const char *path, const char **error_r)
{
	static char msg[8704];
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(msg, sizeof(msg), "%s: socket path too long", path);
		*error_r = msg;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (unlink(path) < 0 && errno != ENOENT)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0)
		goto fail;
	/* Access is controlled by the directory (private/ is 0700). */
	if (chmod(path, 0666) < 0)
		goto fail;
	if (server_is_root()) {
		uid_t uid;
		gid_t gid;
		const char *err;

		if (server_user_ids(var_mail_owner, &uid, &gid, &err) == 0 &&
		    chown(path, uid, gid) < 0)
			goto fail;
	}
	return fd;
fail:
	snprintf(msg, sizeof(msg), "bind %s: %s", path, strerror(errno));
	*error_r = msg;
	if (fd >= 0)
		close(fd);
	return -1;
}

int
service_bind(struct service *svc, const char **error_r)
{
	if (svc->listen_fd >= 0)
		return 0;
	svc->listen_fd = svc->type == MASTERCF_INET
	    ? open_inet(svc->path, error_r)
	    : open_unix(svc->path, error_r);
	return svc->listen_fd < 0 ? -1 : 0;
}

int
service_open_listener(struct service *svc, const char **error_r)
{
	int p[2];

	if (service_bind(svc, error_r) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	svc->status_rd = p[0];
	svc->status_wr = p[1];
	return 0;
}

struct child *
child_find(pid_t pid)
{
	struct child *c;

	for (c = master_children; c != NULL; c = c->next)
		if (c->pid == pid)
			return c;
	return NULL;
}

/* Log one line a child wrote to its stderr, escaped. */
static void
child_err_flush(struct child *c)
{
	struct buf text;

	if (c->err_len == 0)
		return;
	buf_init(&text, 4096);
	log_escape(&text, c->err_line, c->err_len);
	log_warn("process %s pid %ld: %s",
	    c->svc != NULL ? c->svc->command : "process", (long)c->pid,
	    buf_cstr(&text));
	buf_deinit(&text);
	c->err_len = 0;
}

/* Read what a child wrote to stderr, log it line by line (a line longer
 * than the buffer is logged in pieces). At end of file, stop watching. */
static void
child_err_read(struct child *c)
{
	char chunk[512];
	ssize_t n, i;

	while (c->err_fd >= 0) {
		n = read(c->err_fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			child_err_flush(c);
			event_unwatch(c->err_fd);
			close(c->err_fd);
			c->err_fd = -1;
			return;
		}
		for (i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				child_err_flush(c);
				continue;
			}
			c->err_line[c->err_len++] = chunk[i];
			if (c->err_len == sizeof(c->err_line))
				child_err_flush(c);
		}
	}
}

static void
child_err_ready(int fd, int events, void *ctx)
{
	child_err_read(ctx);
}

void
child_forget(struct child *c)
{
	struct child **pp;

	for (pp = &master_children; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			if (c->err_fd >= 0) {
				child_err_read(c);
				if (c->err_fd >= 0) {
					child_err_flush(c);
					event_unwatch(c->err_fd);
					close(c->err_fd);
				}
			}
			xfree(c);
			return;
		}
	}
}

static void
status_ready(int fd, int events, void *ctx)
{
	struct service *svc = ctx;
	struct master_status st;
	ssize_t n;

	while ((n = read(fd, &st, sizeof(st))) == (ssize_t)sizeof(st)) {
		struct child *c = child_find(st.pid);

		if (c == NULL || c->svc != svc)
			continue;
		c->reported = 1;
		if (st.avail && !c->avail) {
			c->avail = 1;
			svc->avail++;
		} else if (!st.avail && c->avail) {
			c->avail = 0;
			svc->avail--;
		}
	}
	service_update_watch(svc);
}

static void
listener_ready(int fd, int events, void *ctx)
{
	struct service *svc = ctx;

	service_spawn(svc);
}

static void
throttle_over(void *ctx)
{
	service_update_watch(ctx);
}

/* Watch the listener only when a client could be waiting for a process
 * that does not exist yet. */
void
service_update_watch(struct service *svc)
{
	int want = svc->listen_fd >= 0 && svc->avail == 0 &&
	    (svc->maxproc == 0 || svc->total < svc->maxproc) &&
	    event_now_ms() >= svc->throttle_until;

	if (want && !svc->watching)
		event_watch(svc->listen_fd, EVENT_READ, listener_ready, svc);
	else if (!want && svc->watching)
		event_unwatch(svc->listen_fd);
	svc->watching = want;
	if (svc->status_rd >= 0)
		event_watch(svc->status_rd, EVENT_READ, status_ready, svc);
}

void
service_spawn(struct service *svc)
{
	struct child *c;
	pid_t pid;

	int err[2] = { -1, -1 };

	if (svc->maxproc != 0 && svc->total >= svc->maxproc)
		return;
	if (master_capture_stderr && pipe2(err, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_warn("pipe: %m");
		err[0] = err[1] = -1;
	}
	pid = fork();
	if (pid < 0) {
		log_warn("fork: %m");
		if (err[0] >= 0) {
			close(err[0]);
			close(err[1]);
		}
		svc->throttle_until = event_now_ms() + 1000;
		event_timer(1000, throttle_over, svc);
		service_update_watch(svc);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		int fd;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		/* stderr first: its pipe may sit on 3 or 4. A blocking
		 * pipe, so that nothing the child says is lost. */
		if (err[1] >= 0 &&
		    (dup2(err[1], 2) < 0 || fcntl(2, F_SETFL, 0) < 0)) {
			log_error("dup2: %m");
			_exit(1);
		}
		/* Move the two descriptors into place without clobbering
		 * either: go through high numbers first. */
		if ((fd = fcntl(svc->status_wr, F_DUPFD_CLOEXEC, 10)) < 0 ||
		    dup2(fd, MASTER_STATUS_FD) < 0 ||
		    (fd = fcntl(svc->listen_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
		    dup2(fd, MASTER_LISTEN_FD) < 0) {
			log_error("dup2: %m");
			_exit(1);
		}
		fcntl(MASTER_STATUS_FD, F_SETFL, 0);
		execv(svc->command, svc->argv);
		log_error("exec %s: %m", svc->command);
		_exit(1);
	}
	c = xmalloc(sizeof(*c));
	c->pid = pid;
	c->svc = svc;
	c->err_fd = err[0];
	if (err[1] >= 0) {
		close(err[1]);
		event_watch(err[0], EVENT_READ, child_err_ready, c);
	}
	/* Count it as available: it will accept the waiting client. */
	c->avail = 1;
	c->next = master_children;
	master_children = c;
	svc->total++;
	svc->avail++;
	service_update_watch(svc);
}

void
service_child_exited(struct child *c, int status)
{
	struct service *svc = c->svc;
	const char *cmd = svc ? svc->command : "process";

	/* What it said before it died comes before how it died. */
	if (c->err_fd >= 0)
		child_err_read(c);
	if (WIFSIGNALED(status))
		log_warn("process %s pid %ld killed by signal %d", cmd,
		    (long)c->pid, WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warn("process %s pid %ld exit status %d", cmd, (long)c->pid,
		    WEXITSTATUS(status));
	if (svc != NULL) {
		svc->total--;
		if (c->avail)
			svc->avail--;
		/* A child that exited with an error before it ever reported
		 * is a broken command or configuration: do not fork it in a
		 * tight loop. (One killed by a signal was killed, not
		 * broken.) */
		if (!c->reported && WIFEXITED(status) &&
		    WEXITSTATUS(status) != 0) {
			log_warn("%s: bad command startup -- throttling", cmd);
			svc->throttle_until =
			    event_now_ms() + var_throttle_time * 1000;
			event_timer(var_throttle_time * 1000, throttle_over,
			    svc);
		} else if (svc->wakeup > 0 &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			const char *error;

			/* A crashed long-running service (qmgr) has work
			 * in its queue: bring it back now, not at the
			 * next wakeup. */
			service_update_watch(svc);
			if (trigger_send(svc->path, TRIGGER_REQ_WAKEUP,
				&error) < 0)
				log_warn("wakeup %s: %s", svc->path, error);
		}
		service_update_watch(svc);
	}
	child_forget(c);
}

/* master.cf wakeup column: poke the service so it starts or runs. The
 * master holds the listener, so the connection waits in the backlog and
 * wakes our own watch even when no child runs. */
void
service_wakeup(void *ctx)
{
	struct service *svc = ctx;
	const char *error;

	svc->wakeup_timer =
	    event_timer(svc->wakeup * 1000, service_wakeup, svc);
	if (svc->wakeup_conditional && svc->total == 0)
		return;
	if (svc->type == MASTERCF_UNIX &&
	    trigger_send(svc->path, TRIGGER_REQ_WAKEUP, &error) < 0)
		log_debug(1, "wakeup %s: %s", svc->path, error);
}

void
service_close(struct service *svc, int close_listener)
{
	struct child *c;

	if (svc->watching && svc->listen_fd >= 0)
		event_unwatch(svc->listen_fd);
	svc->watching = 0;
	if (svc->status_rd >= 0) {
		event_unwatch(svc->status_rd);
		close(svc->status_rd);
	}
	if (svc->status_wr >= 0)
		close(svc->status_wr);
	svc->status_rd = svc->status_wr = -1;
	if (svc->wakeup_timer)
		event_cancel(svc->wakeup_timer);
	svc->wakeup_timer = 0;
	if (close_listener && svc->listen_fd >= 0) {
		close(svc->listen_fd);
		if (svc->type == MASTERCF_UNIX)
			unlink(svc->path);
		svc->listen_fd = -1;
	}
	/* Its children finish their session and notice the closed pipe. */
	for (c = master_children; c != NULL; c = c->next)
		if (c->svc == svc)
			c->svc = NULL;
}
