/* SPDX-License-Identifier: MIT */
/* tern_user - "tern user": the user table of auth(8) (auth_user_file),
 * added to, changed, listed; passwords read from the terminal without
 * echo or from a line of standard input. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/passwd_edit.h"
#include "mail/passwd_file.h"
#include "mail/passwd_hash.h"
#include "server/server.h"
#include "util/buf.h"
#include "util/mem.h"

#include "tern.h"

/* The longest password read (a line of stdin or the terminal). */
#define USER_PASSWORD_MAX 1024

static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

/* A signal while echo is off: give the terminal its echo back first. */
static void
tty_restore_and_die(int sig)
{
	if (tty_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read one line from fd into pw (without its newline). Returns its
 * length, or -1 with *error_r set: end of input before any byte, a line
 * too long, a NUL, a read error. */
static ssize_t
read_password_line(int fd, char *pw, size_t size, const char **error_r)
{
	size_t len = 0;
	ssize_t n;
	char c;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error_r = "cannot read the password";
			return -1;
		}
		if (n == 0 || c == '\n')
			break;
		if (c == '\0') {
			*error_r = "NUL character in the password";
			return -1;
		}
		if (len + 1 >= size) {
			*error_r = "password too long";
			return -1;
		}
		pw[len++] = c;
	}
	pw[len] = '\0';
	explicit_bzero(&c, sizeof(c));
	if (n == 0 && len == 0) {
		*error_r = "no password on standard input";
		return -1;
	}
	return (ssize_t)len;
}

/* Ask the terminal on stdin, with echo off, once (prompt) into pw. */
static ssize_t
prompt_password(const char *prompt, char *pw, size_t size, const char **error_r)
{
	struct termios quiet;
	ssize_t len;

	if (tcgetattr(STDIN_FILENO, &tty_saved) < 0) {
		*error_r = "cannot read the terminal settings";
		return -1;
	}
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	signal(SIGINT, tty_restore_and_die);
	signal(SIGTERM, tty_restore_and_die);
	signal(SIGHUP, tty_restore_and_die);
	signal(SIGQUIT, tty_restore_and_die);
	tty_echo_off = 1;
	/* Echo off (and what was typed before dropped) first, then the
	 * prompt: an answer to the prompt is never flushed away. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0) {
		tty_echo_off = 0;
		*error_r = "cannot turn off the terminal echo";
		return -1;
	}
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	len = read_password_line(STDIN_FILENO, pw, size, error_r);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &tty_saved);
	tty_echo_off = 0;
	fputc('\n', stderr);
	return len;
}

/* The new password: twice from the terminal (they must match) when stdin
 * is one, else one line of stdin. Empty is refused. Returns 0 or -1 with
 * *error_r set; pw is wiped by the caller. */
static int
get_password(char *pw, size_t size, const char **error_r)
{
	char again[USER_PASSWORD_MAX];
	ssize_t len;
	int ret = -1;

	if (!isatty(STDIN_FILENO)) {
		len = read_password_line(STDIN_FILENO, pw, size, error_r);
	} else {
		len = prompt_password("New password: ", pw, size, error_r);
		if (len > 0) {
			if (prompt_password("Retype new password: ", again,
				sizeof(again), error_r) < 0)
				len = -1;
			else if (strcmp(pw, again) != 0) {
				*error_r = "the passwords do not match";
				len = -1;
			}
		}
		explicit_bzero(again, sizeof(again));
	}
	if (len == 0)
		*error_r = "empty password refused";
	else if (len > 0)
		ret = 0;
	return ret;
}

static int
print_user(const struct passwd_entry *ent, void *ctx)
{
	printf("%s\n", ent->user);
	return 0;
}

/* tern user list: the names in the table, one a line, never a secret. */
static int
user_list(void)
{
	struct buf err;
	int ret = 0;

	if (access(var_auth_user_file, F_OK) < 0 && errno == ENOENT)
		return 0;
	buf_init(&err, 8192);
	if (passwd_file_read(var_auth_user_file, print_user, NULL, &err) < 0) {
		fflush(stdout);
		fprintf(stderr, "tern: fatal: %s\n", buf_cstr(&err));
		ret = 1;
	}
	buf_deinit(&err);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tern: fatal: write: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}

/* As root, a table in root's group (one tern user add just made) goes to
 * auth_owner's group, so that auth(8) can read it and no one else. */
static void
give_to_auth(void)
{
	struct stat st;
	const char *error;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || stat(var_auth_user_file, &st) < 0 ||
	    st.st_gid != 0)
		return;
	if (server_user_ids(var_auth_owner, &uid, &gid, &error) < 0)
		fprintf(stderr,
		    "tern: warning: auth_owner: %s: auth(8) cannot read "
		    "%s\n",
		    error, var_auth_user_file);
	else if (chown(var_auth_user_file, (uid_t)-1, gid) < 0)
		fprintf(stderr, "tern: warning: chgrp %s: %s\n",
		    var_auth_user_file, strerror(errno));
}

