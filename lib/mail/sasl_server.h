/* sasl_server - the server side of SASL mechanisms, protocol-neutral.
 *
 * auth(8) runs one struct sasl_server per authentication attempt; smtpd,
 * pop3d and imapd only relay the client's base64 lines to it, so every
 * message here is raw bytes, already base64-decoded (and the challenges
 * that come back are to be base64-encoded by the caller). Mechanisms:
 * PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login: challenges
 * "Username:" and "Password:"; an initial response is the user name),
 * CRAM-MD5 (RFC 2195: challenge "<random.time@hostname>", possible only
 * for a user whose stored secret is {PLAIN}), SCRAM-SHA-256 (RFC 5802,
 * RFC 7677; from a {SCRAM-SHA-256} stored key or a {PLAIN} secret; no
 * channel binding, so no -PLUS variant), and POP3's APOP (RFC 1939 7, not
 * SASL but the same shape as CRAM-MD5: the challenge is the greeting's
 * timestamp, the response "user SP hex(MD5(challenge secret))", only for
 * a {PLAIN} secret). After SCRAM's server-final
 * message ("v=...", returned with SASL_CONTINUE) the client sends an empty
 * response and only then is the result SASL_OK, as SMTP AUTH (RFC 4954 4)
 * and IMAP AUTHENTICATE carry it. Success data (none here) would be in out
 * with SASL_OK.
 *
 * The user database is reached only through the lookup callback; the
 * server verifies passwords itself (passwd_verify), compares secrets in
 * constant time and wipes its copies of them. A user that is unknown to
 * SCRAM-SHA-256 still gets a server-first message (with a salt derived
 * from the name under a per-process random key, so it looks like a stored
 * one) and fails only at the proof, so the exchange does not tell which
 * users exist; the reason for the log says "no such user". An authzid
 * other than the authcid is refused. Every client message is capped at
 * SASL_SERVER_INPUT_MAX bytes and every name at SASL_SERVER_NAME_MAX.
 * Peer input never panics; calling step again after a final result is a
 * caller bug and panics. Not thread-safe (one attempt, one caller). */
#ifndef TERN_MAIL_SASL_SERVER_H
#define TERN_MAIL_SASL_SERVER_H

#include <stddef.h>

struct buf;

#define SASL_SERVER_INPUT_MAX 4096 /* bytes of one decoded response */
#define SASL_SERVER_NAME_MAX 1024  /* bytes of a user name */

/* Mechanism names this module offers, strongest first, NULL-terminated. */
extern const char *const sasl_server_mechs[];

/* What sasl_server_step() says. */
enum sasl_status {
	SASL_CONTINUE,     /* out holds the next challenge */
	SASL_OK,           /* authenticated: see sasl_server_user() */
	SASL_FAIL,         /* bad credentials, no such user, authzid refused */
	SASL_TEMPFAIL,     /* lookup failed (or a malformed stored secret) */
	SASL_BAD_PROTOCOL, /* malformed client message (SMTP: 501) */
	SASL_VERIFY,       /* deferred mode: a password to check first */
};

/* A user's stored secret as passwd_file gives it: scheme "PLAIN",
 * "SCRAM-SHA-256", ... or NULL for crypt(3); stored is what follows the
 * {SCHEME} prefix. The strings belong to the lookup function and need stay
 * valid only until the step that called it returns. */
struct sasl_secret {
	const char *scheme;
	const char *stored;
};

/* Find user (NUL-terminated, at most SASL_SERVER_NAME_MAX bytes, no NUL
 * inside). Returns 1 and fills *secret_r when found, 0 for no such user,
 * -1 for a temporary failure. */
typedef int
sasl_lookup_fn(void *ctx, const char *user, struct sasl_secret *secret_r);

struct sasl_server;

/* Start an attempt with mechanism mech (case-insensitive) for a server
 * called hostname (CRAM-MD5's challenge names it). lookup and ctx must
 * outlive the attempt. Returns NULL for an unknown mechanism. */
struct sasl_server *sasl_server_create(const char *mech, const char *hostname,
    sasl_lookup_fn *lookup, void *ctx);
/* Wipe and free the attempt; sets *sp to NULL. NULL is a no-op. */
void sasl_server_destroy(struct sasl_server **sp);

/* Feed the client's next response: in_len bytes at in. has_input tells an
 * empty initial response ("AUTH PLAIN =") from none ("AUTH PLAIN") and
 * counts only in the first step; later responses always count as input.
 * out is reset, then receives the next challenge (SASL_CONTINUE) or any
 * final server data (SASL_OK); it must hold SASL_SERVER_INPUT_MAX bytes.
 * Returns an enum sasl_status; the attempt is over after anything other
 * than SASL_CONTINUE, and another step then panics. */
int sasl_server_step(struct sasl_server *s, const unsigned char *in,
    size_t in_len, int has_input, struct buf *out);

/* The authenticated authcid after SASL_OK; before that the claimed one or
 * "" (for the log only). Never NULL. */
const char *sasl_server_user(const struct sasl_server *s);
/* Why the attempt failed, for the log ("authentication failure", "no
 * such user", "authorization identity not allowed", a parse error...):
 * never for the client. NULL until a failure. */
const char *sasl_server_reason(const struct sasl_server *s);
/* The mechanism's canonical name ("PLAIN"). */
const char *sasl_server_mech(const struct sasl_server *s);

/* Deferred password checks, for a caller that checks passwords on other
 * threads (crypt(3) hashes cost milliseconds each): after this, a PLAIN or
 * LOGIN step that would check a password returns SASL_VERIFY instead;
 * sasl_server_verify_job() gives the check (copies, owned by s), the
 * caller runs passwd_verify() on it anywhere, and sasl_server_verified()
 * takes its result and gives the final status. A user that does not exist
 * gets a check too (of a default-scheme hash), so that the answer takes as
 * long. Call before the first step. */
void sasl_server_defer_verify(struct sasl_server *s);
void sasl_server_verify_job(const struct sasl_server *s, const char **scheme,
    const char **stored, const char **password);
/* rc and error are passwd_verify()'s. Returns SASL_OK, SASL_FAIL or
 * SASL_TEMPFAIL; the attempt is over, and the password copy wiped. */
int sasl_server_verified(struct sasl_server *s, int rc, const char *error);

/* For tests only: use text (at most 1024 bytes) where the mechanism would
 * use random data: as CRAM-MD5's whole challenge, as SCRAM-SHA-256's
 * server nonce (then printable ASCII without ','). Call before the first
 * step. */
void sasl_server_fix_random(struct sasl_server *s, const char *text);

#endif
