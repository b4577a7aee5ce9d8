/* SPDX-License-Identifier: MIT */
/* pop3d_trans - the TRANSACTION and UPDATE states (RFC 1939 5, 6), as the
 * mailbox owner, on a socket pair to the login process. The maildrop is
 * the snapshot mailbox_open took: mail that arrives meanwhile waits for
 * the next session. Deletions happen only at QUIT; a connection that ends
 * any other way deletes nothing. See pop3d.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "server/server_login.h"
#include "store/mailbox.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "pop3d.h"

struct trans {
	struct stream *s;
	struct mailbox *mb;
	const char *user;
	size_t count;       /* messages in the snapshot */
	unsigned char *del; /* per message: marked by DELE */
	unsigned char
	    *retr_seen; /* per message: sent by RETR (\Seen at QUIT) */
	size_t ndel;
	long long size; /* of the snapshot, on the wire */
	int top, retr;  /* commands that sent a message, and octets */
	long long top_bytes, retr_bytes;
	int bad;
	struct buf line, uidl;
};

static void
reply(struct trans *t, const char *text)
{
	(void)stream_puts(t->s, text);
	(void)stream_puts(t->s, "\r\n");
}

/* The message numbered by the text at arg (1-based, RFC 1939 5): its
 * index, or -1 after an -ERR. end_r gets what follows the number. */
static long
msgno(struct trans *t, const char *arg, const char **end_r)
{
	char *end;
	unsigned long n;

	if (*arg < '0' || *arg > '9') {
		reply(t, "-ERR Invalid message number.");
		return -1;
	}
	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno != 0 || n == 0 || n > t->count) {
		(void)stream_printf(t->s, "-ERR There's no message %s.\r\n",
		    arg);
		return -1;
	}
	if (t->del[n - 1]) {
		reply(t, "-ERR Message is deleted.");
		return -1;
	}
	if (end_r != NULL)
		*end_r = end;
	else if (*end != '\0') {
		reply(t, "-ERR Noise after message number.");
		return -1;
	}
	return (long)(n - 1);
}

/* Send message i's text as RFC 1939 3 says: CRLF line ends (a LF not
 * after CR gets one), a leading "." doubled, then ".". With body_lines
 * >= 0 (TOP), the header, the empty line and that many body lines.
 * Returns the octets sent, or -1 (the connection is lost or the file
 * went away; the caller gives up). */
static long long
send_text(struct trans *t, int fd, long body_lines)
{
	static char in[65536];
	long long sent = 0;
	long lines = 0;
	size_t linelen = 0;
	int bol = 1, cr = 0, header = 1, stop = 0;
	ssize_t n;

	while (!stop && (n = read(fd, in, sizeof(in))) > 0) {
		const char *p = in, *end = in + n;

		while (p < end) {
			const char *nl;

			if (bol) {
				if (!header && body_lines >= 0 &&
				    lines >= body_lines) {
					stop = 1;
					break;
				}
				if (*p == '.') {
					(void)stream_write(t->s, ".", 1);
					sent++;
				}
				bol = 0;
			}
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
				(void)stream_write(t->s, p, (size_t)(end - p));
				sent += end - p;
				linelen += (size_t)(end - p);
				cr = end[-1] == '\r';
				break;
			}
			if (nl > p) {
				(void)stream_write(t->s, p, (size_t)(nl - p));
				sent += nl - p;
				linelen += (size_t)(nl - p);
				cr = nl[-1] == '\r';
			}
			if (cr) {
				(void)stream_write(t->s, "\n", 1);
				sent += 1;
			} else {
				(void)stream_write(t->s, "\r\n", 2);
				sent += 2;
			}
			/* The header ends at its first empty line. */
			if (header) {
				if (linelen == 0 || (linelen == 1 && cr))
					header = 0;
			} else
				lines++;
			linelen = 0;
			cr = 0;
			bol = 1;
			p = nl + 1;
		}
	}
	if (n < 0)
		return -1;
	if (!bol) {
		(void)stream_write(t->s, "\r\n", 2);
		sent += 2;
	}
	(void)stream_write(t->s, ".\r\n", 3);
	if (stream_error(t->s) != NULL)
		return -1;
	return sent;
}

static int
cmd_stat(void *ctx, const char *args)
{
	struct trans *t = ctx;
	long long size = 0;
	size_t n = 0;

	(void)args;
	for (size_t i = 0; i < t->count; i++)
		if (!t->del[i]) {
			n++;
			size += mailbox_msg(t->mb, i)->vsize;
		}
	(void)stream_printf(t->s, "+OK %zu %lld\r\n", n, size);
	return 0;
}

static int
cmd_list(void *ctx, const char *args)
{
	struct trans *t = ctx;
	long i;

	if (*args != '\0') {
		if ((i = msgno(t, args, NULL)) < 0)
			return 0;
		(void)stream_printf(t->s, "+OK %ld %lld\r\n", i + 1,
		    (long long)mailbox_msg(t->mb, (size_t)i)->vsize);
		return 0;
	}
	reply(t, "+OK");
	for (size_t j = 0; j < t->count; j++)
		if (!t->del[j])
			(void)stream_printf(t->s, "%zu %lld\r\n", j + 1,
			    (long long)mailbox_msg(t->mb, j)->vsize);
	reply(t, ".");
	return 0;
}

