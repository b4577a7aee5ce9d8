/* SPDX-License-Identifier: MIT */
/* addr - envelope address syntax (RFC 5321 4.1.2) and address lookups. */
#include <arpa/inet.h>

#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "util/buf.h"
#include "util/dict.h"
#include "util/maps.h"

/* How a mailbox must end: at '>' inside a path, at white space or the end
 * of the string for a bare address, at the end for an addr-spec. */
enum addr_term {
	ADDR_TERM_ANGLE,
	ADDR_TERM_BARE,
	ADDR_TERM_END,
};

struct mailbox {
	char local[ADDR_LOCAL_MAX + 1]; /* unquoted */
	size_t local_len;
	const char *domain; /* NULL: no "@domain" */
	size_t domain_len;
};

static const char err_8bit[] = "8-bit or control character in address";

static int
is_bad_byte(int c)
{
	return c < 0x20 || c >= 0x7f;
}

/* RFC 5321 atext (the RFC 5322 set). */
static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* With SMTPUTF8 (RFC 6531 section 3.3), atext, qtextSMTP and domain
 * labels also take UTF8-non-ascii; the address is checked to be valid
 * UTF-8 as a whole afterwards (utf8_valid). */
static int
is_atext8(int c, int utf8)
{
	return is_atext(c) || (utf8 && c >= 0x80);
}

/* RFC 3629 section 4: well-formed UTF-8, no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
static int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned c = *p++, n, min, cp;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - p) < n)
			return 0;
		for (unsigned i = 0; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n;
	}
	return 1;
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
at_term(const char *p, enum addr_term term)
{
	switch (term) {
	case ADDR_TERM_ANGLE:
		return *p == '>';
	case ADDR_TERM_BARE:
		return *p == 0 || *p == ' ' || *p == '\t';
	case ADDR_TERM_END:
		return *p == 0;
	}
	return 0;
}

/* The error for an unexpected byte c, when the grammar gives up at it. */
static const char *
syntax_error(int c, const char *what)
{
	return c != 0 && is_bad_byte((unsigned char)c) ? err_8bit : what;
}

/* Local-part = Dot-string / Quoted-string. Returns the end or NULL. */
static const char *
parse_local(const char *p, struct mailbox *mb, int utf8, const char **error_r)
{
	const char *start = p;

	mb->local_len = 0;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			int c = (unsigned char)*p;

			/* quoted-pairSMTP = %d92 %d32-126 */
			if (c == '\\')
				c = (unsigned char)*++p;
			/* qtextSMTP = %d32-33 / %d35-91 / %d93-126 */
			if (c == 0) {
				*error_r = "Unterminated quoted local part";
				return NULL;
			}
			if (is_bad_byte(c) && !(utf8 && c >= 0x80)) {
				*error_r = err_8bit;
				return NULL;
			}
			if (mb->local_len >= ADDR_LOCAL_MAX) {
				*error_r = "Local part too long";
				return NULL;
			}
			mb->local[mb->local_len++] = (char)c;
		}
		p++;
	} else {
		for (;;) {
			if (!is_atext8((unsigned char)*p, utf8)) {
				*error_r =
				    syntax_error(*p, "Bad local part syntax");
				return NULL;
			}
			while (is_atext8((unsigned char)*p, utf8))
				p++;
			if (*p != '.')
				break;
			p++;
		}
		if ((size_t)(p - start) > ADDR_LOCAL_MAX) {
			*error_r = "Local part too long";
			return NULL;
		}
		memcpy(mb->local, start, (size_t)(p - start));
		mb->local_len = (size_t)(p - start);
	}
	if ((size_t)(p - start) > ADDR_LOCAL_MAX) {
		*error_r = "Local part too long";
		return NULL;
	}
	mb->local[mb->local_len] = 0;
	return p;
}

