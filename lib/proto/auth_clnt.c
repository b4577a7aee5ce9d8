/* SPDX-License-Identifier: MIT */
/* auth_clnt - the client side of the auth protocol. See auth_clnt.h. */
#include <string.h>

#include "proto/auth_clnt.h"
#include "proto/proto_auth.h"
#include "util/attr.h"
#include "util/log.h"
#include "util/sock.h"
#include "util/stream.h"

static struct stream *auth;
static struct attr_list last; /* the last reply: its strings are lent */

static const struct {
	const char *name;
	enum auth_clnt_status status;
} statuses[] = {
	{ AUTH_STAT_CONTINUE, AUTH_CLNT_CONTINUE },
	{ AUTH_STAT_OK, AUTH_CLNT_OK },
	{ AUTH_STAT_FAIL, AUTH_CLNT_FAIL },
	{ AUTH_STAT_TEMPFAIL, AUTH_CLNT_TEMPFAIL },
	{ AUTH_STAT_BAD, AUTH_CLNT_BAD },
	{ AUTH_STAT_NOMECH, AUTH_CLNT_NOMECH },
};

/* Send the queued request and read the reply into last: 0, or -1
 * (warned, connection dropped). */
static int
exchange(const char *req, const char **error)
{
	if (attr_put_end(auth) < 0 || stream_flush(auth, error) < 0 ||
	    attr_recv(auth, &last, error) != 1 ||
	    attr_get(&last, ATTR_AUTH_STATUS) == NULL) {
		log_warn("%s request to %s failed: %s", req, AUTH_SERVICE,
		    *error != NULL ? *error : "bad or missing reply");
		stream_destroy(&auth);
		return -1;
	}
	return 0;
}

static int
open_auth(void)
{
	const char *error = NULL;
	int fd;

	if (auth != NULL)
		return 0;
	if ((fd = sock_unix_connect(AUTH_SERVICE, 0, &error)) < 0) {
		log_warn("connect to %s: %s", AUTH_SERVICE, error);
		return -1;
	}
	auth = stream_create(fd, 0);
	stream_set_timeout(auth, AUTH_CLNT_TIMEOUT);
	return 0;
}

/* The reply in last as *r. */
static enum auth_clnt_status
result(struct auth_clnt_reply *r)
{
	const char *status = attr_get(&last, ATTR_AUTH_STATUS);
	const char *data = attr_get(&last, ATTR_AUTH_DATA);
	const char *reason = attr_get(&last, ATTR_AUTH_REASON);
	const char *user = attr_get(&last, ATTR_AUTH_USER);
	const char *cookie = attr_get(&last, ATTR_AUTH_COOKIE);

	r->status = AUTH_CLNT_TEMPFAIL;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(status, statuses[i].name) == 0)
			r->status = statuses[i].status;
	if (r->status == AUTH_CLNT_OK && (user == NULL || *user == '\0')) {
		log_warn("%s: ok reply without a user", AUTH_SERVICE);
		r->status = AUTH_CLNT_TEMPFAIL;
	}
	r->user = r->status == AUTH_CLNT_OK ? user : "";
	r->cookie = r->status == AUTH_CLNT_OK && cookie != NULL ? cookie : "";
	if (r->status == AUTH_CLNT_CONTINUE || r->status == AUTH_CLNT_OK)
		r->text = data != NULL ? data : "";
	else
		r->text = reason != NULL ? reason : "";
	return r->status;
}

/* The request failed: any half-queued request goes with the connection. */
static enum auth_clnt_status
tempfail(struct auth_clnt_reply *r)
{
	if (auth != NULL)
		stream_destroy(&auth);
	r->status = AUTH_CLNT_TEMPFAIL;
	r->text = "authentication service unavailable";
	r->user = "";
	r->cookie = "";
	return r->status;
}

enum auth_clnt_status
auth_clnt_start(const char *mech, const char *service, const char *client,
    const char *initial, struct auth_clnt_reply *r)
{
	const char *error = NULL;

	if (open_auth() < 0)
		return tempfail(r);
	if (attr_put(auth, ATTR_AUTH_REQUEST, AUTH_REQ_AUTH) < 0 ||
	    attr_put(auth, ATTR_AUTH_SERVICE, service) < 0 ||
	    attr_put(auth, ATTR_AUTH_MECH, mech) < 0 ||
	    attr_put(auth, ATTR_AUTH_CLIENT, client) < 0 ||
	    (initial != NULL &&
		attr_put(auth, ATTR_AUTH_RESPONSE, initial) < 0) ||
	    exchange(AUTH_REQ_AUTH, &error) < 0)
		return tempfail(r);
	return result(r);
}

enum auth_clnt_status
auth_clnt_continue(const char *response, struct auth_clnt_reply *r)
{
	const char *error = NULL;

	/* Without a connection there is no attempt to continue. */
	if (auth == NULL)
		return tempfail(r);
	if (attr_put(auth, ATTR_AUTH_REQUEST, AUTH_REQ_CONTINUE) < 0 ||
	    attr_put(auth, ATTR_AUTH_RESPONSE, response) < 0 ||
	    exchange(AUTH_REQ_CONTINUE, &error) < 0)
		return tempfail(r);
	return result(r);
}

enum auth_clnt_status
auth_clnt_redeem(const char *service, const char *cookie,
    struct auth_clnt_reply *r)
{
	const char *error = NULL;

	if (open_auth() < 0)
		return tempfail(r);
	if (attr_put(auth, ATTR_AUTH_REQUEST, AUTH_REQ_REDEEM) < 0 ||
	    attr_put(auth, ATTR_AUTH_SERVICE, service) < 0 ||
	    attr_put(auth, ATTR_AUTH_COOKIE, cookie) < 0 ||
	    exchange(AUTH_REQ_REDEEM, &error) < 0)
		return tempfail(r);
	return result(r);
}

void
auth_clnt_close(void)
{
	if (auth != NULL)
		stream_destroy(&auth);
}

int
auth_clnt_mechs(const char **mechs_r)
{
	const char *error = NULL;

	if (open_auth() < 0)
		return -1;
	if (attr_put(auth, ATTR_AUTH_REQUEST, AUTH_REQ_MECHS) < 0 ||
	    exchange(AUTH_REQ_MECHS, &error) < 0) {
		if (auth != NULL)
			stream_destroy(&auth);
		return -1;
	}
	if ((*mechs_r = attr_get(&last, ATTR_AUTH_MECHS)) == NULL) {
		log_warn("%s: mechs reply without %s", AUTH_SERVICE,
		    ATTR_AUTH_MECHS);
		return -1;
	}
	return 0;
}
