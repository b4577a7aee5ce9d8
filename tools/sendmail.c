/* SPDX-License-Identifier: MIT */
/* sendmail - the Sendmail-compatible submission interface: a message on
 * stdin (or an SMTP dialog with -bs) becomes a file in maildrop/ for
 * pickup(8), written directly when this process may, else through
 * ternpostdrop(1). Not set-uid: the submitter is the file's owner. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/addr.h"
#include "mail/dsn_param.h"
#include "mail/mime.h"
#include "mail/msg_header.h"
#include "queue/maildrop.h"
#include "queue/trigger.h"
#include "util/buf.h"
#include "util/die.h"
#include "util/mem.h"

/* A line piece: longer lines go on in the next piece. */
#define LINE_MAX_PIECE 4096
/* Recipients of one message (pickup refuses more). */
#define MAX_RCPT MAILDROP_MAX_RCPT

enum mode {
	M_MAIL,
	M_SMTP,
	M_PRINT,
	M_ALIASES,
	M_FLUSH
};

static struct {
	enum mode mode;
	int extract;     /* -t */
	int ignore_dots; /* -i, -oi */
	int verbose;
	const char *sender; /* -f, -r */
	const char *fullname;
	int notify; /* -N */
	int ret;    /* -R */
	const char *envid;
	const char *config_dir;
} opt;

static const char *progname = "sendmail";

