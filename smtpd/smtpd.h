/* smtpd - the SMTP server's session state, shared by its modules.
 * smtpd.c runs the command loop, replies and error accounting;
 * smtpd_cmd.c holds one handler per command (the dispatch table);
 * smtpd_data.c receives a message into a queue file (the cleanup step),
 * for DATA and for smtpd_bdat.c's BDAT chunks alike, with smtpd_dot.c for
 * the bytes and smtpd_dup.c against duplicate recipients; smtpd_forbid.c
 * refuses lines that are not SMTP (smtpd_forbidden_commands);
 * smtpd_tls.c runs STARTTLS and wrapper mode; smtpd_auth.c SMTP AUTH; smtpd_peer.c names the client
 * (smtpd_peername_lookup). */
#ifndef TERN_SMTPD_H
#define TERN_SMTPD_H

#include <stddef.h>
#include <sys/time.h>
#include <time.h>

#include "util/buf.h"

struct stream;
struct smtpd_msg;
struct tls_conn;

struct smtpd_rcpt {
	char *orig;   /* as the client wrote it (canonical form) */
	char **final; /* after virtual alias expansion */
	size_t nfinal;
	int notify;  /* DSN NOTIFY mask (dsn_param.h), 0: not given */
	char *orcpt; /* DSN ORCPT "type;address", NULL: not given */
};

#define SMTPD_CMD_SLOTS 16 /* >= commands in the table + 1 */

struct smtpd_session {
	struct stream *s;
	char client_name[256];
	char client_addr[64];
	char client[340];     /* "name[addr]" for logs */
	int limited;          /* counted by anvil (smtpd_limit.h) */
	int split_io;         /* reads and writes on two descriptors (no TLS) */
	struct tls_conn *tls; /* TLS runs (smtpd_tls.h); the stream owns it */
	char *tls_info;       /* "TLSv1.3 with cipher ..." for Received: */
	char *sasl_user;      /* SMTP AUTH login (smtpd_auth.h); NULL: none */
	char *sasl_method;    /* its mechanism, upper case */
	char *helo;
	int esmtp;
	char *sender; /* NULL: no MAIL yet */
	long declared_size;
	int body_8bit;   /* MAIL FROM said BODY=8BITMIME (RFC 6152) */
	int smtputf8;    /* MAIL FROM said SMTPUTF8 (RFC 6531) */
	int dsn_ret;     /* MAIL FROM RET= (RFC 3461 4.3), 0: none */
	char *dsn_envid; /* MAIL FROM ENVID=, decoded; NULL: none */
	struct smtpd_rcpt *rcpt;
	size_t nrcpt;
	size_t nfinal;       /* final recipients over all rcpt */
	int rcpt_tried;      /* RCPT commands in this transaction */
	long rcpt_overshoot; /* of them, refused for smtpd_recipient_limit */
	/* The message being received: set from the first BDAT chunk to
	 * BDAT LAST (and during DATA); smtpd_reset drops it. */
	struct smtpd_msg *msg;
	int errors;
	int quit;
	time_t session_end; /* smtpd_session_deadline; 0: none */
	const char *where;  /* last command, for disconnect logs */
	struct buf line;
	/* For the disconnect line: per command of smtpd_cmd_table (the
	 * last slot counts unknown commands), how many and how many
	 * succeeded (no 4xx/5xx reply). */
	int cmd_total[SMTPD_CMD_SLOTS], cmd_ok[SMTPD_CMD_SLOTS];
};

