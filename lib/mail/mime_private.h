/* mime_private - what mime.c, mime_decode.c and mime_word.c share and
 * nobody else needs. */
#ifndef TERN_MAIL_MIME_PRIVATE_H
#define TERN_MAIL_MIME_PRIVATE_H

/* The value of hex digit c (either case), or -1. */
static inline int
mime_hexval(int c)
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
