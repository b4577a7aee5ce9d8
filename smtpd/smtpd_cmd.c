/* SPDX-License-Identifier: MIT */
/* smtpd_cmd - one handler per SMTP command (RFC 5321 section 4.1.1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>

#include "conf/params.h"
#include "mail/addr.h"
#include "mail/dsn_param.h"
#include "mail/resolve.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_check.h"
#include "smtpd_limit.h"
#include "smtpd_tls.h"

/* HELO and EHLO: remember the name; RFC 5321 4.1.4: a new one resets the
 * transaction. Returns 0, or -1 after a syntax error reply. */
static int
helo_common(struct smtpd_session *ss, char *args, int esmtp)
{
	char *p;

	if (*args == 0) {
		smtpd_reply(ss, "501 5.5.4 Syntax: %s hostname",
		    esmtp ? "EHLO" : "HELO");
		return -1;
	}
	args[strcspn(args, " ")] = 0;
	/* The name goes into log lines and our Received: header: keep it
	 * to printable ASCII so that it can forge neither. */
	for (p = args; *p != 0; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			*p = '?';
	smtpd_reset(ss);
	xfree(ss->helo);
	ss->helo = xstrdup(args);
	ss->esmtp = esmtp;
	return 0;
}

static int
cmd_helo(struct smtpd_session *ss, char *args)
{
	if (helo_common(ss, args, 0) == 0)
		smtpd_reply(ss, "250 %s", var_myhostname);
	return 0;
}

static int
cmd_ehlo(struct smtpd_session *ss, char *args)
{
	char auth[512];

	if (helo_common(ss, args, 1) < 0)
		return 0;
	smtpd_reply(ss, "250-%s", var_myhostname);
	smtpd_reply(ss, "250-PIPELINING");
	if (var_message_size_limit > 0)
		smtpd_reply(ss, "250-SIZE %ld", var_message_size_limit);
	else
		smtpd_reply(ss, "250-SIZE");
	if (!var_disable_vrfy_cmd)
		smtpd_reply(ss, "250-VRFY");
	if (smtpd_tls_offered(ss))
		smtpd_reply(ss, "250-STARTTLS");
	if (smtpd_auth_ehlo(ss, auth, sizeof(auth)))
		smtpd_reply(ss, "250-%s", auth);
	smtpd_reply(ss, "250-ENHANCEDSTATUSCODES");
	/* RFC 3030 CHUNKING, but not BINARYMIME: queue files keep LF line
	 * ends, which binary content would not survive. */
	smtpd_reply(ss, "250-CHUNKING");
	smtpd_reply(ss, "250-SMTPUTF8");
	smtpd_reply(ss, "250-DSN");
	smtpd_reply(ss, "250 8BITMIME");
	return 0;
}

/* "FROM:" / "TO:" then an optional space (strict_rfc821_envelopes = no),
 * as RFC 5321 4.1.1.2 writes no space but clients send one. */
static char *
skip_keyword(char *args, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(args, kw, n) != 0)
		return NULL;
	args += n;
	if (!var_strict_rfc821_env)
		args += strspn(args, " ");
	return args;
}

static int
parse_size(const char *v, long *size_r)
{
	char *end;
	long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*end != 0)
		return -1;
	/* Too large to represent is simply too large. */
	*size_r = errno == ERANGE ? -1 : n;
	return 0;
}

/* The next ESMTP parameter of a MAIL or RCPT command (RFC 5321 4.1.2:
 * separated by spaces), NUL-terminated in place, or NULL at the end. */
static char *
next_param(char **pp)
{
	char *p = *pp + strspn(*pp, " "), *param = p;

	if (*p == 0)
		return NULL;
	p += strcspn(p, " ");
	if (*p != 0)
		*p++ = 0;
	*pp = p;
	return param;
}

