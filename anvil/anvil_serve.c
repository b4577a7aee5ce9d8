/* SPDX-License-Identifier: MIT */
/* anvil_serve - anvil(8)'s clients: each connection (one smtpd process) is
 * watched on the event loop; a readable connection has its requests
 * answered in order until no more are buffered. Requests are a few dozen
 * bytes written at once by our own daemons, so reading one whole waits at
 * most ANVIL_READ_TIMEOUT, never for long. */
#include <string.h>

#include "conf/params.h"
#include "proto/proto_anvil.h"
#include "util/attr.h"
#include "util/event.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "anvil.h"
#include "anvil_serve.h"

#define ANVIL_READ_TIMEOUT 1

struct conn {
	struct stream *s;
	char *ident; /* the connection it has open, if any */
};

static struct anvil *table;

static void
expire_tick(void *ctx)
{
	(void)ctx;
	anvil_expire(table, event_now_ms());
	event_timer(var_anvil_time_unit * 1000, expire_tick, NULL);
}

void
anvil_init(void)
{
	table = anvil_create((int64_t)var_anvil_time_unit * 1000);
	event_timer(var_anvil_time_unit * 1000, expire_tick, NULL);
}

int
anvil_busy(void)
{
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->ident != NULL)
		anvil_disconnect(table, c->ident, event_now_ms());
	event_unwatch(stream_fd(c->s));
	stream_destroy(&c->s);
	xfree(c->ident);
	xfree(c);
}

/* Answer one request; 0, or -1 when the reply cannot be queued. */
static int
answer(struct conn *c, const struct attr_list *req)
{
	const char *what = attr_get(req, ATTR_ANVIL_REQUEST);
	const char *ident = attr_get(req, ATTR_ANVIL_IDENT);
	int64_t now = event_now_ms();
	long count = 0, rate = 0;
	enum anvil_event ev;

	if (what == NULL || ident == NULL) {
		log_warn("request without %s or %s", ATTR_ANVIL_REQUEST,
		    ATTR_ANVIL_IDENT);
		return attr_put(c->s, ATTR_ANVIL_STATUS, "1") < 0 ||
			attr_put_end(c->s) < 0
		    ? -1
		    : 0;
	}
	if (strcmp(what, ANVIL_REQ_CONNECT) == 0) {
		/* One session at a time per client process: an open one it
		 * never closed ends here. */
		if (c->ident != NULL)
			anvil_disconnect(table, c->ident, now);
		xfree(c->ident);
		c->ident = xstrdup(ident);
		anvil_connect(table, ident, now, &count, &rate);
		return attr_put(c->s, ATTR_ANVIL_STATUS, "0") < 0 ||
			attr_put_long(c->s, ATTR_ANVIL_COUNT, count) < 0 ||
			attr_put_long(c->s, ATTR_ANVIL_RATE, rate) < 0 ||
			attr_put_end(c->s) < 0
		    ? -1
		    : 0;
	}
	if (strcmp(what, ANVIL_REQ_DISCONNECT) == 0) {
		if (c->ident != NULL && strcmp(c->ident, ident) == 0) {
			anvil_disconnect(table, ident, now);
			xfree(c->ident);
			c->ident = NULL;
		}
		return attr_put(c->s, ATTR_ANVIL_STATUS, "0") < 0 ||
			attr_put_end(c->s) < 0
		    ? -1
		    : 0;
	}
	if (strcmp(what, ANVIL_REQ_MAIL) == 0)
		ev = ANVIL_MAIL;
	else if (strcmp(what, ANVIL_REQ_RCPT) == 0)
		ev = ANVIL_RCPT;
	else if (strcmp(what, ANVIL_REQ_AUTH) == 0)
		ev = ANVIL_AUTH;
	else {
		log_warn("unknown request \"%s\"", log_str(what));
		return attr_put(c->s, ATTR_ANVIL_STATUS, "1") < 0 ||
			attr_put_end(c->s) < 0
		    ? -1
		    : 0;
	}
	rate = anvil_event(table, ident, ev, now);
	return attr_put(c->s, ATTR_ANVIL_STATUS, "0") < 0 ||
		attr_put_long(c->s, ATTR_ANVIL_RATE, rate) < 0 ||
		attr_put_end(c->s) < 0
	    ? -1
	    : 0;
}

static void
conn_ready(int fd, int events, void *ctx)
{
	struct conn *c = ctx;
	struct attr_list req = { 0 };
	const char *error;
	int rc;

	(void)fd;
	(void)events;
	do {
		if ((rc = attr_recv(c->s, &req, &error)) != 1) {
			if (rc < 0)
				log_warn("client request: %s", error);
			break;
		}
		if (answer(c, &req) < 0 || stream_flush(c->s, &error) < 0) {
			rc = -1;
			break;
		}
	} while (stream_pending(c->s) > 0);
	attr_list_clear(&req);
	if (rc != 1)
		conn_close(c);
}

void
anvil_accept(int fd)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->s = stream_create(fd, 0);
	stream_set_timeout(c->s, ANVIL_READ_TIMEOUT);
	event_watch(fd, EVENT_READ, conn_ready, c);
}