static void __attribute__((format(printf, 1, 2))) verbose(const char *fmt, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- reading lines ---------------------------------------------------- */

/* The next piece of a line from fp into line (LF or CRLF taken off):
 * 1 with *nl_r telling whether the line ended here, 0 at end of input
 * with nothing read. A CR not before LF stays. */
static int
get_piece(FILE *fp, struct buf *line, int *nl_r)
{
	int c;

	buf_reset(line);
	*nl_r = 0;
	while (line->len < LINE_MAX_PIECE && (c = getc(fp)) != EOF) {
		if (c == '\n') {
			if (line->len > 0 && line->data[line->len - 1] == '\r')
				buf_truncate(line, line->len - 1);
			*nl_r = 1;
			return 1;
		}
		buf_putc(line, c);
	}
	return line->len > 0;
}

/* --- one message -------------------------------------------------------- */

struct msg {
	struct maildrop_writer *w;
	int fd;
	int direct; /* a file in maildrop/, else a memfd for ternpostdrop */
	char tmp[MAILDROP_NAME_MAX];
	const char *sender; /* canonical; "" = <> */
	char **rcpt;
	size_t nrcpt;
	struct buf hdr; /* the header section, until it ends */
	int in_header;
	int at_start;   /* the next piece starts a line */
	int skip_field; /* inside a Bcc: field being removed */
	long long size; /* content bytes so far */
};

static void
msg_fail(struct msg *m, int status, const char *text) __attribute__((noreturn));

/* A recipient in canonical form (addr.h); a bad one fails the whole
 * submission, as Sendmail's command line does. */
static void
msg_add_rcpt(struct msg *m, const char *addr)
{
	struct buf b;
	const char *error;

	if (m->nrcpt >= MAX_RCPT)
		msg_fail(m, EX_DATAERR, "too many recipients");
	buf_init(&b, MAILDROP_MAX_FIELD + 64);
	if (addr_parse_whole(addr, ADDR_ALLOW_LOCAL | ADDR_ALLOW_UTF8, &b,
		&error) < 0) {
		buf_reset(&b);
		buf_printf(&b, "bad recipient address: %s: %s", addr, error);
		msg_fail(m, EX_DATAERR, b.data);
	}
	m->rcpt = xrealloc(m->rcpt, (m->nrcpt + 1) * sizeof(*m->rcpt));
	m->rcpt[m->nrcpt++] = buf_steal(&b);
	buf_deinit(&b);
}

/* Open the file the message goes to. Exits EX_TEMPFAIL when the queue
 * cannot take it. */
static void
msg_open(struct msg *m)
{
	const char *error;

	memset(m, 0, sizeof(*m));
	m->fd =
	    maildrop_file_create(var_queue_dir, m->tmp, sizeof(m->tmp), &error);
	if (m->fd == MAILDROP_NOPERM) {
		verbose("no write access to maildrop/ (%s): using ternpostdrop",
		    error);
		m->fd = memfd_create("sendmail", MFD_CLOEXEC);
		if (m->fd < 0)
			die(EX_TEMPFAIL, "memfd_create: %s", strerror(errno));
	} else if (m->fd < 0)
		die(EX_TEMPFAIL, "%s", error);
	else
		m->direct = 1;
	m->w = maildrop_writer_create(m->fd);
	buf_init(&m->hdr, (size_t)var_header_size_limit);
	m->in_header = 1;
	m->at_start = 1;
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Give up on the message: its file goes, and with -bs the client hears
 * why before the session ends. */
static void
msg_fail(struct msg *m, int status, const char *text)
{
	if (m->direct)
		maildrop_unlink(var_queue_dir, m->tmp);
	if (opt.mode == M_SMTP)
		reply(status == EX_DATAERR ? "554 5.3.4 Error: %s"
					   : "451 4.3.0 Error: %s",
		    text);
	die(status, "%s", text);
}

static void
put(struct msg *m, const void *p, size_t n)
{
	const char *error;

	m->size += (long long)n;
	if (var_message_size_limit > 0 && m->size > var_message_size_limit)
		msg_fail(m, EX_DATAERR, "message file too big");
	if (maildrop_put_content(m->w, p, n, &error) < 0)
		msg_fail(m, EX_TEMPFAIL, error);
}

/* Recipients from the To:, Cc: and Bcc: fields (-t), or from
 * Resent-To:, Resent-Cc: and Resent-Bcc: alone when the message has any
 * of those (RFC 5322 3.6.6: a message sent on names its new recipients
 * there; the others are the original's, as sendmail and Postfix take
 * them): each mailbox, with its domain when it has one (pickup adds
 * myorigin to the others). */
static void
extract_rcpt(struct msg *m)
{
	static const char *const plain[] = { "To", "Cc", "Bcc", NULL };
	static const char *const resent[] = { "Resent-To", "Resent-Cc",
		"Resent-Bcc", NULL };
	const char *const *fields = plain;
	struct buf value, addr;
	size_t i;

	buf_init(&value, m->hdr.len + 1);
	buf_init(&addr, MAILDROP_MAX_FIELD + 1);
	for (i = 0; resent[i] != NULL && fields == plain; i++) {
		size_t pos = 0;

		if (mime_header_find(m->hdr.data, m->hdr.len, resent[i], &pos,
			&value))
			fields = resent;
		buf_reset(&value);
	}
	for (i = 0; fields[i] != NULL; i++) {
		size_t pos = 0;

		buf_reset(&value);
		while (mime_header_find(m->hdr.data, m->hdr.len, fields[i],
		    &pos, &value)) {
			struct mime_address *list;
			unsigned n, j;

			n = mime_addr_parse(value.data, value.len, MAX_RCPT,
			    &list);
			for (j = 0; j < n; j++) {
				if (list[j].mailbox == NULL ||
				    list[j].host == NULL ||
				    strcmp(list[j].mailbox,
					MIME_ADDR_MISSING_MAILBOX) == 0)
					continue;
				buf_reset(&addr);
				buf_puts(&addr, list[j].mailbox);
				if (strcmp(list[j].host,
					MIME_ADDR_MISSING_DOMAIN) != 0)
					buf_printf(&addr, "@%s", list[j].host);
				verbose("recipient from %s: %s", fields[i],
				    addr.data);
				msg_add_rcpt(m, addr.data);
			}
			mime_addr_free(list, n);
			buf_reset(&value);
		}
	}
	buf_deinit(&value);
	buf_deinit(&addr);
}

/* The envelope, once the recipients are known (after the header). */
static void
put_envelope(struct msg *m)
{
	struct buf b;
	const char *error;
	size_t i;
	int st = 0;

	if (opt.extract)
		extract_rcpt(m);
	if (m->nrcpt == 0)
		msg_fail(m, EX_DATAERR, "no recipients specified");
	st |= maildrop_put_sender(m->w, m->sender, &error);
	if (st == 0 && opt.fullname != NULL)
		st |= maildrop_put_attr(m->w, "fullname", opt.fullname, &error);
	buf_init(&b, 16);
	if (st == 0 && opt.notify != 0) {
		buf_printf(&b, "%d", opt.notify);
		st |= maildrop_put_attr(m->w, "dsn_notify", b.data, &error);
	}
	buf_deinit(&b);
	if (st == 0 && opt.ret != 0)
		st |= maildrop_put_attr(m->w, "dsn_ret",
		    opt.ret == DSN_RET_FULL ? "full" : "hdrs", &error);
	if (st == 0 && opt.envid != NULL)
		st |= maildrop_put_attr(m->w, "dsn_envid", opt.envid, &error);
	for (i = 0; st == 0 && i < m->nrcpt; i++)
		st |= maildrop_put_rcpt(m->w, m->rcpt[i], &error);
	if (st != 0)
		msg_fail(m, EX_DATAERR, error);
}

/* The end of the header section: the envelope, then the header without
 * its Bcc: and Resent-Bcc: fields (they must not reach the recipients). */
static void
header_end(struct msg *m)
{
	size_t i = 0;

	m->in_header = 0;
	put_envelope(m);
	while (i < m->hdr.len) {
		const char *p = m->hdr.data + i;
		const char *nl = memchr(p, '\n', m->hdr.len - i);
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : m->hdr.len - i;

		if (*p != ' ' && *p != '\t')
			m->skip_field =
			    (len >= 4 && strncasecmp(p, "Bcc:", 4) == 0) ||
			    (len >= 11 &&
				strncasecmp(p, "Resent-Bcc:", 11) == 0);
		if (!m->skip_field)
			put(m, p, len);
		i += len;
	}
	buf_deinit(&m->hdr);
}

/* 1 when the n bytes at p can start a header field or continue one. */
static int
header_like(const char *p, size_t n)
{
	if (n > 0 && (p[0] == ' ' || p[0] == '\t'))
		return 1;
	return msg_header_name(p, n) == MSG_HEADER_FIELD;
}

/* One piece of a line of the message (line end taken off; nl: it ended). */
static void
msg_piece(struct msg *m, const char *p, size_t n, int nl)
{
	int start = m->at_start;

	m->at_start = nl;
	if (m->in_header && start) {
		if (n == 0 && nl) {
			/* The empty line that ends the header. */
			header_end(m);
			put(m, "\n", 1);
			return;
		}
		if (!header_like(p, n)) {
			header_end(m);
			/* RFC 5322 2.1: the body follows an empty line,
			 * which this message lacked. */
			put(m, "\n", 1);
		}
	}
	if (m->in_header) {
		/* Whole pieces only, so that nothing is written twice. */
		if (n + 1 > m->hdr.max - m->hdr.len) {
			/* Past header_size_limit: the rest goes as it is,
			 * unseen by -t and the Bcc: removal. */
			header_end(m);
			put(m, p, n);
			if (nl)
				put(m, "\n", 1);
			return;
		}
		buf_append(&m->hdr, p, n);
		if (nl)
			buf_putc(&m->hdr, '\n');
		return;
	}
	put(m, p, n);
	if (nl)
		put(m, "\n", 1);
}

/* Finish: the file becomes durable in maildrop/ and pickup is poked.
 * Returns 0, or exits. */
static int
msg_commit(struct msg *m)
{
	const char *error;
	char name[MAILDROP_NAME_MAX];
	char path[PATH_MAX];
	size_t i;

	if (m->in_header)
		header_end(m);
	if (maildrop_finish(m->w, &error) < 0)
		msg_fail(m, EX_TEMPFAIL, error);
	maildrop_writer_destroy(&m->w);
	if (m->direct) {
		if (maildrop_file_commit(var_queue_dir, m->fd, m->tmp, name,
			sizeof(name), &error) < 0)
			die(EX_TEMPFAIL, "%s", error);
		verbose("queued as maildrop/%s", name);
		snprintf(path, sizeof(path), "%s/public/pickup", var_queue_dir);
		if (trigger_send(path, TRIGGER_REQ_WAKEUP, &error) < 0)
			verbose("cannot wake pickup: %s", error);
	} else {
		/* ternpostdrop reads the file on its stdin. */
		pid_t pid;
		int status;

		snprintf(path, sizeof(path), "%s/ternpostdrop",
		    var_command_dir);
		if (lseek(m->fd, 0, SEEK_SET) < 0)
			die(EX_TEMPFAIL, "lseek: %s", strerror(errno));
		verbose("running %s", path);
		if ((pid = fork()) < 0)
			die(EX_TEMPFAIL, "fork: %s", strerror(errno));
		if (pid == 0) {
			if (dup2(m->fd, 0) < 0)
				_exit(EX_OSERR);
			execl(path, "ternpostdrop", "-c", var_config_dir,
			    (char *)NULL);
			fprintf(stderr, "%s: fatal: exec %s: %s\n", progname,
			    path, strerror(errno));
			_exit(EX_TEMPFAIL);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				die(EX_TEMPFAIL, "waitpid: %s",
				    strerror(errno));
		if (!WIFEXITED(status))
			die(EX_TEMPFAIL, "%s died", path);
		if (WEXITSTATUS(status) != 0)
			exit(WEXITSTATUS(status));
	}
	close(m->fd);
	for (i = 0; i < m->nrcpt; i++)
		xfree(m->rcpt[i]);
	xfree(m->rcpt);
	m->rcpt = NULL;
	m->nrcpt = 0;
	return 0;
}

/* The message on stdin, recipients from args and/or -t. */
static int
submit_stdin(char **rcpt, int nrcpt)
{
	struct buf line;
	struct msg m;
	int i, nl, have;

	if (nrcpt == 0 && !opt.extract)
		die(EX_USAGE, "no recipients specified");
	msg_open(&m);
	m.sender = opt.sender;
	for (i = 0; i < nrcpt; i++)
		msg_add_rcpt(&m, rcpt[i]);
	buf_init(&line, LINE_MAX_PIECE);
	/* An mbox "From " line before the header is not part of the
	 * message. */
	have = get_piece(stdin, &line, &nl);
	if (have && line.len >= 5 && memcmp(line.data, "From ", 5) == 0) {
		while (!nl && get_piece(stdin, &line, &nl))
			;
		have = get_piece(stdin, &line, &nl);
	}
	for (; have; have = get_piece(stdin, &line, &nl)) {
		/* Sendmail's rule: without -i a line of one "." ends the
		 * message. */
		if (!opt.ignore_dots && m.at_start && nl && line.len == 1 &&
		    line.data[0] == '.')
			break;
		msg_piece(&m, line.data, line.len, nl);
	}
	if (ferror(stdin))
		msg_fail(&m, EX_IOERR, "error reading the message");
	buf_deinit(&line);
	return msg_commit(&m);
}

/* --- -bs: SMTP on stdin and stdout ----------------------------------- */

static void __attribute__((format(printf, 1, 2))) reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs("\r\n", stdout);
	fflush(stdout);
}

/* The path after "FROM:" / "TO:" (case-insensitive) into addr, *rest_r
 * at what follows it (the ESMTP parameters). 0, or -1 for a bad path. */
static int
smtp_path(const char *args, const char *kw, int flags, struct buf *addr,
    const char **rest_r)
{
	size_t kl = strlen(kw);
	const char *error;

	if (strncasecmp(args, kw, kl) != 0)
		return -1;
	args += kl;
	while (*args == ' ')
		args++;
	return addr_parse_path(args, flags | ADDR_ALLOW_BARE, addr, rest_r,
	    &error);
}

/* The first ESMTP parameter in rest that this dialog does not take, or
 * NULL when it takes them all: MAIL's BODY=7BIT or BODY=8BITMIME (EHLO
 * offers 8BITMIME; the content goes on as it is), nothing for RCPT. RFC
 * 5321 4.1.1.11 and 4.1.1.3: an unknown parameter gets 555. The
 * parameter is cut at its end in rest (for the reply). */
static char *
smtp_bad_param(char *rest, int mail)
{
	char *p = rest, *end;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == 0)
			return NULL;
		end = p + strcspn(p, " ");
		if (*end != 0)
			*end++ = 0;
		if (!mail ||
		    (strcasecmp(p, "BODY=7BIT") != 0 &&
			strcasecmp(p, "BODY=8BITMIME") != 0))
			return p;
		p = end;
	}
}