static void
uidl_of(struct trans *t, size_t i)
{
	pop3_uidl(var_pop3_uidl_format, mailbox_msg(t->mb, i)->uid,
	    mailbox_uidvalidity(t->mb), mailbox_msg(t->mb, i)->base, &t->uidl);
}

static int
cmd_uidl(void *ctx, const char *args)
{
	struct trans *t = ctx;
	long i;

	if (*args != '\0') {
		if ((i = msgno(t, args, NULL)) < 0)
			return 0;
		uidl_of(t, (size_t)i);
		(void)stream_printf(t->s, "+OK %ld %s\r\n", i + 1,
		    buf_cstr(&t->uidl));
		return 0;
	}
	reply(t, "+OK");
	for (size_t j = 0; j < t->count; j++)
		if (!t->del[j]) {
			uidl_of(t, j);
			(void)stream_printf(t->s, "%zu %s\r\n", j + 1,
			    buf_cstr(&t->uidl));
		}
	reply(t, ".");
	return 0;
}

/* RETR n, or TOP n lines (body_lines >= 0). */
static int
send_msg(struct trans *t, long i, long body_lines)
{
	struct buf err;
	long long sent;
	int fd = -1, rc;

	buf_init(&err, 1024);
	rc = mailbox_msg_open(t->mb, (size_t)i, &fd, &err);
	if (rc <= 0) {
		if (rc < 0)
			log_warn("pop3(%s): Error: %s", log_str(t->user),
			    buf_cstr(&err));
		/* Expunged by another client (IMAP), or unreadable. */
		reply(t,
		    rc == 0 ? "-ERR Message was expunged."
			    : "-ERR [SYS/TEMP] Cannot read the message.");
		buf_deinit(&err);
		return 0;
	}
	buf_deinit(&err);
	if (body_lines < 0)
		(void)stream_printf(t->s, "+OK %lld octets\r\n",
		    (long long)mailbox_msg(t->mb, (size_t)i)->vsize);
	else
		reply(t, "+OK");
	sent = send_text(t, fd, body_lines);
	close(fd);
	if (sent < 0)
		return -1;
	if (body_lines < 0) {
		t->retr++;
		t->retr_bytes += sent;
		t->retr_seen[i] = 1;
	} else {
		t->top++;
		t->top_bytes += sent;
	}
	return 0;
}

static int
cmd_retr(void *ctx, const char *args)
{
	struct trans *t = ctx;
	long i = msgno(t, args, NULL);

	return i < 0 ? 0 : send_msg(t, i, -1);
}

static int
cmd_top(void *ctx, const char *args)
{
	struct trans *t = ctx;
	const char *rest;
	char *end;
	long i = msgno(t, args, &rest), n;

	if (i < 0)
		return 0;
	if (*rest != ' ' || rest[1] < '0' || rest[1] > '9') {
		reply(t, "-ERR Invalid number of lines.");
		return 0;
	}
	errno = 0;
	n = strtol(rest + 1, &end, 10);
	if (errno != 0 || *end != '\0') {
		reply(t, "-ERR Invalid number of lines.");
		return 0;
	}
	return send_msg(t, i, n);
}

static int
cmd_dele(void *ctx, const char *args)
{
	struct trans *t = ctx;
	long i = msgno(t, args, NULL);

	if (i < 0)
		return 0;
	t->del[i] = 1;
	t->ndel++;
	reply(t, "+OK Marked to be deleted.");
	return 0;
}

static int
cmd_noop(void *ctx, const char *args)
{
	struct trans *t = ctx;

	(void)args;
	reply(t, "+OK");
	return 0;
}

static int
cmd_rset(void *ctx, const char *args)
{
	struct trans *t = ctx;

	(void)args;
	memset(t->del, 0, t->count);
	t->ndel = 0;
	reply(t, "+OK");
	return 0;
}

static int
cmd_capa(void *ctx, const char *args)
{
	struct trans *t = ctx;

	(void)args;
	reply(t, "+OK");
	reply(t, "CAPA");
	reply(t, "TOP");
	reply(t, "UIDL");
	reply(t, "RESP-CODES");
	reply(t, "PIPELINING");
	reply(t, "AUTH-RESP-CODE");
	reply(t, "IMPLEMENTATION Tern");
	reply(t, ".");
	return 0;
}

/* The messages RETR sent and DELE did not mark get \Seen, as Dovecot's
 * POP3 server gives them, so that an IMAP client of the same mailbox sees
 * them read (TOP is a peek). A flag that cannot be set is only logged. */
