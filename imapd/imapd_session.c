/* SPDX-License-Identifier: MIT */
/* imapd_session - the IMAP session after the login: the command loop,
 * the untagged updates, IDLE, the logout. See imapd_sess.h. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/imap_parse.h"
#include "server/server_login.h"
#include "store/folder.h"
#include "store/mailbox.h"
#include "store/maildir.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "imapd.h"
#include "imapd_sess.h"

/* Literals this long or longer are streamed to the message they hold
 * (APPEND) instead of buffered. */
#define SESS_STREAM_MIN (64 * 1024)
/* Room for a login's hand-over too: its tag line (IMAPD_LOGIN_LINE_MAX)
 * and the login stream's buffer (STREAM_BUFSIZE) the client pipelined. */
#define SESS_READ_SIZE 32768
_Static_assert(SESS_READ_SIZE >= IMAPD_LOGIN_LINE_MAX + 2 + STREAM_BUFSIZE,
    "a login's hand-over must fit the session's input buffer");
/* The longest line an IDLE waits for ("DONE", with room for junk). */
#define IDLE_LINE_MAX 64

struct command {
	const char *name;
	int (*fn)(struct sess *s, const struct imap_command *c);
	unsigned flags;
};

static int cmd_capability(struct sess *, const struct imap_command *);
static int cmd_noop(struct sess *, const struct imap_command *);
static int cmd_logout(struct sess *, const struct imap_command *);
static int cmd_enable(struct sess *, const struct imap_command *);
static int cmd_id(struct sess *, const struct imap_command *);
static int cmd_idle(struct sess *, const struct imap_command *);
static int cmd_not_now(struct sess *, const struct imap_command *);

static const struct command commands[] = {
	{ "CAPABILITY", cmd_capability, 0 },
	{ "NOOP", cmd_noop, 0 },
	{ "LOGOUT", cmd_logout, 0 },
	{ "ENABLE", cmd_enable, 0 },
	{ "ID", cmd_id, 0 },
	{ "IDLE", cmd_idle, 0 },
	{ "SELECT", cmd_select, 0 },
	{ "EXAMINE", cmd_select, 0 },
	{ "CREATE", cmd_create, 0 },
	{ "DELETE", cmd_delete, 0 },
	{ "RENAME", cmd_rename, 0 },
	{ "SUBSCRIBE", cmd_subscribe, 0 },
	{ "UNSUBSCRIBE", cmd_unsubscribe, 0 },
	{ "LIST", cmd_list, 0 },
	{ "LSUB", cmd_lsub, 0 },
	{ "NAMESPACE", cmd_namespace, 0 },
	{ "STATUS", cmd_status, 0 },
	{ "APPEND", cmd_append, 0 },
	{ "CHECK", cmd_noop, CMD_SELECTED },
	{ "CLOSE", cmd_close, CMD_SELECTED },
	{ "UNSELECT", cmd_unselect, CMD_SELECTED },
	{ "EXPUNGE", cmd_expunge, CMD_SELECTED | CMD_UID },
	{ "SEARCH", cmd_search, CMD_SELECTED | CMD_NO_EXPUNGE | CMD_UID },
	{ "FETCH", cmd_fetch, CMD_SELECTED | CMD_NO_EXPUNGE | CMD_UID },
	{ "STORE", cmd_store, CMD_SELECTED | CMD_NO_EXPUNGE | CMD_UID },
	{ "COPY", cmd_copy, CMD_SELECTED | CMD_UID },
	{ "MOVE", cmd_move, CMD_SELECTED | CMD_UID },
	/* Not after the login (RFC 9051 6.2). */
	{ "LOGIN", cmd_not_now, 0 },
	{ "AUTHENTICATE", cmd_not_now, 0 },
	{ "STARTTLS", cmd_not_now, 0 },
};

void
sess_capability(struct buf *out)
{
	(void)buf_puts(out,
	    "IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE NAMESPACE ID "
	    "UIDPLUS MOVE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS "
	    "SPECIAL-USE ESEARCH SEARCHRES BINARY MULTIAPPEND STATUS=SIZE "
	    "UTF8=ACCEPT");
}

