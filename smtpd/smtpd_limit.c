/* SPDX-License-Identifier: MIT */
/* smtpd_limit - client limits through anvil(8). See smtpd_limit.h. */
#include <string.h>

#include "conf/params.h"
#include "mail/net_list.h"
#include "proto/anvil_clnt.h"
#include "proto/proto_anvil.h"
#include "server/server.h"
#include "util/log.h"

#include "smtpd.h"
#include "smtpd_limit.h"

static struct net_list exceptions;
static int ready;

void
smtpd_limit_init(void)
{
	const char *error;

	net_list_free(&exceptions);
	if (net_list_parse(&exceptions, VAR_EVENT_EXCEPTIONS,
		var_event_exceptions, &error) < 0)
		log_fatal("%s/main.cf: %s", var_config_dir, error);
	ready = 1;
}

/* Over a connection limit: the warning, and 421 instead of the greeting. */
static int
refuse_connect(struct smtpd_session *ss, const char *what, long n)
{
	log_warn("%s limit exceeded: %ld from %s for service %s", what, n,
	    ss->client, server_service_name());
	smtpd_reply(ss, "421 4.7.0 %s Error: too many connections from %s",
	    var_myhostname, ss->client_addr);
	return -1;
}

int
smtpd_limit_connect(struct smtpd_session *ss)
{
	long count, rate;

	ss->limited = 0;
	if (!ready ||
	    (var_cconn_limit == 0 && var_crate_limit == 0 &&
		var_cmsg_limit == 0 && var_crcpt_limit == 0))
		return 0;
	/* A client on a UNIX socket or with an address we cannot read is
	 * not counted; nor is one the exceptions name (a table that fails
	 * to answer counts as "not named": the limits then apply). */
	if (ss->client_addr[0] == 0 ||
	    strcmp(ss->client_addr, "unknown") == 0 ||
	    net_list_match(&exceptions, VAR_EVENT_EXCEPTIONS, ss->client_addr) >
		0)
		return 0;
	if (anvil_clnt_connect(server_service_name(), ss->client_addr, &count,
		&rate) < 0)
		return 0;
	ss->limited = 1;
	if (var_cconn_limit > 0 && count > var_cconn_limit)
		return refuse_connect(ss, "Connection concurrency", count);
	if (var_crate_limit > 0 && rate > var_crate_limit)
		return refuse_connect(ss, "Connection rate", rate);
	return 0;
}

void
smtpd_limit_disconnect(struct smtpd_session *ss)
{
	if (ss->limited)
		(void)anvil_clnt_disconnect(server_service_name(),
		    ss->client_addr);
	ss->limited = 0;
}

/* One event against its limit: 1 when over it (warned), else 0. */
static int
over(struct smtpd_session *ss, const char *req, long limit, const char *what)
{
	long rate;

	if (!ss->limited || limit == 0 ||
	    anvil_clnt_event(req, server_service_name(), ss->client_addr,
		&rate) < 0 ||
	    rate <= limit)
		return 0;
	log_warn("%s rate limit exceeded: %ld from %s for service %s", what,
	    rate, ss->client, server_service_name());
	return 1;
}

int
smtpd_limit_mail(struct smtpd_session *ss)
{
	if (!over(ss, ANVIL_REQ_MAIL, var_cmsg_limit,
		"Message delivery request"))
		return 0;
	smtpd_reply(ss, "450 4.7.1 Error: too much mail from %s",
	    ss->client_addr);
	return -1;
}

int
smtpd_limit_auth(struct smtpd_session *ss)
{
	if (!over(ss, ANVIL_REQ_AUTH, var_cauth_limit, "AUTH command"))
		return 0;
	smtpd_reply(ss, "503 5.7.0 Error: too many AUTH commands from %s",
	    ss->client_addr);
	return -1;
}

int
smtpd_limit_rcpt(struct smtpd_session *ss)
{
	if (!over(ss, ANVIL_REQ_RCPT, var_crcpt_limit, "Recipient address"))
		return 0;
	smtpd_reply(ss, "450 4.7.1 Error: too many recipients from %s",
	    ss->client_addr);
	return -1;
}