static void
mark_seen(struct trans *t)
{
	struct buf err;

	buf_init(&err, 1024);
	for (size_t i = 0; i < t->count; i++)
		if (t->retr_seen[i] && !t->del[i] &&
		    mailbox_add_flags(t->mb, i, MFLAG_SEEN, &err) < 0)
			log_warn("pop3(%s): Error: %s", log_str(t->user),
			    buf_cstr(&err));
	buf_deinit(&err);
}

/* QUIT: the UPDATE state (RFC 1939 6). */
static int
cmd_quit(void *ctx, const char *args)
{
	struct trans *t = ctx;
	struct buf err;
	size_t *idx, n = 0;

	(void)args;
	mark_seen(t);
	if (t->ndel == 0) {
		reply(t, "+OK Logging out.");
		return 1;
	}
	idx = xcalloc(t->ndel, sizeof(*idx));
	for (size_t i = 0; i < t->count; i++)
		if (t->del[i])
			idx[n++] = i;
	buf_init(&err, 1024);
	if (mailbox_expunge(t->mb, idx, n, &err) < 0) {
		log_warn("pop3(%s): Error: %s", log_str(t->user),
		    buf_cstr(&err));
		reply(t,
		    "-ERR [SYS/TEMP] Some deleted messages were not "
		    "removed.");
	} else
		reply(t, "+OK Logging out, messages deleted.");
	buf_deinit(&err);
	xfree(idx);
	return 1;
}

static const struct pop3_command commands[] = {
	{ "STAT", cmd_stat },
	{ "LIST", cmd_list },
	{ "RETR", cmd_retr },
	{ "DELE", cmd_dele },
	{ "NOOP", cmd_noop },
	{ "RSET", cmd_rset },
	{ "TOP", cmd_top },
	{ "UIDL", cmd_uidl },
	{ "CAPA", cmd_capa },
	{ "QUIT", cmd_quit },
};

static void
log_logout(struct trans *t, const char *why)
{
	log_info("pop3(%s): Disconnected: %s top=%d/%lld, retr=%d/%lld, "
		 "del=%zu/%zu, size=%lld",
	    log_str(t->user), why, t->top, t->top_bytes, t->retr, t->retr_bytes,
	    why[0] == 'L' ? t->ndel : (size_t)0, t->count, t->size);
}

void
pop3d_trans(int fd, const char *user, const char *path,
    const struct login_peer *p)
{
	struct trans trans, *t = &trans;
	struct buf err, first;
	const char *why = NULL, *error;
	int ret;

	(void)p;
	memset(t, 0, sizeof(*t));
	t->user = user;
	/* The client's connection itself, or the login's relay; what the
	 * client pipelined after its login comes first, no more than the
	 * stream's input buffer holds. */
	buf_init(&first, STREAM_BUFSIZE);
	if ((fd = server_login_accept(fd, &first)) < 0) {
		buf_deinit(&first);
		return;
	}
	t->s = stream_create(fd, 0);
	(void)stream_preload(t->s, first.data, buf_len(&first));
	buf_deinit(&first);
	stream_set_timeout(t->s, (int)var_pop3d_timeout);
	if (var_pop3d_session_deadline > 0)
		stream_set_deadline(t->s,
		    time(NULL) + var_pop3d_session_deadline);
	buf_init(&err, 1024);
	buf_init(&t->line, POP3_LINE_MAX + 2);
	buf_init(&t->uidl, 256);
	switch (mailbox_open(path, MAILBOX_POP3_LOCK, &t->mb, &err)) {
	case 0:
		break;
	case MAILBOX_IN_USE:
		reply(t,
		    "-ERR [IN-USE] Mailbox is locked by another POP3 "
		    "session.");
		log_info("pop3(%s): Disconnected: Mailbox in use by another "
			 "POP3 session",
		    log_str(user));
		goto out;
	default:
		log_warn("pop3(%s): Error: %s", log_str(user), buf_cstr(&err));
		reply(t,
		    "-ERR [SYS/TEMP] Cannot open the mailbox, try again "
		    "later.");
		goto out;
	}
	t->count = mailbox_count(t->mb);
	t->del = xcalloc(t->count + 1, 1);
	t->retr_seen = xcalloc(t->count + 1, 1);
	for (size_t i = 0; i < t->count; i++)
		t->size += mailbox_msg(t->mb, i)->vsize;
	reply(t, "+OK Logged in.");
	for (;;) {
		ret = pop3_next(t->s, &t->line, commands,
		    sizeof(commands) / sizeof(commands[0]), t, &t->bad, &why);
		if (ret == 0)
			continue;
		if (ret == 1)
			why = "Logged out";
		else if (ret == -1)
			why = "Connection closed";
		else if (ret == POP3_END_INPUT &&
		    strcmp(why, "Disconnected for inactivity") == 0)
			why = "Inactivity";
		break;
	}
	log_logout(t, why);
out:
	(void)stream_flush(t->s, &error);
	mailbox_close(&t->mb);
	xfree(t->del);
	xfree(t->retr_seen);
	buf_deinit(&err);
	buf_deinit(&t->line);
	buf_deinit(&t->uidl);
	stream_destroy(&t->s);
}
