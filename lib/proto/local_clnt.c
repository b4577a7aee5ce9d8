/* SPDX-License-Identifier: MIT */
/* local_clnt - the client side of the local delivery protocol, on the
 * event loop. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/local_clnt.h"
#include "proto/proto_local.h"
#include "proto/proto_smtp.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/fdpass.h"
#include "util/mem.h"
#include "util/sock.h"
#include "util/stream.h"

/* Largest greeting or reply we buffer: LOCAL_MAX_BATCH results with a
 * full status and a long text each fit many times over. */
#define LOCAL_CLNT_MAX_MSG (4 * 1024 * 1024)

enum lc_state {
	LC_GREETING, /* connected, waiting for the greeting */
	LC_IDLE,     /* greeted, no request outstanding */
	LC_SENDING,  /* request partly written */
	LC_WAITING,  /* request written, reply expected */
	LC_BROKEN,   /* a step failed: only close is left */
};

struct local_clnt {
	int fd;
	enum lc_state state;
	struct buf in;  /* received, not yet decoded */
	struct buf out; /* encoded request not yet written */
	struct local_result *res;
	size_t nrcpt;
	uint64_t timer;
	local_clnt_fn *fn;
	void *ctx;
	const char *proto; /* the greeting must name it */
	char error[256];
};

/* A stream over memory: the encoder writes into c->out, the decoder reads
 * one complete message that is already in c->in. */
struct mem_io {
	struct buf *b;
	size_t pos, end;
};

