/* SPDX-License-Identifier: MIT */
/* tern - start, stop, reload, check and flush the Tern mail system,
 * requeue what qmgr set aside, and edit the user table of auth (that
 * part in tern/tern_user.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/mastercf.h"
#include "conf/params.h"
#include "conf/perms.h"
#include "mail/alias.h"
#include "mail/relay_policy.h"
#include "mail/resolve.h"
#include "queue/qfile.h"
#include "queue/trigger.h"
#include "server/master_proto.h"
#include "server/server.h"
#include "server/server_tls.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "tern/tern.h"

static const char *config_dir;
static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
problem(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tern: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	problems++;
}

/* An error counts as a problem; anything else is said as a warning, or
 * as a plain note when ctx is non-NULL (tern set-permissions' changes). */
static void
report_problem(void *ctx, int error, const char *text)
{
	if (error)
		problem("%s", text);
	else
		fprintf(stderr, "tern: %s%s\n",
		    ctx != NULL ? "" : "warning: ", text);
}

static void
print_warning(const char *msg, void *ctx)
{
	fprintf(stderr, "tern: warning: %s\n", msg);
}

/* The pid of the running master, or 0. Running means: the pid file is
 * locked (the master holds the lock for its whole life). */
static pid_t
master_pid(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[4096], text[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/pid/master.pid", var_queue_dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK) {
		close(fd);
		return 0;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	return fl.l_pid > 0 ? fl.l_pid : (pid_t)strtol(text, NULL, 10);
}

static void
check_dir(const char *path, uid_t owner, int check_owner)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			problem("%s: %s", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		problem("%s: not a directory", path);
		return;
	}
	if (check_owner && st.st_uid != owner)
		problem("%s: owned by uid %ld, not by mail_owner %s (uid %ld);"
			" fix with: chown %s %s",
		    path, (long)st.st_uid, var_mail_owner, (long)owner,
		    var_mail_owner, path);
	if (st.st_mode & 0002)
		problem("%s: world-writable (mode %04o); fix with: chmod o-w "
			"%s",
		    path, (unsigned)(st.st_mode & 07777), path);
}

/* RFC 5321 4.5.1: mail to postmaster must work. smtpd accepts it; warn
 * when it would then bounce for want of a mailbox or an alias. */
static void
check_postmaster(void)
{
	struct resolve_list finals = { 0 };
	struct resolve_error err;
	struct buf pm;
	size_t i;
	int ok = 0;

	buf_init(&pm, 1024);
	buf_printf(&pm, "postmaster@%s", var_myorigin);
	if (resolve_alias(buf_cstr(&pm), &finals, &err) == 0) {
		ok = finals.n > 0;
		for (i = 0; i < finals.n; i++) {
			int cls = resolve_class(finals.addr[i], &err);

			if (cls != RESOLVE_VIRTUAL && cls != RESOLVE_LOCAL)
				ok = 0;
		}
	}
	if (!ok)
		fprintf(stderr,
		    "tern: warning: mail to %s cannot be "
		    "delivered: give it a %s entry (for example \"%s "
		    "you@%s\")\n",
		    buf_cstr(&pm), VAR_VIRT_ALIAS_MAPS, buf_cstr(&pm),
		    var_myorigin);
	resolve_list_free(&finals);
	buf_deinit(&pm);
}

/* The user table holds password hashes (or PLAIN passwords): others
 * must not read it, nor anyone but its owner write it; as root, auth_owner
 * (uid, gid; have_auth: the account exists) must be able to read it and
 * no other group. */
static void
check_user_file(int have_auth, uid_t uid, gid_t gid)
{
	struct stat st;

	if (stat(var_auth_user_file, &st) < 0)
		return;
	if (st.st_mode & 0026)
		fprintf(stderr,
		    "tern: warning: %s: mode %04o lets other users %s it; "
		    "fix with: chmod 0640 %s\n",
		    var_auth_user_file, (unsigned)(st.st_mode & 07777),
		    st.st_mode & 0004 ? "read" : "change", var_auth_user_file);
	if (!have_auth)
		return;
	if (!(st.st_uid == uid && (st.st_mode & 0400)) &&
	    !(st.st_gid == gid && (st.st_mode & 0040)))
		problem("%s: %s (auth_owner) cannot read it; fix with: "
			"chgrp %ld %s; chmod 0640 %s",
		    var_auth_user_file, var_auth_owner, (long)gid,
		    var_auth_user_file, var_auth_user_file);
	else if ((st.st_mode & 0040) && st.st_gid != gid)
		fprintf(stderr,
		    "tern: warning: %s: group %ld may read it, not only %s "
		    "(auth_owner); fix with: chgrp %ld %s\n",
		    var_auth_user_file, (long)st.st_gid, var_auth_owner,
		    (long)gid, var_auth_user_file);
}

