/* hex - the value of a hexadecimal digit, for the decoders that read
 * them (MIME quoted-printable and RFC 2231, RFC 2047 Q words, CRAM-MD5 and
 * APOP digests). RFC 3461's xtext, which takes upper case only, has its
 * own in dsn_param.c. */
#ifndef TERN_UTIL_HEX_H
#define TERN_UTIL_HEX_H

/* The value of hex digit c (either case), or -1. */
static inline int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
