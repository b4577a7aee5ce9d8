/* SPDX-License-Identifier: MIT */
/* imapd_login - the not authenticated state (RFC 9051 3.1, 6.1, 6.2), as
 * mail_owner: greeting, CAPABILITY, NOOP, LOGOUT, ID (RFC 2971), STARTTLS,
 * LOGIN and AUTHENTICATE (SASL-IR, RFC 4959) through auth(8); after the
 * login, the hand-over to the session and the relay. See imapd.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/params.h"
#include "proto/auth_clnt.h"
#include "server/login_common.h"
#include "server/server_tls.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "imapd.h"

static struct login_tls tls;

void
imapd_login_init(void)
{
	const struct server_tls_params p = {
		.level = var_imapd_tls_level,
		.level_param = VAR_IMAPD_TLS_LEVEL,
		.wrappermode = var_imapd_tls_wrappermode,
		.cert_files = var_imapd_tls_cert_file,
		.key_files = var_imapd_tls_key_file,
		.cert_param = VAR_IMAPD_TLS_CERT_FILE,
		.ticket_name = "imapd_ticket_keys",
	};

	server_tls_init(&p, &tls.level, &tls.server);
}

struct login {
	struct stream *s;
	struct login_conn c; /* the peer, TLS, user and method, for logs */
	int ctl;
	int bad; /* bad commands */
	struct imapd_reader r;
	struct buf line; /* a SASL response */
};

/* What a command handler tells the loop. */
enum {
	BAD_COMMAND = -1, /* answered BAD: counts towards IMAPD_BAD_MAX */
	GO_ON = 0,        /* read the next command */
	LOGGED_IN = 1,    /* the session ran: the connection is over */
	CLOSE = 2,        /* log the disconnection and close */
	TLS_FAILED = 3    /* logged already: close */
};

/* The pre-login limits (imapd.h): small, and LITERAL- semantics. */
static const struct imap_parser_limits login_limits = {
	.line_max = IMAPD_LOGIN_LINE_MAX,
	.literal_max = IMAPD_LOGIN_LITERAL_MAX,
	.command_literal_max = IMAPD_LOGIN_COMMAND_LITERAL_MAX,
	/* A refused non-synchronizing literal is read and dropped only
	 * when small; a bigger one ends the connection (RFC 7888 4). */
	.discard_max = IMAPD_LOGIN_LINE_MAX,
	.literal_policy = IMAP_LITERAL_MINUS,
};

static void
tagged(struct login *l, const char *tag, const char *text)
{
	(void)stream_printf(l->s, "%s %s\r\n", tag, text);
}

static void
untagged(struct login *l, const char *text)
{
	(void)stream_printf(l->s, "* %s\r\n", text);
}

static int
flush(struct login *l)
{
	const char *error;

	return stream_flush(l->s, &error);
}

/* LOGIN and the password mechanisms (login_common.h's rule). */
static int
plaintext_ok(const struct login *l)
{
	return login_plaintext_ok(&l->c, &tls, var_imapd_tls_auth_only);
}

static int
starttls_offered(const struct login *l)
{
	return login_starttls_offered(&l->c, &tls);
}

static void
capability(struct login *l, struct buf *out)
{
	const char *mechs;

	imapd_capability_login(auth_clnt_mechs(&mechs) < 0 ? NULL : mechs,
	    starttls_offered(l), plaintext_ok(l), out);
}

/* RFC 5530's code and Dovecot's text. */
static const char disallowed[] =
    "NO [PRIVACYREQUIRED] Plaintext authentication disallowed on "
    "non-secure (SSL/TLS) connections.";

/* After a login that auth accepted: the session, the tag line to it
 * (imapd.h), then the relay. */
static int
logged_in(struct login *l, const char *tag, const char *cookie)
{
	struct buf first;
	const char *rest;
	char *user;
	size_t n;
	long mpid;
	int fd;

	fd = server_login_session(imapd_service(), l->ctl, cookie, l->c.method,
	    &mpid, &user);
	if (fd < 0) {
		tagged(l, tag,
		    fd == -2 ? "NO [AUTHORIZATIONFAILED] No mailbox for this "
			       "user."
			     : "NO [UNAVAILABLE] Internal error, try again "
			       "later.");
		return GO_ON;
	}
	xfree(l->c.user);
	l->c.user = user;
	login_log_login(&l->c, mpid);
	/* The tag first, then what the reader holds beyond the command
	 * (nothing: it never reads past one); the stream's buffered input
	 * follows them (server_login_hand_over). */
	rest = imapd_reader_rest(&l->r, &n);
	buf_init(&first, strlen(tag) + 2 + n + 1);
	(void)buf_puts(&first, tag);
	(void)buf_puts(&first, "\r\n");
	(void)buf_append(&first, rest, n);
	server_login_hand_over(l->s, fd, first.data, first.len,
	    var_imapd_timeout);
	buf_deinit(&first);
	close(fd);
	return LOGGED_IN;
}

