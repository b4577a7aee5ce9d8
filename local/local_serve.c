/* SPDX-License-Identifier: MIT */
/* local_serve - the server side of the local delivery protocol. */
#include <stdio.h>
#include <string.h>

#include "conf/params.h"
#include "proto/agent_serve.h"
#include "proto/local_clnt.h"
#include "proto/proto_local.h"
#include "util/attr.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "local.h"

/* Serve one request: recipients in order, one result each. Returns 0, or
 * -1 when the request is malformed (the connection is then dropped). */
static int
serve_request(struct stream *s, int fd, const struct attr_list *req)
{
	struct local_msg m;
	struct local_result *res;
	const char **rcpt, **orig;
	const char *error;
	size_t i, n = 0;
	long arrival, usec = 0;

	memset(&m, 0, sizeof(m));
	m.fd = fd;
	m.queue_id = attr_get(req, ATTR_QUEUE_ID);
	m.sender = attr_get(req, ATTR_SENDER);
	if (m.queue_id == NULL || m.sender == NULL ||
	    attr_get_long(req, ATTR_ARRIVAL, &arrival) < 0) {
		log_warn("bad request from qmgr: a required attribute is "
			 "missing");
		return -1;
	}
	attr_get_long(req, ATTR_ARRIVAL_USEC, &usec);
	m.arrival.tv_sec = (time_t)arrival;
	m.arrival.tv_usec =
	    (suseconds_t)(usec >= 0 && usec < 1000000 ? usec : 0);
	rcpt = xcalloc(req->n, sizeof(*rcpt));
	orig = xcalloc(req->n, sizeof(*orig));
	for (i = 0; i < req->n; i++) {
		if (strcmp(req->a[i].name, ATTR_RCPT) == 0) {
			rcpt[n] = req->a[i].value;
			orig[n++] = req->a[i].value;
		} else if (strcmp(req->a[i].name, ATTR_ORIG) == 0 && n > 0) {
			orig[n - 1] = req->a[i].value;
		}
	}
	if (n == 0 || n > LOCAL_MAX_BATCH) {
		log_warn("%s: bad request from qmgr: %zu recipients",
		    m.queue_id, n);
		xfree(rcpt);
		xfree(orig);
		return -1;
	}
	res = xcalloc(n, sizeof(*res));
	if (local_msg_scan(&m, &error) < 0) {
		log_warn("%s: cannot read queue file: %s", m.queue_id, error);
		for (i = 0; i < n; i++) {
			snprintf(res[i].status, sizeof(res[i].status), "4.3.0");
			snprintf(res[i].text, sizeof(res[i].text),
			    "cannot read queue file: %s", error);
		}
	} else {
		for (i = 0; i < n; i++)
			local_deliver(&m, rcpt[i], orig[i], &res[i]);
	}
	for (i = 0; i < n; i++) {
		attr_put(s, ATTR_STATUS, res[i].status);
		attr_put(s, ATTR_TEXT, res[i].text);
	}
	attr_put_end(s);
	local_msg_free(&m);
	xfree(res);
	xfree(rcpt);
	xfree(orig);
	return stream_flush(s, &error) < 0 ? -1 : 0;
}

int local_conn_fd = -1;

void
local_serve(int in_fd, int out_fd)
{
	(void)out_fd;
	local_conn_fd = in_fd;
	agent_serve(in_fd, PROTO_LOCAL, PROTO_LOCAL_VERSION,
	    (int)var_ipc_timeout, serve_request);
}
