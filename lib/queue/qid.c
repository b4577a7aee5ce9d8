/* SPDX-License-Identifier: MIT */
/* qid - queue IDs in Postfix's short-ID shape. */
#include <stdio.h>
#include <string.h>

#include "queue/qid.h"

#define QID_USEC_DIGITS 5
#define QID_INO_DIGITS_MAX 16

void
qid_make(struct timeval tv, ino_t ino, char out[QID_SIZE])
{
	unsigned long usec = (unsigned long)tv.tv_usec % 1000000UL;

	/* 5 + at most 16 digits: always fits in QID_SIZE. */
	snprintf(out, QID_SIZE, "%05lX%llX", usec, (unsigned long long)ino);
}

int
qid_valid(const char *s)
{
	size_t i, n = strlen(s);
	unsigned long usec = 0;

	if (n < QID_USEC_DIGITS + 1 || n > QID_USEC_DIGITS + QID_INO_DIGITS_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		if (i < QID_USEC_DIGITS)
			usec = usec * 16 + d;
	}
	return usec < 1000000UL;
}