/* address-literal: "[" IPv4 "]" or "[IPv6:" IPv6 "]". */
static const char *
parse_literal(const char *p, const char **error_r)
{
	char text[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];
	const char *close = p + 1;
	size_t len;

	while (*close != ']' && *close != 0 &&
	    !is_bad_byte((unsigned char)*close) &&
	    close - p < (long)sizeof(text))
		close++;
	if (*close != ']') {
		*error_r = syntax_error(*close, "Bad address literal");
		return NULL;
	}
	len = (size_t)(close - p - 1);
	memcpy(text, p + 1, len);
	text[len] = 0;
	if (strncasecmp(text, "IPv6:", 5) == 0) {
		if (inet_pton(AF_INET6, text + 5, bin) != 1) {
			*error_r = "Bad IPv6 address literal";
			return NULL;
		}
	} else if (strchr(text, ':') != NULL) {
		*error_r = "Unsupported address literal";
		return NULL;
	} else if (inet_pton(AF_INET, text, bin) != 1) {
		*error_r = "Bad IPv4 address literal";
		return NULL;
	}
	return close + 1;
}

/* Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]. */
static const char *
parse_domain(const char *p, int utf8, const char **error_r)
{
	const char *start = p, *label;

	if (*p == '[') {
		p = parse_literal(p, error_r);
	} else {
		for (;;) {
			label = p;
			if (!is_alnum((unsigned char)*p) &&
			    !(utf8 && (unsigned char)*p >= 0x80)) {
				*error_r =
				    syntax_error(*p, "Bad domain syntax");
				return NULL;
			}
			while (is_alnum((unsigned char)*p) || *p == '-' ||
			    (utf8 && (unsigned char)*p >= 0x80))
				p++;
			if (p[-1] == '-') {
				*error_r = "Bad domain syntax";
				return NULL;
			}
			/* RFC 1035 2.3.4: labels are at most 63 octets. */
			if (p - label > 63) {
				*error_r = "Domain label too long";
				return NULL;
			}
			if (*p != '.')
				break;
			p++;
		}
	}
	if (p != NULL && (size_t)(p - start) > ADDR_DOMAIN_MAX) {
		*error_r = "Domain too long";
		return NULL;
	}
	return p;
}

/* Mailbox, ending at the terminator term. */
static const char *
parse_mailbox(const char *p, enum addr_term term, int flags, struct mailbox *mb,
    const char **error_r)
{
	int utf8 = (flags & ADDR_ALLOW_UTF8) != 0;

	if ((p = parse_local(p, mb, utf8, error_r)) == NULL)
		return NULL;
	mb->domain = NULL;
	mb->domain_len = 0;
	if (*p == '@') {
		mb->domain = ++p;
		if ((p = parse_domain(p, utf8, error_r)) == NULL)
			return NULL;
		mb->domain_len = (size_t)(p - mb->domain);
		if (!at_term(p, term)) {
			*error_r = syntax_error(*p,
			    term == ADDR_TERM_ANGLE
				? "Missing '>' after address"
				: "Bad domain syntax");
			return NULL;
		}
		return p;
	}
	if (!at_term(p, term)) {
		*error_r = term == ADDR_TERM_ANGLE && *p == 0
		    ? "Missing '>' after address"
		    : syntax_error(*p, "Bad local part syntax");
		return NULL;
	}
	if ((flags & ADDR_ALLOW_LOCAL) == 0) {
		*error_r = "Domain missing";
		return NULL;
	}
	return p;
}

/* A-d-l = At-domain *( "," At-domain ) ":" (ignored). */
static const char *
parse_route(const char *p, int utf8, const char **error_r)
{
	for (;;) {
		if (*p != '@') {
			*error_r = syntax_error(*p, "Bad source route syntax");
			return NULL;
		}
		if ((p = parse_domain(p + 1, utf8, error_r)) == NULL)
			return NULL;
		if (*p == ':')
			return p + 1;
		if (*p != ',') {
			*error_r = syntax_error(*p, "Bad source route syntax");
			return NULL;
		}
		p++;
	}
}