static int __attribute__((format(printf, 4, 0))) vreply(struct sess *s,
    const struct imap_command *c, const char *what, const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b, 4096);
	(void)buf_vprintf(&b, fmt, ap);
	sess_printf(s, "%s %s ", c->tag, what);
	sess_write(s, b.data, buf_len(&b));
	sess_write(s, "\r\n", 2);
	buf_deinit(&b);
	return SESS_REPLIED;
}

int
sess_no(struct sess *s, const struct imap_command *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vreply(s, c, "NO", fmt, ap);
	va_end(ap);
	return ret;
}

int
sess_bad(struct sess *s, const struct imap_command *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vreply(s, c, "BAD", fmt, ap);
	va_end(ap);
	s->bad++;
	return ret;
}

static int
cmd_capability(struct sess *s, const struct imap_command *c)
{
	struct buf b;

	if (c->nargs != 0)
		return sess_bad(s, c, "CAPABILITY takes no arguments.");
	buf_init(&b, 1024);
	sess_capability(&b);
	sess_printf(s, "* CAPABILITY %s\r\n", buf_cstr(&b));
	buf_deinit(&b);
	return SESS_OK;
}

static int
cmd_noop(struct sess *s, const struct imap_command *c)
{
	if (c->nargs != 0)
		return sess_bad(s, c, "%s takes no arguments.", c->name);
	return SESS_OK; /* the updates follow every command */
}

static int
cmd_logout(struct sess *s, const struct imap_command *c)
{
	if (c->nargs != 0)
		return sess_bad(s, c, "LOGOUT takes no arguments.");
	sess_printf(s, "* BYE Logging out\r\n");
	buf_set(&s->ok, "Logout completed.");
	return SESS_LOGOUT;
}

static int
cmd_not_now(struct sess *s, const struct imap_command *c)
{
	return sess_bad(s, c, "Already authenticated.");
}

/* RFC 5161; RFC 9051 6.3.1. IMAP4rev2 drops \Recent and RECENT. */
static int
cmd_enable(struct sess *s, const struct imap_command *c)
{
	const struct imap_arg *a;
	unsigned before = s->enabled;

	if (c->nargs == 0)
		return sess_bad(s, c, "ENABLE needs capability names.");
	for (a = c->args; a != NULL; a = a->next)
		if (a->type != IMAP_ARG_ATOM)
			return sess_bad(s, c, "Invalid capability name.");
	sess_printf(s, "* ENABLED");
	for (a = c->args; a != NULL; a = a->next) {
		unsigned bit = 0;

		if (strcasecmp(a->str, "IMAP4rev2") == 0)
			bit = SESS_ENABLED_REV2 | SESS_ENABLED_UTF8;
		else if (strcasecmp(a->str, "UTF8=ACCEPT") == 0)
			bit = SESS_ENABLED_UTF8_ACCEPT | SESS_ENABLED_UTF8;
		if (bit == 0 || (before & bit) == bit)
			continue;
		s->enabled |= bit;
		/* IMAP4rev2 and UTF8=ACCEPT take UTF-8 in quoted strings
		 * (RFC 9051 4.3, RFC 9755 3): mailbox names (shown in UTF-8
		 * from now on, not modified UTF-7), search strings. */
		imap_parser_set_utf8(s->parser, 1);
		sess_printf(s, " %s", a->str);
	}
	sess_write(s, "\r\n", 2);
	return SESS_OK;
}

/* RFC 2971: the client's ID is logged, ours is sent. */
static int
cmd_id(struct sess *s, const struct imap_command *c)
{
	if (c->nargs != 1 ||
	    (c->args->type != IMAP_ARG_NIL && c->args->type != IMAP_ARG_LIST))
		return sess_bad(s, c, "ID needs a list or NIL.");
	sess_printf(s, "* ID (\"name\" \"Tern\")\r\n");
	return SESS_OK;
}

/* --- input ---------------------------------------------------------- */

/* Read more input into s->in (after what is left). Returns the bytes
 * read, 0 at the end, -1 on timeout or error (*why_r set). */