/* The manifest $meta_directory/permissions into path. 0, or -1 when it
 * does not exist and main.cf does not name meta_directory: an instance
 * run from a build tree has none, and nothing is said then. */
static int
manifest_path(struct buf *path)
{
	buf_reset(path);
	buf_printf(path, "%s/%s", var_meta_dir, PERMS_FILE_NAME);
	if (access(buf_cstr(path), F_OK) < 0 && errno == ENOENT &&
	    config_raw(VAR_META_DIR) == NULL)
		return -1;
	return 0;
}

/* What differs from the manifest: as root owners, groups and modes (the
 * errors), else only modes (warnings: a test instance is all one user's). */
static void
check_manifest(int root)
{
	struct buf path, err;

	buf_init(&path, 8192);
	buf_init(&err, 8192);
	if (manifest_path(&path) == 0 &&
	    perms_check(buf_cstr(&path), root, report_problem, NULL, &err) < 0)
		problem("%s", buf_cstr(&err));
	buf_deinit(&path);
	buf_deinit(&err);
}

/* tern set-permissions: make the installation match the manifest. */
static int
cmd_set_permissions(void)
{
	struct buf path, err;

	buf_init(&path, 8192);
	buf_init(&err, 8192);
	if (manifest_path(&path) < 0)
		problem("%s: %s", buf_cstr(&path), strerror(ENOENT));
	else if (perms_apply(buf_cstr(&path), report_problem, "", &err) < 0)
		problem("%s", buf_cstr(&err));
	buf_deinit(&path);
	buf_deinit(&err);
	return problems ? 1 : 0;
}

/* The users' ~/.forward files that local would ignore (alias.h's
 * rules), as warnings: their mail still reaches their mailboxes. Root
 * only (others' homes are not ours to read); the system's user database
 * is walked once, at most 100000 entries. */
static void
check_forward_files(void)
{
	struct passwd *pw;
	struct stat st;
	struct buf path;
	char why[512];
	size_t n = 0;

	if (geteuid() != 0 || *var_mydestination == 0)
		return;
	buf_init(&path, 8192);
	setpwent();
	while ((pw = getpwent()) != NULL && n++ < 100000) {
		char *content = NULL;
		size_t len;

		if (pw->pw_uid == 0 || pw->pw_dir == NULL ||
		    pw->pw_dir[0] != '/')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/.forward", pw->pw_dir);
		if (lstat(buf_cstr(&path), &st) < 0)
			continue; /* none (or no home): nothing to ignore */
		switch (alias_file_load(buf_cstr(&path), pw->pw_uid,
		    ALIAS_LOAD_CHECK_DIR, &content, &len, why, sizeof(why))) {
		case ALIAS_LOAD_OK:
			xfree(content);
			break;
		case ALIAS_LOAD_UNSAFE:
			fprintf(stderr,
			    "tern: warning: %s: local(8) ignores this "
			    ".forward file and delivers %s's mail to the "
			    "mailbox\n",
			    why, pw->pw_name);
			break;
		default:
			break;
		}
	}
	endpwent();
	buf_deinit(&path);
}

/* Mail for root (cron, the system's programs) is never delivered as
 * root: without an alias it is returned. A warning, as root's mail is
 * easy to miss. */
static void
check_root_alias(void)
{
	struct resolve_error err;
	char *value = NULL;

	if (*var_mydestination == 0)
		return;
	if (resolve_local_alias("root", "", &value, &err) == 0)
		fprintf(stderr,
		    "tern: warning: mail for root@%s is returned to its "
		    "sender: local(8) never delivers as root; give root an "
		    "alias in %s (for example \"root: you\")\n",
		    var_myhostname, VAR_ALIAS_MAPS);
	xfree(value);
}

/* Everything a start needs, with a precise message for each problem.
 * thorough (tern check itself, not start or reload): also the users'
 * .forward files, a walk of the whole user database that a directory
 * server of many users should not pay at every start. */
