/* SPDX-License-Identifier: MIT */
/* master - the supervisor's main loop: lock, signals, reload, stop. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/mastercf.h"
#include "conf/params.h"
#include "queue/qfile.h"
#include "server/master_proto.h"
#include "server/server.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"

#include "master.h"

const char *master_config_dir;
int master_capture_stderr;
static struct service *services;
static int sig_pipe[2] = { -1, -1 };
static int pid_fd = -1;
static char pid_path[4096];

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	(void)!write(sig_pipe[1], &b, 1);
	errno = saved;
}

static void
remove_pid_file(void)
{
	if (pid_fd >= 0)
		unlink(pid_path);
}

/* One master per queue directory: a write lock on pid/master.pid. */
static int
lock_queue(const char **error_r)
{
	static char msg[8704];
	char text[32];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int n;

	snprintf(pid_path, sizeof(pid_path), "%s/pid/master.pid",
	    var_queue_dir);
	pid_fd = open(pid_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pid_fd < 0) {
		snprintf(msg, sizeof(msg), "open %s: %s", pid_path,
		    strerror(errno));
		*error_r = msg;
		return -1;
	}
	if (fcntl(pid_fd, F_SETLK, &fl) < 0) {
		n = (int)read(pid_fd, text, sizeof(text) - 1);
		text[n > 0 ? n : 0] = 0;
		text[strcspn(text, "\n")] = 0;
		snprintf(msg, sizeof(msg),
		    "the Tern mail system is already "
		    "running (pid %s) on queue directory %s",
		    text, var_queue_dir);
		*error_r = msg;
		close(pid_fd);
		pid_fd = -1;
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(pid_fd, 0) < 0 ||
	    pwrite(pid_fd, text, (size_t)n, 0) != n) {
		snprintf(msg, sizeof(msg), "write %s: %s", pid_path,
		    strerror(errno));
		*error_r = msg;
		return -1;
	}
	return 0;
}

static int
start_services(struct service *list, const char **error_r)
{
	struct service *svc;

	for (svc = list; svc != NULL; svc = svc->next) {
		if (service_open_listener(svc, error_r) < 0)
			return -1;
	}
	for (svc = list; svc != NULL; svc = svc->next) {
		service_update_watch(svc);
		if (svc->wakeup > 0)
			svc->wakeup_timer = event_timer(svc->wakeup_conditional
				? svc->wakeup * 1000
				: 0,
			    service_wakeup, svc);
	}
	return 0;
}

/* The outcome of the last start or reload, for "tern reload" to wait on:
 * pid/reload.status holds one line "<master pid> <sequence> ok" or
 * "<master pid> <sequence> error <reason>", replaced atomically. The
 * sequence is 0 after start and counts SIGHUPs. */
static unsigned long reload_seq;

static void
report_reload(const char *error)
{
	char path[4096 + 32], tmp[4096 + 32], line[8704];
	int fd, n;

	if ((size_t)snprintf(path, sizeof(path), "%s/pid/%s", var_queue_dir,
		MASTER_RELOAD_STATUS) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/pid/%s.tmp", var_queue_dir,
		MASTER_RELOAD_STATUS) >= sizeof(tmp)) {
		log_warn("%s: path too long", var_queue_dir);
		return;
	}
	if (error != NULL)
		n = snprintf(line, sizeof(line), "%ld %lu error %s\n",
		    (long)getpid(), reload_seq, error);
	else
		n = snprintf(line, sizeof(line), "%ld %lu ok\n", (long)getpid(),
		    reload_seq);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		log_warn("write %s: %m", path);
		if (fd >= 0)
			unlink(tmp);
	}
}

/* The old entry whose listener svc can take over: same name, type and
 * address. */
static struct service *
find_carried(const struct service *svc)
{
	struct service *old;

	for (old = services; old != NULL; old = old->next)
		if (old->listen_fd >= 0 && old->type == svc->type &&
		    strcmp(old->name, svc->name) == 0 &&
		    strcmp(old->path, svc->path) == 0)
			return old;
	return NULL;
}