/* tern user add|passwd|del NAME [-s SCHEME]. */
static int
user_edit(enum passwd_edit_op op, const char *name, const char *scheme)
{
	static const char *done[] = { "added", "password changed", "deleted" };
	char pw[USER_PASSWORD_MAX];
	struct buf secret, err;
	const char *error;
	int ret = 1, r;

	if (passwd_edit_name_ok(name, &error) < 0) {
		fprintf(stderr, "tern: fatal: bad user name: %s\n", error);
		return 1;
	}
	buf_init(&secret, 4096);
	buf_init(&err, 8192);
	if (op != PASSWD_EDIT_DEL) {
		/* An unknown scheme is said before the password is asked. */
		if (passwd_hash(scheme, "x", &secret, &error) < 0) {
			fprintf(stderr, "tern: fatal: -s %s: %s\n", scheme,
			    error);
			goto out;
		}
		if (get_password(pw, sizeof(pw), &error) < 0) {
			fprintf(stderr, "tern: fatal: %s\n", error);
			goto out;
		}
		r = passwd_hash(scheme, pw, &secret, &error);
		explicit_bzero(pw, sizeof(pw));
		if (r < 0) {
			fprintf(stderr, "tern: fatal: %s\n", error);
			goto out;
		}
	}
	if (passwd_edit_file(var_auth_user_file, op, name,
		op == PASSWD_EDIT_DEL ? NULL : buf_cstr(&secret), &err) < 0) {
		fprintf(stderr, "tern: fatal: %s\n", buf_cstr(&err));
		goto out;
	}
	fprintf(stderr, "tern: %s: %s\n", name, done[op]);
	give_to_auth();
	ret = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	if (secret.data != NULL)
		explicit_bzero(secret.data, secret.cap);
	buf_deinit(&secret);
	buf_deinit(&err);
	return ret;
}

int
tern_cmd_user(char **args, int n)
{
	static const struct {
		const char *name;
		enum passwd_edit_op op;
	} ops[] = {
		{ "add", PASSWD_EDIT_ADD },
		{ "passwd", PASSWD_EDIT_SET },
		{ "del", PASSWD_EDIT_DEL },
	};
	const char *name = NULL, *scheme = PASSWD_HASH_DEFAULT;
	size_t i;
	int j;

	if (n == 1 && strcmp(args[0], "list") == 0)
		return user_list();
	for (i = 0; n >= 2 && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(args[0], ops[i].name) != 0)
			continue;
		/* NAME and, for add and passwd, -s SCHEME in either order. */
		for (j = 1; j < n; j++) {
			if (strcmp(args[j], "-s") == 0 && j + 1 < n &&
			    ops[i].op != PASSWD_EDIT_DEL)
				scheme = args[++j];
			else if (name == NULL)
				name = args[j];
			else
				return 2;
		}
		if (name == NULL)
			return 2;
		return user_edit(ops[i].op, name, scheme);
	}
	return 2;
}