static int
cmd_check(int thorough)
{
	struct relay_policy *policy = NULL;
	struct mastercf *cf;
	struct buf path;
	const char *error;
	uid_t uid = 0;
	gid_t gid;
	size_t i;
	int root = geteuid() == 0, have_owner = 0, have_auth = 0;
	uid_t auth_uid = 0;
	gid_t auth_gid = 0;

	config_foreach_warning(print_warning, NULL);
	buf_init(&path, 8192);
	buf_printf(&path, "%s/master.cf", config_dir);
	if (mastercf_load(buf_cstr(&path), &cf, &error) < 0) {
		problem("%s", error);
		server_tls_check(NULL, config_dir, report_problem, NULL);
	} else {
		for (i = 0; i < cf->nsvc; i++) {
			const char *cmd = cf->svc[i].command;
			const char *base = strrchr(cmd, '/');

			if (strcmp(base != NULL ? base + 1 : cmd, "auth") == 0)
				have_auth = 1;

			buf_reset(&path);
			if (cmd[0] == '/')
				buf_puts(&path, cmd);
			else
				buf_printf(&path, "%s/%s", var_daemon_dir, cmd);
			if (access(buf_cstr(&path), X_OK) < 0)
				problem("%s/master.cf:%d: %s: command %s: %s",
				    config_dir, cf->svc[i].line,
				    cf->svc[i].name, buf_cstr(&path),
				    strerror(errno));
		}
		server_tls_check(cf, config_dir, report_problem, NULL);
		mastercf_destroy(&cf);
	}
	/* What smtpd would refuse to start with (smtpd_check.h). */
	if (relay_policy_create(&policy, &error) < 0)
		problem("%s/main.cf: %s", config_dir, error);
	relay_policy_destroy(&policy);
	if (resolve_open(&error) < 0)
		problem("%s", error);
	else {
		check_postmaster();
		/* Table entries that delivery would refuse, found now. */
		if (resolve_check(report_problem, NULL, &error) < 0)
			problem("%s", error);
		check_root_alias();
	}
	if (thorough)
		check_forward_files();
	if (root) {
		if (server_user_ids(var_mail_owner, &uid, &gid, &error) < 0)
			problem("mail_owner: %s; create the account (for "
				"example: useradd --system --no-create-home "
				"--shell /usr/sbin/nologin %s) or set "
				"mail_owner in %s/main.cf",
			    error, var_mail_owner, config_dir);
		else
			have_owner = 1;
		if (have_auth &&
		    server_user_ids(var_auth_owner, &auth_uid, &auth_gid,
			&error) < 0) {
			problem("auth_owner: %s; create the account (for "
				"example: useradd --system --user-group "
				"--no-create-home --shell /usr/sbin/nologin "
				"%s) or set auth_owner in %s/main.cf",
			    error, var_auth_owner, config_dir);
			have_auth = 0;
		} else if (have_auth && have_owner && auth_uid == uid)
			fprintf(stderr,
			    "tern: warning: auth_owner is mail_owner (%s): "
			    "smtpd can read %s\n",
			    var_mail_owner, var_auth_user_file);
	}
	check_user_file(root && have_auth, auth_uid, auth_gid);
	check_dir(var_queue_dir, 0, 0);
	for (i = 0; qfile_queue_names[i] != NULL; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", var_queue_dir, qfile_queue_names[i]);
		check_dir(buf_cstr(&path), uid, have_owner);
	}
	buf_deinit(&path);
	check_manifest(root);
	return problems ? 1 : 0;
}

static int
cmd_start(void)
{
	char master[4096];
	pid_t pid;

	if ((pid = master_pid()) != 0) {
		fprintf(stderr,
		    "tern: fatal: the Tern mail system is already "
		    "running (pid %ld)\n",
		    (long)pid);
		return 1;
	}
	if (cmd_check(0) != 0) {
		fprintf(stderr,
		    "tern: fatal: not starting: fix the errors "
		    "above\n");
		return 1;
	}
	snprintf(master, sizeof(master), "%s/master", var_daemon_dir);
	fprintf(stderr, "tern: starting the Tern mail system\n");
	fflush(stderr);
	execl(master, "master", "-c", config_dir, (char *)NULL);
	fprintf(stderr, "tern: fatal: exec %s: %s\n", master, strerror(errno));
	return 1;
}

static int
cmd_stop(void)
{
	pid_t pid = master_pid();
	int i;

	if (pid == 0) {
		fprintf(stderr,
		    "tern: fatal: the Tern mail system is not "
		    "running\n");
		return 1;
	}
	fprintf(stderr, "tern: stopping the Tern mail system\n");
	if (kill(pid, SIGTERM) < 0) {
		fprintf(stderr, "tern: fatal: kill %ld: %s\n", (long)pid,
		    strerror(errno));
		return 1;
	}
	/* The master lets its children finish briefly, then exits. */
	for (i = 0; i < 300 && master_pid() != 0; i++)
		usleep(100000);
	if (master_pid() != 0) {
		fprintf(stderr, "tern: fatal: master pid %ld did not stop\n",
		    (long)pid);
		return 1;
	}
	return 0;
}