/* A SASL response line (RFC 9051 6.2.2) into l->line, CRLF removed: 1,
 * 0 when too long (dropped), -1 at the end of input. */
static int
read_response(struct login *l)
{
	const char *error;
	size_t n;
	int ret, too_long = 0;

	if (flush(l) < 0)
		return -1;
	buf_reset(&l->line);
	for (;;) {
		ret = stream_get_line(l->s, &l->line,
		    IMAPD_SASL_LINE_MAX - buf_len(&l->line), &error);
		if (ret == STREAM_LINE)
			break;
		if (ret != STREAM_PARTIAL)
			return -1;
		too_long = 1;
		buf_reset(&l->line);
	}
	n = buf_len(&l->line);
	if (n > 0 && l->line.data[n - 1] == '\n')
		n--;
	if (n > 0 && l->line.data[n - 1] == '\r')
		n--;
	buf_truncate(&l->line, n);
	return !too_long;
}

/* Success with data for the client (SCRAM's server signature): RFC
 * 9051 6.2.2 has no room for it in the OK, so it goes as one more
 * challenge, which the client answers with an empty line (RFC 4422 5). */
static int
final_data(struct login *l, const char *tag, const struct auth_clnt_reply *r)
{
	char *cookie = xstrdup(r->cookie);
	int ret;

	(void)stream_printf(l->s, "+ %s\r\n", r->text);
	if ((ret = read_response(l)) < 0)
		ret = CLOSE;
	else if (ret == 0 || buf_len(&l->line) > 0) {
		tagged(l, tag, "BAD Authentication aborted by client.");
		ret = GO_ON;
	} else
		ret = logged_in(l, tag, cookie);
	xfree(cookie);
	return ret;
}

/* One attempt through auth(8); initial is base64 ("=" empty) or NULL.
 * Returns a handler's value. */
static int
attempt(struct login *l, const char *tag, const char *mech, const char *initial)
{
	struct auth_clnt_reply r;
	enum auth_clnt_status st;
	int ret;

	login_conn_set_method(&l->c, mech);
	login_conn_note_response(&l->c, initial);
	st = auth_clnt_start(mech, "imapd", l->c.p->client, initial, &r);
	while (st == AUTH_CLNT_CONTINUE) {
		(void)stream_printf(l->s, "+ %s\r\n", r.text);
		if ((ret = read_response(l)) < 0)
			return CLOSE;
		if (ret == 0) {
			(void)auth_clnt_continue("*", &r);
			tagged(l, tag, "BAD Response line too long.");
			return GO_ON;
		}
		login_conn_note_response(&l->c, buf_cstr(&l->line));
		st = auth_clnt_continue(buf_cstr(&l->line), &r);
		explicit_bzero(l->line.data, buf_len(&l->line));
	}
	switch (st) {
	case AUTH_CLNT_OK:
		if (*r.text != '\0')
			return final_data(l, tag, &r);
		return logged_in(l, tag, r.cookie);
	case AUTH_CLNT_FAIL:
		/* RFC 9051 6.2.2: a "*" cancel gets BAD. */
		if (strcmp(r.text, "aborted") == 0) {
			tagged(l, tag, "BAD Authentication aborted by client.");
			return GO_ON;
		}
		l->c.attempts++;
		tagged(l, tag,
		    "NO [AUTHENTICATIONFAILED] Authentication failed.");
		return GO_ON;
	case AUTH_CLNT_BAD:
		tagged(l, tag,
		    "BAD Invalid base64 data in continued response.");
		return GO_ON;
	case AUTH_CLNT_NOMECH:
		tagged(l, tag, "NO Unsupported authentication mechanism.");
		return GO_ON;
	default:
		tagged(l, tag,
		    "NO [UNAVAILABLE] Temporary authentication failure.");
		return GO_ON;
	}
}

/* --- commands ------------------------------------------------------- */

