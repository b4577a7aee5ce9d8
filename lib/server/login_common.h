/* login_common - what the login processes of the mail access services
 * (pop3d, imapd) share: when a password may cross the wire, which SASL
 * mechanisms a client may use now, USER/PASS and LOGIN as PLAIN, the TLS
 * handshake, and Dovecot's log lines.
 *
 * A login process keeps a struct login_conn for its connection (embedded
 * in its own state) and a struct login_tls for the process (set up once by
 * server_tls_init before the fork). The conn owns its user string. Nothing
 * here reads the client; nothing fails except the TLS handshake, which the
 * caller is told of (logged already). Log lines are Dovecot's, so that
 * fail2ban's stock dovecot filter reads them:
 *
 *   imap-login: Login: user=<alice>, method=PLAIN, rip=..., lip=...,
 *       mpid=123, TLS
 *   imap-login: Disconnected: Logged out (auth failed, 1 attempts in 2
 *       secs): user=<alice>, method=PLAIN, rip=..., lip=..., TLS
 *
 * Peer text (user names, mechanism names) goes through log_str. */
#ifndef TERN_SERVER_LOGIN_COMMON_H
#define TERN_SERVER_LOGIN_COMMON_H

#include <stddef.h>
#include <time.h>

#include "tls/tls_level.h"

struct buf;
struct login_peer;
struct stream;
struct tls_server;

/* The service's TLS, for the whole login process. */
struct login_tls {
	enum tls_level level;
	struct tls_server *server; /* NULL: no TLS */
};

/* What a login process knows of its connection, for the rules and logs. */
struct login_conn {
	const char *log_name;       /* "imap-login": the log lines' prefix */
	const struct login_peer *p; /* the client */
	int tls;                    /* TLS runs */
	char *user;      /* the last name tried, for the log (owned) */
	char method[32]; /* of the last attempt, upper case */
	int attempts;    /* failed logins */
	int disallowed;  /* a plaintext login was refused before TLS */
	time_t start;    /* when the connection came */
};

/* Set c up for a connection from p that starts now. Never fails. */
void login_conn_init(struct login_conn *c, const char *log_name,
    const struct login_peer *p);
/* Free what c owns. */
void login_conn_deinit(struct login_conn *c);
/* Replace the user name to log with a copy of user (NULL: none). */
void login_conn_set_user(struct login_conn *c, const char *user);
/* The method to log: mech upper-cased, cut to fit. */
void login_conn_set_method(struct login_conn *c, const char *mech);
/* A client's SASL response (base64, as sent) for the method set: for
 * PLAIN, its authentication identity becomes the user to log, as Dovecot
 * logs it (the decoded password is wiped). Anything else, or a response
 * that does not decode, changes nothing. Never fails. */
void login_conn_note_response(struct login_conn *c, const char *b64);

/* Password mechanisms and USER/PASS or LOGIN are allowed: after TLS, or
 * from loopback, or everywhere when auth_only (<d>_tls_auth_only) is
 * off; never before TLS at level encrypt (RFC 2595 3.1, RFC 9051 6.2.3).
 * 1 or 0. */
int login_plaintext_ok(const struct login_conn *c, const struct login_tls *t,
    int auth_only);

/* STARTTLS (STLS) is offered: TLS is set up, on, and not running yet. */
int
login_starttls_offered(const struct login_conn *c, const struct login_tls *t);

/* 1 when the n bytes at mech name a mechanism that sends the password
 * itself (PLAIN, LOGIN; any case), else 0. */
int login_mech_is_plaintext(const char *mech, size_t n);

/* The mechanisms of mechs (auth's space-separated list; NULL for none)
 * that the client may use now, space-separated, into out (replaced): the
 * plaintext ones only with plaintext. What does not fit out's maximum is
 * left out. */
void login_mechs_now(const char *mechs, int plaintext, struct buf *out);

/* USER/PASS and LOGIN are PLAIN (RFC 4616 2) with the same two secrets:
 * the base64 of "\0user\0pass" into enc, which this initialises; end it
 * with login_plain_wipe (the secrets are wiped). Never fails. */
void login_plain_init(struct buf *enc, const char *user, const char *pass);
void login_plain_wipe(struct buf *enc);

/* The TLS handshake on s (t->server NULL: fails "no certificate"). On
 * success c->tls is set and the user learnt before TLS forgotten: 0. On
 * failure Dovecot's "Disconnected (TLS handshaking: ...)" is logged: -1
 * (close the connection). */
int login_tls_start(struct login_conn *c, const struct login_tls *t,
    struct stream *s);

/* Log the login, with the session's pid. */
void login_log_login(const struct login_conn *c, long mpid);

/* Log the end of a connection that did not log in: why ("Disconnected",
 * "Disconnected: Logged out", ...) and Dovecot's reason in parentheses
 * (auth failed, tried to use disallowed plaintext auth, no auth
 * attempts), the seconds since c->start and ", TLS". */
void login_log_disconnect(const struct login_conn *c, const char *why);

#endif
