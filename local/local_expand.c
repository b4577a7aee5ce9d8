/* SPDX-License-Identifier: MIT */
/* local_expand - what an alias value or a .forward file makes of a
 * recipient, done by the identity whose rights apply: default_privs for
 * alias_maps, the user for a .forward (local_run_as runs the job "expand"
 * as that identity; a file or command in either never runs as root).
 *
 * Items (alias.h): an address is forwarded (the caller queues one copy
 * for all of them) unless it is "\user" or names the user being
 * delivered, which means "this user's own mailbox" (the caller delivers
 * it, without a further alias or .forward lookup); "/file" gets the
 * message appended in mbox format, "/dir/" as a Maildir message;
 * "|command" runs through pipe_cmd with the envelope in its environment;
 * ":include:/file" is read (safely, alias_file_load: owned by root or by
 * this identity) and its items are handled the same way, up to
 * LOCAL_INCLUDE_DEPTH deep. Files and commands are allowed where
 * allow_mail_to_files and allow_mail_to_commands name the source (alias,
 * forward, include; an :include: file is "include" whatever includes it),
 * as in Postfix.
 *
 * The job answers one line per outcome, for the caller to combine:
 *   "self"             deliver to the user's mailbox
 *   "to <address>"     forward to address
 *   "sent <text>"      a file or command took the message
 *   "fail <dsn> <text>" an item failed (4.x.x: retry the recipient)
 *   "missing"          no .forward file (the mailbox, then)
 *   "unsafe <text>"    a .forward that was refused (logged by the caller;
 *                      the mailbox, then) */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/addr.h"
#include "mail/alias.h"
#include "mail/pipe_cmd.h"
#include "mail/resolve.h"
#include "store/mbox.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/fdio.h"
#include "util/log.h"
#include "util/mem.h"

#include "local.h"

/* How deep :include: files may nest. */
#define LOCAL_INCLUDE_DEPTH 5

struct expand {
	struct local_msg *m;
	const char *rcpt;  /* the address being delivered */
	const char *user;  /* whose mailbox "self" is (alias or login name) */
	const char *home;  /* for a command's HOME and working directory */
	const char *shell; /* for a command's SHELL */
	const char *ext;   /* the address extension, or "" */
	struct buf *out;
	size_t items; /* items handled, for ALIAS_ITEMS_MAX */
	int overflow; /* an answer line did not fit in out */
};

static void answer(struct expand *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line of the answer. out holds LOCAL_ANSWER_MAX bytes, room for
 * ALIAS_ITEMS_MAX lines of at most about 600 bytes; a line that does not
 * fit is remembered, and the whole answer becomes a temporary failure
 * rather than a recipient silently left out. */
static void
answer(struct expand *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (buf_vprintf(x->out, fmt, ap) < 0)
		x->overflow = 1;
	va_end(ap);
}

/* Is class named in the list (allow_mail_to_*)? */
static int
allowed(const char *list, const char *class)
{
	const char *p = list;
	size_t n = strlen(class);

	while (*p != 0) {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == n && strncasecmp(p, class, n) == 0)
			return 1;
		p += len;
	}
	return 0;
}

static void fail(struct expand *x, const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct expand *x, const char *dsn, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* One line per outcome: no line break may come from a file. */
	text[strcspn(text, "\r\n")] = 0;
	answer(x, "fail %s %s\n", dsn, text);
}

struct mbox_copy {
	struct mbox *mb;
	struct mbox_error err;
};

static int
mbox_copy(void *ctx, const char *p, size_t n)
{
	struct mbox_copy *c = ctx;

	return mbox_write(c->mb, p, n, &c->err);
}

int
local_write_mbox(struct local_msg *m, const char *rcpt, const char *path,
    struct mbox_error *err)
{
	struct mbox_opts o = { 0 };
	struct mbox_copy c = { 0 };
	const char *error = NULL;

	o.size_limit = var_mailbox_size_limit;
	if (mbox_open(path, &o, &c.mb, err) < 0)
		return -1;
	if (mbox_write_from(c.mb, m->sender, m->arrival.tv_sec, err) < 0) {
		mbox_abort(&c.mb);
		return -1;
	}
	if (local_copy_message(m, rcpt, mbox_copy, &c, &error) < 0) {
		if (error != NULL) {
			err->temporary = 1;
			snprintf(err->dsn, sizeof(err->dsn), "4.3.0");
			snprintf(err->text, sizeof(err->text), "queue file: %s",
			    error);
		} else {
			*err = c.err;
		}
		mbox_abort(&c.mb);
		return -1;
	}
	return mbox_commit(c.mb, err);
}

