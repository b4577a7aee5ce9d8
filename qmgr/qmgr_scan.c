/* SPDX-License-Identifier: MIT */
/* qmgr_scan - triggers, timers and queue directory scans. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/resolve.h"
#include "queue/qfile.h"
#include "queue/trigger.h"
#include "server/server.h"
#include "util/event.h"
#include "util/log.h"

#include "qmgr.h"

static uint64_t soon_timer;

/* Activate what a directory holds; due_only: only files whose mtime (the
 * next retry time, set when they were deferred) has come. */
static void
scan_dir(const char *dir, int due_only)
{
	struct dirent *de;
	time_t now = time(NULL);
	DIR *d;

	/* A table changed: the next qmgr resolves with the new version. */
	if (server_draining())
		return;
	if ((d = opendir(dir)) == NULL) {
		log_warn("open directory %s: %m", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (qmgr_active_count >= qmgr_active_limit)
			break;
		if (qfile_is_temp(de->d_name)) {
			struct stat st;

			/* A session that died mid-DATA leaves its temp file;
			 * one untouched for daemon_timeout is garbage. */
			if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
			    st.st_mtime + var_daemon_timeout < now &&
			    unlinkat(dirfd(d), de->d_name, 0) == 0)
				log_info("removed stale temporary file %s/%s",
				    dir, de->d_name);
			continue;
		}
		if (!qfile_is_id(de->d_name) || qmgr_is_active(de->d_name))
			continue;
		if (due_only) {
			struct stat st;

			if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
			    st.st_mtime > now)
				continue;
		}
		/* A resource shortage: the files left are no better off. */
		if (qmgr_activate(de->d_name, dir) == QMGR_RETRY_LATER)
			break;
	}
	closedir(d);
}

void
qmgr_scan_incoming(void)
{
	scan_dir("incoming", 0);
}

void
qmgr_scan_deferred(int all)
{
	scan_dir("deferred", !all);
}

static int scan_deferred_all; /* a flush asked for deferred/ too */

static void
soon(void *ctx)
{
	int all = scan_deferred_all;

	soon_timer = 0;
	scan_deferred_all = 0;
	qmgr_scan_incoming();
	if (all)
		qmgr_scan_deferred(1);
}

/* Room was made, or new mail was queued by us: look again shortly,
 * coalescing many requests into one scan. */
void
qmgr_scan_soon(void)
{
	if (soon_timer == 0)
		soon_timer = event_timer(10, soon, NULL);
}

static void
periodic(void *ctx)
{
	/* What a failed open or a failed move to deferred/ left in active/
	 * is not in memory: take it up again. */
	scan_dir("active", 0);
	qmgr_scan_incoming();
	qmgr_scan_deferred(0);
	event_timer(var_queue_run_delay * 1000, periodic, NULL);
}

/* A burst of triggers (one per message from every smtpd) makes one scan
 * shortly after the first, not one scan each. */
void
qmgr_trigger(const char *req, size_t len)
{
	if (memchr(req, TRIGGER_REQ_SCAN, len) != NULL)
		scan_deferred_all = 1;
	qmgr_scan_soon();
}

/* One queue manager per queue: after a reload the old one may still be
 * finishing while master starts the new one. Wait for its lock on the
 * active/ directory (bounded), so no message is worked on twice. */
static void
lock_active(void)
{
	int fd = open("active", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int i;

	if (fd < 0)
		log_fatal("open active: %m");
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK)
			log_fatal("lock active: %m");
		if (i >= 300)
			log_fatal("another qmgr holds the queue lock");
		usleep(100000);
	}
	/* fd stays open for the life of the process. */
}

void
qmgr_pre_jail(void)
{
	resolve_init();
	qmgr_deliver_limits();
}

void
qmgr_init(void)
{
	size_t nofile;

	lock_active();
	nofile = qmgr_fd_budget();
	qmgr_active_limit =
	    qmgr_active_limit_for(nofile, var_local_dest_concurrency);
	log_debug(1, "%zu descriptors: at most %zu active messages", nofile,
	    qmgr_active_limit);
	qmgr_deliver_init();
	/* What a previous qmgr left in active/ is ours now (a crash may have
	 * cut its deliveries short: some may be repeated, none lost). */
	scan_dir("active", 0);
	qmgr_scan_incoming();
	qmgr_scan_deferred(0);
	event_timer(var_queue_run_delay * 1000, periodic, NULL);
}
