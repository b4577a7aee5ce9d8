/* SPDX-License-Identifier: MIT */
/* ternpostdrop - copy a maildrop file (maildrop.h) from stdin into
 * maildrop/ for a user who may not write there: installed set-group-id
 * to setgid_group (never set-uid). It checks the file whole before it
 * gives it a name pickup(8) takes, makes it durable, and wakes pickup.
 * With -p (-j: JSON) it prints the queue listing instead, which it asks
 * of showq(8) over public/showq (the group's too): mailq for a user who
 * may not read the queue. */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "queue/maildrop.h"
#include "queue/trigger.h"
#include "util/die.h"
#include "util/sock.h"

/* What the envelope may add to the content: every recipient at its
 * longest, and a little. */
#define ENVELOPE_SLACK \
	((long long)MAILDROP_MAX_RCPT * (MAILDROP_MAX_FIELD + 16) + 65536)

static const char *queue_tmp;
static char tmp[MAILDROP_NAME_MAX];

/* die()'s cleanup: the half-written maildrop file goes. */
static void
remove_tmp(void)
{
	if (queue_tmp != NULL)
		maildrop_unlink(queue_tmp, tmp);
}

/* 1 when dir and dir/main.cf belong to root and only root may write
 * them (for a -c given to the set-group-id program), else 0. */
static int
root_owned(const char *dir)
{
	char path[4096];
	struct stat st;
	int n;

	if (stat(dir, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) != 0)
		return 0;
	n = snprintf(path, sizeof(path), "%s/main.cf", dir);
	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0)
		return 0;
	return 1;
}

/* -p: the listing from showq, to stdout. */
static int
print_queue(int json)
{
	char path[4096], b[65536];
	const char *error;
	struct pollfd pfd;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/public/showq", var_queue_dir);
	if ((fd = sock_unix_connect(path, 0, &error)) < 0)
		die(EX_UNAVAILABLE,
		    "the queue listing service: %s: %s "
		    "(is Tern running?)",
		    path, error);
	if (write(fd, json ? "json\n" : "list\n", 5) != 5)
		die(EX_IOERR, "%s: %s", path, strerror(errno));
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, (int)var_ipc_timeout * 1000) != 1)
			die(EX_TEMPFAIL, "%s: no answer", path);
		if ((n = read(fd, b, sizeof(b))) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EX_IOERR, "%s: %s", path, strerror(errno));
		if (n == 0)
			break;
		if (fwrite(b, 1, (size_t)n, stdout) != (size_t)n)
			die(EX_IOERR, "standard output: %s", strerror(errno));
	}
	close(fd);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

int
main(int argc, char **argv)
{
	const char *config_dir = NULL, *error;
	int list = 0, json = 0;
	struct maildrop_limits limits;
	struct maildrop *md;
	char name[MAILDROP_NAME_MAX], path[4096], b[65536];
	long long total = 0, max;
	int c, fd, ret;

	die_init("ternpostdrop", remove_tmp);
	while ((c = getopt(argc, argv, "c:pj")) != -1) {
		if (c == 'c')
			config_dir = optarg;
		else if (c == 'p')
			list = 1;
		else if (c == 'j')
			json = 1;
		else {
			fputs("usage: ternpostdrop [-c config_dir] < file\n"
			      "       ternpostdrop [-c config_dir] -p [-j]\n",
			    stderr);
			return EX_USAGE;
		}
	}
	/* Set-group-id for someone else: the built-in configuration, or a
	 * directory that root vouches for, so that no user chooses where
	 * the group's privilege writes. */
	if (getegid() != getgid() && getuid() != 0) {
		unsetenv("TERN_CONFIG_DIRECTORY");
		if (config_dir == NULL || !root_owned(config_dir))
			config_dir = config_dir_default(); /* the built-in */
	}
	if (config_load(config_dir, &error) < 0)
		die(EX_CONFIG, "%s", error);
	if (list)
		return print_queue(json);
	fd = maildrop_file_create(var_queue_dir, tmp, sizeof(tmp), &error);
	if (fd < 0)
		die(EX_TEMPFAIL, "%s", error);
	queue_tmp = var_queue_dir;
	max = var_message_size_limit > 0
	    ? (long long)var_message_size_limit + ENVELOPE_SLACK
	    : -1;
	for (;;) {
		ssize_t n = read(0, b, sizeof(b));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EX_IOERR, "read: %s", strerror(errno));
		if (n == 0)
			break;
		total += n;
		if (max >= 0 && total > max)
			die(EX_DATAERR, "message file too big");
		if (write(fd, b, (size_t)n) != n)
			die(EX_TEMPFAIL, "write: %s", strerror(errno));
	}
	limits.max_rcpt = MAILDROP_MAX_RCPT;
	limits.max_size = var_message_size_limit;
	ret = maildrop_open(fd, &limits, &md, &error);
	if (ret == MAILDROP_TEMPFAIL)
		die(EX_TEMPFAIL, "%s", error);
	if (ret < 0)
		die(EX_DATAERR, "malformed maildrop file: %s", error);
	maildrop_close(&md);
	queue_tmp = NULL;
	if (maildrop_file_commit(var_queue_dir, fd, tmp, name, sizeof(name),
		&error) < 0)
		die(EX_TEMPFAIL, "%s", error);
	close(fd);
	snprintf(path, sizeof(path), "%s/public/pickup", var_queue_dir);
	(void)trigger_send(path, TRIGGER_REQ_WAKEUP, &error);
	return 0;
}
