/* SPDX-License-Identifier: MIT */
/* smtpd_tls - STARTTLS and wrapper mode in the SMTP server. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "server/server_tls.h"
#include "tls/tls.h"
#include "tls/tls_level.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/maps.h"
#include "util/mem.h"
#include "util/stream.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_tls.h"

static enum tls_level level = TLS_LEVEL_NONE;
static struct tls_server *server; /* NULL: keys not loaded */

void
smtpd_tls_init(void)
{
	const struct server_tls_params p = {
		.level = var_smtpd_tls_level,
		.level_param = VAR_SMTPD_TLS_LEVEL,
		.wrappermode = var_smtpd_tls_wrappermode,
		.cert_files = var_smtpd_tls_cert_file,
		.key_files = var_smtpd_tls_key_file,
		.cert_param = VAR_SMTPD_TLS_CERT_FILE,
		.ticket_name = "ticket_keys",
	};
	server_tls_init(&p, &level, &server);
}

int
smtpd_tls_offered(const struct smtpd_session *ss)
{
	return level != TLS_LEVEL_NONE && ss->tls == NULL && server != NULL &&
	    stream_fd(ss->s) >= 0 && !ss->split_io;
}

int
smtpd_tls_required(const struct smtpd_session *ss, const char *cmd)
{
	static const char *const free_cmds[] = { "EHLO", "HELO", "STARTTLS",
		"NOOP", "RSET", "HELP", "QUIT", NULL };

	if (level != TLS_LEVEL_ENCRYPT || ss->tls != NULL)
		return 0;
	for (size_t i = 0; free_cmds[i] != NULL; i++)
		if (strcasecmp(cmd, free_cmds[i]) == 0)
			return 0;
	return 1;
}

/* Run the handshake; log what was agreed (Postfix's line). */
static int
handshake(struct smtpd_session *ss)
{
	const char *error;
	struct buf desc;

	if ((ss->tls = tls_server_start(server, ss->s, &error)) == NULL) {
		log_info("SSL_accept error from %s: %s", ss->client,
		    log_str(error));
		log_info("lost connection after %s from %s", ss->where,
		    ss->client);
		return -1;
	}
	buf_init(&desc, 512);
	tls_conn_describe(ss->tls, &desc);
	log_info("Anonymous TLS connection established from %s: %s", ss->client,
	    buf_cstr(&desc));
	xfree(ss->tls_info);
	ss->tls_info = buf_steal(&desc);
	buf_deinit(&desc);
	return 0;
}

int
smtpd_tls_wrapper(struct smtpd_session *ss)
{
	if (!var_smtpd_tls_wrappermode)
		return 0;
	if (server == NULL || ss->split_io) {
		log_warn("TLS is not available for wrapper-mode client %s",
		    ss->client);
		return -1;
	}
	return handshake(ss);
}

int
smtpd_cmd_starttls(struct smtpd_session *ss, char *args)
{
	const char *error;

	if (*args != '\0') {
		smtpd_reply(ss, "501 5.5.4 Syntax: STARTTLS");
		return 0;
	}
	if (ss->tls != NULL) {
		smtpd_reply(ss, "554 5.5.1 Error: TLS already active");
		return 0;
	}
	if (level == TLS_LEVEL_NONE || ss->split_io) {
		smtpd_reply(ss, "502 5.5.1 Error: command not implemented");
		return 0;
	}
	if (server == NULL) {
		smtpd_reply(ss,
		    "454 4.7.0 TLS not available due to local problem");
		return 0;
	}
	smtpd_reply(ss, "220 2.0.0 Ready to start TLS");
	if (stream_flush(ss->s, &error) < 0) {
		log_info("lost connection after STARTTLS from %s", ss->client);
		return -1;
	}
	/* RFC 3207 6: anything the client sent behind STARTTLS came
	 * before the handshake and must not be taken as if it came inside
	 * TLS (CVE-2011-0411). */
	if (stream_pending(ss->s) > 0) {
		log_warn("%s: %zu bytes pipelined after STARTTLS discarded",
		    ss->client, stream_pending(ss->s));
		stream_discard_input(ss->s);
	}
	if (handshake(ss) < 0)
		return -1;
	/* RFC 3207 4.2: forget everything learnt before TLS, the EHLO
	 * name included; the client starts again with EHLO. */
	smtpd_reset(ss);
	smtpd_auth_reset(ss);
	xfree(ss->helo);
	ss->helo = NULL;
	ss->esmtp = 0;
	return 0;
}

void
smtpd_tls_end(struct smtpd_session *ss)
{
	ss->tls = NULL;
	xfree(ss->tls_info);
	ss->tls_info = NULL;
}