/* DATA: the message up to "." with dot-unstuffing (RFC 5321 4.5.2). */
static int
smtp_data(struct msg *m, struct buf *line)
{
	int nl, start = 1;

	while (get_piece(stdin, line, &nl)) {
		const char *p = line->data;
		size_t n = line->len;

		if (start && nl && n == 1 && p[0] == '.')
			return 0;
		if (start && n > 0 && p[0] == '.') {
			p++;
			n--;
		}
		msg_piece(m, p, n, nl);
		start = nl;
	}
	return -1;
}

static int
serve_smtp(void)
{
	struct buf line, addr, sender;
	struct msg m;
	char **rcpt = NULL;
	int have_mail = 0, nl;
	size_t nrcpt = 0, i;

	buf_init(&line, LINE_MAX_PIECE);
	buf_init(&addr, ADDR_PATH_MAX * 4);
	buf_init(&sender, ADDR_PATH_MAX * 4);
	reply("220 %s ESMTP %s", var_myhostname, var_mail_name);
	while (get_piece(stdin, &line, &nl)) {
		char *cmd = line.data, *args, *bad;
		const char *rest;

		if (!nl) {
			while (!nl && get_piece(stdin, &line, &nl))
				;
			reply("500 5.5.0 Error: line too long");
			continue;
		}
		args = cmd + strcspn(cmd, " ");
		if (*args != 0)
			*args++ = 0;
		if (strcasecmp(cmd, "EHLO") == 0) {
			reply("250-%s\r\n250-8BITMIME\r\n"
			      "250 ENHANCEDSTATUSCODES",
			    var_myhostname);
		} else if (strcasecmp(cmd, "HELO") == 0) {
			reply("250 %s", var_myhostname);
		} else if (strcasecmp(cmd, "MAIL") == 0) {
			if (have_mail)
				reply("503 5.5.1 Error: nested MAIL command");
			else if (smtp_path(args, "FROM:",
				     ADDR_ALLOW_NULL | ADDR_ALLOW_LOCAL,
				     &sender, &rest) < 0)
				reply("501 5.1.7 Bad sender address syntax");
			else if ((bad = smtp_bad_param((char *)rest, 1)) !=
			    NULL)
				reply("555 5.5.4 Unsupported option: %.100s",
				    bad);
			else {
				have_mail = 1;
				reply("250 2.1.0 Ok");
			}
		} else if (strcasecmp(cmd, "RCPT") == 0) {
			if (!have_mail)
				reply("503 5.5.1 Error: need MAIL command");
			else if (smtp_path(args, "TO:", ADDR_ALLOW_LOCAL, &addr,
				     &rest) < 0)
				reply("501 5.1.3 Bad recipient address "
				      "syntax");
			else if ((bad = smtp_bad_param((char *)rest, 0)) !=
			    NULL)
				reply("555 5.5.4 Unsupported option: %.100s",
				    bad);
			else if (nrcpt >= MAX_RCPT)
				reply("452 4.5.3 Error: too many recipients");
			else {
				rcpt =
				    xrealloc(rcpt, (nrcpt + 1) * sizeof(*rcpt));
				rcpt[nrcpt++] = xstrdup(addr.data);
				reply("250 2.1.5 Ok");
			}
		} else if (strcasecmp(cmd, "DATA") == 0) {
			if (!have_mail)
				reply("503 5.5.1 Error: need MAIL command");
			else if (nrcpt == 0)
				reply("503 5.5.1 Error: need RCPT command");
			else {
				reply("354 End data with <CR><LF>.<CR><LF>");
				msg_open(&m);
				m.sender = sender.data;
				for (i = 0; i < nrcpt; i++)
					msg_add_rcpt(&m, rcpt[i]);
				if (smtp_data(&m, &line) < 0)
					msg_fail(&m, EX_DATAERR,
					    "unexpected end of input in DATA");
				msg_commit(&m);
				reply("250 2.0.0 Ok: queued");
				goto reset;
			}
		} else if (strcasecmp(cmd, "RSET") == 0) {
			reply("250 2.0.0 Ok");
			goto reset;
		} else if (strcasecmp(cmd, "NOOP") == 0) {
			reply("250 2.0.0 Ok");
		} else if (strcasecmp(cmd, "QUIT") == 0) {
			reply("221 2.0.0 Bye");
			break;
		} else if (strcasecmp(cmd, "VRFY") == 0) {
			reply("502 5.5.1 VRFY command is disabled");
		} else {
			reply("500 5.5.2 Error: command not recognized");
		}
		continue;
reset:
		have_mail = 0;
		for (i = 0; i < nrcpt; i++)
			xfree(rcpt[i]);
		nrcpt = 0;
	}
	for (i = 0; i < nrcpt; i++)
		xfree(rcpt[i]);
	xfree(rcpt);
	buf_deinit(&line);
	buf_deinit(&addr);
	buf_deinit(&sender);
	return 0;
}

