/* auth_serve - auth(8)'s event-loop side: the state of auth.h and the
 * SASL attempts of sasl_server.h behind the protocol of proto_auth.h, for
 * the server skeleton's SERVER_MULTI kind. One process keeps every
 * client connection, so the penalty counts are shared by all smtpd,
 * pop3d and imapd processes; a penalty delays a reply with an event
 * timer, never by sleeping, so other clients are answered meanwhile. */
#ifndef TERN_AUTH_SERVE_H
#define TERN_AUTH_SERVE_H

/* After the privilege drop: the user table (auth_user_file, read at the
 * first request and checked again before each attempt) and the penalty
 * expiry timer. */
void auth_init(void);
/* Undo auth_init(): the user table, the penalty counts and the expiry
 * timer go. Close every connection first. For tests, which start each
 * case afresh. */
void auth_deinit(void);
/* Never busy: penalties may be lost at a restart. */
int auth_busy(void);
/* A new client connection. */
void auth_accept(int fd);

/* Test seam: the longest a final reply is held for its penalty, in
 * milliseconds. auth(8) leaves it at AUTH_PENALTY_CAP_MS, which caps
 * nothing; tests/fuzz/auth_serve_fuzz.c sets 0, so that a held reply
 * still takes the timer path but goes out at the next turn of the event
 * loop instead of seconds later. */
extern long auth_serve_hold_max_ms;

#endif
