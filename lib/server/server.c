/* SPDX-License-Identifier: MIT */
/* server - the skeleton every daemon's main() calls. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "server/master_proto.h"
#include "server/server.h"
#include "util/dict.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sock.h"

static char service_name[128];
static int under_master;

const char *
server_service_name(void)
{
	return service_name;
}

int
server_is_root(void)
{
	return geteuid() == 0;
}

int
server_user_ids(const char *user, uid_t *uid_r, gid_t *gid_r,
    const char **error_r)
{
	static char msg[256];
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(msg, sizeof(msg), "unknown user \"%s\"%s%s", user,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		*error_r = msg;
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(msg, sizeof(msg), "user \"%s\" has uid 0", user);
		*error_r = msg;
		return -1;
	}
	*uid_r = pw->pw_uid;
	*gid_r = pw->pw_gid;
	return 0;
}

int
server_drop_privileges(uid_t uid, gid_t gid, const char *chroot_dir,
    const char **error_r)
{
	if (chroot_dir != NULL) {
		if (chroot(chroot_dir) < 0 || chdir("/") < 0) {
			*error_r = strerror(errno);
			return -1;
		}
	}
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	/* Getting root back must fail now. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		*error_r = "root privileges could be regained";
		return -1;
	}
	return 0;
}

/* A lookup table changed on disk: the process finishes what it is doing,
 * takes no new work and exits, and master starts a fresh one that opens
 * the new version. Logged once, in Postfix's words. */
static int draining;

static int
table_changed(void)
{
	const char *spec;

	if (!draining && under_master && dict_changed(&spec)) {
		log_info("table %s has changed -- restarting", spec);
		draining = 1;
	}
	return draining;
}

int
server_draining(void)
{
	return draining;
}

/* Tell master whether we are available; a failure means it is gone. */
static int
notify_master(int avail)
{
	struct master_status st = { .pid = getpid(), .avail = avail };

	if (!under_master)
		return 0;
	if (write(MASTER_STATUS_FD, &st, sizeof(st)) != (ssize_t)sizeof(st))
		return -1;
	return 0;
}

static void
master_gone(int fd, int events, void *ctx)
{
	log_debug(1, "master closed the status pipe; exiting");
	exit(0);
}

static void
usage(const char *prog)
{
	log_fatal("usage: %s [-c config_dir] [-n service] [-t inet|unix] "
		  "[-u] [-C] [-S] [-v] [-o name=value ...]",
	    prog);
}

static const struct server_spec *trigger_spec;

/* A trigger connection whose byte has not arrived yet. */
struct trigger_conn {
	int fd;
	uint64_t timer;
};

#define TRIGGER_WAIT_MS 1000 /* for the byte after the connect */
#define TRIGGER_MAX_WAITING 100

static int triggers_waiting;

/* The distinct request bytes not passed on while draining: the next
 * process gets them (trigger_restart). */
static char trigger_dropped[SERVER_TRIGGER_MAX];
static size_t trigger_ndropped;

/* Pass a request on, or keep its bytes for the next process when a table
 * has changed: a stale table must not decide what happens to new work. */
static void
trigger_deliver(const char *req, size_t len)
{
	size_t i;

	if (!table_changed()) {
		trigger_spec->trigger(req, len);
		return;
	}
	for (i = 0; i < len; i++) {
		if (trigger_ndropped < sizeof(trigger_dropped) &&
		    memchr(trigger_dropped, req[i], trigger_ndropped) == NULL)
			trigger_dropped[trigger_ndropped++] = req[i];
	}
}

static void trigger_ready(int fd, int events, void *ctx);

static void
trigger_rewatch(void *ctx)
{
	event_watch(MASTER_LISTEN_FD, EVENT_READ, trigger_ready, NULL);
}

static void
trigger_conn_end(struct trigger_conn *t)
{
	event_unwatch(t->fd);
	if (t->timer != 0)
		event_cancel(t->timer);
	close(t->fd);
	xfree(t);
	triggers_waiting--;
}

static void
trigger_expire(void *ctx)
{
	struct trigger_conn *t = ctx;

	t->timer = 0;
	trigger_conn_end(t);
}

/* Read a trigger request without waiting: 1 with the bytes in req (closed
 * then), 0 when they have not arrived yet, -1 when there are none. */
static int
trigger_read(int fd, char *req, size_t size, size_t *len_r)
{
	ssize_t got;

	do {
		got = read(fd, req, size);
	} while (got < 0 && errno == EINTR);
	if (got < 0 && errno == EAGAIN)
		return 0;
	*len_r = got > 0 ? (size_t)got : 0;
	return got > 0 ? 1 : -1;
}

static void
trigger_conn_ready(int fd, int events, void *ctx)
{
	char req[SERVER_TRIGGER_MAX];
	size_t len;
	int ret = trigger_read(fd, req, sizeof(req), &len);

	if (ret == 0)
		return;
	trigger_conn_end(ctx);
	if (ret > 0)
		trigger_deliver(req, len);
}

