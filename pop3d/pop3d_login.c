/* SPDX-License-Identifier: MIT */
/* pop3d_login - the AUTHORIZATION state (RFC 1939 4), as mail_owner:
 * greeting, CAPA (RFC 2449), STLS (RFC 2595), USER/PASS and AUTH (RFC
 * 5034) through auth(8); after the login, the relay between the client
 * and the session process. See pop3d.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/params.h"
#include "proto/auth_clnt.h"
#include "server/login_common.h"
#include "server/server_tls.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "pop3d.h"

static struct login_tls tls;

void
pop3d_login_init(void)
{
	const struct server_tls_params p = {
		.level = var_pop3d_tls_level,
		.level_param = VAR_POP3D_TLS_LEVEL,
		.wrappermode = var_pop3d_tls_wrappermode,
		.cert_files = var_pop3d_tls_cert_file,
		.key_files = var_pop3d_tls_key_file,
		.cert_param = VAR_POP3D_TLS_CERT_FILE,
		.ticket_name = "pop3d_ticket_keys",
	};

	server_tls_init(&p, &tls.level, &tls.server);
}

struct login {
	struct stream *s;
	struct login_conn c; /* the peer, TLS, user (from USER: the last
				name tried) and method, for logs */
	int ctl;
	char *apop; /* the greeting's APOP timestamp (auth's challenge),
		       while that attempt is open */
	int bad;    /* bad commands */
	struct buf line;
};

static void
reply(struct login *l, const char *text)
{
	(void)stream_puts(l->s, text);
	(void)stream_puts(l->s, "\r\n");
}

/* USER/PASS and the password mechanisms (login_common.h's rule). */
static int
plaintext_ok(const struct login *l)
{
	return login_plaintext_ok(&l->c, &tls, var_pop3d_tls_auth_only);
}

/* The mechanisms this client may use now, space-separated, into out. */
static void
mechs_now(const struct login *l, struct buf *out)
{
	const char *mechs;

	login_mechs_now(auth_clnt_mechs(&mechs) < 0 ? NULL : mechs,
	    plaintext_ok(l), out);
}

static const char disallowed[] =
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure "
    "(SSL/TLS) connections.";

static int
flush(struct login *l)
{
	const char *error;

	return stream_flush(l->s, &error);
}

/* After a login that auth accepted: the session, and the connection
 * handed over to it. Returns when it is the session's. */
static void
logged_in(struct login *l, const char *cookie)
{
	char *user;
	long mpid;
	int fd;

	fd = server_login_session(pop3d_service(), l->ctl, cookie, l->c.method,
	    &mpid, &user);
	if (fd < 0) {
		reply(l,
		    fd == -2
			? "-ERR [AUTH] No mailbox for this user."
			: "-ERR [SYS/TEMP] Internal error, try again later.");
		return;
	}
	xfree(l->c.user);
	l->c.user = user;
	login_log_login(&l->c, mpid);
	server_login_hand_over(l->s, fd, "", 0, var_pop3d_timeout);
	close(fd);
}

/* One attempt through auth(8); initial is base64 ("=" empty) or NULL.
 * With mech NULL, the APOP attempt the greeting opened goes on, initial
 * being the client's response. Returns 1 when logged in (the session has
 * run), 0 to go on, -1 to close. */
static int
attempt(struct login *l, const char *mech, const char *initial)
{
	struct auth_clnt_reply r;
	enum auth_clnt_status st;
	const char *why;
	int ret;

	if (mech == NULL) {
		login_conn_set_method(&l->c, "APOP");
		st = auth_clnt_continue(initial, &r);
	} else {
		login_conn_set_method(&l->c, mech);
		login_conn_note_response(&l->c, initial);
		st =
		    auth_clnt_start(mech, "pop3d", l->c.p->client, initial, &r);
	}
	/* A new attempt ends the greeting's, and APOP gets one try. */
	xfree(l->apop);
	l->apop = NULL;
	while (st == AUTH_CLNT_CONTINUE && mech != NULL) {
		(void)stream_printf(l->s, "+ %s\r\n", r.text);
		if (flush(l) < 0)
			return -1;
		ret = pop3_read_line(l->s, &l->line, POP3_SASL_LINE_MAX, &why);
		if (ret < 0)
			return -1;
		if (ret == 0) {
			(void)auth_clnt_continue("*", &r);
			reply(l, "-ERR Line too long.");
			return 0;
		}
		pop3_chomp(&l->line);
		login_conn_note_response(&l->c, buf_cstr(&l->line));
		st = auth_clnt_continue(buf_cstr(&l->line), &r);
	}
	switch (st) {
	case AUTH_CLNT_OK:
		logged_in(l, r.cookie);
		return 1;
	case AUTH_CLNT_CONTINUE: /* APOP: auth wants more; it gets no more */
		(void)auth_clnt_continue("*", &r);
		l->c.attempts++;
		reply(l, "-ERR [AUTH] Authentication failed.");
		return 0;
	case AUTH_CLNT_FAIL:
		l->c.attempts++;
		if (strcmp(r.text, "aborted") == 0)
			reply(l, "-ERR Authentication aborted by client.");
		else
			reply(l, "-ERR [AUTH] Authentication failed.");
		return 0;
	case AUTH_CLNT_BAD:
		reply(l, "-ERR Invalid base64 data in continued response.");
		return 0;
	case AUTH_CLNT_NOMECH:
		reply(l, "-ERR Unsupported authentication mechanism.");
		return 0;
	default:
		reply(l, "-ERR [SYS/TEMP] Temporary authentication failure.");
		return 0;
	}
}