static ssize_t
read_more(struct sess *s, const char **why_r)
{
	struct pollfd pfd = { s->fd, POLLIN, 0 };
	const char *error;
	ssize_t n;
	int r;

	if (s->in_off > 0) {
		memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
		s->in_len -= s->in_off;
		s->in_off = 0;
	}
	if (stream_flush(s->out, &error) < 0) {
		*why_r = "Connection closed";
		return -1;
	}
	for (;;) {
		long wait = var_imapd_timeout;

		if (s->deadline != 0 && s->deadline - time(NULL) < wait)
			wait = s->deadline > time(NULL)
			    ? (long)(s->deadline - time(NULL))
			    : 0;
		r = poll(&pfd, 1, (int)wait * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			sess_printf(s,
			    "* BYE Disconnected for inactivity.\r\n");
			*why_r = "Inactivity";
			return -1;
		}
		if (r < 0) {
			*why_r = "Connection closed";
			return -1;
		}
		n = read(s->fd, s->in + s->in_len, SESS_READ_SIZE - s->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why_r = "Connection closed";
			return -1;
		}
		s->in_len += (size_t)n;
		s->in_bytes += (size_t)n;
		if (n == 0)
			*why_r = "Connection closed";
		return n;
	}
}

/* --- IDLE (RFC 2177, RFC 9051 6.3.13) ------------------------------- */

/* Watch the selected folder's cur/ and new/ for changes: an inotify
 * descriptor, or -1 (then the folder is looked at every
 * imapd_idle_notify_interval). */
static int
idle_watch(struct sess *s)
{
	static const char *const subs[] = { "cur", "new" };
	struct buf b;
	int fd, i;

	if (s->sel == NULL)
		return -1;
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	buf_init(&b, BUF_MAX_INTERNAL);
	for (i = 0; i < 2; i++) {
		buf_reset(&b);
		buf_printf(&b, "%s/%s", s->sel->path, subs[i]);
		if (inotify_add_watch(fd, buf_cstr(&b),
			IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) <
		    0) {
			close(fd);
			fd = -1;
			break;
		}
	}
	buf_deinit(&b);
	return fd;
}

static void
drain(int fd)
{
	char ev[4096];

	while (read(fd, ev, sizeof(ev)) > 0)
		;
}

/* The next line of input, when one is complete, into line. 1: a line,
 * 0: more needed, -1: too long. */
static int
idle_line(struct sess *s, struct buf *line)
{
	char *nl = memchr(s->in + s->in_off, '\n', s->in_len - s->in_off);
	size_t n;

	if (nl == NULL)
		return s->in_len - s->in_off > IDLE_LINE_MAX ? -1 : 0;
	n = (size_t)(nl - (s->in + s->in_off));
	buf_reset(line);
	(void)buf_append(line, s->in + s->in_off, n);
	s->in_off += n + 1;
	if (buf_len(line) > 0 && line->data[buf_len(line) - 1] == '\r')
		buf_truncate(line, buf_len(line) - 1);
	return 1;
}

static int
cmd_idle(struct sess *s, const struct imap_command *c)
{
	struct buf line;
	const char *error, *why;
	time_t end = time(NULL) + var_imapd_timeout;

	if (s->deadline != 0 && s->deadline < end)
		end = s->deadline;
	int wfd, ret = SESS_REPLIED;

	if (c->nargs != 0)
		return sess_bad(s, c, "IDLE takes no arguments.");
	if (s->sel != NULL)
		sel_sync(s, 1);
	sess_printf(s, "+ idling\r\n");
	wfd = idle_watch(s);
	buf_init(&line, IDLE_LINE_MAX + 2);
	for (;;) {
		struct pollfd pfd[2] = { { s->fd, POLLIN, 0 },
			{ wfd, POLLIN, 0 } };
		long wait = var_imapd_idle_interval;
		int r;

		if ((r = idle_line(s, &line)) != 0) {
			if (r > 0 && strcasecmp(buf_cstr(&line), "DONE") == 0)
				sess_printf(s, "%s OK Idle completed.\r\n",
				    c->tag);
			else
				sess_bad(s, c, "Expected DONE.");
			break;
		}
		if (stream_flush(s->out, &error) < 0) {
			s->why = "Connection closed";
			ret = SESS_CLOSED;
			break;
		}
		if (time(NULL) >= end) {
			sess_printf(s,
			    "* BYE Disconnected for inactivity.\r\n");
			s->why = "Inactivity";
			ret = SESS_CLOSED;
			break;
		}
		if (wfd >= 0)
			wait = (long)(end - time(NULL));
		r = poll(pfd, wfd >= 0 ? 2 : 1, (int)(wait * 1000));
		if (r < 0 && errno != EINTR) {
			s->why = "Connection closed";
			ret = SESS_CLOSED;
			break;
		}
		if (r > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (read_more(s, &why) <= 0) {
				s->why = why;
				ret = SESS_CLOSED;
				break;
			}
			continue;
		}
		if (wfd >= 0 && r > 0 && (pfd[1].revents & POLLIN))
			drain(wfd);
		if (s->sel != NULL)
			sel_sync(s, 1);
	}
	if (wfd >= 0)
		close(wfd);
	buf_deinit(&line);
	return ret;
}

