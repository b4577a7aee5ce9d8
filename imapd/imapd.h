/* imapd - the IMAP server (RFC 9051 IMAP4rev2, RFC 3501 IMAP4rev1) on
 * Maildir, in three processes per connection, as pop3d:
 *
 *   imapd_serve.c   the process master started: server_login.h's split,
 *                   which never reads the client, learns the user from
 *                   auth(8) by the login's one-time cookie, finds the
 *                   Maildir and its owner as delivery does, and starts
 *                   the session as that owner.
 *   imapd_login.c   the not authenticated state (RFC 9051 3.1, 6.1, 6.2),
 *                   as mail_owner: greeting, CAPABILITY, NOOP, LOGOUT, ID
 *                   (RFC 2971), STARTTLS (or TLS from the first byte),
 *                   LOGIN and AUTHENTICATE (SASL-IR, RFC 4959) through
 *                   auth(8); after the login, the hand-over below and
 *                   server_login_relay between the client and the session.
 *   imapd_session.c the authenticated and selected states, as the mailbox
 *                   owner for good, on a socket pair to the login process.
 *
 * imapd_cmd.c holds what both may share: the command reader (imap_parse.h
 * fed from a stream without reading past the command it returns) and the
 * argument helpers; the pre-login capability list is built there too.
 *
 * The hand-over: the session's socket first carries one line from the
 * login process, "<tag>\r\n", the tag of the LOGIN or AUTHENTICATE command
 * that logged in; the session answers it with "<tag> OK [CAPABILITY ...]
 * Logged in". Then come the client's bytes as they arrive, starting with
 * whatever the client pipelined behind its login command.
 *
 * Log lines are Dovecot's ("imap-login: Login: user=<...>, method=PLAIN,
 * rip=..., lip=..., mpid=..., TLS", "imap-login: Disconnected (auth
 * failed, 1 attempts in 2 secs): user=<...>, method=PLAIN, rip=...,
 * lip=..., TLS") so that fail2ban's dovecot filter reads them. */
#ifndef TERN_IMAPD_H
#define TERN_IMAPD_H

#include <stddef.h>

#include "mail/imap_parse.h"
#include "server/server_login.h"
#include "util/buf.h"

struct stream;

/* Before login, commands are small (RFC 9051 6.2): a line of at most
 * this many octets, literals only up to LITERAL-'s 4096 (RFC 7888 4),
 * and at most this much of them in one command. */
#define IMAPD_LOGIN_LINE_MAX 8192
#define IMAPD_LOGIN_LITERAL_MAX IMAP_PARSE_LITERAL_MINUS_MAX
#define IMAPD_LOGIN_COMMAND_LITERAL_MAX (2 * IMAPD_LOGIN_LITERAL_MAX)
/* A SASL response line (RFC 9051 6.2.2: base64, no limit of its own). */
#define IMAPD_SASL_LINE_MAX 8192
/* Bad commands before the connection is closed (Dovecot's figure). */
#define IMAPD_BAD_MAX 10

/* imapd_cmd.c */

/* A command reader: bytes are read from s one line (or a piece of a long
 * one) at a time and fed to the parser, which never consumes past the
 * command it reports; since a command ends with a LF, no byte behind it
 * is taken from the stream either, and what the client pipelined stays
 * in s (for STARTTLS's discard and for the relay after login). The chunk
 * holds the bytes read and not yet fed. */
struct imapd_reader {
	struct stream *s;
	struct imap_parser *parser;
	struct buf chunk;
	size_t off; /* bytes of chunk fed so far */
};

enum imapd_read_status {
	IMAPD_READ_COMMAND, /* imap_parser_command(r->parser) is ready */
	IMAPD_READ_BAD,     /* answer "<tag> BAD <error>" (parser's) */
	IMAPD_READ_FATAL,   /* "* BYE <error>" and close */
	IMAPD_READ_EOF,     /* the client closed (or a read failed) */
	IMAPD_READ_TIMEOUT, /* no command within the stream's timeout */
};

/* Set up r on s with a parser under lim (NULL: the defaults). Never
 * fails. */
void imapd_reader_init(struct imapd_reader *r, struct stream *s,
    const struct imap_parser_limits *lim);
void imapd_reader_deinit(struct imapd_reader *r);
/* Forget the partial command and the bytes read but not fed (after
 * STARTTLS, with stream_discard_input). */
void imapd_reader_reset(struct imapd_reader *r);
/* Flush the replies when no input waits, then read until the next
 * command, BAD or FATAL; a synchronizing literal the parser accepts gets
 * "+ OK" at once (RFC 9051 7.5). Returns an enum imapd_read_status; with
 * IMAPD_READ_EOF, *why_r says why ("Connection closed" or the error). */
int imapd_read(struct imapd_reader *r, const char **why_r);
/* Bytes read from the stream but not fed to the parser (none after a
 * command, as said above; a caller handing the connection over passes
 * them on all the same). */
const char *imapd_reader_rest(const struct imapd_reader *r, size_t *len_r);

/* An astring argument (RFC 9051 9: atom or string, so also what parses
 * as a number, a sequence set or NIL, and a literal but not literal8):
 * its text, or NULL for a list, a literal8 or a section. */
const char *imapd_arg_astring(const struct imap_arg *a);

/* The pre-login capability list (RFC 9051 7.2.2) into out (replaced):
 * IMAP4rev1 IMAP4rev2 SASL-IR ID ENABLE IDLE LITERAL-, then STARTTLS when
 * starttls, LOGINDISABLED unless plaintext (RFC 9051 6.2.3), and AUTH=
 * for each of mechs (auth's space-separated list, NULL for none) that
 * may be used now (login_common.h's login_mechs_now: PLAIN and LOGIN only
 * with plaintext). */
void imapd_capability_login(const char *mechs, int starttls, int plaintext,
    struct buf *out);

/* imapd_serve.c: the process master started (server_login.h). */
void imapd_pre_jail(void);
void imapd_serve(int in_fd, int out_fd);
const struct login_service *imapd_service(void);

/* imapd_login.c: the login process; ctl is its socket to the serve
 * process. Returns when the connection is over. */
void imapd_login(int in_fd, int out_fd, int ctl, const struct login_peer *p);
/* Set up TLS (as root, before the login process forks). */
void imapd_login_init(void);

/* imapd_session.c: the session, on fd (a socket pair to the login
 * process; its first line is the login command's tag), for user, in the
 * Maildir at maildir. Returns when it is over. */
void imapd_session(int fd, const char *user, const char *maildir,
    const struct login_peer *p);

#endif
