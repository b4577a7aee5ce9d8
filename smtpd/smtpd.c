/* SPDX-License-Identifier: MIT */
/* smtpd - the SMTP session: greeting, command loop, replies, limits. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/resolve.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_check.h"
#include "smtpd_limit.h"
#include "smtpd_tls.h"

smtpd_session_hook_fn *smtpd_session_test_hook; /* a test seam: smtpd.h */

const char *
smtpd_proto(const struct smtpd_session *ss)
{
	/* RFC 3848: ESMTPS under TLS, ESMTPA after AUTH, ESMTPSA both. */
	if (!ss->esmtp)
		return "SMTP";
	if (ss->sasl_user != NULL)
		return ss->tls != NULL ? "ESMTPSA" : "ESMTPA";
	return ss->tls != NULL ? "ESMTPS" : "ESMTP";
}

/* Queue one reply. Error replies count toward the soft and hard limits
 * (Postfix's smtpd_soft_error_limit / smtpd_hard_error_limit). With
 * PIPELINING the client may have sent more commands already: replies are
 * flushed only when no input is waiting (RFC 2920 section 3.1). */
static void reply(struct smtpd_session *ss, int count, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static void
reply(struct smtpd_session *ss, int count, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	/* Past the soft limit, every error reply comes late: it slows
	 * down address harvesting and broken clients. */
	if (count && (text[0] == '4' || text[0] == '5')) {
		ss->errors++;
		if (ss->errors > var_smtpd_soft_erlim &&
		    var_smtpd_err_sleep > 0) {
			stream_flush(ss->s, NULL);
			sleep((unsigned)var_smtpd_err_sleep);
		}
	}
	stream_printf(ss->s, "%s\r\n", text);
}

void
smtpd_reply(struct smtpd_session *ss, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply(ss, 1, fmt, ap);
	va_end(ap);
}

void
smtpd_reply_uncounted(struct smtpd_session *ss, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply(ss, 0, fmt, ap);
	va_end(ap);
}

static void
free_rcpts(struct smtpd_session *ss)
{
	size_t i, j;

	for (i = 0; i < ss->nrcpt; i++) {
		for (j = 0; j < ss->rcpt[i].nfinal; j++)
			xfree(ss->rcpt[i].final[j]);
		xfree(ss->rcpt[i].final);
		xfree(ss->rcpt[i].orig);
		xfree(ss->rcpt[i].orcpt);
	}
	xfree(ss->rcpt);
	ss->rcpt = NULL;
	ss->nrcpt = ss->nfinal = 0;
}

/* How long the 421 after a timeout may take to be sent: the deadline it
 * follows has passed, and a client that does not read must not hold the
 * process any longer. */
#define SMTPD_GOODBYE_GRACE 5

void
smtpd_deadline(struct smtpd_session *ss, time_t request_end)
{
	time_t end = request_end;

	if (ss->session_end > 0 && (end == 0 || ss->session_end < end))
		end = ss->session_end;
	stream_set_deadline(ss->s, end);
}

void
smtpd_timed_out(struct smtpd_session *ss, const char *after)
{
	log_info("timeout after %s from %s", after, ss->client);
	stream_set_deadline(ss->s, time(NULL) + SMTPD_GOODBYE_GRACE);
	smtpd_reply(ss, "421 4.4.2 %s Error: timeout exceeded", var_myhostname);
}

/* Forget the mail transaction (RSET, HELO, after DATA or BDAT LAST, at
 * the end of the session), and with it the chunks received so far
 * (RFC 3030 section 2: RSET clears them). */
void
smtpd_reset(struct smtpd_session *ss)
{
	smtpd_msg_abort(&ss->msg);
	xfree(ss->sender);
	ss->sender = NULL;
	ss->declared_size = 0;
	ss->body_8bit = 0;
	ss->smtputf8 = 0;
	ss->dsn_ret = 0;
	xfree(ss->dsn_envid);
	ss->dsn_envid = NULL;
	ss->rcpt_tried = 0;
	ss->rcpt_overshoot = 0;
	free_rcpts(ss);
}

/* Before the privilege drop: lookup tables (a missing one means 451 at
 * RCPT, never a daemon that cannot start), the resolver, and the relay
 * restrictions (a bad list is fatal: smtpd_check.h). */
void
smtpd_pre_jail(void)
{
	resolve_init_lenient();
	smtpd_peer_init();
	smtpd_check_init_fatal();
	smtpd_limit_init();
	smtpd_tls_init();
}

static const struct smtpd_cmd *
find_command(const char *verb)
{
	const struct smtpd_cmd *c;

	for (c = smtpd_cmd_table; c->name != NULL; c++)
		if (strcasecmp(c->name, verb) == 0)
			return c;
	return NULL;
}

enum smtpd_line
smtpd_parse_line(struct buf *line, char **verb_r, char **args_r,
    const struct smtpd_cmd **cmd_r)
{
	char *verb, *args;

	*verb_r = *args_r = NULL;
	*cmd_r = NULL;
	/* RFC 5321 2.3.8: lines end in CRLF; a bare LF is tolerated for
	 * commands, as every deployed server does. */
	if (line->len > 0 && line->data[line->len - 1] == '\n')
		buf_truncate(line, line->len - 1);
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		buf_truncate(line, line->len - 1);
	verb = line->data + strspn(line->data, " ");
	if (*verb == 0)
		return SMTPD_LINE_BAD;
	*verb_r = verb;
	/* Before anything else is looked at: Postfix tests the first word
	 * of any line, syntax errors included. */
	if (smtpd_forbidden(verb, strcspn(verb, " ")))
		return SMTPD_LINE_FORBIDDEN;
	/* A NUL or a bare CR in a command (RFC 5321 2.3.8: CR only in
	 * CRLF) is refused, and the line is never echoed: a CR that
	 * reached a reply or a log could forge a line. */
	if (memchr(line->data, 0, line->len) != NULL ||
	    memchr(line->data, '\r', line->len) != NULL) {
		*verb_r = NULL;
		return SMTPD_LINE_BAD;
	}
	args = verb + strcspn(verb, " ");
	if (*args != 0)
		*args++ = 0;
	*args_r = args + strspn(args, " ");
	if ((*cmd_r = find_command(verb)) == NULL)
		return SMTPD_LINE_UNKNOWN;
	return SMTPD_LINE_CMD;
}

/* Postfix 3's shape, which log tools parse: each command used as
 * "name=ok" when all succeeded, else "name=ok/total"; then the sums, e.g.
 * "disconnect from h[a] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4". */
static void
log_disconnect(struct smtpd_session *ss)
{
	struct buf line;
	size_t i, ncmd = 0;
	int total = 0, ok = 0;

	buf_init(&line, 1024);
	while (smtpd_cmd_table[ncmd].name != NULL)
		ncmd++;
	for (i = 0; i <= ncmd; i++) {
		char name[16];
		size_t j;

		if (ss->cmd_total[i] == 0)
			continue;
		snprintf(name, sizeof(name), "%s",
		    i < ncmd ? smtpd_cmd_table[i].name : "unknown");
		for (j = 0; name[j] != 0; j++)
			name[j] = (char)tolower((unsigned char)name[j]);
		buf_printf(&line, " %s=%d", name, ss->cmd_ok[i]);
		if (ss->cmd_ok[i] != ss->cmd_total[i])
			buf_printf(&line, "/%d", ss->cmd_total[i]);
		total += ss->cmd_total[i];
		ok += ss->cmd_ok[i];
	}
	buf_printf(&line, " commands=%d", ok);
	if (ok != total)
		buf_printf(&line, "/%d", total);
	log_info("disconnect from %s%s", ss->client, buf_cstr(&line));
	buf_deinit(&line);
}

static int
read_command(struct smtpd_session *ss)
{
	const char *error;
	int ret, too_long = 0;

	buf_reset(&ss->line);
	for (;;) {
		ret = stream_get_line(ss->s, &ss->line,
		    (size_t)var_line_length_limit - ss->line.len, &error);
		if (ret != STREAM_PARTIAL)
			break;
		/* Keep reading to the end of the overlong line. */
		too_long = 1;
		buf_reset(&ss->line);
	}
	if (ret == STREAM_TIMEOUT) {
		smtpd_timed_out(ss, ss->where);
		return -1;
	}
	if (ret == STREAM_EOF || ret == STREAM_ERROR) {
		log_info("lost connection after %s from %s", ss->where,
		    ss->client);
		return -1;
	}
	if (too_long) {
		smtpd_reply(ss, "500 5.5.2 Error: line too long");
		return 0;
	}
	return 1;
}

void
smtpd_session(int in_fd, int out_fd)
{
	struct smtpd_session session, *ss = &session;
	const char *error;
	size_t slot_unknown = 0;

	memset(ss, 0, sizeof(*ss));
	while (smtpd_cmd_table[slot_unknown].name != NULL)
		slot_unknown++;
	if (slot_unknown >= SMTPD_CMD_SLOTS)
		log_panic("smtpd_cmd_table has more than %d commands",
		    SMTPD_CMD_SLOTS - 1);
	ss->s = stream_create(in_fd, STREAM_FLAG_NOCLOSE);
	if (out_fd != in_fd) {
		stream_set_write_fd(ss->s, out_fd);
		ss->split_io = 1;
	}
	/* Every session has a deadline (smtpd_session_deadline), so that
	 * no client holds a process for ever however it paces its bytes;
	 * smtpd_timeout bounds each read, and with
	 * smtpd_per_request_deadline each whole command (below) and DATA
	 * (smtpd_data.c) as well. */
	stream_set_timeout(ss->s, (int)var_smtpd_timeout);
	if (var_smtpd_session_deadline > 0)
		ss->session_end = time(NULL) + var_smtpd_session_deadline;
	smtpd_deadline(ss, 0);
	buf_init(&ss->line, (size_t)var_line_length_limit + 2);
	ss->where = "CONNECT";
	smtpd_peer(ss, in_fd);
	log_info("connect from %s", ss->client);
	if (smtpd_session_test_hook != NULL)
		smtpd_session_test_hook(ss);
	if (smtpd_limit_connect(ss) < 0 || smtpd_tls_wrapper(ss) < 0)
		ss->quit = 1;
	else
		smtpd_reply(ss, "220 %s", var_smtpd_banner);
	while (!ss->quit) {
		const struct smtpd_cmd *cmd;
		char *verb, *args;
		size_t slot;
		int ret, before;

		/* One request: our replies taken and the next command
		 * line received, all within smtpd_timeout. */
		smtpd_deadline(ss,
		    var_smtpd_per_req_deadline ? time(NULL) + var_smtpd_timeout
					       : 0);
		if (stream_pending(ss->s) == 0 &&
		    (ret = stream_flush(ss->s, &error)) < 0) {
			if (ret == STREAM_TIMEOUT)
				smtpd_timed_out(ss, ss->where);
			else
				log_info("lost connection after %s from %s",
				    ss->where, ss->client);
			break;
		}
		if ((ret = read_command(ss)) < 0)
			break;
		if (ret == 0)
			goto check_errors;
		switch (smtpd_parse_line(&ss->line, &verb, &args, &cmd)) {
		case SMTPD_LINE_BAD:
			smtpd_reply(ss, "500 5.5.2 Error: bad syntax");
			goto check_errors;
		case SMTPD_LINE_FORBIDDEN:
			/* An HTTP request (or any line that is not SMTP)
			 * may carry SMTP commands in its body, pipelined
			 * behind it by a web page (cross-protocol attack):
			 * none of them may run, so the session ends here,
			 * unread input and all. */
			log_warn("non-SMTP command from %s: %s", ss->client,
			    log_str(verb));
			ss->where = "UNKNOWN";
			ss->cmd_total[slot_unknown]++;
			smtpd_reply(ss,
			    "221 2.7.0 Error: I can break rules, "
			    "too. Goodbye.");
			ss->quit = 1;
			continue;
		case SMTPD_LINE_UNKNOWN:
			log_warn("%s: unknown command \"%s\"", ss->client,
			    log_str(verb));
			ss->where = "UNKNOWN";
			ss->cmd_total[slot_unknown]++;
			smtpd_reply(ss,
			    "502 5.5.2 Error: command not "
			    "recognized");
			goto check_errors;
		default:
			break;
		}
		ss->where = cmd->name;
		slot = (size_t)(cmd - smtpd_cmd_table);
		ss->cmd_total[slot]++;
		before = ss->errors;
		if ((cmd->flags & SMTPD_CMD_NO_ARGS) && *args != 0) {
			smtpd_reply(ss, "501 5.5.4 Syntax: %s", cmd->name);
			goto check_errors;
		}
		if (smtpd_tls_required(ss, cmd->name)) {
			smtpd_reply(ss,
			    "530 5.7.0 Must issue a STARTTLS command first");
			goto check_errors;
		}
		ret = cmd->fn(ss, args);
		if (ss->errors == before)
			ss->cmd_ok[slot]++;
		if (ret < 0)
			break;
check_errors:
		if (ss->errors >= var_smtpd_hard_erlim) {
			log_info("too many errors after %s from %s", ss->where,
			    ss->client);
			smtpd_reply(ss, "421 4.7.0 %s Error: too many errors",
			    var_myhostname);
			break;
		}
	}
	/* An unfinished message (DATA or BDAT cut off by a timeout or a
	 * lost connection) loses its queue file before our last replies go
	 * out: the client that reads the 421 finds nothing left behind. */
	smtpd_reset(ss);
	stream_flush(ss->s, NULL);
	smtpd_limit_disconnect(ss);
	log_disconnect(ss);
	xfree(ss->helo);
	buf_deinit(&ss->line);
	stream_destroy(&ss->s);
	smtpd_tls_end(ss);
	smtpd_auth_reset(ss);
}
