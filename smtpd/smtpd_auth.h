/* smtpd_auth - SMTP AUTH (RFC 4954) in the SMTP server, through auth(8).
 *
 * With smtpd_sasl_auth_enable, EHLO lists AUTH with auth(8)'s
 * mechanisms; with smtpd_tls_auth_only (the default) only once TLS runs,
 * and an AUTH before TLS gets 538 5.7.11. The exchange is relayed line
 * by line: smtpd never sees a password decoded, auth(8) decides and logs
 * failures (in Postfix's words, for fail2ban). Replies: 235 2.7.0
 * success, 535 5.7.8 failure, 454 4.7.0 auth(8) unavailable or its
 * table unreadable, 504 5.5.4 unknown mechanism, 501 5.5.2 malformed
 * base64, 501 5.0.0 cancelled ("*"), 500 5.5.6 a response line over
 * 12288 octets (RFC 4954 4), 503 5.5.1 AUTH disabled, repeated or inside
 * a transaction. With smtpd_auth_required (the submission services),
 * MAIL before AUTH gets 530 5.7.0 Authentication required. The user is
 * kept for the session: relay restrictions (permit_sasl_authenticated,
 * reject_sender_login_mismatch), the client= log line (sasl_method=,
 * sasl_username=) and ESMTPA/ESMTPSA in Received: (RFC 3848). */
#ifndef TERN_SMTPD_AUTH_H
#define TERN_SMTPD_AUTH_H

struct smtpd_session;

/* The EHLO line "AUTH mech ..." for ss into line (size bytes), or 0
 * when AUTH is not to be offered. */
int smtpd_auth_ehlo(const struct smtpd_session *ss, char *line, size_t size);
/* 1 when MAIL must be refused with 530 5.7.0 (smtpd_auth_required and
 * not authenticated). */
int smtpd_auth_required(const struct smtpd_session *ss);
int smtpd_cmd_auth(struct smtpd_session *ss, char *args);
/* Forget the login (end of session, or STARTTLS). */
void smtpd_auth_reset(struct smtpd_session *ss);

#endif