/* --- the other modes --------------------------------------------------- */

static void __attribute__((noreturn)) run(const char *path, char *const argv[])
{
	execv(path, argv);
	die(errno == ENOENT ? EX_UNAVAILABLE : EX_OSERR, "exec %s: %s", path,
	    strerror(errno));
}

static void __attribute__((noreturn)) other_mode(void)
{
	char path[PATH_MAX];
	char *cfg = (char *)var_config_dir;

	switch (opt.mode) {
	case M_PRINT: {
		char *argv[] = { "mailq", "-c", cfg, NULL };

		snprintf(path, sizeof(path), "%s/ternqueue", var_command_dir);
		run(path, argv);
	}
	case M_ALIASES: {
		/* ternalias called newaliases builds alias_database (the
		 * installed newaliases may be this program: no exec of it). */
		char *argv[] = { "newaliases", "-c", cfg, NULL };

		snprintf(path, sizeof(path), "%s/ternalias", var_command_dir);
		if (access(path, X_OK) < 0)
			die(EX_UNAVAILABLE, "-bi: %s is not installed", path);
		run(path, argv);
	}
	case M_FLUSH: {
		char *argv[] = { "tern", "-c", cfg, "flush", NULL };

		snprintf(path, sizeof(path), "%s/tern", var_command_dir);
		run(path, argv);
	}
	default:
		die(EX_SOFTWARE, "bad mode");
	}
}