/* --- commands ------------------------------------------------------- */

static int
cmd_capa(void *ctx, const char *args)
{
	struct login *l = ctx;
	struct buf mechs;

	(void)args;
	buf_init(&mechs, 256);
	mechs_now(l, &mechs);
	reply(l, "+OK");
	reply(l, "CAPA");
	reply(l, "TOP");
	reply(l, "UIDL");
	reply(l, "RESP-CODES");
	reply(l, "PIPELINING");
	reply(l, "AUTH-RESP-CODE");
	if (plaintext_ok(l))
		reply(l, "USER");
	if (buf_len(&mechs) > 0)
		(void)stream_printf(l->s, "SASL %s\r\n", buf_cstr(&mechs));
	if (login_starttls_offered(&l->c, &tls))
		reply(l, "STLS");
	reply(l, "IMPLEMENTATION Tern");
	reply(l, ".");
	buf_deinit(&mechs);
	return 0;
}

static int
cmd_stls(void *ctx, const char *args)
{
	struct login *l = ctx;

	if (*args != '\0') {
		reply(l, "-ERR STLS takes no arguments.");
		return 0;
	}
	if (l->c.tls) {
		reply(l, "-ERR TLS is already active.");
		return 0;
	}
	if (!login_starttls_offered(&l->c, &tls)) {
		reply(l, "-ERR TLS support isn't enabled.");
		return 0;
	}
	reply(l, "+OK Begin TLS negotiation now.");
	if (flush(l) < 0)
		return -1;
	/* Nothing the client sent before the handshake may be read as if
	 * it came inside TLS (RFC 2595 3.1, as RFC 3207 6 for SMTP). */
	stream_discard_input(l->s);
	return login_tls_start(&l->c, &tls, l->s) < 0 ? -2 : 0;
}

static int
cmd_user(void *ctx, const char *args)
{
	struct login *l = ctx;

	if (!plaintext_ok(l)) {
		reply(l, disallowed);
		return 0;
	}
	if (*args == '\0') {
		reply(l, "-ERR USER needs a user name.");
		return 0;
	}
	login_conn_set_user(&l->c, args);
	reply(l, "+OK");
	return 0;
}

static int
cmd_pass(void *ctx, const char *args)
{
	struct login *l = ctx;
	struct buf enc;
	int ret;

	if (!plaintext_ok(l)) {
		reply(l, disallowed);
		return 0;
	}
	if (l->c.user == NULL) {
		reply(l, "-ERR No username given.");
		return 0;
	}
	login_plain_init(&enc, l->c.user, args);
	ret = attempt(l, "PLAIN", buf_cstr(&enc));
	login_plain_wipe(&enc);
	return ret;
}

static int
cmd_auth(void *ctx, const char *args)
{
	struct login *l = ctx;
	char mech[64];
	const char *initial;
	size_t n = strcspn(args, " ");
	struct buf mechs;

	if (n == 0) {
		/* No mechanism: the list (RFC 1734's form, which clients
		 * still send). */
		buf_init(&mechs, 256);
		mechs_now(l, &mechs);
		reply(l, "+OK");
		for (const char *p = buf_cstr(&mechs);
		     *(p += strspn(p, " ")) != '\0'; p += n) {
			n = strcspn(p, " ");
			(void)stream_printf(l->s, "%.*s\r\n", (int)n, p);
		}
		reply(l, ".");
		buf_deinit(&mechs);
		return 0;
	}
	if (n >= sizeof(mech)) {
		reply(l, "-ERR Unsupported authentication mechanism.");
		return 0;
	}
	memcpy(mech, args, n);
	mech[n] = '\0';
	initial = args[n] == ' ' ? args + n + 1 : NULL;
	if (login_mech_is_plaintext(mech, n) && !plaintext_ok(l)) {
		reply(l, disallowed);
		return 0;
	}
	return attempt(l, mech, initial);
}