static int
cmd_capability(struct login *l, const struct imap_command *c)
{
	struct buf caps;

	buf_init(&caps, 1024);
	capability(l, &caps);
	(void)stream_printf(l->s, "* CAPABILITY %s\r\n", buf_cstr(&caps));
	tagged(l, c->tag,
	    "OK Pre-login capabilities listed, post-login capabilities have "
	    "more.");
	buf_deinit(&caps);
	return GO_ON;
}

static int
cmd_noop(struct login *l, const struct imap_command *c)
{
	tagged(l, c->tag, "OK NOOP completed.");
	return GO_ON;
}

static int
cmd_logout(struct login *l, const struct imap_command *c)
{
	untagged(l, "BYE Logging out");
	tagged(l, c->tag, "OK Logout completed.");
	return CLOSE;
}

/* RFC 2971 3.1: ID takes a list of field/value pairs or NIL; we answer
 * with our name only. */
static int
cmd_id(struct login *l, const struct imap_command *c)
{
	const struct imap_arg *a = c->args;

	if (c->nargs != 1 ||
	    (a->type != IMAP_ARG_LIST && a->type != IMAP_ARG_NIL)) {
		tagged(l, c->tag, "BAD ID takes a list or NIL.");
		return BAD_COMMAND;
	}
	untagged(l, "ID (\"name\" \"Tern\")");
	tagged(l, c->tag, "OK ID completed.");
	return GO_ON;
}

static int
cmd_starttls(struct login *l, const struct imap_command *c)
{
	if (l->c.tls) {
		tagged(l, c->tag, "BAD TLS is already active.");
		return BAD_COMMAND;
	}
	if (!starttls_offered(l)) {
		tagged(l, c->tag, "BAD TLS support isn't enabled.");
		return BAD_COMMAND;
	}
	tagged(l, c->tag, "OK Begin TLS negotiation now.");
	if (flush(l) < 0)
		return CLOSE;
	/* Nothing the client sent before the handshake may be read as if
	 * it came inside TLS (RFC 3501 6.2.1, RFC 9051 6.2.1, as RFC 3207 6
	 * for SMTP). */
	stream_discard_input(l->s);
	imapd_reader_reset(&l->r);
	return login_tls_start(&l->c, &tls, l->s) < 0 ? TLS_FAILED : GO_ON;
}

/* LOGIN user password (RFC 9051 6.2.3) is PLAIN (RFC 4616) with the same
 * two secrets. */
static int
cmd_login(struct login *l, const struct imap_command *c)
{
	const char *user, *pass;
	struct buf enc;
	int ret;

	if (c->nargs != 2 || (user = imapd_arg_astring(c->args)) == NULL ||
	    (pass = imapd_arg_astring(c->args->next)) == NULL) {
		tagged(l, c->tag,
		    "BAD LOGIN takes a user name and a password.");
		return BAD_COMMAND;
	}
	if (!plaintext_ok(l)) {
		l->c.disallowed = 1;
		tagged(l, c->tag, disallowed);
		return GO_ON;
	}
	login_conn_set_user(&l->c, user);
	login_plain_init(&enc, user, pass);
	ret = attempt(l, c->tag, "PLAIN", buf_cstr(&enc));
	login_plain_wipe(&enc);
	return ret;
}

/* AUTHENTICATE mechanism [initial-response] (RFC 9051 6.2.2, RFC 4959). */
static int
cmd_authenticate(struct login *l, const struct imap_command *c)
{
	const struct imap_arg *a = c->args;
	const char *initial = NULL;

	if (c->nargs < 1 || c->nargs > 2 || a->type != IMAP_ARG_ATOM) {
		tagged(l, c->tag,
		    "BAD AUTHENTICATE takes a mechanism and perhaps an "
		    "initial response.");
		return BAD_COMMAND;
	}
	if (c->nargs == 2 && (initial = imapd_arg_astring(a->next)) == NULL) {
		tagged(l, c->tag, "BAD Invalid initial response.");
		return BAD_COMMAND;
	}
	if (login_mech_is_plaintext(a->str, strlen(a->str)) &&
	    !plaintext_ok(l)) {
		l->c.disallowed = 1;
		tagged(l, c->tag, disallowed);
		return GO_ON;
	}
	return attempt(l, c->tag, a->str, initial);
}

static int
cmd_enable(struct login *l, const struct imap_command *c)
{
	/* RFC 5161 3.1: only in the authenticated state. */
	tagged(l, c->tag, "BAD ENABLE is not allowed before login.");
	return BAD_COMMAND;
}

