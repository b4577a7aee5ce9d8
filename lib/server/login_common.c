/* SPDX-License-Identifier: MIT */
/* login_common - what the login processes of pop3d and imapd share. See
 * login_common.h. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/sasl_plain.h"
#include "server/login_common.h"
#include "server/server_login.h"
#include "tls/tls.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

void
login_conn_init(struct login_conn *c, const char *log_name,
    const struct login_peer *p)
{
	memset(c, 0, sizeof(*c));
	c->log_name = log_name;
	c->p = p;
	c->start = time(NULL);
}

void
login_conn_deinit(struct login_conn *c)
{
	xfree(c->user);
	c->user = NULL;
}

void
login_conn_set_user(struct login_conn *c, const char *user)
{
	xfree(c->user);
	c->user = user != NULL ? xstrdup(user) : NULL;
}

void
login_conn_note_response(struct login_conn *c, const char *b64)
{
	struct sasl_plain plain;
	struct buf raw;
	const char *error;

	if (b64 == NULL || strcmp(c->method, "PLAIN") != 0)
		return;
	buf_init(&raw, 3 * SASL_PLAIN_FIELD_MAX + 2);
	if (base64_decode(b64, strlen(b64), &raw, &error) == 0 &&
	    sasl_plain_decode(raw.data, buf_len(&raw), &plain, &error) == 0) {
		xfree(c->user);
		c->user = xstrndup(plain.authcid, plain.authcid_len);
	}
	explicit_bzero(raw.data, buf_len(&raw));
	buf_deinit(&raw);
}

void
login_conn_set_method(struct login_conn *c, const char *mech)
{
	size_t i;

	for (i = 0; mech[i] != '\0' && i < sizeof(c->method) - 1; i++)
		c->method[i] = (char)toupper((unsigned char)mech[i]);
	c->method[i] = '\0';
}

int
login_plaintext_ok(const struct login_conn *c, const struct login_tls *t,
    int auth_only)
{
	if (c->tls)
		return 1;
	if (t->level == TLS_LEVEL_ENCRYPT && t->server != NULL)
		return 0;
	return !auth_only || c->p->loopback;
}

int
login_starttls_offered(const struct login_conn *c, const struct login_tls *t)
{
	return t->server != NULL && !c->tls && t->level != TLS_LEVEL_NONE;
}

int
login_mech_is_plaintext(const char *mech, size_t n)
{
	return (n == strlen("PLAIN") && strncasecmp(mech, "PLAIN", n) == 0) ||
	    (n == strlen("LOGIN") && strncasecmp(mech, "LOGIN", n) == 0);
}

void
login_mechs_now(const char *mechs, int plaintext, struct buf *out)
{
	const char *p;
	size_t n, mark;

	buf_reset(out);
	if (mechs == NULL)
		return;
	for (p = mechs; *(p += strspn(p, " ")) != '\0'; p += n) {
		n = strcspn(p, " ");
		if (login_mech_is_plaintext(p, n) && !plaintext)
			continue;
		/* A name that does not fit whole is left out whole. */
		mark = buf_len(out);
		if ((mark > 0 && buf_puts(out, " ") < 0) ||
		    buf_append(out, p, n) < 0)
			buf_truncate(out, mark);
	}
}

void
login_plain_init(struct buf *enc, const char *user, const char *pass)
{
	size_t un = strlen(user), pn = strlen(pass);
	struct buf raw;

	/* UNSAFE: user and pass are peer input bounded by the daemons'
	 * line and literal limits (kilobytes), so the sums cannot
	 * overflow. */
	buf_init(&raw, un + pn + 3);
	buf_init(enc, base64_encoded_len(un + pn + 2) + 1);
	buf_append(&raw, "", 1);
	buf_append(&raw, user, un);
	buf_append(&raw, "", 1);
	buf_append(&raw, pass, pn);
	(void)base64_encode(raw.data, buf_len(&raw), enc);
	explicit_bzero(raw.data, buf_len(&raw));
	buf_deinit(&raw);
}

void
login_plain_wipe(struct buf *enc)
{
	explicit_bzero(enc->data, buf_len(enc));
	buf_deinit(enc);
}

int
login_tls_start(struct login_conn *c, const struct login_tls *t,
    struct stream *s)
{
	const char *error = "no certificate";

	if (t->server == NULL ||
	    tls_server_start(t->server, s, &error) == NULL) {
		log_info("%s: Disconnected (TLS handshaking: %s): user=<>, "
			 "rip=%s, lip=%s",
		    c->log_name, error, c->p->rip, c->p->lip);
		return -1;
	}
	c->tls = 1;
	/* What was learnt before TLS is forgotten. */
	login_conn_set_user(c, NULL);
	return 0;
}

static const char *
tls_tag(const struct login_conn *c)
{
	return c->tls ? ", TLS" : "";
}

void
login_log_login(const struct login_conn *c, long mpid)
{
	log_info("%s: Login: user=<%s>, method=%s, rip=%s, lip=%s, "
		 "mpid=%ld%s",
	    c->log_name, log_str(c->user ? c->user : ""), log_str(c->method),
	    c->p->rip, c->p->lip, mpid, tls_tag(c));
}

/* Dovecot's reasons (fail2ban reads the "auth failed" and "tried to use
 * disallowed" forms). */
void
login_log_disconnect(const struct login_conn *c, const char *why)
{
	long secs = (long)(time(NULL) - c->start);
	const char *user = log_str(c->user ? c->user : "");

	if (c->attempts > 0)
		log_info("%s: %s (auth failed, %d attempts in %ld secs): "
			 "user=<%s>, method=%s, rip=%s, lip=%s%s",
		    c->log_name, why, c->attempts, secs, user,
		    log_str(c->method), c->p->rip, c->p->lip, tls_tag(c));
	else if (c->disallowed)
		log_info("%s: %s (tried to use disallowed plaintext auth): "
			 "user=<%s>, rip=%s, lip=%s%s",
		    c->log_name, why, user, c->p->rip, c->p->lip, tls_tag(c));
	else
		log_info("%s: %s (no auth attempts in %ld secs): user=<%s>, "
			 "rip=%s, lip=%s%s",
		    c->log_name, why, secs, user, c->p->rip, c->p->lip,
		    tls_tag(c));
}