/* 1 when s has a byte outside ASCII (a UTF-8 address). */
static int
smtpd_has_8bit(const char *s)
{
	for (; *s != 0; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Whether the queue file system (our working directory) has room for a
 * message of the declared size (0: none declared), as Postfix decides:
 * queue_minfree stays free, and 1.5 times the size fits in what is free
 * beyond it. A statvfs that fails decides nothing: the write will. */
static int
queue_has_room(long size)
{
	struct statvfs sv;
	unsigned long long avail, keep = (unsigned long long)var_queue_minfree;

	if (statvfs(".", &sv) < 0)
		return 1;
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail <= keep)
		return 0;
	return (unsigned long long)size / 2 * 3 < avail - keep;
}

static int
cmd_mail(struct smtpd_session *ss, char *args)
{
	struct buf addr, envid;
	const char *end, *error;
	char *p, *param;
	long size = 0;
	int body_8bit = 0, smtputf8 = 0, ret = 0, have_envid = 0;

	if (var_smtpd_helo_required && ss->helo == NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: send HELO/EHLO first");
		return 0;
	}
	if (ss->sender != NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: nested MAIL command");
		return 0;
	}
	if (smtpd_auth_required(ss)) {
		smtpd_reply(ss, "530 5.7.0 Authentication required");
		return 0;
	}
	if ((p = skip_keyword(args, "FROM:")) == NULL) {
		smtpd_reply(ss, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return 0;
	}
	buf_init(&addr, ADDR_PATH_MAX + 1);
	buf_init(&envid, DSN_ENVID_MAX + 1);
	if (addr_parse_path(p,
		ADDR_ALLOW_NULL | ADDR_ALLOW_UTF8 |
		    (var_strict_rfc821_env ? 0 : ADDR_ALLOW_BARE),
		&addr, &end, &error) < 0 ||
	    (*end != 0 && *end != ' ')) {
		smtpd_reply(ss, "501 5.1.7 Bad sender address syntax");
		goto out;
	}
	/* RFC 1869 / RFC 6152: ESMTP parameters after EHLO only. */
	for (p = (char *)end; (param = next_param(&p)) != NULL;) {
		if (!ss->esmtp) {
			smtpd_reply(ss, "555 5.5.4 Unsupported option: %s",
			    param);
			goto out;
		}
		if (strncasecmp(param, "SIZE=", 5) == 0) {
			if (parse_size(param + 5, &size) < 0) {
				smtpd_reply(ss,
				    "501 5.5.4 Bad SIZE "
				    "parameter");
				goto out;
			}
		} else if (strncasecmp(param, "BODY=", 5) == 0) {
			if (strcasecmp(param + 5, "7BIT") != 0 &&
			    strcasecmp(param + 5, "8BITMIME") != 0) {
				smtpd_reply(ss,
				    "501 5.5.4 Bad BODY "
				    "parameter");
				goto out;
			}
			body_8bit = strcasecmp(param + 5, "8BITMIME") == 0;
		} else if (strcasecmp(param, "SMTPUTF8") == 0) {
			smtputf8 = 1;
		} else if (strncasecmp(param, "RET=", 4) == 0) {
			/* RFC 3461 4.3; given once. */
			if (ret != 0 || (ret = dsn_ret_parse(param + 4)) < 0) {
				smtpd_reply(ss,
				    "501 5.5.4 Bad RET parameter syntax");
				goto out;
			}
		} else if (strncasecmp(param, "ENVID=", 6) == 0) {
			/* RFC 3461 4.4: xtext, at most 100 characters. */
			if (have_envid++ ||
			    dsn_envid_parse(param + 6, &envid) < 0) {
				smtpd_reply(ss,
				    "501 5.5.4 Bad ENVID parameter syntax");
				goto out;
			}
		} else {
			smtpd_reply(ss, "555 5.5.4 Unsupported option: %s",
			    param);
			goto out;
		}
	}
	/* RFC 6531 3.4: a UTF-8 address needs the SMTPUTF8 parameter. */
	if (!smtputf8 && smtpd_has_8bit(buf_cstr(&addr))) {
		smtpd_reply(ss,
		    "553 5.6.7 Must declare SMTPUTF8 to send "
		    "unicode address");
		goto out;
	}
	if (var_message_size_limit > 0 &&
	    (size < 0 || size > var_message_size_limit)) {
		log_info("NOQUEUE: reject: MAIL from %s: 552 5.3.4 Message "
			 "size exceeds fixed limit; proto=%s helo=<%s>",
		    ss->client, smtpd_proto(ss),
		    ss->helo ? log_str(ss->helo) : "");
		smtpd_reply(ss, "552 5.3.4 Message size exceeds fixed limit");
		goto out;
	}
	if (smtpd_limit_mail(ss) < 0)
		goto out;
	if (!queue_has_room(size)) {
		log_warn("not enough free space in mail queue for a message "
			 "of %ld bytes (queue_minfree %ld) from %s",
		    size, var_queue_minfree, ss->client);
		smtpd_reply(ss, "452 4.3.1 Insufficient system storage");
		goto out;
	}
	ss->sender = buf_steal(&addr);
	ss->declared_size = size;
	ss->body_8bit = body_8bit;
	ss->smtputf8 = smtputf8;
	ss->dsn_ret = ret;
	if (have_envid)
		ss->dsn_envid = buf_steal(&envid);
	smtpd_reply(ss, "250 2.1.0 Ok");
out:
	buf_deinit(&addr);
	buf_deinit(&envid);
	return 0;
}

/* The RCPT TO parameters after the address (RFC 3461 4.1, 4.2): NOTIFY
 * and ORCPT, each at most once. Returns 0, or -1 after the error reply. */
static int
rcpt_params(struct smtpd_session *ss, char *p, int *notify_r, struct buf *orcpt)
{
	char *param;
	int have_orcpt = 0;

	*notify_r = 0;
	while ((param = next_param(&p)) != NULL) {
		if (!ss->esmtp) {
			smtpd_reply(ss, "555 5.5.4 Unsupported option: %s",
			    param);
			return -1;
		}
		if (strncasecmp(param, "NOTIFY=", 7) == 0) {
			if (*notify_r != 0 ||
			    (*notify_r = dsn_notify_parse(param + 7)) < 0) {
				smtpd_reply(ss,
				    "501 5.5.4 Bad NOTIFY parameter syntax");
				return -1;
			}
		} else if (strncasecmp(param, "ORCPT=", 6) == 0) {
			if (have_orcpt++ ||
			    dsn_orcpt_parse(param + 6, orcpt) < 0) {
				smtpd_reply(ss,
				    "501 5.5.4 Bad ORCPT parameter syntax");
				return -1;
			}
		} else {
			smtpd_reply(ss, "555 5.5.4 Unsupported option: %s",
			    param);
			return -1;
		}
	}
	return 0;
}

/* Postfix's "NOQUEUE: reject: RCPT from host[addr]: 554 5.7.1 ...; from=<>
 * to=<> proto=ESMTP helo=<>" and its warn and info siblings. */
static void
log_whatsup(struct smtpd_session *ss, const char *whatsup, const char *rcpt,
    const char *text)
{
	log_info("NOQUEUE: %s: RCPT from %s: %s; from=<%s> to=<%s> proto=%s "
		 "helo=<%s>",
	    whatsup, ss->client, text, log_str(ss->sender), rcpt,
	    smtpd_proto(ss), ss->helo ? ss->helo : "");
}

static void
log_reject(struct smtpd_session *ss, const char *rcpt, int code,
    const char *dsn, const char *text)
{
	char line[700];

	snprintf(line, sizeof(line), "%d %s %s", code, dsn, text);
	log_whatsup(ss, "reject", rcpt, line);
}

/* smtpd_check's WARN and INFO, for the recipient being checked. */
struct check_log {
	struct smtpd_session *ss;
	const char *rcpt;
};

static void
check_log(void *ctx, const char *whatsup, const char *text)
{
	struct check_log *cl = ctx;

	log_whatsup(cl->ss, whatsup, cl->rcpt, text);
}

/* Decide about one recipient that the restrictions let through (or, for
 * VRFY, that they were not asked about: relay_ok = 0). A recipient in
 * another domain is relayed as it is when relay_ok (the restrictions
 * permitted it); otherwise the original address must be ours (a virtual
 * mailbox domain, or postmaster); an address that has virtual aliases is
 * accepted and replaced by its expansion (the targets are resolved again
 * at delivery, where undeliverable ones bounce). */
static int
check_rcpt(struct smtpd_session *ss, const char *rcpt,
    struct resolve_list *finals, struct resolve_error *err, int relay_ok)
{
	int cls;

	if (relay_ok) {
		if ((cls = resolve_class(rcpt, err)) < 0)
			return -1;
		if (cls == RESOLVE_RELAY) {
			finals->addr = xmalloc(sizeof(*finals->addr));
			finals->addr[0] = xstrdup(rcpt);
			finals->n = finals->cap = 1;
			return 0;
		}
	}
	if (resolve_alias(rcpt, finals, err) < 0)
		return -1;
	if (finals->n == 1 && strcasecmp(finals->addr[0], rcpt) == 0) {
		cls = resolve_class(rcpt, err);
		if (cls < 0 || cls == RESOLVE_RELAY || cls == RESOLVE_UNKNOWN)
			return -1;
		return 0;
	}
	/* Aliased: the domain must still be one we serve. */
	cls = resolve_class(rcpt, err);
	if (cls < 0 || cls == RESOLVE_RELAY)
		return -1;
	return 0;
}

static int
cmd_rcpt(struct smtpd_session *ss, char *args)
{
	struct resolve_list finals = { 0 };
	struct resolve_error err;
	struct smtpd_check_client cc;
	struct check_log cl;
	struct smtpd_check_reply cr;
	struct smtpd_rcpt *r;
	struct buf addr, orcpt;
	const char *end, *error;
	char *p;
	int notify;

	if (ss->sender == NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: need MAIL command");
		return 0;
	}
	/* The queue file of a BDAT message has its recipients already. */
	if (ss->msg != NULL) {
		smtpd_reply(ss, "503 5.5.1 Error: RCPT after BDAT");
		return 0;
	}
	ss->rcpt_tried++;
	if ((p = skip_keyword(args, "TO:")) == NULL) {
		smtpd_reply(ss, "501 5.5.4 Syntax: RCPT TO:<address>");
		return 0;
	}
	buf_init(&addr, ADDR_PATH_MAX + 64);
	buf_init(&orcpt, DSN_ORCPT_MAX + 1);
	if (addr_parse_path(p,
		ADDR_ALLOW_LOCAL | ADDR_ALLOW_UTF8 |
		    (var_strict_rfc821_env ? 0 : ADDR_ALLOW_BARE),
		&addr, &end, &error) < 0 ||
	    buf_len(&addr) == 0) {
		smtpd_reply(ss, "501 5.1.3 Bad recipient address syntax");
		goto out;
	}
	if (!ss->smtputf8 && smtpd_has_8bit(buf_cstr(&addr))) {
		smtpd_reply(ss,
		    "553 5.6.7 Must declare SMTPUTF8 to send "
		    "unicode address");
		goto out;
	}
	if (rcpt_params(ss, (char *)end, &notify, &orcpt) < 0)
		goto out;
	/* RFC 5321 4.1.1.3: <Postmaster> without a domain must work. */
	if (strchr(buf_cstr(&addr), '@') == NULL) {
		if (!addr_is_postmaster(buf_cstr(&addr))) {
			smtpd_reply(ss,
			    "501 5.1.3 Bad recipient address "
			    "syntax");
			goto out;
		}
		buf_printf(&addr, "@%s", var_myorigin);
	}
	/* RFC 5321 4.5.3.1.10: 452 for recipients over the limit; the
	 * client sends them again in another transaction. Like Postfix, a
	 * client that pipelines a long list is not cut off for it at once. */
	if (smtpd_limit_rcpt(ss) < 0)
		goto out;
	if ((long)ss->nrcpt >= var_smtpd_rcpt_limit) {
		if (ss->rcpt_overshoot++ < var_smtpd_rcpt_overlim)
			smtpd_reply_uncounted(ss,
			    "452 4.5.3 Error: too many recipients");
		else
			smtpd_reply(ss, "452 4.5.3 Error: too many recipients");
		goto out;
	}
	cc.addr = ss->client_addr;
	cc.name = ss->client_name;
	cc.helo = ss->helo;
	cc.sender = ss->sender;
	cc.sasl_username = ss->sasl_user;
	cl.ss = ss;
	cl.rcpt = buf_cstr(&addr);
	cc.log_fn = check_log;
	cc.log_ctx = &cl;
	if (smtpd_check_rcpt(&cc, buf_cstr(&addr), &cr) < 0) {
		log_reject(ss, buf_cstr(&addr), cr.code, cr.dsn, cr.text);
		smtpd_reply(ss, "%d %s %s", cr.code, cr.dsn, cr.text);
		/* access(5): after a 421 or 521 from a table, hang up as
		 * Postfix does (a botnet gets no second try). */
		if (cr.code == 421 || cr.code == 521)
			ss->quit = 1;
		goto out;
	}
	if (check_rcpt(ss, buf_cstr(&addr), &finals, &err, 1) < 0) {
		log_reject(ss, buf_cstr(&addr), err.code, err.dsn, err.text);
		smtpd_reply(ss, "%d %s %s", err.code, err.dsn, err.text);
		goto out;
	}
	ss->rcpt = xrealloc(ss->rcpt, (ss->nrcpt + 1) * sizeof(*ss->rcpt));
	r = &ss->rcpt[ss->nrcpt++];
	r->orig = buf_steal(&addr);
	r->final = finals.addr;
	r->nfinal = finals.n;
	r->notify = notify;
	r->orcpt = orcpt.len > 0 ? buf_steal(&orcpt) : NULL;
	ss->nfinal += finals.n;
	finals.addr = NULL;
	finals.n = 0;
	smtpd_reply(ss, "250 2.1.5 Ok");
out:
	resolve_list_free(&finals);
	buf_deinit(&addr);
	buf_deinit(&orcpt);
	return 0;
}

static int
cmd_rset(struct smtpd_session *ss, char *args)
{
	smtpd_reset(ss);
	smtpd_reply(ss, "250 2.0.0 Ok");
	return 0;
}

static int
cmd_noop(struct smtpd_session *ss, char *args)
{
	smtpd_reply(ss, "250 2.0.0 Ok");
	return 0;
}

static int
cmd_quit(struct smtpd_session *ss, char *args)
{
	smtpd_reply(ss, "221 2.0.0 Bye");
	ss->quit = 1;
	return 0;
}

static int
cmd_help(struct smtpd_session *ss, char *args)
{
	smtpd_reply(ss,
	    "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT "
	    "RSET NOOP QUIT HELP VRFY STARTTLS AUTH");
	smtpd_reply(ss, "214 2.0.0 See RFC 5321 for details");
	return 0;
}

/* VRFY: off by default (disable_vrfy_command = yes), because it hands
 * address harvesters a directory. RFC 5321 3.5.3 allows 252. */
static int
cmd_vrfy(struct smtpd_session *ss, char *args)
{
	struct resolve_list finals = { 0 };
	struct resolve_error err;
	struct buf addr;
	const char *end, *error;

	if (*args == 0) {
		smtpd_reply(ss, "501 5.5.4 Syntax: VRFY address");
		return 0;
	}
	if (var_disable_vrfy_cmd) {
		smtpd_reply(ss,
		    "252 2.0.0 Cannot VRFY user, but will accept "
		    "message and attempt delivery");
		return 0;
	}
	buf_init(&addr, ADDR_PATH_MAX + 1);
	if (addr_parse_path(args, ADDR_ALLOW_BARE, &addr, &end, &error) < 0) {
		smtpd_reply(ss, "501 5.1.3 Bad recipient address syntax");
		buf_deinit(&addr);
		return 0;
	}
	/* The same decision as RCPT, aliases included. */
	if (check_rcpt(ss, buf_cstr(&addr), &finals, &err, 0) == 0)
		smtpd_reply(ss, "252 2.0.0 %s", buf_cstr(&addr));
	else
		smtpd_reply(ss, "%d %s %s", err.code, err.dsn, err.text);
	resolve_list_free(&finals);
	buf_deinit(&addr);
	return 0;
}

/* EXPN would list the members of aliases to anyone who asks (RFC 5321
 * 3.5.2 lets a server refuse); ETRN (RFC 1985) would flush mail queued
 * for a client's domain, which needs per-destination queues we do not
 * keep. */
static int
cmd_expn(struct smtpd_session *ss, char *args)
{
	smtpd_reply(ss, "502 5.5.1 EXPN command is disabled");
	return 0;
}

static int
cmd_etrn(struct smtpd_session *ss, char *args)
{
	smtpd_reply(ss, "502 5.5.1 ETRN is not supported");
	return 0;
}

const struct smtpd_cmd smtpd_cmd_table[] = {
	{ "HELO", cmd_helo, 0 },
	{ "EHLO", cmd_ehlo, 0 },
	/* Here, so that the disconnect line reads as Postfix's does. */
	{ "STARTTLS", smtpd_cmd_starttls, 0 },
	{ "AUTH", smtpd_cmd_auth, 0 },
	{ "MAIL", cmd_mail, 0 },
	{ "RCPT", cmd_rcpt, 0 },
	{ "DATA", smtpd_cmd_data, SMTPD_CMD_NO_ARGS },
	{ "BDAT", smtpd_cmd_bdat, 0 },
	{ "RSET", cmd_rset, SMTPD_CMD_NO_ARGS },
	{ "NOOP", cmd_noop, 0 },
	{ "QUIT", cmd_quit, SMTPD_CMD_NO_ARGS },
	{ "HELP", cmd_help, 0 },
	{ "VRFY", cmd_vrfy, 0 },
	{ "EXPN", cmd_expn, 0 },
	{ "ETRN", cmd_etrn, 0 },
	{ NULL, NULL, 0 },
};
