/* auth_clnt - a server process's side of the auth protocol
 * (proto_auth.h), for smtpd, pop3d and imapd: one connection to
 * private/auth (under the queue directory, our working directory) per
 * process, opened on first use and again after a failure. Each call is
 * one request and its reply within AUTH_CLNT_TIMEOUT seconds (longer
 * than auth's longest penalty delay). A call that cannot reach auth, or
 * gets a reply it cannot read, warns, drops the connection and returns
 * AUTH_CLNT_TEMPFAIL: the caller answers 454 4.7.0 (SMTP) and the
 * attempt is over. The reply's strings live in this module until the
 * next call. Not thread-safe (one per process). */
#ifndef TERN_PROTO_AUTH_CLNT_H
#define TERN_PROTO_AUTH_CLNT_H

#include "proto/proto_auth.h"

#define AUTH_CLNT_TIMEOUT (AUTH_MAX_DELAY + 15)

enum auth_clnt_status {
	AUTH_CLNT_CONTINUE, /* text: the next challenge, base64 */
	AUTH_CLNT_OK,       /* user: who; text: final data (base64) or "" */
	AUTH_CLNT_FAIL,     /* text: the reason, for the log only */
	AUTH_CLNT_TEMPFAIL, /* text: the reason, for the log only */
	AUTH_CLNT_BAD,      /* malformed response (SMTP: 501 5.5.2) */
	AUTH_CLNT_NOMECH,   /* mechanism not offered (SMTP: 504 5.5.4) */
};

struct auth_clnt_reply {
	enum auth_clnt_status status;
	const char *text;   /* never NULL */
	const char *user;   /* never NULL; "" except with AUTH_CLNT_OK */
	const char *cookie; /* never NULL; with AUTH_CLNT_OK, the proof of
			       the login for auth_clnt_redeem, or "" */
};

/* Start an attempt with mechanism mech for service ("smtpd", ...) and
 * client ("host[addr]"); initial is the initial response as the client
 * sent it (base64, "=" for empty) or NULL for none. Returns the status,
 * and fills *r. */
enum auth_clnt_status auth_clnt_start(const char *mech, const char *service,
    const char *client, const char *initial, struct auth_clnt_reply *r);
/* The client's next response: base64 text, or "*" for a cancel. */
enum auth_clnt_status
auth_clnt_continue(const char *response, struct auth_clnt_reply *r);
/* Who earned cookie (from an AUTH_CLNT_OK reply) for service: OK with
 * r->user, once; FAIL for an unknown, used or expired cookie; TEMPFAIL
 * when auth cannot be reached. */
enum auth_clnt_status auth_clnt_redeem(const char *service, const char *cookie,
    struct auth_clnt_reply *r);
/* Drop the connection (a process about to fork children that must not
 * share it); the next call opens a new one. */
void auth_clnt_close(void);
/* The mechanisms auth offers, space-separated, strongest first: 0 and
 * *mechs_r, or -1 (warned) when auth cannot be reached. */
int auth_clnt_mechs(const char **mechs_r);

#endif
