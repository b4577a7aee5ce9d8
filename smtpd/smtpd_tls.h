/* smtpd_tls - TLS in the SMTP server: STARTTLS (RFC 3207) and implicit
 * TLS from the first byte (smtpd_tls_wrappermode, RFC 8314 port 465).
 *
 * smtpd_tls_security_level says what is offered: "none" (no TLS),
 * "may" (STARTTLS in EHLO), "encrypt" (STARTTLS, and every command but
 * EHLO, HELO, STARTTLS, NOOP, RSET, HELP and QUIT refused with 530 5.7.0
 * until TLS runs). The certificates (smtpd_tls_cert_file with
 * smtpd_tls_key_file: lists paired by position, RSA and ECDSA together)
 * are read before the privilege drop, as root; a file that cannot be
 * used is logged as a warning and TLS is then not offered (STARTTLS
 * gets 454 4.7.0; a wrapper-mode connection is closed). Unless
 * smtpd_tls_init has run (unit tests, fuzz harnesses), TLS is off. */
#ifndef TERN_SMTPD_TLS_H
#define TERN_SMTPD_TLS_H

struct smtpd_session;

/* Before the privilege drop: check the parameters (an unknown
 * smtpd_tls_security_level is fatal, naming main.cf and the parameter)
 * and load the keys. */
void smtpd_tls_init(void);

/* 1 when EHLO is to list STARTTLS in this session, else 0. */
int smtpd_tls_offered(const struct smtpd_session *ss);
/* 1 when cmd may not run yet: smtpd_tls_security_level = encrypt and no
 * TLS so far. The caller replies 530 5.7.0. */
int smtpd_tls_required(const struct smtpd_session *ss, const char *cmd);
/* Wrapper mode: the handshake before the greeting. 0 (TLS runs, or
 * wrapper mode is off), or -1 with the failure logged: the session
 * ends without a reply. */
int smtpd_tls_wrapper(struct smtpd_session *ss);
/* The STARTTLS command. */
int smtpd_cmd_starttls(struct smtpd_session *ss, char *args);
/* Forget the TLS state of ss (at the end of the session: the stream
 * owns the connection and frees it). */
void smtpd_tls_end(struct smtpd_session *ss);

#endif