/* Is s[0..len) a Dot-string (Atom *("." Atom))? */
static int
is_dot_string(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return 0;
		} else if (!is_atext8((unsigned char)s[i], 1)) {
			return 0;
		}
	}
	/* UTF-8 only as RFC 6531 allows it: well formed. */
	return utf8_valid(s, len);
}

static int
write_canonical(struct buf *out, const char *local, size_t local_len,
    const char *domain, size_t domain_len)
{
	size_t i;
	int ret = 0;

	buf_reset(out);
	if (is_dot_string(local, local_len)) {
		ret |= buf_append(out, local, local_len);
	} else {
		/* 8-bit only as well-formed UTF-8 (SMTPUTF8). */
		int utf8 = utf8_valid(local, local_len);

		ret |= buf_putc(out, '"');
		for (i = 0; i < local_len && ret == 0; i++) {
			unsigned char c = (unsigned char)local[i];

			if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
				ret = -1;
			else if (local[i] == '"' || local[i] == '\\')
				ret |= buf_putc(out, '\\');
			ret |= buf_putc(out, local[i]);
		}
		ret |= buf_putc(out, '"');
	}
	if (domain != NULL && domain_len > 0) {
		ret |= buf_putc(out, '@');
		ret |= buf_append(out, domain, domain_len);
	}
	if (ret != 0)
		buf_reset(out);
	return ret != 0 ? -1 : 0;
}

int
addr_parse_path(const char *s, int flags, struct buf *addr_r,
    const char **end_r, const char **error_r)
{
	struct mailbox mb;
	const char *p;
	size_t len;

	if (*s != '<') {
		if ((flags & ADDR_ALLOW_BARE) == 0) {
			*error_r = syntax_error(*s,
			    "Missing '<' before "
			    "address");
			return -1;
		}
		if (at_term(s, ADDR_TERM_BARE)) {
			*error_r = "Empty address";
			return -1;
		}
		if ((p = parse_mailbox(s, ADDR_TERM_BARE, flags, &mb,
			 error_r)) == NULL)
			return -1;
		/* Counted as if it had its angle brackets. */
		len = (size_t)(p - s) + 2;
	} else {
		p = s + 1;
		if (*p == '>') {
			if ((flags & ADDR_ALLOW_NULL) == 0) {
				*error_r = "Null address not allowed";
				return -1;
			}
			buf_reset(addr_r);
			*end_r = p + 1;
			return 0;
		}
		if (*p == '@' &&
		    (p = parse_route(p, (flags & ADDR_ALLOW_UTF8) != 0,
			 error_r)) == NULL)
			return -1;
		if ((p = parse_mailbox(p, ADDR_TERM_ANGLE, flags, &mb,
			 error_r)) == NULL)
			return -1;
		p++;
		len = (size_t)(p - s);
	}
	if (len > ADDR_PATH_MAX) {
		*error_r = "Path too long";
		return -1;
	}
	if ((flags & ADDR_ALLOW_UTF8) != 0 &&
	    (!utf8_valid(mb.local, mb.local_len) ||
		(mb.domain != NULL && !utf8_valid(mb.domain, mb.domain_len)))) {
		*error_r = "Malformed UTF-8 in address";
		return -1;
	}
	if (write_canonical(addr_r, mb.local, mb.local_len, mb.domain,
		mb.domain_len) < 0) {
		*error_r = "Address too long";
		return -1;
	}
	*end_r = p;
	return 0;
}

int
addr_parse_addr_spec(const char *s, size_t len, struct buf *addr_r,
    const char **error_r)
{
	char copy[ADDR_PATH_MAX + 1];
	struct mailbox mb;

	if (len == 0) {
		*error_r = "Empty address";
		return -1;
	}
	if (len > ADDR_PATH_MAX - 2) {
		*error_r = "Address too long";
		return -1;
	}
	if (memchr(s, 0, len) != NULL) {
		*error_r = err_8bit;
		return -1;
	}
	memcpy(copy, s, len);
	copy[len] = 0;
	if (parse_mailbox(copy, ADDR_TERM_END, 0, &mb, error_r) == NULL)
		return -1;
	if (write_canonical(addr_r, mb.local, mb.local_len, mb.domain,
		mb.domain_len) < 0) {
		*error_r = "Address too long";
		return -1;
	}
	return 0;
}

