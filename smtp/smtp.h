/* smtp - the outbound SMTP client: the body encoder (smtp_body.c), one
 * SMTP dialogue with one server (smtp_proto.c), and finding and greeting
 * the server of a next hop (smtp_connect.c), and the daemon's service of
 * qmgr's requests (smtp_serve.c). */
#ifndef TERN_SMTP_H
#define TERN_SMTP_H

#include <stddef.h>
#include <sys/types.h>

#include "tls/tls_level.h"

struct buf;
struct stream;

/* smtp_body.c - message content as it must go on the wire after DATA.
 * The queue keeps content with LF line ends; what a next hop sees has CRLF
 * line ends only and every line that starts with "." doubled (RFC 5321
 * section 4.5.2). A bare CR or a bare LF in the content becomes CRLF, so
 * that no content can make any server, strict or lenient, see the end of
 * data early: the outbound half of SMTP smuggling. The encoder is a state
 * machine fed in chunks cut anywhere. Pure; never fails. */
struct smtp_body {
	int bol; /* the next byte starts a line */
	int cr;  /* the last byte was a CR not yet written */
};
void smtp_body_init(struct smtp_body *e);
/* Append the encoding of n bytes of content to out, which must have room
 * for 2 * n + 2 more bytes. Returns 0, or -1 when it has not (a caller's
 * bug: out is left as it was, the encoder state is then undefined). */
int
smtp_body_put(struct smtp_body *e, const char *p, size_t n, struct buf *out);
/* End the content: a final line end when the last line lacks one, then
 * ".\r\n". Returns 0 or -1 as above. */
int smtp_body_end(struct smtp_body *e, struct buf *out);

/* smtp_proto.c - one SMTP session with one server, as a client. */

/* What the server offered in its EHLO reply (RFC 5321 section 4.1.1.1). */
#define SMTP_FEAT_ESMTP 0x01      /* EHLO was accepted */
#define SMTP_FEAT_PIPELINING 0x02 /* RFC 2920 */
#define SMTP_FEAT_SIZE 0x04       /* RFC 1870 */
#define SMTP_FEAT_8BITMIME 0x08   /* RFC 6152 */
#define SMTP_FEAT_SMTPUTF8 0x10   /* RFC 6531 */
#define SMTP_FEAT_DSN 0x20        /* RFC 3461 */
#define SMTP_FEAT_STARTTLS 0x40   /* RFC 3207 */

struct tls_client;
struct tls_conn;
struct smtp_tls {
	enum tls_level level;
	struct tls_client *ctx; /* NULL: TLS unavailable */
	const char *match; /* the name to verify; NULL: as the level says */
};

/* Per-step timeouts, seconds (Postfix's smtp_*_timeout parameters). */
struct smtp_timeouts {
	int helo; /* greeting and EHLO/HELO */
	int mail;
	int rcpt;
	int data_init; /* DATA until 354 */
	int data_xfer; /* each write of the content */
	int data_done; /* the reply after "." */
	int rset;
	int quit;
};

/* One server reply: the code, the enhanced status code ("5.1.1", or one
 * made from the code when the server gave none) and the text of all its
 * lines joined with spaces, without the codes. */
struct smtp_reply {
	int code; /* 0: no reply (lost connection, timeout) */
	char dsn[16];
	int dsn_given; /* the server wrote dsn itself */
	char text[1024];
};

struct smtp_sess;

/* Take over stream s (connected to the server named host, "name[addr]"
 * for logs and reports) and read the greeting, then say EHLO helo_name
 * (HELO when EHLO is refused with 5xx). Returns the session, or NULL with
 * *reply set when the server did not greet with 2xx or EHLO/HELO failed:
 * reply->code is the server's code, or 0 with the reason in reply->text
 * ("lost connection ...", "conversation ... timed out ..."); the stream is
 * destroyed then. */
struct smtp_sess *
smtp_sess_open(struct stream *s, const char *host, const char *helo_name,
    const struct smtp_timeouts *t, struct smtp_reply *reply);
/* Apply the TLS policy to a session just opened: STARTTLS when the
 * server offers it and the level asks, the certificate checked against
 * name (also sent as SNI; NULL: none) for verify and secure, then EHLO
 * again (RFC 3207 4.2). Returns 0 to go on (under TLS, or in clear
 * where the level allows), or -1 with *reply set (code 0 and a 4.7.x
 * status for a policy failure) and the session closed (*ssp NULL);
 * *handshake_failed_r = 1 when it was the handshake that failed, which a
 * "may" caller retries in clear, as Postfix does. */
int smtp_sess_tls(struct smtp_sess **ssp, const struct smtp_tls *tls,
    const char *name, struct smtp_reply *reply, int *handshake_failed_r);
/* The session's TLS connection, NULL in clear. */
const struct tls_conn *smtp_sess_tls_conn(const struct smtp_sess *ss);

/* The features the server offered, and its SIZE limit (0: none given). */
int smtp_sess_features(const struct smtp_sess *ss);
off_t smtp_sess_size_limit(const struct smtp_sess *ss);
/* Messages sent in this session so far. */
int smtp_sess_count(const struct smtp_sess *ss);
/* The host as given to smtp_sess_open. */
const char *smtp_sess_host(const struct smtp_sess *ss);

/* The content of one message, read in chunks: read returns 1 with a
 * chunk, 0 at the end, -1 with *error_r on a local read error. */
struct smtp_content {
	int (*read)(void *ctx, const char **p_r, size_t *n_r,
	    const char **error_r);
	void *ctx;
	off_t size;    /* octets as stored, for SIZE= */
	int body_8bit; /* BODY=8BITMIME was declared on receipt */
	int smtputf8;  /* received with SMTPUTF8 (RFC 6531) */
	/* RFC 3461, passed on to a server that offers DSN: RET (NULL:
	 * none) and the decoded ENVID (NULL: none). */
	const char *dsn_ret;
	const char *dsn_envid;
};