/* A trigger: one connection, a few bytes, closed by the sender. Many may
 * wait at once; take a bounded number per wakeup. Nothing here waits: a
 * sender that connects and writes later is watched like any other
 * descriptor, for at most TRIGGER_WAIT_MS. */
static void
trigger_ready(int fd, int events, void *ctx)
{
	int n;

	for (n = 0; n < 100; n++) {
		char req[SERVER_TRIGGER_MAX];
		struct trigger_conn *t;
		size_t len;
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		int ret;

		if (c < 0 &&
		    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			errno == ENOMEM)) {
			/* The socket stays readable: stop polling it for a
			 * while instead of spinning. Triggers are hints. */
			log_warn("accept trigger: %m");
			event_unwatch(fd);
			event_timer(1000, trigger_rewatch, NULL);
			break;
		}
		if (c < 0)
			break;
		ret = trigger_read(c, req, sizeof(req), &len);
		if (ret != 0 || triggers_waiting >= TRIGGER_MAX_WAITING) {
			close(c);
			if (ret > 0)
				trigger_deliver(req, len);
			continue;
		}
		t = xmalloc(sizeof(*t));
		t->fd = c;
		t->timer = event_timer(TRIGGER_WAIT_MS, trigger_expire, t);
		event_watch(c, EVENT_READ, trigger_conn_ready, t);
		triggers_waiting++;
	}
}

/* Leave a trigger in our own socket's queue, then exit: master sees the
 * socket readable with no process to serve it and starts a new one at
 * once (instead of at the next wakeup), which then finds the work. The
 * trigger carries the requests that were held back (or a wakeup). */
static void
trigger_restart(void)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	const char *error;
	int fd;

	memset(&sun, 0, sizeof(sun));
	if (getsockname(MASTER_LISTEN_FD, (struct sockaddr *)&sun, &len) == 0 &&
	    sun.sun_family == AF_UNIX && sun.sun_path[0] != 0 &&
	    (fd = sock_unix_connect(sun.sun_path, SOCK_FLAG_NONBLOCK,
		 &error)) >= 0) {
		if (trigger_ndropped == 0)
			trigger_dropped[trigger_ndropped++] =
			    SERVER_TRIGGER_RESTART;
		if (write(fd, trigger_dropped, trigger_ndropped) !=
		    (ssize_t)trigger_ndropped)
			log_debug(1, "restart trigger: %m");
		close(fd);
	}
	exit(0);
}

/* A long-running trigger server restarts when a table has changed and it
 * is idle; until then it takes no new work (server_draining). */
static void
table_tick(void *ctx)
{
	if (table_changed() &&
	    (trigger_spec->busy == NULL || !trigger_spec->busy()))
		trigger_restart();
	event_timer(SERVER_TABLE_CHECK_MS, table_tick, NULL);
}

/* A trigger or multi server: one long-lived process on the event loop,
 * ready() taking what arrives on the listening socket. */
static void
event_loop(const struct server_spec *spec, event_fd_fn *ready)
{
	trigger_spec = spec;
	if (under_master) {
		event_timer(SERVER_TABLE_CHECK_MS, table_tick, NULL);
		if (fcntl(MASTER_LISTEN_FD, F_SETFL, O_NONBLOCK) < 0)
			log_fatal("listening socket: %m");
		event_watch(MASTER_LISTEN_FD, EVENT_READ, ready, NULL);
		event_watch(MASTER_STATUS_FD, EVENT_READ, master_gone, NULL);
	}
	for (;;)
		event_run_once(-1);
}

static void multi_rewatch(void *ctx);

/* A multi server's listening socket is readable: take a bounded number of
 * new clients per wakeup. Out of descriptors, stop looking for a second
 * rather than spin; the clients wait in the backlog. */
static void
multi_ready(int fd, int events, void *ctx)
{
	(void)events;
	(void)ctx;
	for (int n = 0; n < 100; n++) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (c < 0 &&
		    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			errno == ENOMEM)) {
			log_warn("accept: %m");
			event_unwatch(fd);
			event_timer(1000, multi_rewatch, NULL);
			break;
		}
		if (c < 0)
			break;
		trigger_spec->connect(c);
	}
}

static void
multi_rewatch(void *ctx)
{
	(void)ctx;
	event_watch(MASTER_LISTEN_FD, EVENT_READ, multi_ready, NULL);
}