/* The '@' that separates local part and domain, or NULL. */
static const char *
find_at(const char *addr)
{
	const char *p, *at = NULL;
	int quoted = 0;

	for (p = addr; *p != 0; p++) {
		if (quoted && *p == '\\' && p[1] != 0)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '@')
			at = p;
	}
	return at;
}

const char *
addr_domain(const char *addr)
{
	const char *at = find_at(addr);

	return at != NULL ? at + 1 : "";
}

int
addr_local_part(const char *addr, struct buf *out)
{
	const char *at = find_at(addr);
	size_t len = at != NULL ? (size_t)(at - addr) : strlen(addr);
	size_t i;

	buf_reset(out);
	if (len >= 2 && addr[0] == '"' && addr[len - 1] == '"') {
		for (i = 1; i < len - 1; i++) {
			if (addr[i] == '\\' && i + 1 < len - 1)
				i++;
			if (buf_putc(out, addr[i]) < 0)
				return -1;
		}
		return 0;
	}
	return buf_append(out, addr, len);
}

int
addr_is_postmaster(const char *addr)
{
	struct buf local;
	int ret;

	buf_init(&local, ADDR_PATH_MAX);
	ret = addr_local_part(addr, &local) == 0 &&
	    strcasecmp(buf_cstr(&local), "postmaster") == 0;
	buf_deinit(&local);
	return ret;
}

int
addr_quote(const char *unquoted_local, const char *domain, struct buf *out)
{
	return write_canonical(out, unquoted_local, strlen(unquoted_local),
	    domain, domain != NULL ? strlen(domain) : 0);
}

int
addr_map_lookup(struct maps *m, const char *addr, const char *delim, int flags,
    const char **value_r, struct buf *ext_r, const char **error_r)
{
	const char *at = find_at(addr);
	struct buf local, key;
	size_t pos;
	int ret;

	if (ext_r != NULL)
		buf_reset(ext_r);
	/* 1. The full address. */
	if ((ret = maps_find(m, addr, value_r, error_r)) != 0)
		return ret;
	buf_init(&local, DICT_KEY_MAX);
	buf_init(&key, DICT_KEY_MAX);
	/* 2. Without the address extension. */
	if (delim != NULL && *delim != 0 &&
	    addr_local_part(addr, &local) == 0 &&
	    (pos = strcspn(buf_cstr(&local), delim)) > 0 &&
	    pos < buf_len(&local)) {
		char *ext = local.data + pos + 1;

		local.data[pos] = 0;
		if (addr_quote(buf_cstr(&local), at ? at + 1 : NULL, &key) ==
			0 &&
		    (ret = maps_find(m, buf_cstr(&key), value_r, error_r)) !=
			0) {
			if (ret > 0 && ext_r != NULL && buf_set(ext_r, ext) < 0)
				buf_reset(ext_r);
			goto out;
		}
	}
	/* 3. The catch-all "@domain". */
	ret = 0;
	if ((flags & ADDR_LOOKUP_CATCHALL) != 0 && at != NULL) {
		buf_reset(&key);
		if (buf_puts(&key, at) == 0)
			ret = maps_find(m, buf_cstr(&key), value_r, error_r);
	}
out:
	buf_deinit(&local);
	buf_deinit(&key);
	return ret;
}

int
addr_parse_whole(const char *s, int flags, struct buf *addr_r,
    const char **error_r)
{
	const char *end;

	if (*s == 0) {
		if ((flags & ADDR_ALLOW_NULL) == 0) {
			*error_r = "Null address not allowed";
			return -1;
		}
		buf_reset(addr_r);
		return 0;
	}
	if (addr_parse_path(s, flags | ADDR_ALLOW_BARE, addr_r, &end, error_r) <
	    0)
		return -1;
	if (*end != 0) {
		*error_r = "Garbage after address";
		return -1;
	}
	return 0;
}
