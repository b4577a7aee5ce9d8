/* anvil - the counts behind smtpd's client limits, as Postfix's anvil(8)
 * keeps them. For each client identity ("service:address") it knows how
 * many connections are open now and how many connections, messages,
 * recipients and AUTH commands the client made in its current rate window:
 * a window opens at the client's first event and lasts window_ms; the
 * next event after it opens a new one. An identity is forgotten once
 * nothing is open and its window has passed (anvil_expire), so memory
 * follows the clients of the last window, not all clients ever seen.
 * The table only counts: smtpd compares with its limits and decides. */
#ifndef TERN_ANVIL_H
#define TERN_ANVIL_H

#include <stddef.h>
#include <stdint.h>

enum anvil_event {
	ANVIL_CONN, /* a connection (anvil_connect counts it) */
	ANVIL_MAIL, /* a MAIL FROM */
	ANVIL_RCPT, /* a RCPT TO */
	ANVIL_AUTH, /* an AUTH command */
	ANVIL_NEVENTS,
};

struct anvil;

struct anvil *anvil_create(int64_t window_ms);
void anvil_destroy(struct anvil **ap);

/* A connection opens: the open count and the connection rate, both with
 * this one counted. */
void anvil_connect(struct anvil *a, const char *ident, int64_t now_ms,
    long *count_r, long *rate_r);
/* A connection closes (an unknown identity or a count of 0 is ignored). */
void anvil_disconnect(struct anvil *a, const char *ident, int64_t now_ms);
/* Count one event of kind ev; returns the rate with it counted. */
long anvil_event(struct anvil *a, const char *ident, enum anvil_event ev,
    int64_t now_ms);
/* Forget identities with nothing open whose window has passed. */
void anvil_expire(struct anvil *a, int64_t now_ms);
size_t anvil_size(const struct anvil *a);

#endif