/* "/file" or "/maildir/". */
static void
item_file(struct expand *x, const char *path)
{
	const char *error;

	if (path[strlen(path) - 1] == '/') {
		if (local_write_maildir(x->m, x->rcpt, path, &error) < 0)
			fail(x, "4.2.0", "maildir delivery failed: %s", error);
		else
			answer(x, "sent delivered to maildir\n");
	} else {
		struct mbox_error err;

		if (local_write_mbox(x->m, x->rcpt, path, &err) < 0)
			fail(x, err.dsn, "cannot append to file %s: %s", path,
			    err.text);
		else
			answer(x, "sent delivered to file: %.200s\n", path);
	}
}

/* Write all of p to the command's socket. */
static int
fd_copy(void *ctx, const char *p, size_t n)
{
	return fd_write_all(*(int *)ctx, p, n);
}

static int
pipe_feed(void *ctx, int fd, const char **error_r)
{
	struct expand *x = ctx;
	int ret = local_copy_message(x->m, x->rcpt, fd_copy, &fd, error_r);

	if (ret < 0 && *error_r == NULL)
		*error_r = strerror(errno);
	return ret;
}

/* "|command": the envelope only in the environment, never in the
 * command text (pipe_cmd.h). */
static void
item_command(struct expand *x, const char *command)
{
	struct buf env[10];
	const char *envp[11];
	struct buf local;
	struct pipe_cmd pc = { 0 };
	struct pipe_result res;
	size_t i, n = 0;

	/* LOCAL is the whole local part, extension included (Postfix's). */
	buf_init(&local, 1024);
	if (addr_local_part(x->rcpt, &local) < 0)
		buf_reset(&local);
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		buf_init(&env[i], 1024);
	buf_printf(&env[n++], "SENDER=%s", x->m->sender);
	buf_printf(&env[n++], "RECIPIENT=%s", x->rcpt);
	buf_printf(&env[n++], "USER=%s", x->user);
	buf_printf(&env[n++], "LOGNAME=%s", x->user);
	buf_printf(&env[n++], "HOME=%s", x->home);
	buf_printf(&env[n++], "SHELL=%s", x->shell);
	buf_printf(&env[n++], "LOCAL=%s", local.data);
	buf_printf(&env[n++], "EXTENSION=%s", x->ext);
	buf_printf(&env[n++], "DOMAIN=%s", addr_domain(x->rcpt));
	buf_printf(&env[n++], "PATH=/usr/bin:/bin");
	for (i = 0; i < n; i++)
		envp[i] = env[i].data;
	envp[n] = NULL;
	pc.command = command;
	pc.env = envp;
	pc.cwd = x->home[0] == '/' ? x->home : "/";
	pc.timeout = var_command_time_limit;
	pc.output_max = 1024;
	if (pipe_cmd_run(&pc, pipe_feed, x, &res) == 0)
		answer(x, "sent delivered to command: %.200s\n", command);
	else
		fail(x, res.dsn, "%s", res.text);
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		buf_deinit(&env[i]);
	buf_deinit(&local);
}

/* An address item: "self", or "to" a canonical address. */
static void
item_address(struct expand *x, const struct alias_item *it)
{
	struct resolve_error rerr;
	struct buf addr, user, ext, q;
	const char *error;

	if (it->noexpand) {
		answer(x, "self\n");
		return;
	}
	buf_init(&addr, 1024);
	buf_init(&q, 1024);
	buf_init(&user, 1024);
	buf_init(&ext, 1024);
	if (strchr(it->text, '@') == NULL)
		buf_printf(&q, "%s@%s", it->text, var_myorigin);
	else
		buf_puts(&q, it->text);
	if (addr_parse_addr_spec(q.data, q.len, &addr, &error) < 0) {
		fail(x, "5.1.3", "bad address \"%s\": %s", it->text, error);
	} else if (resolve_class(addr.data, &rerr) == RESOLVE_LOCAL &&
	    resolve_local_user(addr.data, &user, &ext) == 0 &&
	    strcmp(user.data, x->user) == 0) {
		/* A user who forwards to himself keeps a copy (aliases(5),
		 * forward(5)): his mailbox, not another round. */
		answer(x, "self\n");
	} else {
		answer(x, "to %s\n", addr.data);
	}
	buf_deinit(&addr);
	buf_deinit(&q);
	buf_deinit(&user);
	buf_deinit(&ext);
}

static void
expand_items(struct expand *x, const char *value, const char *class, int depth);

static void
item_include(struct expand *x, const char *path, int depth)
{
	char why[512];
	char *content = NULL;
	size_t len;

	if (depth >= LOCAL_INCLUDE_DEPTH) {
		fail(x, "5.4.6", ":include: files nested more than %d deep",
		    LOCAL_INCLUDE_DEPTH);
		return;
	}
	switch (alias_file_load(path, geteuid(), 0, &content, &len, why,
	    sizeof(why))) {
	case ALIAS_LOAD_OK:
		expand_items(x, content, "include", depth + 1);
		xfree(content);
		break;
	case ALIAS_LOAD_MISSING:
		fail(x, "5.3.0", ":include: %s: no such file", path);
		break;
	case ALIAS_LOAD_UNSAFE:
		fail(x, "4.3.0", ":include: refused: %s", why);
		break;
	default:
		fail(x, "4.3.0", ":include: %s", why);
		break;
	}
}