/* SIGHUP: all or nothing. Parse both files and bind every new listener
 * while the old services keep running; only when all of that worked are
 * the old entries closed. Listeners of entries that keep their name, type
 * and address are carried over (so no port is ever unbound); every service
 * gets a new status pipe, so old children exit once idle. On any failure
 * the old services stay exactly as they were. */
static void
reload(void)
{
	struct service *fresh, *svc, *old, *next;
	const char *error;

	reload_seq++;
	log_info("reload -- version %s, configuration %s", TERN_VERSION,
	    master_config_dir);
	if (master_load_services(&fresh, &error) < 0) {
		log_error("reload failed, keeping the old configuration: %s",
		    error);
		report_reload(error);
		return;
	}
	for (svc = fresh; svc != NULL; svc = svc->next) {
		if ((svc->carried = find_carried(svc)) != NULL)
			continue;
		if (service_bind(svc, &error) < 0) {
			log_error("reload failed, keeping the old "
				  "configuration: %s",
			    error);
			report_reload(error);
			for (svc = fresh; svc != NULL; svc = next) {
				next = svc->next;
				if (svc->carried == NULL &&
				    svc->listen_fd >= 0) {
					close(svc->listen_fd);
					if (svc->type == MASTERCF_UNIX)
						unlink(svc->path);
				}
				master_free_service(svc);
			}
			return;
		}
	}
	for (svc = fresh; svc != NULL; svc = svc->next) {
		if ((old = svc->carried) == NULL)
			continue;
		svc->listen_fd = old->listen_fd;
		if (old->watching)
			event_unwatch(old->listen_fd);
		old->watching = 0;
		old->listen_fd = -1;
		svc->carried = NULL;
	}
	for (old = services; old != NULL; old = next) {
		next = old->next;
		service_close(old, 1);
		master_free_service(old);
	}
	services = fresh;
	if (start_services(services, &error) < 0) {
		/* Only a status pipe can fail here (descriptors). */
		log_error("reload: %s", error);
		report_reload(error);
		return;
	}
	report_reload(NULL);
}

static void
stop_all(void)
{
	struct child *c;
	struct service *svc;
	int64_t deadline = event_now_ms() + 10000;

	log_info("terminating on signal");
	for (svc = services; svc != NULL; svc = svc->next)
		service_close(svc, 1);
	for (c = master_children; c != NULL; c = c->next)
		kill(c->pid, SIGTERM);
	while (master_children != NULL && event_now_ms() < deadline) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			child_forget(child_find(pid));
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		usleep(20000);
	}
	for (c = master_children; c != NULL; c = c->next)
		kill(c->pid, SIGKILL);
	remove_pid_file();
	exit(0);
}

static void
reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = child_find(pid);

		if (c != NULL)
			service_child_exited(c, status);
	}
}

static void
signal_ready(int fd, int events, void *ctx)
{
	unsigned char sigs[64];
	ssize_t n, i;

	while ((n = read(fd, sigs, sizeof(sigs))) > 0) {
		for (i = 0; i < n; i++) {
			switch (sigs[i]) {
			case SIGCHLD:
				reap();
				break;
			case SIGHUP:
				reload();
				break;
			case SIGTERM:
			case SIGINT:
				stop_all();
				break;
			}
		}
	}
}

static void
setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		log_fatal("pipe: %m");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	event_watch(sig_pipe[0], EVENT_READ, signal_ready, NULL);
}

/* maildrop/ and public/ belong to setgid_group when it exists, so that
 * ternpostdrop (set-group-id to it) may drop files and poke pickup; the
 * modes (1730, 0710) give the group nothing more. */