/* Read pid/reload.status: master pid, sequence and the rest of the line
 * ("ok" or "error <reason>") into rest. 0, or -1 when it is missing or
 * malformed. */
static int
read_reload_status(long *pid_r, unsigned long *seq_r, char *rest, size_t restsz)
{
	char path[4096 + 32], text[8704], *p, *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/pid/%s", var_queue_dir,
	    MASTER_RELOAD_STATUS);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = 0;
	text[strcspn(text, "\n")] = 0;
	*pid_r = strtol(text, &end, 10);
	if (end == text || *end != ' ')
		return -1;
	p = end + 1;
	*seq_r = strtoul(p, &end, 10);
	if (end == p || *end != ' ')
		return -1;
	snprintf(rest, restsz, "%s", end + 1);
	return 0;
}

/* Refuse what "tern start" would refuse, then signal master and wait
 * (bounded) for the outcome it writes to pid/reload.status. */
static int
cmd_reload(void)
{
	char rest[8704];
	unsigned long seq, before = 0;
	long spid;
	pid_t pid = master_pid();
	int have_before, i;

	if (pid == 0) {
		fprintf(stderr,
		    "tern: fatal: the Tern mail system is not "
		    "running\n");
		return 1;
	}
	if (cmd_check(0) != 0) {
		fprintf(stderr,
		    "tern: fatal: not reloading: fix the errors "
		    "above; the running configuration is unchanged\n");
		return 1;
	}
	have_before =
	    read_reload_status(&spid, &seq, rest, sizeof(rest)) == 0 &&
	    spid == (long)pid;
	if (have_before)
		before = seq;
	if (kill(pid, SIGHUP) < 0) {
		fprintf(stderr, "tern: fatal: kill %ld: %s\n", (long)pid,
		    strerror(errno));
		return 1;
	}
	fprintf(stderr, "tern: refreshing the Tern mail system\n");
	/* Master reloads at once; a slow machine gets 30 s. */
	for (i = 0; i < 300; i++) {
		if (read_reload_status(&spid, &seq, rest, sizeof(rest)) == 0 &&
		    spid == (long)pid && (!have_before || seq > before)) {
			if (strcmp(rest, "ok") == 0)
				return 0;
			fprintf(stderr,
			    "tern: fatal: reload failed, the old "
			    "configuration keeps running: %s\n",
			    strncmp(rest, "error ", 6) == 0 ? rest + 6 : rest);
			return 1;
		}
		usleep(100000);
	}
	fprintf(stderr,
	    "tern: fatal: master pid %ld did not report the "
	    "outcome of the reload; see the log\n",
	    (long)pid);
	return 1;
}

static int
cmd_status(void)
{
	pid_t pid = master_pid();

	if (pid == 0) {
		fprintf(stderr, "tern: the Tern mail system is not running\n");
		return 1;
	}
	fprintf(stderr, "tern: the Tern mail system is running: PID: %ld\n",
	    (long)pid);
	{
		char rest[8704];
		unsigned long seq;
		long spid;

		if (read_reload_status(&spid, &seq, rest, sizeof(rest)) == 0 &&
		    spid == (long)pid && strncmp(rest, "error ", 6) == 0)
			fprintf(stderr,
			    "tern: warning: the last reload "
			    "failed, the previous configuration is running: "
			    "%s\n",
			    rest + 6);
	}
	return 0;
}

/* Make every deferred message due now and ask qmgr to scan. */
static int
cmd_flush(void)
{
	char path[4096];
	struct dirent *de;
	const char *error;
	DIR *d;

	snprintf(path, sizeof(path), "%s/deferred", var_queue_dir);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (qfile_is_id(de->d_name))
				utimensat(dirfd(d), de->d_name, NULL, 0);
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/public/qmgr", var_queue_dir);
	if (trigger_send(path, TRIGGER_REQ_SCAN, &error) < 0) {
		fprintf(stderr, "tern: fatal: %s: %s\n", path, error);
		return 1;
	}
	return 0;
}

