/* mutf7 - IMAP's modified UTF-7 (RFC 3501 5.1.3) to and from UTF-8, for
 * mailbox names: IMAP4rev1 clients send and see them in modified UTF-7,
 * IMAP4rev2 and UTF8=ACCEPT clients in UTF-8 (RFC 9051 5.1), and
 * Dovecot's Maildir++ keeps them on disk in modified UTF-7.
 *
 * Modified UTF-7: printable US-ASCII (0x20-0x7e) but "&" stands for
 * itself; "&" is written "&-"; every other character is written as UTF-16
 * in the modified base64 alphabet (RFC 4648's with "," for "/", no
 * padding) between "&" and "-". The decoder is strict, so that each name
 * has exactly one accepted encoding (the one the encoder writes, and the
 * one Dovecot writes): it refuses bytes outside 0x20-0x7e, "&" not
 * followed by base64 or "-", a shift sequence not ended by "-", one
 * whose length leaves a whole base64 character or non-zero bits over,
 * one that encodes a printable ASCII character or U+0000, one that
 * directly follows another (the two must be one), and unpaired UTF-16
 * surrogates. The encoder refuses text that is not well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
 * and U+0000.
 *
 * Both functions append to out, whose maximum bounds the result; on
 * failure out is left as it was. Re-entrant, nothing kept, never fatal. */
#ifndef TERN_UTIL_MUTF7_H
#define TERN_UTIL_MUTF7_H

#include <stddef.h>

struct buf;

/* Append the UTF-8 form of the len bytes of modified UTF-7 at in to out.
 * Returns 0, or -1 with *error_r set (a static text) when in is not
 * strict modified UTF-7 or the result passes out's maximum. */
int mutf7_to_utf8(const char *in, size_t len, struct buf *out,
    const char **error_r);

/* Append the modified UTF-7 form of the len bytes of UTF-8 at in to out.
 * Returns 0, or -1 with *error_r set (a static text) when in is not
 * well-formed UTF-8, holds U+0000, or the result passes out's maximum. */
int mutf7_from_utf8(const char *in, size_t len, struct buf *out,
    const char **error_r);

#endif