/* --- options ----------------------------------------------------------- */

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
	    "usage: %s [-t] [-i] [-v] [-f sender] [-F full_name] "
	    "[-N dsn] [-R ret] [-V envid] [-C config_dir] [--] "
	    "[recipient ...]\n"
	    "       %s -bs | -bp | -bi | -q\n",
	    progname, progname);
	exit(EX_USAGE);
}

/* Sendmail options that take a value (some are accepted and ignored, as
 * Postfix does): the value is the rest of the word or the next word. */
static const char *
value(int argc, char **argv, int *i, const char *rest)
{
	if (*rest != 0)
		return rest;
	if (*i + 1 >= argc)
		usage();
	return argv[++*i];
}

/* Parse argv; returns the index of the first recipient. */
static int
parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (a[0] != '-' || a[1] == 0)
			break;
		if (strcmp(a, "--") == 0)
			return i + 1;
		switch (a[1]) {
		case 't':
			opt.extract = 1;
			break;
		case 'i':
			opt.ignore_dots = 1;
			break;
		case 'v':
			opt.verbose++;
			break;
		case 'o':
			/* -oi as -i; the rest of -oXXX is ignored (-odi,
			 * -oem, -om...). */
			if (strcmp(a, "-oi") == 0)
				opt.ignore_dots = 1;
			break;
		case 'f':
		case 'r':
			opt.sender = value(argc, argv, &i, a + 2);
			/* "<addr>" and "<>" as Sendmail takes them. */
			break;
		case 'F':
			opt.fullname = value(argc, argv, &i, a + 2);
			break;
		case 'N':
			v = value(argc, argv, &i, a + 2);
			if ((opt.notify = dsn_notify_parse(v)) <= 0)
				die(EX_USAGE, "bad -N value: %s", v);
			break;
		case 'R':
			v = value(argc, argv, &i, a + 2);
			if ((opt.ret = dsn_ret_parse(v)) <= 0)
				die(EX_USAGE, "bad -R value: %s", v);
			break;
		case 'V':
			opt.envid = value(argc, argv, &i, a + 2);
			if (*opt.envid == 0 || strlen(opt.envid) > 100)
				die(EX_USAGE, "bad -V value");
			break;
		case 'C':
		case 'c':
			opt.config_dir = value(argc, argv, &i, a + 2);
			break;
		case 'b':
			if (strcmp(a, "-bm") == 0)
				opt.mode = M_MAIL;
			else if (strcmp(a, "-bs") == 0)
				opt.mode = M_SMTP;
			else if (strcmp(a, "-bp") == 0)
				opt.mode = M_PRINT;
			else if (strcmp(a, "-bi") == 0)
				opt.mode = M_ALIASES;
			else
				die(EX_USAGE, "unsupported mode: %s", a);
			break;
		case 'q':
			/* -q and -qINTERVAL: one flush now. */
			opt.mode = M_FLUSH;
			break;
		case 'B':
		case 'h':
		case 'L':
		case 'O':
		case 'X':
		case 'A':
		case 'p':
			(void)value(argc, argv, &i, a + 2);
			break;
		default:
			/* -n, -m, -U, -G, -e...: accepted and ignored. */
			verbose("ignoring option %s", a);
			break;
		}
	}
	return i;
}

