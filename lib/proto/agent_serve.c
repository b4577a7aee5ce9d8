/* SPDX-License-Identifier: MIT */
/* agent_serve - a delivery agent's request loop. See agent_serve.h. */
#include <unistd.h>

#include "proto/agent_serve.h"
#include "proto/proto_local.h"
#include "util/attr.h"
#include "util/fdpass.h"
#include "util/log.h"
#include "util/stream.h"

void
agent_serve(int fd, const char *proto, const char *version, int timeout,
    agent_request_fn *fn)
{
	struct stream *s = stream_create(fd, STREAM_FLAG_NOCLOSE);
	struct attr_list req = { 0 };
	const char *error;

	stream_set_timeout(s, timeout);
	attr_put(s, ATTR_PROTO, proto);
	attr_put(s, ATTR_VERSION, version);
	attr_put_end(s);
	if (stream_flush(s, &error) < 0)
		goto out;
	for (;;) {
		int qfd, ret;

		/* Lockstep: our buffer is empty before the next request,
		 * so the descriptor cannot be read away (fdpass.h). */
		if (stream_pending(s) != 0) {
			log_warn("protocol error: data before the descriptor");
			break;
		}
		qfd = fdpass_recv(fd, timeout, &error);
		if (qfd < 0)
			break; /* qmgr is done with this connection */
		ret = attr_recv(s, &req, &error);
		if (ret <= 0) {
			if (ret < 0)
				log_warn("bad request from qmgr: %s", error);
			close(qfd);
			break;
		}
		ret = fn(s, qfd, &req);
		close(qfd);
		if (ret < 0)
			break;
	}
out:
	attr_list_clear(&req);
	stream_destroy(&s);
}