/* RFC 1939 7: APOP name digest, against the greeting's timestamp. */
static int
cmd_apop(void *ctx, const char *args)
{
	struct login *l = ctx;
	struct buf enc;
	int ret;

	if (l->apop == NULL) {
		reply(l,
		    "-ERR [AUTH] APOP is not available here; use USER "
		    "and PASS, or AUTH.");
		return 0;
	}
	buf_init(&enc, base64_encoded_len(strlen(args)) + 1);
	(void)base64_encode(args, strlen(args), &enc);
	ret = attempt(l, NULL, buf_cstr(&enc));
	buf_deinit(&enc);
	return ret;
}

/* The greeting, with an APOP timestamp (auth's challenge for the
 * attempt it keeps open) when the user table allows APOP: where it has
 * CRAM-MD5, since both need {PLAIN} secrets. */
static void
greet(struct login *l)
{
	struct auth_clnt_reply r;
	struct buf mechs, raw;
	const char *error;

	buf_init(&mechs, 256);
	buf_init(&raw, 512);
	mechs_now(l, &mechs);
	if (strstr(buf_cstr(&mechs), "CRAM-MD5") != NULL &&
	    auth_clnt_start("APOP", "pop3d", l->c.p->client, NULL, &r) ==
		AUTH_CLNT_CONTINUE &&
	    base64_decode(r.text, strlen(r.text), &raw, &error) == 0 &&
	    buf_len(&raw) > 0 && strchr(buf_cstr(&raw), '\r') == NULL &&
	    strchr(buf_cstr(&raw), '\n') == NULL)
		l->apop = xstrdup(buf_cstr(&raw));
	if (l->apop != NULL)
		(void)stream_printf(l->s, "+OK Tern ready. %s\r\n", l->apop);
	else
		reply(l, "+OK Tern ready.");
	buf_deinit(&mechs);
	buf_deinit(&raw);
}

static int
cmd_quit(void *ctx, const char *args)
{
	struct login *l = ctx;

	(void)args;
	reply(l, "+OK Logging out.");
	return -1;
}

static const struct pop3_command commands[] = {
	{ "CAPA", cmd_capa },
	{ "STLS", cmd_stls },
	{ "USER", cmd_user },
	{ "PASS", cmd_pass },
	{ "AUTH", cmd_auth },
	{ "APOP", cmd_apop },
	{ "QUIT", cmd_quit },
};

void
pop3d_login(int in_fd, int out_fd, int ctl, const struct login_peer *p)
{
	struct login login, *l = &login;
	const char *why = "Disconnected";
	int ret;

	memset(l, 0, sizeof(*l));
	login_conn_init(&l->c, "pop3-login", p);
	l->ctl = ctl;
	l->s = stream_create(in_fd, STREAM_FLAG_NOCLOSE);
	if (out_fd != in_fd)
		stream_set_write_fd(l->s, out_fd);
	stream_set_timeout(l->s, (int)var_pop3d_timeout);
	if (var_pop3d_session_deadline > 0)
		stream_set_deadline(l->s,
		    l->c.start + var_pop3d_session_deadline);
	buf_init(&l->line, POP3_SASL_LINE_MAX + 2);
	if (var_pop3d_tls_wrappermode && login_tls_start(&l->c, &tls, l->s) < 0)
		goto out;
	greet(l);
	for (;;) {
		ret = pop3_next(l->s, &l->line, commands,
		    sizeof(commands) / sizeof(commands[0]), l, &l->bad, &why);
		if (ret == 0)
			continue;
		if (ret == 1 || ret == -2)
			goto out; /* logged in (the session ran), or TLS failed */
		why = ret == POP3_END_BAD
		    ? "Disconnected: Too many bad commands"
		    : "Disconnected";
		break;
	}
	login_log_disconnect(&l->c, why);
out:
	(void)flush(l);
	xfree(l->apop);
	login_conn_deinit(&l->c);
	buf_deinit(&l->line);
	stream_destroy(&l->s);
}