static void
expand_items(struct expand *x, const char *value, const char *class, int depth)
{
	struct alias_items items = { 0 };
	char err[512];
	size_t i;

	if (alias_parse(value, &items, err, sizeof(err)) < 0) {
		fail(x, "4.3.0", "bad %s entry: %s", class, err);
		return;
	}
	for (i = 0; i < items.n; i++) {
		const struct alias_item *it = &items.v[i];

		if (++x->items > ALIAS_ITEMS_MAX) {
			fail(x, "5.7.1", "more than %d items in the expansion",
			    ALIAS_ITEMS_MAX);
			break;
		}
		switch (it->kind) {
		case ALIAS_ADDR:
			item_address(x, it);
			break;
		case ALIAS_FILE:
			if (!allowed(var_allow_files, class))
				fail(x, "5.7.1",
				    "mail to file is restricted "
				    "(%s does not allow %s)",
				    VAR_ALLOW_FILES, class);
			else
				item_file(x, it->text);
			break;
		case ALIAS_PIPE:
			if (!allowed(var_allow_commands, class))
				fail(x, "5.7.1",
				    "mail to command is restricted "
				    "(%s does not allow %s)",
				    VAR_ALLOW_COMMANDS, class);
			else
				item_command(x, it->text);
			break;
		case ALIAS_INCLUDE:
			item_include(x, it->text, depth);
			break;
		}
	}
	alias_items_free(&items);
}

/* The answer as made, or one temporary failure when it did not fit. */
static int
answered(struct expand *x)
{
	if (x->overflow) {
		buf_reset(x->out);
		buf_puts(x->out,
		    "fail 4.3.0 the expansion does not fit in an "
		    "answer\n");
	}
	return 0;
}

int
local_job_expand(struct local_msg *m, const struct attr_list *req,
    struct buf *out)
{
	const char *source = attr_get(req, "source");
	struct expand x = { 0 };

	x.m = m;
	x.rcpt = attr_get(req, "rcpt");
	x.user = attr_get(req, "user");
	x.home = attr_get(req, "home");
	x.shell = attr_get(req, "shell");
	x.ext = attr_get(req, "ext");
	x.out = out;
	if (source == NULL || x.rcpt == NULL || x.user == NULL ||
	    x.home == NULL || x.shell == NULL || x.ext == NULL) {
		buf_puts(out, "bad expand job");
		return -1;
	}
	if (strcmp(source, "alias") == 0) {
		const char *value = attr_get(req, "value");

		if (value == NULL) {
			buf_puts(out, "bad expand job");
			return -1;
		}
		expand_items(&x, value, "alias", 0);
		return answered(&x);
	}
	if (strcmp(source, "forward") == 0) {
		struct buf path;
		struct stat st;
		char why[512];
		char *content = NULL;
		size_t len;

		buf_init(&path, 4096);
		buf_printf(&path, "%s/.forward", x.home);
		switch (alias_file_load(path.data, geteuid(),
		    ALIAS_LOAD_CHECK_DIR, &content, &len, why, sizeof(why))) {
		case ALIAS_LOAD_OK:
			expand_items(&x, content, "forward", 0);
			answered(&x);
			/* A .forward of comments only: the mailbox. */
			if (out->len == 0)
				buf_puts(out, "missing\n");
			xfree(content);
			break;
		case ALIAS_LOAD_MISSING:
			buf_puts(out, "missing\n");
			break;
		case ALIAS_LOAD_UNSAFE:
			/* An unsafe home without a .forward is no .forward
			 * to ignore. */
			if (lstat(path.data, &st) < 0 && errno == ENOENT) {
				buf_puts(out, "missing\n");
				break;
			}
			why[strcspn(why, "\r\n")] = 0;
			buf_printf(out, "unsafe %s\n", why);
			break;
		default:
			fail(&x, "4.3.0", "%s", why);
			break;
		}
		buf_deinit(&path);
		return 0;
	}
	buf_puts(out, "bad expand job");
	return -1;
}

/* Job "mbox": the user's mailbox file "path". */
int
local_job_mbox(struct local_msg *m, const struct attr_list *req,
    struct buf *out)
{
	const char *rcpt = attr_get(req, "rcpt"), *path = attr_get(req, "path");
	struct mbox_error err;

	if (rcpt == NULL || path == NULL) {
		buf_puts(out, "bad mbox job");
		return -1;
	}
	if (local_write_mbox(m, rcpt, path, &err) < 0) {
		buf_printf(out, "%s %s", err.dsn, err.text);
		return -1;
	}
	return 0;
}
