/* smtpd_limit - the client limits of Postfix's smtpd, counted across all
 * smtpd processes by anvil(8): connections open at once and per
 * anvil_rate_time_unit (smtpd_client_connection_count_limit,
 * smtpd_client_connection_rate_limit), MAIL FROMs and RCPT TOs per window
 * (smtpd_client_message_rate_limit, smtpd_client_recipient_rate_limit)
 * and AUTH commands per window (smtpd_client_auth_rate_limit). A
 * limit of 0 is off; clients in smtpd_client_event_limit_exceptions
 * (default $mynetworks) are never limited nor counted. When anvil cannot
 * be asked, nothing is limited (anvil_clnt.h). Each refusal is logged as
 * Postfix logs it ("warning: Connection rate limit exceeded: 31 from
 * host[addr] for service smtp"), so that its log tools and fail2ban
 * filters see the same lines. Until smtpd_limit_init runs (unit tests,
 * fuzz harnesses), every check passes without asking anvil. */
#ifndef TERN_SMTPD_LIMIT_H
#define TERN_SMTPD_LIMIT_H

struct smtpd_session;

/* Before the privilege drop: the exceptions list (its tables open now).
 * A bad list is fatal, naming main.cf and the parameter. */
void smtpd_limit_init(void);

/* The client has connected: 0, or -1 after the reply "421 4.7.0 <host>
 * Error: too many connections from <addr>" (the session must end). */
int smtpd_limit_connect(struct smtpd_session *ss);
/* The session ends (after smtpd_limit_connect, refused or not). */
void smtpd_limit_disconnect(struct smtpd_session *ss);
/* MAIL FROM: 0, or -1 after "450 4.7.1 Error: too much mail from
 * <addr>". RCPT TO: 0, or -1 after "450 4.7.1 Error: too many recipients
 * from <addr>". */
int smtpd_limit_mail(struct smtpd_session *ss);
int smtpd_limit_rcpt(struct smtpd_session *ss);
/* AUTH: 0, or -1 after "503 5.7.0 Error: too many AUTH commands from
 * <addr>" (smtpd_client_auth_rate_limit). */
int smtpd_limit_auth(struct smtpd_session *ss);

#endif