/* The sender without -f: the login name of the real uid. */
static const char *
login_name(void)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw == NULL)
		die(EX_OSFILE, "no login name for uid %ld", (long)getuid());
	return xstrdup(pw->pw_name);
}

int
main(int argc, char **argv)
{
	const char *error, *base = strrchr(argv[0], '/');
	int first;

	base = base != NULL ? base + 1 : argv[0];
	die_init(progname, NULL);
	if (strcmp(base, "newaliases") == 0)
		opt.mode = M_ALIASES;
	else if (strcmp(base, "mailq") == 0)
		opt.mode = M_PRINT;
	first = parse_args(argc, argv);
	if (config_load(opt.config_dir, &error) < 0)
		die(EX_CONFIG, "%s", error);
	if (opt.mode == M_PRINT || opt.mode == M_ALIASES || opt.mode == M_FLUSH)
		other_mode();
	if (opt.sender == NULL)
		opt.sender = login_name();
	else {
		/* "<addr>" as well as "addr"; "<>" is the null sender. */
		struct buf b;

		buf_init(&b, MAILDROP_MAX_FIELD + 64);
		if (addr_parse_whole(opt.sender,
			ADDR_ALLOW_NULL | ADDR_ALLOW_LOCAL | ADDR_ALLOW_UTF8,
			&b, &error) < 0)
			die(EX_DATAERR, "bad sender address: %s: %s",
			    opt.sender, error);
		opt.sender = buf_steal(&b);
	}
	if (opt.mode == M_SMTP) {
		if (first != argc)
			usage();
		return serve_smtp();
	}
	return submit_stdin(argv + first, argc - first);
}
