/* SPDX-License-Identifier: MIT */
/* local_clnt - the client side of the local delivery protocol. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/local_clnt.h"
#include "proto/proto_local.h"
#include "util/attr.h"
#include "util/fdpass.h"
#include "util/mem.h"
#include "util/sock.h"
#include "util/stream.h"

struct local_clnt {
	struct stream *s;
	struct attr_list reply;
};

int
local_clnt_connect(const char *path, int timeout, struct local_clnt **c_r,
    const char **error_r)
{
	struct local_clnt *c;
	const char *v;
	int fd;

	if ((fd = sock_unix_connect(path, 0, error_r)) < 0)
		return -1;
	c = xmalloc(sizeof(*c));
	c->s = stream_create(fd, 0);
	stream_set_timeout(c->s, timeout);
	if (attr_recv(c->s, &c->reply, error_r) <= 0) {
		if (stream_error(c->s) == NULL)
			*error_r = "no greeting from the delivery agent";
		goto fail;
	}
	v = attr_get(&c->reply, ATTR_PROTO);
	if (v == NULL || strcmp(v, PROTO_LOCAL) != 0) {
		*error_r = "wrong protocol from the delivery agent";
		goto fail;
	}
	v = attr_get(&c->reply, ATTR_VERSION);
	if (v == NULL || strcmp(v, PROTO_LOCAL_VERSION) != 0) {
		*error_r = "unsupported protocol version";
		goto fail;
	}
	*c_r = c;
	return 0;
fail:
	local_clnt_close(&c);
	return -1;
}

int
local_clnt_fd(const struct local_clnt *c)
{
	return stream_fd(c->s);
}

int
local_clnt_send(struct local_clnt *c, const struct local_request *req,
    const char **error_r)
{
	size_t i;

	if (fdpass_send(stream_fd(c->s), req->fd, error_r) < 0)
		return -1;
	attr_put(c->s, ATTR_QUEUE_ID, req->queue_id);
	attr_put(c->s, ATTR_SENDER, req->sender);
	attr_put_long(c->s, ATTR_ARRIVAL, (long)req->arrival.tv_sec);
	attr_put_long(c->s, ATTR_ARRIVAL_USEC, (long)req->arrival.tv_usec);
	for (i = 0; i < req->nrcpt; i++) {
		attr_put(c->s, ATTR_RCPT, req->rcpt[i]);
		attr_put(c->s, ATTR_ORIG, req->orig[i]);
	}
	attr_put_end(c->s);
	return stream_flush(c->s, error_r) < 0 ? -1 : 0;
}

int
local_clnt_recv(struct local_clnt *c, struct local_result *res, size_t nrcpt,
    const char **error_r)
{
	size_t i, got = 0;
	int ret;

	ret = attr_recv(c->s, &c->reply, error_r);
	if (ret <= 0) {
		if (ret == 0)
			*error_r = "delivery agent closed the connection";
		return -1;
	}
	for (i = 0; i < c->reply.n && got <= nrcpt; i++) {
		const struct attr *a = &c->reply.a[i];

		if (strcmp(a->name, ATTR_STATUS) == 0) {
			if (got == nrcpt) {
				got++;
				break;
			}
			snprintf(res[got].status, sizeof(res[got].status),
			    "%s", a->value);
			res[got].text[0] = 0;
			got++;
		} else if (strcmp(a->name, ATTR_TEXT) == 0 && got > 0) {
			snprintf(res[got - 1].text, sizeof(res[got - 1].text),
			    "%s", a->value);
		}
	}
	if (got != nrcpt) {
		*error_r = "wrong number of results from the delivery agent";
		return -1;
	}
	for (i = 0; i < nrcpt; i++) {
		const char *s = res[i].status;

		if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') {
			*error_r = "bad status from the delivery agent";
			return -1;
		}
	}
	return 0;
}

void
local_clnt_close(struct local_clnt **cp)
{
	struct local_clnt *c = *cp;

	if (c == NULL)
		return;
	attr_list_clear(&c->reply);
	stream_destroy(&c->s);
	xfree(c);
	*cp = NULL;
}