/* smtpd.c */
void smtpd_reply(struct smtpd_session *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same, for a refusal that does not count toward the error limits. */
void smtpd_reply_uncounted(struct smtpd_session *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void smtpd_reset(struct smtpd_session *ss);
/* Bound every read and write from now on by request_end (0: none) and by
 * the session deadline, whichever comes first. */
void smtpd_deadline(struct smtpd_session *ss, time_t request_end);
/* A read ran out of time: log "timeout after <after> from <client>" and
 * queue 421 4.4.2, which gets a short grace of its own to be sent. The
 * caller ends the session. */
void smtpd_timed_out(struct smtpd_session *ss, const char *after);
void smtpd_session(int in_fd, int out_fd);
/* Test seam for tests/fuzz/smtpd_tls_fuzz.c: when not NULL, smtpd_session()
 * calls it once the client is named, before the greeting, so that a
 * session can start in the state a TLS handshake or an AUTH leaves
 * (ss->tls, ss->tls_info, ss->sasl_user, ss->sasl_method; the session
 * frees the strings). Always NULL in smtpd. */
typedef void smtpd_session_hook_fn(struct smtpd_session *ss);
extern smtpd_session_hook_fn *smtpd_session_test_hook;
/* The skeleton's pre_jail hook (still root): tables, resolver, and the
 * relay restrictions (a bad list is fatal: smtpd_check.h). */
void smtpd_pre_jail(void);
const char *smtpd_proto(const struct smtpd_session *ss);

/* smtpd_peer.c: set up the resolver for smtpd_peername_lookup (a
 * failure is logged: every client is then "unknown"). */
void smtpd_peer_init(void);
/* Fill ss->client_addr, ss->client_name and ss->client ("name[addr]")
 * for the client on fd: the forward-confirmed DNS name, or "unknown",
 * within smtpd_peername_lookup_timeout. Never fails. */
void smtpd_peer(struct smtpd_session *ss, int fd);
/* 1 when name (from a PTR record) may be a host's name: labels of
 * letters, digits, '-' and '_', none starting or ending with '-', at most
 * 63 octets each and 253 in all, the last one not all digits. Else 0,
 * with *numeric_r = 1 when only that last rule failed. */
int smtpd_peer_hostname_ok(const char *name, int *numeric_r);

/* smtpd_cmd.c: returns 0 to go on; the handler has replied. */
typedef int smtpd_cmd_fn(struct smtpd_session *ss, char *args);
struct smtpd_cmd {
	const char *name;
	smtpd_cmd_fn *fn;
	int flags;
};
#define SMTPD_CMD_NO_ARGS 0x1 /* arguments are a syntax error */
extern const struct smtpd_cmd smtpd_cmd_table[];

/* What one command line is, for smtpd_parse_line(). */
enum smtpd_line {
	SMTPD_LINE_CMD,       /* a command of smtpd_cmd_table */
	SMTPD_LINE_UNKNOWN,   /* a word that is no command: 502 */
	SMTPD_LINE_BAD,       /* empty, or a NUL or a bare CR: 500 */
	SMTPD_LINE_FORBIDDEN, /* smtpd_forbidden_commands: hang up */
};

/* Take one command line as read (its line end included) apart in place:
 * the line end is removed, *verb_r is the first word (NUL-terminated for
 * CMD and UNKNOWN; for FORBIDDEN the rest of the line, for the log; NULL
 * for BAD), *args_r what follows its first space, without leading
 * spaces (CMD and UNKNOWN only), *cmd_r the table entry (CMD only).
 * Never fails. */
enum smtpd_line smtpd_parse_line(struct buf *line, char **verb_r, char **args_r,
    const struct smtpd_cmd **cmd_r);

/* smtpd_forbid.c: 1 when the command name verb (len bytes, not empty)
 * is one of smtpd_forbidden_commands: a listed name (any case), or, with
 * the entry "regexp:{{/^[^A-Z]/ Bogus}}" of Postfix's default, a name
 * that does not start with an ASCII letter. Else 0. Never fails; a list
 * entry it cannot use is logged once and ignored. */
int smtpd_forbidden(const char *verb, size_t len);

/* smtpd_data.c: one message into one queue file (the cleanup step),
 * whichever command carries it. A message is opened with the envelope of
 * the transaction, fed the client's bytes, and finished (committed with
 * 250, or refused) or aborted (its temporary file unlinked). Refusals
 * found while the bytes stream in (size, header size, hops, a write
 * error) are kept and answered at the finish, after the client has sent
 * everything, so that the session stays in step. */

/* The reply that refuses DATA or BDAT in the transaction of ss (no MAIL,
 * no valid RCPT), or NULL to go on. */
const char *smtpd_msg_refusal(const struct smtpd_session *ss);
/* Start a message for the transaction of ss: a new queue file with the
 * envelope, the "client=" log line and our Received: header. raw: the
 * bytes come from BDAT (no end marker, no dot-stuffing; smtpd_dot.h).
 * Returns NULL, with the cause logged, when the queue file cannot be
 * written (the caller answers 451). */
struct smtpd_msg *smtpd_msg_open(struct smtpd_session *ss, int raw);
/* Take n bytes from the client. Returns the bytes used: n, or fewer when
 * DATA's end of data was reached (*done_r = 1; the rest is not ours).
 * Never fails: a refusal is kept for smtpd_msg_finish. */
size_t
smtpd_msg_feed(struct smtpd_msg *m, const char *p, size_t n, int *done_r);
/* The RFC 1870 size received so far. */
long long smtpd_msg_octets(const struct smtpd_msg *m);
/* 1 when the message will be refused at its finish, else 0. */
int smtpd_msg_refused(const struct smtpd_msg *m);
/* The message ss->msg is complete: log its Message-ID, then commit it and
 * reply 250 with the queue ID, or reply with the refusal; cmd ("DATA",
 * "BDAT") names the command in reject log lines. Ends the transaction
 * (smtpd_reset), ss->msg included. */
void smtpd_msg_finish(struct smtpd_session *ss, const char *cmd);
/* Drop a message that will not be finished; the queue file goes. *mp
 * becomes NULL; NULL is allowed. */
void smtpd_msg_abort(struct smtpd_msg **mp);

int smtpd_cmd_data(struct smtpd_session *ss, char *args);

/* smtpd_bdat.c: BDAT (RFC 3030 CHUNKING). */
int smtpd_cmd_bdat(struct smtpd_session *ss, char *args);
/* Parse BDAT's arguments, "<chunk-size> [LAST]" (RFC 3030 section 2:
 * 1*DIGIT, then optionally SP "LAST" in any case). Returns 0 with
 * *size_r and *last_r set, or -1 for anything else (no digits, a sign,
 * other words, a size that does not fit in a long long). */
int smtpd_bdat_parse(const char *args, long long *size_r, int *last_r);

#endif