static ssize_t
mem_read(void *ctx, void *p, size_t n)
{
	struct mem_io *m = ctx;

	if (n > m->end - m->pos)
		n = m->end - m->pos;
	memcpy(p, m->b->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static ssize_t
mem_write(void *ctx, const void *p, size_t n)
{
	struct mem_io *m = ctx;

	if (buf_append(m->b, p, n) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	return (ssize_t)n;
}

static const struct stream_ops mem_ops = {
	.read = mem_read,
	.write = mem_write,
};

static uint32_t
get32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* Is one whole attribute message (attr.h) at the start of b? 1 with its
 * length, 0 when more bytes are needed, -1 when it breaks a cap. */
static int
msg_complete(const struct buf *b, size_t *len_r)
{
	size_t pos = 0, count = 0;

	for (;;) {
		uint32_t n;

		if (b->len - pos < 4)
			return 0;
		n = get32(b->data + pos);
		pos += 4;
		if (n == 0) {
			*len_r = pos;
			return 1;
		}
		if (n > ATTR_MAX_LEN || ++count > ATTR_MAX_COUNT)
			return -1;
		/* The name, then the value's length and the value. */
		if (b->len - pos < (size_t)n + 4)
			return 0;
		pos += n;
		n = get32(b->data + pos);
		pos += 4;
		if (n > ATTR_MAX_LEN)
			return -1;
		if (b->len - pos < n)
			return 0;
		pos += n;
	}
}

/* Decode the len-byte message at the start of c->in into l, and drop it
 * from the buffer. Returns 0 or -1 with *error_r (static text). */
static int
msg_decode(struct local_clnt *c, size_t len, struct attr_list *l,
    const char **error_r)
{
	struct mem_io m = { &c->in, 0, len };
	struct stream *s = stream_create(-1, STREAM_FLAG_NOCLOSE);
	int ret;

	stream_set_ops(s, &mem_ops, &m);
	ret = attr_recv(s, l, error_r);
	stream_destroy(&s);
	buf_consume(&c->in, len);
	if (ret <= 0) {
		if (ret == 0)
			*error_r = "empty message from the delivery agent";
		return -1;
	}
	return 0;
}

static void lc_io(int fd, int events, void *ctx);

/* End the current step: stop watching and timing, then call back (which
 * may close c: touch nothing after it). */
static void
finish(struct local_clnt *c, int status, const char *error)
{
	local_clnt_fn *fn = c->fn;

	event_unwatch(c->fd);
	if (c->timer != 0)
		event_cancel(c->timer);
	c->timer = 0;
	c->fn = NULL;
	if (status < 0) {
		if (error != c->error)
			snprintf(c->error, sizeof(c->error), "%s", error);
		c->state = LC_BROKEN;
	} else {
		c->state = LC_IDLE;
	}
	if (fn != NULL)
		fn(c, status, status < 0 ? c->error : NULL, c->ctx);
}

static void
lc_timeout(void *ctx)
{
	struct local_clnt *c = ctx;

	c->timer = 0;
	finish(c, -1, "timeout");
}

static void
start_step(struct local_clnt *c, int events, long timeout_ms, local_clnt_fn *fn,
    void *ctx)
{
	c->fn = fn;
	c->ctx = ctx;
	event_watch(c->fd, events, lc_io, c);
	c->timer = event_timer(timeout_ms, lc_timeout, c);
}

static int
check_greeting(const struct local_clnt *c, const struct attr_list *l,
    const char **error_r)
{
	const char *v = attr_get(l, ATTR_PROTO);

	if (v == NULL || strcmp(v, c->proto) != 0) {
		*error_r = "wrong protocol from the delivery agent";
		return -1;
	}
	v = attr_get(l, ATTR_VERSION);
	if (v == NULL || strcmp(v, PROTO_LOCAL_VERSION) != 0) {
		*error_r = "unsupported protocol version";
		return -1;
	}
	return 0;
}

/* Exactly c->nrcpt results, each with a well-formed status class. */
static int
parse_reply(struct local_clnt *c, const struct attr_list *l,
    const char **error_r)
{
	struct local_result *res = c->res;
	size_t i, got = 0;

	for (i = 0; i < l->n; i++) {
		const struct attr *a = &l->a[i];

		if (strcmp(a->name, ATTR_STATUS) == 0) {
			if (got == c->nrcpt) {
				got++;
				break;
			}
			snprintf(res[got].status, sizeof(res[got].status), "%s",
			    a->value);
			res[got].text[0] = 0;
			res[got].action[0] = 0;
			res[got].diag[0] = 0;
			res[got].mta[0] = 0;
			got++;
		} else if (strcmp(a->name, ATTR_TEXT) == 0 && got > 0) {
			snprintf(res[got - 1].text, sizeof(res[got - 1].text),
			    "%s", a->value);
		} else if (strcmp(a->name, ATTR_ACTION) == 0 && got > 0) {
			snprintf(res[got - 1].action,
			    sizeof(res[got - 1].action), "%s", a->value);
		} else if (strcmp(a->name, ATTR_DIAG) == 0 && got > 0) {
			snprintf(res[got - 1].diag, sizeof(res[got - 1].diag),
			    "%s", a->value);
		} else if (strcmp(a->name, ATTR_MTA) == 0 && got > 0) {
			snprintf(res[got - 1].mta, sizeof(res[got - 1].mta),
			    "%s", a->value);
		}
	}
	if (got != c->nrcpt) {
		*error_r = "wrong number of results from the delivery agent";
		return -1;
	}
	for (i = 0; i < c->nrcpt; i++) {
		const char *s = res[i].status;

		if ((s[0] != '2' && s[0] != '4' && s[0] != '5') ||
		    s[1] != '.') {
			*error_r = "bad status from the delivery agent";
			return -1;
		}
	}
	return 0;
}

/* Bytes arrived (or the peer closed): finish the step once one whole
 * message is in. Returns 1 when finished (c may be gone), 0 to wait. */
static int
lc_input(struct local_clnt *c)
{
	struct attr_list l = { 0 };
	const char *error;
	char tmp[STREAM_BUFSIZE];
	size_t len;
	ssize_t n;
	int ret;

	n = read(c->fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		snprintf(c->error, sizeof(c->error), "%s", strerror(errno));
		finish(c, -1, c->error);
		return 1;
	}
	if (n == 0) {
		finish(c, -1,
		    c->state == LC_GREETING
			? "no greeting from the delivery agent"
			: c->in.len == 0
			? "delivery agent closed the connection"
			: "reply cut short by the delivery agent");
		return 1;
	}
	if (c->state != LC_GREETING && c->state != LC_WAITING) {
		finish(c, -1, "unexpected data from the delivery agent");
		return 1;
	}
	if (buf_append(&c->in, tmp, (size_t)n) < 0) {
		finish(c, -1, "reply from the delivery agent too long");
		return 1;
	}
	if ((ret = msg_complete(&c->in, &len)) == 0)
		return 0;
	if (ret < 0 || msg_decode(c, len, &l, &error) < 0) {
		if (ret < 0)
			error = "malformed message from the delivery agent";
		finish(c, -1, error);
		return 1;
	}
	/* Lockstep: nothing may follow a greeting or a reply. */
	if (c->in.len > 0)
		ret = -1, error = "unexpected data from the delivery agent";
	else if (c->state == LC_GREETING)
		ret = check_greeting(c, &l, &error);
	else
		ret = parse_reply(c, &l, &error);
	attr_list_clear(&l);
	finish(c, ret < 0 ? -1 : 0, ret < 0 ? error : NULL);
	return 1;
}

/* Write what the socket takes; once all is out, wait for the reply. */
static void
lc_output(struct local_clnt *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			snprintf(c->error, sizeof(c->error), "%s",
			    strerror(errno));
			finish(c, -1, c->error);
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
	c->state = LC_WAITING;
	event_watch(c->fd, EVENT_READ, lc_io, c);
}

static void
lc_io(int fd, int events, void *ctx)
{
	struct local_clnt *c = ctx;

	/* A reply (or an error) may come before the request is out. */
	if ((events & EVENT_READ) &&
	    (c->state != LC_SENDING || !(events & EVENT_WRITE))) {
		if (lc_input(c))
			return;
	}
	if (c->state == LC_SENDING && (events & EVENT_WRITE))
		lc_output(c);
}

int
local_clnt_open(const char *path, const char *proto, long timeout_ms,
    local_clnt_fn *fn, void *ctx, struct local_clnt **c_r, const char **error_r)
{
	struct local_clnt *c;
	int fd;

	/* A UNIX-domain connect never waits: it succeeds, or fails with
	 * EAGAIN when the agent's listen queue is full. */
	if ((fd = sock_unix_connect(path, SOCK_FLAG_NONBLOCK, error_r)) < 0)
		return -1;
	c = xmalloc(sizeof(*c));
	c->fd = fd;
	c->proto = proto;
	c->state = LC_GREETING;
	buf_init(&c->in, LOCAL_CLNT_MAX_MSG);
	buf_init(&c->out, LOCAL_CLNT_MAX_MSG);
	start_step(c, EVENT_READ, timeout_ms, fn, ctx);
	*c_r = c;
	return 0;
}

int
local_clnt_request(struct local_clnt *c, const struct local_request *req,
    struct local_result *res, long timeout_ms, local_clnt_fn *fn, void *ctx,
    const char **error_r)
{
	struct mem_io m = { &c->out, 0, 0 };
	struct stream *s;
	const char *error;
	size_t i;
	int ret;

	if (c->state != LC_IDLE) {
		snprintf(c->error, sizeof(c->error), "%s",
		    c->state == LC_BROKEN ? "connection failed earlier"
					  : "request while busy");
		*error_r = c->error;
		return -1;
	}
	buf_reset(&c->out);
	s = stream_create(-1, STREAM_FLAG_NOCLOSE);
	stream_set_ops(s, &mem_ops, &m);
	attr_put(s, ATTR_QUEUE_ID, req->queue_id);
	attr_put(s, ATTR_SENDER, req->sender);
	attr_put_long(s, ATTR_ARRIVAL, (long)req->arrival.tv_sec);
	attr_put_long(s, ATTR_ARRIVAL_USEC, (long)req->arrival.tv_usec);
	if (req->nexthop != NULL) {
		attr_put(s, ATTR_NEXTHOP, req->nexthop);
		attr_put_long(s, ATTR_SIZE, (long)req->size);
		if (req->body != NULL)
			attr_put(s, ATTR_BODY, req->body);
		if (req->smtputf8)
			attr_put(s, ATTR_SMTPUTF8, "yes");
		if (req->dsn_ret != NULL)
			attr_put(s, ATTR_DSN_RET, req->dsn_ret);
		if (req->dsn_envid != NULL)
			attr_put(s, ATTR_DSN_ENVID, req->dsn_envid);
	}
	for (i = 0; i < req->nrcpt; i++) {
		attr_put(s, ATTR_RCPT, req->rcpt[i]);
		attr_put(s, ATTR_ORIG, req->orig[i]);
		if (req->nexthop == NULL)
			continue;
		if (req->notify != NULL && req->notify[i] != 0)
			attr_put_long(s, ATTR_NOTIFY, req->notify[i]);
		if (req->orcpt != NULL && req->orcpt[i][0] != 0)
			attr_put(s, ATTR_ORCPT, req->orcpt[i]);
	}
	attr_put_end(s);
	ret = stream_flush(s, &error);
	stream_destroy(&s);
	if (ret < 0) {
		c->state = LC_BROKEN;
		snprintf(c->error, sizeof(c->error), "request too long");
		*error_r = c->error;
		return -1;
	}
	/* The descriptor goes first, alone: the agent receives it before it
	 * reads the attributes (fdpass.h). The connection is idle, so its
	 * send buffer is empty and one byte always fits. */
	if (fdpass_send(c->fd, req->fd, &error) < 0) {
		c->state = LC_BROKEN;
		snprintf(c->error, sizeof(c->error), "%s", error);
		*error_r = c->error;
		return -1;
	}
	c->res = res;
	c->nrcpt = req->nrcpt;
	c->state = LC_SENDING;
	start_step(c, EVENT_READ | EVENT_WRITE, timeout_ms, fn, ctx);
	return 0;
}

int
local_clnt_fd(const struct local_clnt *c)
{
	return c->fd;
}

void
local_clnt_close(struct local_clnt **cp)
{
	struct local_clnt *c = *cp;

	if (c == NULL)
		return;
	event_unwatch(c->fd);
	if (c->timer != 0)
		event_cancel(c->timer);
	close(c->fd);
	buf_deinit(&c->in);
	buf_deinit(&c->out);
	xfree(c);
	*cp = NULL;
}