/* The outcome of one recipient. */
enum smtp_rcpt_status {
	SMTP_RCPT_SENT,   /* 2xx after the content */
	SMTP_RCPT_DEFER,  /* 4xx, or the session failed: try later */
	SMTP_RCPT_BOUNCE, /* 5xx */
};
struct smtp_rcpt {
	const char *addr;             /* in: the address for RCPT TO */
	int notify;                   /* in: DSN NOTIFY mask, 0: none */
	const char *orcpt;            /* in: DSN ORCPT "type;addr", NULL */
	enum smtp_rcpt_status status; /* out */
	char dsn[16];                 /* out: enhanced status code */
	/* out, freed by smtp_rcpt_clear: the reply when sent ("250 2.0.0 Ok:
	 * queued as X"), else "host H said: 550 5.1.1 ... (in reply to RCPT
	 * TO command)" or the local reason */
	char *text;
	/* out, freed by smtp_rcpt_clear: for the DSN when a server replied,
	 * "smtp; 550 5.1.1 text" (RFC 3464 2.3.6) and the server's name
	 * (Remote-MTA); NULL otherwise */
	char *diag;
	char *mta;
	/* out: sent to a server without DSN although the sender asked for
	 * NOTIFY=SUCCESS: ours is the last report (RFC 3461 5.2.2.2) */
	int relayed;
};
void smtp_rcpt_clear(struct smtp_rcpt *r);

/* Send one message: MAIL FROM:<sender>, RCPT TO for each recipient, DATA
 * and the content, pipelined when the server offers PIPELINING (RFC 2920
 * section 3.1: MAIL, RCPT and DATA in one group, replies read in order).
 * To a server that offers DSN the RFC 3461 parameters go along (RET and
 * ENVID on MAIL, NOTIFY and ORCPT on RCPT).
 * Fills status, dsn and text of every recipient. Returns 0 when the
 * session is still usable for another message (RSET was accepted after a
 * failed transaction), -1 when it is not (the caller closes it); the
 * recipients carry their results either way. A local content read error
 * defers every recipient. */
int smtp_sess_send(struct smtp_sess *ss, const char *sender,
    struct smtp_content *content, struct smtp_rcpt *rcpt, size_t nrcpt);
/* Say QUIT (when the session is usable), close and free. NULL is
 * allowed; *ssp becomes NULL. */
void smtp_sess_close(struct smtp_sess **ssp, int quit);

/* smtp_connect.c - from a next hop to an open session. */

/* A next hop as qmgr names it (Postfix's syntax): "domain" (MX lookup),
 * "[host]" (no MX lookup), either with ":port"; "[addr]" and
 * "[ipv6addr]" are address literals. */
struct smtp_dest {
	char *host;
	int port;
	int no_mx;
};
/* Parse nexthop; port defaults to default_port. Returns 0, or -1 with
 * *error_r (static text). */
int smtp_dest_parse(const char *nexthop, int default_port, struct smtp_dest *d,
    const char **error_r);
void smtp_dest_free(struct smtp_dest *d);

struct smtp_conf {
	const char *helo_name;  /* smtp_helo_name */
	const char *myhostname; /* loop detection */
	int families;           /* DNS_INET4 | DNS_INET6 */
	int connect_timeout;    /* smtp_connect_timeout */
	int dns_timeout;        /* seconds for one host's lookups */
	int mx_address_limit;   /* smtp_mx_address_limit, 0: none */
	int mx_session_limit;   /* smtp_mx_session_limit, 0: none */
	struct smtp_timeouts t;
	struct smtp_tls tls;
};

/* Why no session could be had: to defer or to bounce every recipient. */
struct smtp_fail {
	int permanent;
	char dsn[16];
	char text[1024];
};

/* Find the servers of d and open a session with the first that greets:
 * mail exchangers in preference order (RFC 5321 section 5.1), each
 * exchanger's addresses in order, at most mx_address_limit addresses
 * tried and mx_session_limit greetings had. Exchangers whose preference
 * is not better than one naming this host (myhostname) are left out, and
 * when that leaves none the mail loops back to us: a permanent failure
 * (5.4.6). A domain that does not exist or has a null MX is permanent; a
 * lookup that must be retried, a server that cannot be reached or that
 * will not talk to us is temporary. Returns the session, or NULL with
 * *fail set. Runs the event loop while it waits for DNS. */
struct smtp_sess *smtp_connect(const struct smtp_dest *d,
    const struct smtp_conf *conf, struct smtp_fail *fail);

/* smtp_tls_policy.c - which TLS a next hop gets. */

/* Open smtp_tls_policy_maps (before the privilege drop). A table that
 * cannot be opened is logged, and every delivery then defers (4.3.5). */
void smtp_tls_policy_init(void);
/* The policy of nexthop (parsed as d): its smtp_tls_policy_maps entry
 * (looked up as the next hop was given, then as its domain), else
 * smtp_tls_security_level; the client context made on first use. match
 * holds the name tls->match may point to. Returns 0, or -1 with *fail set
 * (4.3.5, a configuration error that a retry may find mended). */
int smtp_tls_policy(const char *nexthop, const struct smtp_dest *d,
    struct smtp_tls *tls, struct buf *match, struct smtp_fail *fail);

/* smtp_serve.c - qmgr's requests (proto_smtp.h) on one connection. */
void smtp_serve(int in_fd, int out_fd);
/* The address families named by an inet_protocols value ("all", "ipv4",
 * "ipv6", or a list): DNS_INET4 | DNS_INET6 bits, 0 when it is bad. */
int smtp_families(const char *value);

#endif
