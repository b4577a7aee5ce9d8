/* addr - envelope address syntax (RFC 5321 4.1.2) and address lookups.
 * Concepts: a path is "<" [ A-d-l ":" ] Mailbox ">"; the source route
 * (A-d-l) is accepted and ignored (RFC 5321 4.1.2, Appendix C) and "<>" is
 * the null reverse-path. A Mailbox is Local-part "@" (Domain /
 * address-literal). Parsed addresses are kept in one canonical form: the
 * local part as a Dot-string when it is one, otherwise as a quoted-string
 * with backslashes only before '"' and '\'; then "@" and the domain as
 * given (case kept). The null address is the empty string. Sizes follow
 * RFC 5321 4.5.3.1: local part 64, domain 255, path 256 octets (as sent).
 * NUL and control characters are refused, and 8-bit bytes unless the
 * caller allows UTF-8 (ADDR_ALLOW_UTF8, for SMTPUTF8 transactions).
 * Only IPv4 and "IPv6:" address literals are accepted (inet_pton).
 * Ownership: results go into caller buffers (struct buf); their contents
 * are replaced, never appended to. Errors: functions that can fail return
 * -1 and set *error_r to static text short enough for a 501 reply
 * ("Bad local part syntax"); addr_map_lookup passes on maps_find errors
 * (valid until the next lookup on those maps). Nothing here is fatal. */
#ifndef TERN_MAIL_ADDR_H
#define TERN_MAIL_ADDR_H

#include <stddef.h>

struct buf;
struct maps;

#define ADDR_LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX 255 /* RFC 5321 4.5.3.1.2 */
#define ADDR_PATH_MAX 256   /* RFC 5321 4.5.3.1.3, with "<" and ">" */

/* Flags of addr_parse_path. */
/* "<>" allowed (MAIL FROM). */
#define ADDR_ALLOW_NULL 0x1
/* No angle brackets needed (strict_rfc821_envelopes = no). */
#define ADDR_ALLOW_BARE 0x2
/* A local part without @domain (e.g. <postmaster>). */
#define ADDR_ALLOW_LOCAL 0x4
/* UTF-8 in the local part and the domain (SMTPUTF8, RFC 6531 3.3); the
 * whole address must be valid UTF-8. */
#define ADDR_ALLOW_UTF8 0x8

/* Parse the path at s (after "FROM:"/"TO:" and optional spaces) into
 * addr_r in canonical form ("" for "<>"). *end_r is set to the first
 * character after the path (after '>', or after a bare address), where
 * ESMTP parameters may follow. flags: ADDR_ALLOW_*. A bare address (with
 * ADDR_ALLOW_BARE) ends at white space or the end of s. Returns 0, or -1
 * with *error_r set to a short static text. */
int addr_parse_path(const char *s, int flags, struct buf *addr_r,
    const char **end_r, const char **error_r);

/* Parse all of s as one address, with or without angle brackets (an
 * address from a command line or a maildrop file): "" and "<>" are the
 * null address when flags have ADDR_ALLOW_NULL; ADDR_ALLOW_BARE is
 * implied. Returns 0 with addr_r in canonical form, or -1 with *error_r
 * set (static text), also when anything follows the address. */
int addr_parse_whole(const char *s, int flags, struct buf *addr_r,
    const char **error_r);

/* Parse len bytes at s as an RFC 5322 addr-spec without comments or
 * folding white space (local-part "@" domain), into addr_r in the same
 * canonical form. The domain must also be what an envelope can carry: an
 * RFC 5321 Domain or IPv4/IPv6 address literal. Returns 0, or -1 with
 * *error_r set (static text). */
int addr_parse_addr_spec(const char *s, size_t len, struct buf *addr_r,
    const char **error_r);

/* The domain of a canonical address: a pointer after the last '@' that is
 * outside quotes, or "" when there is none. Never fails. */
const char *addr_domain(const char *addr);

/* Write the local part of a canonical address, unquoted (quotes and
 * backslashes removed), into out. Returns 0, or -1 when out is too small. */
int addr_local_part(const char *addr, struct buf *out);

/* 1 when the local part of addr is "postmaster" in any case, with or
 * without a domain, else 0. */
int addr_is_postmaster(const char *addr);

/* Write the canonical form of unquoted_local "@" domain into out (no "@"
 * when domain is NULL or empty). Returns 0, or -1 when the local part
 * holds a byte no address may carry (control, 8-bit) or out is too small. */
int addr_quote(const char *unquoted_local, const char *domain, struct buf *out);

#define ADDR_LOOKUP_CATCHALL 0x1

/* Look a canonical address up in m in Postfix's order for virtual tables:
 * 1. the full address ("user+ext@domain"; tables fold case);
 * 2. "user@domain" with the address extension removed, only when delim is
 *    non-empty and the local part contains one of its characters after at
 *    least one other character (the extension is the text after the first
 *    delimiter character);
 * 3. "@domain" when flags has ADDR_LOOKUP_CATCHALL and addr has a domain.
 * Returns 1 with *value_r set (valid until the next lookup on m), 0 when
 * nothing matched, or -1 with *error_r set by a failing table. When ext_r
 * is non-NULL it receives the extension (without the delimiter) when step
 * 2 matched, and is emptied otherwise. */
int addr_map_lookup(struct maps *m, const char *addr, const char *delim,
    int flags, const char **value_r, struct buf *ext_r, const char **error_r);

#endif
