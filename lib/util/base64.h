/* base64 - strict RFC 4648 section 4 base64, encoded and decoded into
 * struct buf.
 *
 * The encoder always pads. The decoder accepts only canonical text: the
 * alphabet A-Z a-z 0-9 + /, a length that is a multiple of four, "=" only
 * as one or two final pad characters, and zero bits in whatever the last
 * character encodes beyond the data (RFC 4648 3.5), so that each byte
 * string has exactly one accepted encoding. White space, line breaks and
 * the URL-safe alphabet are refused. The empty text decodes to nothing;
 * protocols where "=" stands for an empty message (SMTP AUTH, RFC 4954 4)
 * must recognise it themselves. Both functions append to out, whose bound
 * (buf max) limits the result. Re-entrant, nothing kept, never fatal. */
#ifndef TERN_UTIL_BASE64_H
#define TERN_UTIL_BASE64_H

#include <stddef.h>

struct buf;

/* Length of the encoding of n bytes (without a NUL), or SIZE_MAX if it
 * does not fit a size_t. */
size_t base64_encoded_len(size_t n);

/* Append the padded encoding of the n bytes at p to out. Returns 0, or -1
 * when out's maximum would be exceeded (out then unchanged). */
int base64_encode(const void *p, size_t n, struct buf *out);

/* The 6-bit value of character c, or -1 when c is not in the alphabet
 * (for lenient decoders of their own, such as MIME bodies). */
int base64_value(unsigned char c);

/* Append the bytes that the len characters of text encode to out.
 * Returns 0, or -1 with *error_r set for text that is not canonical
 * base64 or a result beyond out's maximum (out then unchanged). */
int base64_decode(const char *text, size_t len, struct buf *out,
    const char **error_r);

#endif
