/* SPDX-License-Identifier: MIT */
/* smtpd_auth - SMTP AUTH (RFC 4954) through auth(8). See smtpd_auth.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "proto/auth_clnt.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_limit.h"

/* RFC 4954 4: a server must take response lines of 12288 octets. */
#define AUTH_LINE_MAX 12288

/* 1 when this session may use AUTH now; else 0, with *why_r the reply to
 * an AUTH command (left NULL when AUTH is not enabled at all). */
static int
auth_usable(const struct smtpd_session *ss, const char **why_r)
{
	*why_r = NULL;
	if (!var_smtpd_sasl_enable)
		return 0;
	if (var_smtpd_tls_auth_only && ss->tls == NULL) {
		*why_r = "538 5.7.11 Encryption required for requested "
			 "authentication mechanism";
		return 0;
	}
	return 1;
}

int
smtpd_auth_ehlo(const struct smtpd_session *ss, char *line, size_t size)
{
	static char *mechs; /* asked once per process */
	const char *why, *got;

	if (!auth_usable(ss, &why))
		return 0;
	if (mechs == NULL) {
		if (auth_clnt_mechs(&got) < 0 || *got == '\0')
			return 0;
		mechs = xstrdup(got);
	}
	snprintf(line, size, "AUTH %s", mechs);
	return 1;
}

int
smtpd_auth_required(const struct smtpd_session *ss)
{
	return var_smtpd_auth_required && ss->sasl_user == NULL;
}

void
smtpd_auth_reset(struct smtpd_session *ss)
{
	xfree(ss->sasl_user);
	ss->sasl_user = NULL;
	xfree(ss->sasl_method);
	ss->sasl_method = NULL;
}

/* Read one response line of the exchange into line, without its line
 * end. Returns 1, 0 after a 500 reply (too long), or -1 when the session
 * must end (timeout or lost connection, logged). */
static int
read_response(struct smtpd_session *ss, struct buf *line)
{
	const char *error;
	int ret, too_long = 0;

	for (;;) {
		buf_reset(line);
		ret = stream_get_line(ss->s, line, AUTH_LINE_MAX + 2, &error);
		if (ret != STREAM_PARTIAL)
			break;
		too_long = 1;
	}
	if (ret == STREAM_TIMEOUT) {
		smtpd_timed_out(ss, "AUTH");
		return -1;
	}
	if (ret == STREAM_EOF || ret == STREAM_ERROR) {
		log_info("lost connection after AUTH from %s", ss->client);
		return -1;
	}
	if (too_long) {
		smtpd_reply(ss,
		    "500 5.5.6 Authentication Exchange line is "
		    "too long");
		return 0;
	}
	while (line->len > 0 &&
	    (line->data[line->len - 1] == '\n' ||
		line->data[line->len - 1] == '\r'))
		buf_truncate(line, line->len - 1);
	return 1;
}

int
smtpd_cmd_auth(struct smtpd_session *ss, char *args)
{
	struct auth_clnt_reply r;
	enum auth_clnt_status st;
	const char *why, *error;
	char *mech, *initial;
	struct buf line;
	int ret = 0;

	if (!auth_usable(ss, &why)) {
		smtpd_reply(ss, "%s",
		    why != NULL
			? why
			: "503 5.5.1 Error: authentication not enabled");
		return 0;
	}
	if (ss->helo == NULL || !ss->esmtp) {
		smtpd_reply(ss, "503 5.5.1 Error: send EHLO first");
		return 0;
	}
	if (ss->sasl_user != NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: already authenticated");
		return 0;
	}
	if (ss->sender != NULL) {
		smtpd_reply(ss,
		    "503 5.5.1 Error: MAIL transaction in progress");
		return 0;
	}
	if (smtpd_limit_auth(ss) < 0)
		return 0;
	mech = args;
	initial = mech + strcspn(mech, " ");
	if (*initial != '\0')
		*initial++ = '\0';
	initial += strspn(initial, " ");
	if (*mech == '\0' || strchr(initial, ' ') != NULL) {
		smtpd_reply(ss, "501 5.5.4 Syntax: AUTH mechanism");
		return 0;
	}
	st = auth_clnt_start(mech, "smtpd", ss->client,
	    *initial != '\0' ? initial : NULL, &r);
	buf_init(&line, AUTH_LINE_MAX + 2);
	while (st == AUTH_CLNT_CONTINUE) {
		int got;

		/* RFC 4954 4: "334 " and the base64 challenge, maybe empty. */
		smtpd_reply_uncounted(ss, "334 %s", r.text);
		if (stream_flush(ss->s, &error) < 0) {
			log_info("lost connection after AUTH from %s",
			    ss->client);
			ret = -1;
			goto out;
		}
		if ((got = read_response(ss, &line)) <= 0) {
			/* Tell auth the attempt is over. */
			(void)auth_clnt_continue("*", &r);
			ret = got;
			goto out;
		}
		if (strcmp(line.data, "*") == 0) {
			(void)auth_clnt_continue("*", &r);
			smtpd_reply(ss, "501 5.0.0 Authentication aborted");
			goto out;
		}
		st = auth_clnt_continue(line.data, &r);
	}
	switch (st) {
	case AUTH_CLNT_OK:
		ss->sasl_user = xstrdup(r.user);
		ss->sasl_method = xstrdup(mech);
		for (char *p = ss->sasl_method; *p != '\0'; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		smtpd_reply(ss, "235 2.7.0 Authentication successful");
		break;
	case AUTH_CLNT_FAIL:
		smtpd_reply(ss,
		    "535 5.7.8 Error: authentication failed: "
		    "authentication failure");
		break;
	case AUTH_CLNT_BAD:
		smtpd_reply(ss,
		    "501 5.5.2 Error: malformed authentication "
		    "response");
		break;
	case AUTH_CLNT_NOMECH:
		smtpd_reply(ss,
		    "504 5.5.4 Unsupported authentication "
		    "mechanism");
		break;
	default:
		log_warn("%s: SASL %s authentication unavailable: %s",
		    ss->client, log_str(mech), log_str(r.text));
		smtpd_reply(ss, "454 4.7.0 Temporary authentication failure");
		break;
	}
out:
	buf_deinit(&line);
	return ret;
}