/* --- the loop ------------------------------------------------------- */

static const struct command *
find_command(const char *name)
{
	size_t i;

	/* Command names are case-insensitive (RFC 9051 9): the parser
	 * gives the command's in upper case, but UID's argument ("UID
	 * fetch", as Thunderbird sends it) comes as the client wrote it. */
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcasecmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Run one command; returns SESS_LOGOUT or SESS_CLOSED to end. */
static int
run(struct sess *s, const struct imap_command *cmd)
{
	const struct command *k;
	struct imap_command sub;
	const struct imap_command *c = cmd;
	int ret;

	s->uid = 0;
	buf_reset(&s->ok);
	if (strcmp(cmd->name, "UID") == 0) {
		/* UID <command> <args>: the command with UIDs (RFC 9051
		 * 6.4.9). */
		if (cmd->args == NULL || cmd->args->type != IMAP_ARG_ATOM ||
		    (k = find_command(cmd->args->str)) == NULL ||
		    !(k->flags & CMD_UID)) {
			sess_bad(s, cmd, "Unknown UID command.");
			return SESS_REPLIED;
		}
		sub = *cmd;
		sub.name = k->name;
		sub.args = cmd->args->next;
		sub.nargs = cmd->nargs - 1;
		c = &sub;
		s->uid = 1;
	} else if ((k = find_command(cmd->name)) == NULL) {
		sess_bad(s, cmd, "Unknown command.");
		return SESS_REPLIED;
	}
	if ((k->flags & CMD_SELECTED) && s->sel == NULL) {
		sess_bad(s, cmd, "No mailbox selected.");
		return SESS_REPLIED;
	}
	/* Others' changes first, so that the command sees fresh flags and
	 * new messages (no expunges yet: the client's numbers stand). */
	if (s->sel != NULL && k->fn != cmd_idle)
		sel_sync(s, 0);
	ret = k->fn(s, c);
	sess_append_drop(s);
	if (ret == SESS_REPLIED || ret == SESS_CLOSED)
		return ret;
	if (s->sel != NULL && ret == SESS_OK)
		sel_sync(s, !(k->flags & CMD_NO_EXPUNGE) || s->uid);
	sess_printf(s, "%s OK ", cmd->tag);
	if (buf_len(&s->ok) > 0)
		sess_write(s, s->ok.data, buf_len(&s->ok));
	else
		sess_printf(s, "%s%s completed.", s->uid ? "UID " : "",
		    c->name);
	sess_write(s, "\r\n", 2);
	return ret;
}

/* Feed the parser until the session ends; returns why. */
static const char *
loop(struct sess *s)
{
	const char *why = "Connection closed";
	size_t used;
	uint64_t left;

	for (;;) {
		int st;

		if (s->in_off == s->in_len) {
			if (read_more(s, &why) <= 0)
				return why;
			continue;
		}
		st = imap_parser_feed(s->parser, s->in + s->in_off,
		    s->in_len - s->in_off, &used);
		s->in_off += used;
		switch (st) {
		case IMAP_PARSE_NEED_MORE:
			break;
		case IMAP_PARSE_CONTINUE:
			sess_printf(s, "+ OK\r\n");
			break;
		case IMAP_PARSE_LITERAL: {
			const char *p =
			    imap_parser_literal(s->parser, &used, &left);

			sess_append_piece(s, p, used, left);
			break;
		}
		case IMAP_PARSE_COMMAND:
			switch (run(s, imap_parser_command(s->parser))) {
			case SESS_LOGOUT:
				return "Logged out";
			case SESS_CLOSED:
				return s->why;
			default:
				break;
			}
			break;
		case IMAP_PARSE_BAD:
			sess_append_drop(s);
			sess_printf(s, "%s BAD %s\r\n",
			    imap_parser_tag(s->parser),
			    imap_parser_error(s->parser));
			s->bad++;
			break;
		default: /* FATAL */
			sess_printf(s, "* BYE %s\r\n",
			    imap_parser_error(s->parser));
			return "Protocol error";
		}
		if (s->bad >= IMAPD_BAD_MAX) {
			sess_printf(s,
			    "* BYE Too many invalid IMAP "
			    "commands.\r\n");
			return "Too many invalid commands";
		}
	}
}

/* The login process's first line: the tag of the LOGIN or AUTHENTICATE
 * that succeeded. */
static int
read_tag(struct sess *s, struct buf *tag)
{
	const char *why;
	char *nl;

	while ((nl = memchr(s->in, '\n', s->in_len)) == NULL) {
		if (s->in_len >= SESS_READ_SIZE / 2 || read_more(s, &why) <= 0)
			return -1;
	}
	(void)buf_append(tag, s->in, (size_t)(nl - s->in));
	if (buf_len(tag) > 0 && tag->data[buf_len(tag) - 1] == '\r')
		buf_truncate(tag, buf_len(tag) - 1);
	s->in_off = (size_t)(nl - s->in) + 1;
	s->in_bytes = 0; /* the client's bytes only */
	return buf_len(tag) > 0 ? 0 : -1;
}

void
imapd_session(int fd, const char *user, const char *maildir,
    const struct login_peer *p)
{
	struct imap_parser_limits lim;
	struct sess sess, *s = &sess;
	struct buf tag, caps, first;
	const char *why = "Connection closed", *error;

	(void)p;
	memset(s, 0, sizeof(*s));
	memset(&lim, 0, sizeof(lim));
	lim.line_max = (size_t)var_imapd_max_line;
	lim.literal_max = (size_t)var_message_size_limit > 0
	    ? (size_t)var_message_size_limit
	    : IMAP_PARSE_DEF_LITERAL_MAX;
	lim.stream_min = SESS_STREAM_MIN;
	lim.literal_policy = IMAP_LITERAL_PLUS;
	/* No more than the session's input buffer holds. */
	buf_init(&first, SESS_READ_SIZE);
	if ((fd = server_login_accept(fd, &first)) < 0) {
		buf_deinit(&first);
		return;
	}
	s->fd = fd;
	s->user = user;
	s->maildir = maildir;
	s->start = time(NULL);
	if (var_imapd_session_deadline > 0)
		s->deadline = s->start + var_imapd_session_deadline;
	s->out = stream_create(fd, STREAM_FLAG_NOCLOSE);
	stream_set_timeout(s->out, (int)var_imapd_timeout);
	s->parser = imap_parser_create(&lim);
	s->in = xmalloc(SESS_READ_SIZE);
	/* The login's tag line and what the client pipelined, as if read. */
	memcpy(s->in, first.data, buf_len(&first));
	s->in_len = buf_len(&first);
	buf_deinit(&first);
	buf_init(&s->ok, 1024);
	buf_init(&s->tmp, BUF_MAX_INTERNAL);
	buf_init(&s->pbuf, BUF_MAX_INTERNAL);
	buf_init(&tag, 256);
	buf_init(&caps, 1024);
	if (read_tag(s, &tag) == 0) {
		/* The first login: INBOX and the SPECIAL-USE folders. */
		buf_reset(&s->tmp);
		if (folder_make_defaults(maildir, &s->tmp) < 0)
			log_warn("imap(%s): Error: %s", log_str(user),
			    buf_cstr(&s->tmp));
		sess_capability(&caps);
		sess_printf(s, "%s OK [CAPABILITY %s] Logged in\r\n",
		    buf_cstr(&tag), buf_cstr(&caps));
		why = loop(s);
	}
	(void)stream_flush(s->out, &error);
	log_info("imap(%s): Disconnected: %s in=%llu out=%llu deleted=%lu "
		 "expunged=%lu",
	    log_str(user), why, s->in_bytes, s->out_bytes, s->deleted,
	    s->expunged);
	sess_append_drop(s);
	sel_close(s);
	imap_parser_destroy(&s->parser);
	xfree(s->in);
	buf_deinit(&s->ok);
	buf_deinit(&s->tmp);
	buf_deinit(&s->pbuf);
	buf_deinit(&tag);
	buf_deinit(&caps);
	stream_destroy(&s->out);
}
