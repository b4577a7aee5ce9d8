/* SPDX-License-Identifier: MIT */
/* anvil_clnt - the client side of the anvil protocol. See anvil_clnt.h. */
#include <stdio.h>
#include <string.h>

#include "proto/anvil_clnt.h"
#include "proto/proto_anvil.h"
#include "util/attr.h"
#include "util/log.h"
#include "util/sock.h"
#include "util/stream.h"

static struct stream *anvil;

/* One request and its reply; -1 (warned, connection dropped) on failure. */
static int
request(const char *req, const char *service, const char *addr,
    struct attr_list *reply)
{
	char ident[512];
	const char *error = NULL;
	long status;
	int fd;

	if (anvil == NULL) {
		if ((fd = sock_unix_connect(ANVIL_SERVICE, 0, &error)) < 0) {
			log_warn("connect to %s: %s; no client limits",
			    ANVIL_SERVICE, error);
			return -1;
		}
		anvil = stream_create(fd, 0);
		stream_set_timeout(anvil, ANVIL_CLNT_TIMEOUT);
	}
	snprintf(ident, sizeof(ident), "%s:%s", service, addr);
	if (attr_put(anvil, ATTR_ANVIL_REQUEST, req) < 0 ||
	    attr_put(anvil, ATTR_ANVIL_IDENT, ident) < 0 ||
	    attr_put_end(anvil) < 0 || stream_flush(anvil, &error) < 0 ||
	    attr_recv(anvil, reply, &error) != 1 ||
	    attr_get_long(reply, ATTR_ANVIL_STATUS, &status) < 0 ||
	    status != 0) {
		log_warn("%s request to %s failed: %s; no client limits", req,
		    ANVIL_SERVICE,
		    error != NULL ? error : "bad or missing reply");
		stream_destroy(&anvil);
		return -1;
	}
	return 0;
}

int
anvil_clnt_connect(const char *service, const char *addr, long *count_r,
    long *rate_r)
{
	struct attr_list reply = { 0 };
	int rc = request(ANVIL_REQ_CONNECT, service, addr, &reply);

	if (rc == 0 &&
	    (attr_get_long(&reply, ATTR_ANVIL_COUNT, count_r) < 0 ||
		attr_get_long(&reply, ATTR_ANVIL_RATE, rate_r) < 0)) {
		log_warn("%s: reply without count or rate", ANVIL_SERVICE);
		rc = -1;
	}
	attr_list_clear(&reply);
	return rc;
}

int
anvil_clnt_disconnect(const char *service, const char *addr)
{
	struct attr_list reply = { 0 };
	int rc = request(ANVIL_REQ_DISCONNECT, service, addr, &reply);

	attr_list_clear(&reply);
	return rc;
}

int
anvil_clnt_event(const char *req, const char *service, const char *addr,
    long *rate_r)
{
	struct attr_list reply = { 0 };
	int rc = request(req, service, addr, &reply);

	if (rc == 0 && attr_get_long(&reply, ATTR_ANVIL_RATE, rate_r) < 0) {
		log_warn("%s: reply without rate", ANVIL_SERVICE);
		rc = -1;
	}
	attr_list_clear(&reply);
	return rc;
}