/* A handler answers and returns one of the values above. */
struct login_command {
	const char *name;
	int (*fn)(struct login *l, const struct imap_command *c);
	int no_args; /* takes no arguments (else BAD) */
};

static const struct login_command commands[] = {
	{ "CAPABILITY", cmd_capability, 1 },
	{ "NOOP", cmd_noop, 1 },
	{ "LOGOUT", cmd_logout, 1 },
	{ "ID", cmd_id, 0 },
	{ "STARTTLS", cmd_starttls, 1 },
	{ "LOGIN", cmd_login, 0 },
	{ "AUTHENTICATE", cmd_authenticate, 0 },
	{ "ENABLE", cmd_enable, 0 },
};

static int
dispatch(struct login *l, const struct imap_command *c)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(c->name, commands[i].name) != 0)
			continue;
		if (commands[i].no_args && c->nargs > 0) {
			tagged(l, c->tag, "BAD Unexpected arguments.");
			return BAD_COMMAND;
		}
		return commands[i].fn(l, c);
	}
	tagged(l, c->tag, "BAD Error in IMAP command received by server.");
	return BAD_COMMAND;
}

/* One bad command more: 1 when that was too many (told "* BYE"). */
static int
count_bad(struct login *l)
{
	if (++l->bad < IMAPD_BAD_MAX)
		return 0;
	untagged(l, "BYE Too many invalid IMAP commands.");
	return 1;
}

/* The command loop: returns the reason to log, or NULL when nothing
 * more is to be logged (logged in, TLS failed). */
static const char *
serve(struct login *l)
{
	const struct imap_command *c;
	const char *why = "Disconnected";
	int ret;

	for (;;) {
		switch (imapd_read(&l->r, &why)) {
		case IMAPD_READ_COMMAND:
			c = imap_parser_command(l->r.parser);
			ret = dispatch(l, c);
			break;
		case IMAPD_READ_BAD:
			(void)stream_printf(l->s, "%s BAD %s\r\n",
			    imap_parser_tag(l->r.parser),
			    imap_parser_error(l->r.parser));
			ret = BAD_COMMAND;
			break;
		case IMAPD_READ_FATAL:
			(void)stream_printf(l->s, "* BYE %s\r\n",
			    imap_parser_error(l->r.parser));
			return "Disconnected: Protocol error";
		case IMAPD_READ_TIMEOUT:
			untagged(l, "BYE Disconnected for inactivity.");
			return "Disconnected: Inactivity";
		default:
			return "Disconnected";
		}
		switch (ret) {
		case GO_ON:
			continue;
		case BAD_COMMAND:
			if (count_bad(l))
				return "Disconnected: Too many invalid commands";
			continue;
		case CLOSE:
			return strcmp(c->name, "LOGOUT") == 0
			    ? "Disconnected: Logged out"
			    : "Disconnected";
		default:
			return NULL;
		}
	}
}

void
imapd_login(int in_fd, int out_fd, int ctl, const struct login_peer *p)
{
	struct login login, *l = &login;
	struct buf caps;
	const char *why;

	memset(l, 0, sizeof(*l));
	login_conn_init(&l->c, "imap-login", p);
	l->ctl = ctl;
	l->s = stream_create(in_fd, STREAM_FLAG_NOCLOSE);
	if (out_fd != in_fd)
		stream_set_write_fd(l->s, out_fd);
	stream_set_timeout(l->s, (int)var_imapd_timeout);
	if (var_imapd_session_deadline > 0)
		stream_set_deadline(l->s,
		    l->c.start + var_imapd_session_deadline);
	buf_init(&l->line, IMAPD_SASL_LINE_MAX + 2);
	imapd_reader_init(&l->r, l->s, &login_limits);
	if (var_imapd_tls_wrappermode && login_tls_start(&l->c, &tls, l->s) < 0)
		goto out;
	/* RFC 9051 7.1.1: the greeting may carry the capabilities, which
	 * spares the client a round trip. */
	buf_init(&caps, 1024);
	capability(l, &caps);
	(void)stream_printf(l->s, "* OK [CAPABILITY %s] Tern ready.\r\n",
	    buf_cstr(&caps));
	buf_deinit(&caps);
	if ((why = serve(l)) != NULL)
		login_log_disconnect(&l->c, why);
out:
	(void)flush(l);
	login_conn_deinit(&l->c);
	imapd_reader_deinit(&l->r);
	buf_deinit(&l->line);
	stream_destroy(&l->s);
}
