/* SPDX-License-Identifier: MIT */
/* smtpd_access - access(5) lookup keys and values. See smtpd_access.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "util/buf.h"
#include "util/dict.h"
#include "util/mem.h"

#include "smtpd_access.h"

void
smtpd_access_keys_free(struct smtpd_access_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		xfree(k->key[i]);
	xfree(k->key);
	k->key = NULL;
	k->n = 0;
}

/* Append len bytes of s as one more key; empty keys are never looked up
 * (Berkeley DB cannot hold one, and Postfix skips them too). */
static void
add_key(struct smtpd_access_keys *k, const char *s, size_t len)
{
	char *key;

	if (len == 0)
		return;
	key = xmalloc(len + 1);
	memcpy(key, s, len);
	key[len] = 0;
	k->key = xrealloc(k->key, (k->n + 1) * sizeof(*k->key));
	k->key[k->n++] = key;
}

/* A domain and its parents: "a.b.c", "b.c", "c". */
static void
add_domain_keys(struct smtpd_access_keys *k, const char *domain)
{
	const char *name = domain, *next;

	while (*name != 0) {
		add_key(k, name, strlen(name));
		if ((next = strchr(name + 1, '.')) == NULL)
			break;
		name = next + 1;
	}
}

void
smtpd_access_client_keys(const char *name, const char *addr,
    struct smtpd_access_keys *k)
{
	char *copy, *cut;
	int delim;

	smtpd_access_keys_free(k);
	if (name != NULL && strcasecmp(name, "unknown") != 0)
		add_domain_keys(k, name);
	if (addr == NULL || strcmp(addr, "unknown") == 0)
		return;
	/* The address, then its networks: cut the last ".octet" (IPv4) or
	 * ":part" (IPv6) until nothing is left to cut. */
	delim = strchr(addr, ':') != NULL ? ':' : '.';
	copy = xstrdup(addr);
	for (;;) {
		add_key(k, copy, strlen(copy));
		if ((cut = strrchr(copy, delim)) == NULL)
			break;
		*cut = 0;
	}
	xfree(copy);
}

void
smtpd_access_mail_keys(const char *addr, const char *delim,
    const char *null_key, struct smtpd_access_keys *k)
{
	const char *domain = addr_domain(addr);
	struct buf local, bare, bare_local;
	size_t pos, at_len;
	int has_ext = 0;

	smtpd_access_keys_free(k);
	if (*addr == 0) {
		if (null_key != NULL)
			add_key(k, null_key, strlen(null_key));
		return;
	}
	/* The local part, "user+ext@domain" without the extension and
	 * "user@", each quoted as an address needs. */
	buf_init(&local, DICT_KEY_MAX);
	buf_init(&bare, DICT_KEY_MAX);
	buf_init(&bare_local, DICT_KEY_MAX);
	if (delim != NULL && *delim != 0 &&
	    addr_local_part(addr, &local) == 0 &&
	    (pos = strcspn(buf_cstr(&local), delim)) > 0 &&
	    pos < buf_len(&local)) {
		local.data[pos] = 0;
		has_ext = addr_quote(buf_cstr(&local),
			      *domain != 0 ? domain : NULL, &bare) == 0 &&
		    addr_quote(buf_cstr(&local), NULL, &bare_local) == 0 &&
		    buf_putc(&bare_local, '@') == 0;
	}
	add_key(k, addr, strlen(addr));
	if (has_ext)
		add_key(k, buf_cstr(&bare), buf_len(&bare));
	if (*domain != 0) {
		add_domain_keys(k, domain);
		/* The canonical local part with its "@": "user+ext@". */
		at_len = (size_t)(domain - addr);
		add_key(k, addr, at_len);
		if (has_ext)
			add_key(k, buf_cstr(&bare_local), buf_len(&bare_local));
	}
	buf_deinit(&local);
	buf_deinit(&bare);
	buf_deinit(&bare_local);
}

/* The first word of value is word (case-insensitive). */
static int
is_word(const char *value, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(value, word, len) == 0;
}

/* Take an RFC 3463 status code ("5.7.1", "4.2.10") that leads *text as
 * the reply's, and move *text past it. */
static void
take_dsn(const char **text, struct smtpd_access_result *res)
{
	const char *p = *text;
	size_t n1, n2, len;

	if ((p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
		return;
	n1 = strspn(p + 2, "0123456789");
	if (n1 < 1 || n1 > 3 || p[2 + n1] != '.')
		return;
	n2 = strspn(p + 3 + n1, "0123456789");
	if (n2 < 1 || n2 > 3)
		return;
	len = 3 + n1 + n2;
	if (p[len] != 0 && p[len] != ' ' && p[len] != '\t')
		return;
	memcpy(res->dsn, p, len);
	res->dsn[len] = 0;
	p += len;
	*text = p + strspn(p, " \t");
}

static void
refuse(struct smtpd_access_result *res, enum smtpd_access_action action,
    int code, const char *text)
{
	res->action = action;
	res->code = code;
	snprintf(res->dsn, sizeof(res->dsn), "%c.7.1", '0' + code / 100);
	take_dsn(&text, res);
	/* RFC 3463: the class of the enhanced code is the reply's. */
	res->dsn[0] = (char)('0' + code / 100);
	res->text = text;
}

void
smtpd_access_parse(const char *value, struct smtpd_access_result *res)
{
	const char *text;
	size_t len;

	memset(res, 0, sizeof(*res));
	value += strspn(value, " \t");
	len = strcspn(value, " \t");
	text = value + len;
	text += strspn(text, " \t");
	res->text = text;
	if (is_word(value, len, "DUNNO"))
		res->action = ACCESS_DUNNO;
	else if (is_word(value, len, "REJECT"))
		refuse(res, ACCESS_REFUSE, 554, text);
	else if (is_word(value, len, "DEFER"))
		refuse(res, ACCESS_REFUSE, 450, text);
	else if (is_word(value, len, "DEFER_IF_PERMIT"))
		refuse(res, ACCESS_DEFER_IF_PERMIT, 450, text);
	else if (is_word(value, len, "DEFER_IF_REJECT"))
		refuse(res, ACCESS_DEFER_IF_REJECT, 450, text);
	else if (is_word(value, len, "WARN"))
		res->action = ACCESS_WARN;
	else if (is_word(value, len, "INFO"))
		res->action = ACCESS_INFO;
	else if (len > 0 && value[len] == 0 &&
	    strspn(value, "0123456789") == len)
		res->action = ACCESS_OK; /* all-numerical */
	else if (len == 3 && *text != 0 &&
	    (value[0] == '4' || value[0] == '5') &&
	    isdigit((unsigned char)value[1]) &&
	    isdigit((unsigned char)value[2]))
		refuse(res, ACCESS_REFUSE,
		    (value[0] - '0') * 100 + (value[1] - '0') * 10 +
			(value[2] - '0'),
		    text);
	else if (is_word(value, len, "OK") || is_word(value, len, "RELAY"))
		res->action = ACCESS_OK;
	else
		res->action = ACCESS_RESTRICTIONS;
}