/* Move one message from corrupt/ to incoming/. Returns 0 or -1 (said). */
static int
requeue_one(const char *id)
{
	const char *error;

	if (!qfile_is_id(id)) {
		fprintf(stderr, "tern: error: %s: not a queue ID\n", id);
		return -1;
	}
	if (qfile_move(var_queue_dir, id, "corrupt", "incoming", &error) < 0) {
		fprintf(stderr, "tern: error: %s: %s\n", id, error);
		return -1;
	}
	fprintf(stderr, "tern: %s: requeued\n", id);
	return 0;
}

/* Give messages that qmgr set aside in corrupt/ another try, after the
 * administrator has looked at them: back to incoming/, then wake qmgr.
 * A file that is still damaged is set aside again. */
static int
cmd_requeue(char **ids, int n)
{
	char path[4096];
	const char *error;
	int i, failed = 0, moved = 0;

	if (n == 1 && strcmp(ids[0], "ALL") == 0) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/corrupt", var_queue_dir);
		if ((d = opendir(path)) == NULL) {
			fprintf(stderr, "tern: fatal: open %s: %s\n", path,
			    strerror(errno));
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (!qfile_is_id(de->d_name))
				continue;
			if (requeue_one(de->d_name) < 0)
				failed++;
			else
				moved++;
		}
		closedir(d);
	} else {
		for (i = 0; i < n; i++) {
			if (requeue_one(ids[i]) < 0)
				failed++;
			else
				moved++;
		}
	}
	if (moved > 0 && master_pid() > 0) {
		snprintf(path, sizeof(path), "%s/public/qmgr", var_queue_dir);
		/* Only a hint: qmgr scans incoming/ periodically anyway. */
		if (trigger_send(path, TRIGGER_REQ_WAKEUP, &error) < 0)
			fprintf(stderr, "tern: warning: %s: %s\n", path, error);
	}
	return failed ? 1 : 0;
}

/* main.cf does not load: take the defaults, and the queue directory as
 * main.cf sets it when it can be read on its own. */
static void
fallback_config(const char *why)
{
	struct buf qd;

	fprintf(stderr, "tern: warning: %s\n", why);
	config_load_defaults();
	buf_init(&qd, 4096);
	if (config_peek(config_dir, VAR_QUEUE_DIR, &qd) == 0) {
		xfree(var_queue_dir);
		var_queue_dir = xstrdup(buf_cstr(&qd));
	}
	fprintf(stderr,
	    "tern: warning: main.cf does not load; using "
	    "queue_directory = %s\n",
	    var_queue_dir);
	buf_deinit(&qd);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tern [-c config_dir] "
	    "start|stop|reload|status|check|flush\n"
	    "       tern [-c config_dir] set-permissions\n"
	    "       tern [-c config_dir] requeue ALL|queue_id ...\n"
	    "       tern [-c config_dir] user add|passwd name [-s scheme]\n"
	    "       tern [-c config_dir] user del name\n"
	    "       tern [-c config_dir] user list\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *error, *cmd;
	int ch;

	log_init("tern");
	config_dir = config_dir_default();
	/* "+": options end at the command (tern user add NAME -s X). */
	while ((ch = getopt(argc, argv, "+c:v")) != -1) {
		switch (ch) {
		case 'c':
			config_dir = optarg;
			break;
		case 'v':
			log_verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	if (strcmp(cmd, "requeue") == 0 || strcmp(cmd, "user") == 0
		? optind == argc - 1
		: optind != argc - 1)
		usage();
	if (config_load(config_dir, &error) < 0) {
		/* status and stop need only the queue directory and the
		 * pid lock: they must work while main.cf is broken. */
		if (strcmp(cmd, "status") != 0 && strcmp(cmd, "stop") != 0) {
			fprintf(stderr, "tern: fatal: %s\n", error);
			return 1;
		}
		fallback_config(error);
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check(1);
	if (strcmp(cmd, "start") == 0)
		return cmd_start();
	if (strcmp(cmd, "stop") == 0)
		return cmd_stop();
	if (strcmp(cmd, "reload") == 0)
		return cmd_reload();
	if (strcmp(cmd, "status") == 0)
		return cmd_status();
	if (strcmp(cmd, "flush") == 0)
		return cmd_flush();
	if (strcmp(cmd, "set-permissions") == 0)
		return cmd_set_permissions();
	if (strcmp(cmd, "requeue") == 0)
		return cmd_requeue(argv + optind + 1, argc - optind - 1);
	if (strcmp(cmd, "user") == 0 &&
	    (ch = tern_cmd_user(argv + optind + 1, argc - optind - 1)) != 2)
		return ch;
	usage();
	return 2;
}