static void
setgid_dirs(void)
{
	static const char *const dirs[] = { "maildrop", "public", NULL };
	struct group *gr = getgrnam(var_setgid_group);
	size_t i;

	if (gr == NULL)
		return;
	for (i = 0; dirs[i] != NULL; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", var_queue_dir, dirs[i]);
		if (chown(path, (uid_t)-1, gr->gr_gid) < 0)
			log_warn("chown %s: %m", path);
	}
}

/* Queue directories exist and belong to mail_owner (pid/ stays root's). */
static int
prepare_queue(const char **error_r)
{
	static char msg[8704];
	static const char *const extra[] = { "private", "public", "defer",
		NULL };
	const char *const *lists[] = { qfile_queue_names, extra };
	uid_t uid;
	gid_t gid;
	size_t l, i;

	if (qfile_dirs_create(var_queue_dir, error_r) < 0)
		return -1;
	if (!server_is_root())
		return 0;
	if (server_user_ids(var_mail_owner, &uid, &gid, error_r) < 0) {
		snprintf(msg, sizeof(msg), "mail_owner: %s", *error_r);
		*error_r = msg;
		return -1;
	}
	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l][i] != NULL; i++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", var_queue_dir,
			    lists[l][i]);
			if (chown(path, uid, gid) < 0) {
				snprintf(msg, sizeof(msg), "chown %s: %s", path,
				    strerror(errno));
				*error_r = msg;
				return -1;
			}
		}
	}
	setgid_dirs();
	return 0;
}

static void
usage(void)
{
	log_fatal("usage: master [-c config_dir] [-f] [-v] [-t]");
}

int master_main(int argc, char **argv);

int
master_main(int argc, char **argv)
{
	const char *error;
	int ch, foreground = 0, test_only = 0, ready[2] = { -1, -1 };

	umask(022);
	log_init("master");
	master_config_dir = config_dir_default();
	while ((ch = getopt(argc, argv, "c:ftv")) != -1) {
		switch (ch) {
		case 'c':
			master_config_dir = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 't':
			test_only = 1;
			break;
		case 'v':
			log_verbose++;
			break;
		default:
			usage();
		}
	}
	if (master_load_services(&services, &error) < 0)
		log_fatal("%s", error);
	if (test_only)
		exit(0);
	if (prepare_queue(&error) < 0)
		log_fatal("%s", error);
	if (!foreground) {
		pid_t pid;
		char c;

		if (pipe2(ready, O_CLOEXEC) < 0)
			log_fatal("pipe: %m");
		if ((pid = fork()) < 0)
			log_fatal("fork: %m");
		if (pid > 0) {
			/* Report success only when the daemon has its
			 * lock and sockets. */
			close(ready[1]);
			exit(read(ready[0], &c, 1) == 1 ? 0 : 1);
		}
		close(ready[0]);
		setsid();
	}
	log_set_syslog_name(var_syslog_name);
	/* Open the log first, so that a start-up failure (the lock, a
	 * socket that cannot be bound) is logged; until we run, it goes to
	 * the caller's stderr as well. */
	if (log_open(var_maillog_file, var_syslog_facility, &error) < 0)
		log_fatal("open log %s: %s", var_maillog_file, error);
	log_set_stderr_copy(1);
	master_capture_stderr = strcmp(var_maillog_file, "-") != 0 &&
	    strcmp(var_maillog_file, "/dev/stderr") != 0;
	if (lock_queue(&error) < 0)
		log_fatal("%s", error);
	log_set_fatal_hook(remove_pid_file);
	setup_signals();
	if (start_services(services, &error) < 0)
		log_fatal("cannot start: %s", error);
	log_set_stderr_copy(0);
	log_info("daemon started -- version %s, configuration %s", TERN_VERSION,
	    master_config_dir);
	report_reload(NULL);
	if (!foreground) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			if (*var_maillog_file != 0)
				dup2(null, 2);
			if (null > 2)
				close(null);
		}
		(void)!write(ready[1], "", 1);
		close(ready[1]);
	}
	for (;;)
		event_run_once(-1);
}