static void
single_loop(const struct server_spec *spec)
{
	long uses = 0;
	int avail = 0;

	if (fcntl(MASTER_LISTEN_FD, F_SETFL, O_NONBLOCK) < 0)
		log_fatal("listening socket: %m");
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = MASTER_LISTEN_FD, .events = POLLIN },
			{ .fd = MASTER_STATUS_FD, .events = 0 },
		};
		int n, fd;

		/* Report only changes: many idle processes wake for one
		 * client, and the losers of the accept race stay idle. */
		if (!avail) {
			if (notify_master(MASTER_STAT_AVAIL) < 0)
				exit(0);
			avail = 1;
		}
		n = poll(pfd, 2, (int)(var_idle_limit * 1000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			log_fatal("poll: %m");
		if (n == 0) {
			log_debug(1, "idle for %lds; exiting", var_idle_limit);
			exit(0);
		}
		if (pfd[1].revents & (POLLERR | POLLHUP))
			exit(0);
		/* Never start a session with a stale table: leave the client
		 * in the queue for a fresh process. */
		if (table_changed())
			exit(0);
		fd = accept4(MASTER_LISTEN_FD, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR || errno == ECONNABORTED)
				continue;
			log_fatal("accept: %m");
		}
		if (notify_master(MASTER_STAT_TAKEN) < 0) {
			close(fd);
			exit(0);
		}
		avail = 0;
		spec->serve(fd, fd);
		close(fd);
		if (table_changed())
			exit(0);
		if (++uses >= var_use_limit) {
			log_debug(1, "served %ld sessions; exiting", uses);
			exit(0);
		}
	}
}

void
server_main(int argc, char **argv, const struct server_spec *spec)
{
	const char *config_dir = config_dir_default();
	const char *error;
	int ch, unpriv = 0, do_chroot = 0, stand_alone = 0;

	umask(077);
	log_init(spec->name);
	snprintf(service_name, sizeof(service_name), "%s", spec->name);
	while ((ch = getopt(argc, argv, "c:n:t:uCSvo:")) != -1) {
		switch (ch) {
		case 'c':
			config_dir = optarg;
			break;
		case 'n':
			snprintf(service_name, sizeof(service_name), "%s",
			    optarg);
			break;
		case 't':
			break;
		case 'u':
			unpriv = 1;
			break;
		case 'C':
			do_chroot = 1;
			break;
		case 'S':
			stand_alone = 1;
			break;
		case 'v':
			log_verbose++;
			break;
		case 'o':
			if (config_override(optarg, &error) < 0)
				log_fatal("-o %s: %s", log_str(optarg), error);
			break;
		default:
			usage(argv[0]);
		}
	}
	under_master = !stand_alone && fcntl(MASTER_STATUS_FD, F_GETFD) >= 0 &&
	    fcntl(MASTER_LISTEN_FD, F_GETFD) >= 0;
	/* Run by hand as root, a daemon still must not parse input or write
	 * the queue as root. */
	if (stand_alone && !spec->keep_root)
		unpriv = 1;
	if (!stand_alone && !under_master)
		log_fatal("no listening socket from master; use -S to serve "
			  "one session on standard input");
	if (config_load(config_dir, &error) < 0)
		log_fatal("%s", error);
	log_set_syslog_name(var_syslog_name);
	if (!stand_alone || *var_maillog_file != 0) {
		if (log_open(var_maillog_file, var_syslog_facility, &error) < 0)
			log_fatal("open log %s: %s", var_maillog_file, error);
	}
	signal(SIGPIPE, SIG_IGN);
	/* Daemons name queue files relative to the queue directory, which
	 * stays valid inside a chroot there. */
	if (chdir(var_queue_dir) < 0)
		log_fatal("chdir %s: %m", var_queue_dir);
	if (spec->pre_jail != NULL)
		spec->pre_jail();
	if (server_is_root() && unpriv && !spec->drops_itself) {
		const char *owner =
		    spec->owner != NULL ? *spec->owner : var_mail_owner;
		uid_t uid;
		gid_t gid;

		if (server_user_ids(owner, &uid, &gid, &error) < 0)
			log_fatal("%s: %s",
			    spec->owner != NULL ? spec->owner_param
						: VAR_MAIL_OWNER,
			    error);
		if (server_drop_privileges(uid, gid,
			do_chroot ? var_queue_dir : NULL, &error) < 0)
			log_fatal("drop privileges to %s: %s", owner, error);
	} else if (server_is_root() && do_chroot) {
		/* chroot = y with unpriv = n: jailed, but still root. */
		if (chroot(var_queue_dir) < 0 || chdir("/") < 0)
			log_fatal("chroot %s: %m", var_queue_dir);
	}
	/* The master must not outlive us silently, nor we it. */
	if (under_master)
		prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (spec->kind == SERVER_TRIGGER || spec->kind == SERVER_MULTI) {
		/* Always busy: master must not start a second one. */
		if (notify_master(MASTER_STAT_TAKEN) < 0)
			exit(0);
	}
	if (spec->post_jail != NULL)
		spec->post_jail();
	if (spec->kind == SERVER_TRIGGER)
		event_loop(spec, trigger_ready);
	if (spec->kind == SERVER_MULTI) {
		if (stand_alone)
			log_fatal("-S: %s serves many clients at once; run it "
				  "under master",
			    spec->name);
		event_loop(spec, multi_ready);
	}
	if (stand_alone) {
		spec->serve(0, 1);
		exit(0);
	}
	single_loop(spec);
	exit(0);
}
