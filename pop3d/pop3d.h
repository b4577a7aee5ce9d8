/* pop3d - the POP3 server (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC
 * 5034 AUTH) on Maildir, in three processes per connection:
 *
 *   pop3d_serve.c  the process master started: server_login.h's split,
 *                  which never reads the client, learns the user from
 *                  auth(8) by the login's one-time cookie, finds the
 *                  Maildir and its owner as delivery does, and starts
 *                  the session as that owner.
 *   pop3d_login.c  the AUTHORIZATION state, as mail_owner: greeting (with
 *                  an APOP timestamp where APOP can work), CAPA, STLS (or
 *                  TLS from the first byte), USER/PASS, APOP and AUTH
 *                  through auth(8); after the login, server_login_relay
 *                  between the client (TLS or not) and the session.
 *   pop3d_trans.c  the TRANSACTION and UPDATE states, as the mailbox
 *                  owner for good (it cannot become root again), on a
 *                  socket pair to the login process: the mailbox store
 *                  (mailbox.h) does the rest.
 *
 * pop3d_cmd.c holds what both states share: the command line parser and
 * loop (the bad-command count), UIDLs. Log lines are Dovecot's ("pop3-login:
 * Login: user=<...>, method=PLAIN, rip=..., lip=..., mpid=..., TLS" and
 * "pop3(user): Disconnected: Logged out top=.../..., retr=.../...,
 * del=.../..., size=...") so that fail2ban's dovecot filter and log
 * analysers read them. */
#ifndef TERN_POP3D_H
#define TERN_POP3D_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "server/server_login.h"
#include "util/buf.h"

struct stream;

/* RFC 2449 4: a command line is at most 255 octets with its CRLF; SASL
 * responses (RFC 5034 4) may be longer. */
#define POP3_LINE_MAX 255
#define POP3_SASL_LINE_MAX 8192
/* Bad commands before the connection is closed (Dovecot's figure). */
#define POP3_BAD_MAX 10

/* One parsed command line: verb upper-cased, args (may be ""). */
struct pop3_cmd {
	char verb[8];
	const char *args;
};

/* pop3d_cmd.c */

/* A state's commands: fn gets the state's context and the arguments, and
 * returns 0 to read the next command or anything else (not one of the
 * POP3_END values) to end the loop with that value. */
struct pop3_command {
	const char *verb;
	int (*fn)(void *ctx, const char *args);
};

#define POP3_END_INPUT (-100) /* input ended, timed out or failed */
#define POP3_END_BAD (-101)   /* POP3_BAD_MAX unknown commands */

/* Flush the replies when no command waits (PIPELINING), read the next
 * command and run it from table (n entries): an unknown command or a
 * line too long gets -ERR and counts in *bad, the POP3_BAD_MAX-th only
 * "-ERR Too many bad commands." (one reply a command: a client in
 * lockstep never writes to a closed connection). Returns 0 or the command's
 * value, POP3_END_INPUT with *why_r ("Connection closed", "Disconnected
 * for inactivity" after telling the client, or the error), or
 * POP3_END_BAD after "-ERR Too many bad commands.". */
int
pop3_next(struct stream *s, struct buf *line, const struct pop3_command *table,
    size_t n, void *ctx, int *bad, const char **why_r);

/* Remove line's CRLF (or LF). */
void pop3_chomp(struct buf *line);
/* Parse line (its CRLF or LF removed in place): 0 with *cmd set, or -1
 * for an empty line or a verb that is not 1 to 4 letters (RFC 1939 3:
 * keywords are three or four characters; RFC 2449 allows up to four). */
int pop3_parse(struct buf *line, struct pop3_cmd *cmd);
/* Read one command line (at most POP3_LINE_MAX octets) into line: 1, 0
 * for a line too long (the rest is read and dropped; the caller answers
 * -ERR), or -1 for end of input, timeout or error (*why_r says which:
 * "Connection closed", "Disconnected for inactivity", or the error). */
int pop3_read_line(struct stream *s, struct buf *line, size_t max,
    const char **why_r);
/* Replace out with the UIDL of a message under pop3_uidl_format, with
 * Dovecot's variables for a Maildir: %u the UID, %v the UIDVALIDITY, %f
 * and %g the file's base name (its name without ":2,..."), %% a percent
 * sign; %m (Dovecot: mbox only) and other letters give nothing. Width
 * and a leading 0 as printf's; X (or x) hexadecimal in lower case, as
 * Dovecot writes it. */
void pop3_uidl(const char *format, unsigned uid, unsigned uidvalidity,
    const char *base, struct buf *out);

/* pop3d_serve.c: the process master started (server_login.h). */
void pop3d_pre_jail(void);
void pop3d_serve(int in_fd, int out_fd);
const struct login_service *pop3d_service(void);

/* pop3d_login.c: the login process; ctl is its socket to the serve
 * process. Returns when the connection is over. */
void pop3d_login(int in_fd, int out_fd, int ctl, const struct login_peer *p);
/* Set up TLS (as root, before the login process forks). */
void pop3d_login_init(void);

/* pop3d_trans.c: the session, on fd (a socket pair to the login
 * process), for user, in the Maildir at path. Returns when it is over. */
void pop3d_trans(int fd, const char *user, const char *path,
    const struct login_peer *p);

#endif
