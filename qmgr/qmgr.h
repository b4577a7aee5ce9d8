/* qmgr - the queue manager: finds new and due mail (qmgr_scan.c), keeps
 * the messages it works on in memory (qmgr_message.c), hands recipients
 * to the delivery agents (local for our mailboxes, smtp for other
 * domains) with bounded concurrency (qmgr_deliver.c)
 * and returns what cannot be delivered to its sender (qmgr_bounce.c).
 * Every state change is on disk first: a recipient is done when its
 * queue-file record says so; a message's queue is the directory that
 * holds it. The in-memory state can be lost at any time and is rebuilt
 * from the queue by the next qmgr. */
#ifndef TERN_QMGR_H
#define TERN_QMGR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mail/dsn.h"

struct qfile;

enum rcpt_state {
	RCPT_PENDING, /* not yet tried in this activation */
	RCPT_BUSY,    /* with the delivery agent */
	RCPT_DONE,    /* delivered, or done in an earlier run */
	RCPT_BOUNCE,  /* permanent failure: to be returned */
	RCPT_DEFER,   /* temporary failure: try later */
};

struct qmsg {
	char id[32];
	struct qfile *q;
	enum rcpt_state *state;
	char **status; /* enhanced code of a failure */
	char **reason; /* its text */
	/* a success report to send (NOTIFY=SUCCESS): "delivered",
	 * "relayed", or NULL */
	const char **report;
	/* from the next hop, for the report: "smtp; 550 ..." and its name */
	char **diag;
	char **mta;
	int jobs;     /* delivery requests outstanding */
	int deferlog; /* a defer/ file (qdefer.h) may exist */
	struct qmsg *next;
};

/* qmgr_message.c */
extern size_t qmgr_active_count;
/* Messages in memory at most: QMGR_ACTIVE_LIMIT, or fewer when the
 * descriptor limit is low (set by qmgr_init). */
extern size_t qmgr_active_limit;
#define QMGR_ACTIVE_LIMIT 1000
/* Bring queue file id from queue dir `from` into active/ and start its
 * deliveries. Returns 0; -1 when this file could not be taken (logged;
 * a damaged file is moved to corrupt/); QMGR_RETRY_LATER when the system
 * could not open or read it (a descriptor shortage, an I/O error): the
 * file stays where it is, and the caller should stop scanning for now. */
#define QMGR_RETRY_LATER (-2)
int qmgr_activate(const char *id, const char *from);
int qmgr_is_active(const char *id);
/* 1 while messages are in memory (a restart waits for them). */
int qmgr_busy(void);
/* A recipient's result (from the agent or from qmgr itself). */
void
qmgr_result(struct qmsg *m, size_t i, const char *status, const char *text);
/* All requests of m are answered: finish, defer or bounce it. */
void qmgr_message_done(struct qmsg *m);

/* qmgr_deliver.c: hand recipients idx[0..n) of m to transport ("local",
 * "smtp") for nexthop (NULL for local), in requests of the transport's
 * batch size. Results come back through qmgr_result. */
void qmgr_deliver_add(struct qmsg *m, const char *transport,
    const char *nexthop, const size_t *idx, size_t n);
void qmgr_deliver_init(void);
/* Before the jail: each transport's process limit from its service's
 * maxproc in master.cf ("-": default_process_limit, 0: none), so that
 * qmgr never opens more connections than master will serve. */
void qmgr_deliver_limits(void);
/* main.c's pre_jail: the resolver's tables and the limits above. */
void qmgr_pre_jail(void);

/* A recipient's success (status 2.x.x, after qmgr_result): remember the
 * report to send when it asked for one (NOTIFY=SUCCESS); action is
 * "delivered" (into a mailbox here) or "relayed" (to a next hop without
 * DSN), anything else needs no report from us. */
void qmgr_success(struct qmsg *m, size_t i, const char *action);
/* What the next hop said about recipient i (after qmgr_result), for its
 * report; "" for either leaves it out. */
void qmgr_remote(struct qmsg *m, size_t i, const char *diag, const char *mta);

/* qmgr_bounce.c: queue a notification (RFC 3464) to m's sender about the
 * recipients it concerns: those that failed (state BOUNCE) and want
 * failure reports, those deferred (state DEFER) that want delay
 * warnings, or those with a success report (m->report). Returns 0
 * (queued; or none was due: NOTIFY, a double bounce, delay or success
 * of a notice) or -1 (nothing queued: try again later). */
int qmgr_notify(struct qmsg *m, enum dsn_kind kind);

/* qmgr_sched.c: pure scheduling decisions. */
#define QMGR_FD_RESERVE 32
/* Seconds until the next attempt of a message that arrived at arrival and
 * was deferred at now: its age, within [min_wait, max_wait]. */
long qmgr_backoff(time_t now, time_t arrival, long min_wait, long max_wait);
/* 1 when a message that arrived at arrival has been queued for lifetime
 * seconds or more at now, else 0. */
int qmgr_expired(time_t now, time_t arrival, long lifetime);
/* Recipients in the request that starts at index off of a message with n
 * recipients to deliver, at most max per request; 0 past the end. */
size_t qmgr_batch_len(size_t n, size_t off, size_t max);
/* How many messages may be active with nofile descriptors, when up to
 * agents delivery agent connections are open: at least 1, at most
 * QMGR_ACTIVE_LIMIT. */
size_t qmgr_active_limit_for(unsigned long nofile, long agents);
/* Raise the soft RLIMIT_NOFILE to the hard limit (when allowed) and
 * return the soft limit now in force. Never fails. */
size_t qmgr_fd_budget(void);

/* Slow start and suspension of one next hop (qmgr_deliver.c keeps one
 * per smtp next hop). window: connections allowed now; cohorts: failures
 * in a row while window was 1. */
struct qmgr_hop_sched {
	long window;
	long cohorts;
};
/* A hop's first state, or its state after a suspension ends: window
 * initial (at most limit, at least 1), no failures. */
void qmgr_hop_start(struct qmgr_hop_sched *s, long initial, long limit);
/* A delivery reached the hop: one more connection allowed, up to limit;
 * the failure count is cleared. */
void qmgr_hop_success(struct qmgr_hop_sched *s, long limit);
/* A connection-level failure: the window falls to 1; a failure at window
 * 1 counts, and when cohort_limit have counted in a row the hop is to be
 * suspended: returns 1 (the caller suspends it and calls qmgr_hop_start
 * when the suspension ends); otherwise 0. */
int qmgr_hop_failure(struct qmgr_hop_sched *s, long cohort_limit);
/* 1 when an agent's status for a recipient says the destination could
 * not be reached or talked to (4.4.x: no answer, bad connection, routing
 * or DNS failure), else 0. */
int qmgr_status_hop_failed(const char *status);

/* qmgr_scan.c */
void qmgr_scan_incoming(void);
void qmgr_scan_deferred(int all);
void qmgr_scan_soon(void);
/* post_jail: lock the queue, recover active/, start the timers. */
void qmgr_init(void);
void qmgr_trigger(const char *req, size_t len);

#endif
