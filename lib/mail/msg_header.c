/* SPDX-License-Identifier: MIT */
/* msg_header - header field names and dates. See msg_header.h. */
#include <time.h>

#include "mail/msg_header.h"

int
msg_header_name(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == ':')
			return i > 0 ? MSG_HEADER_FIELD : MSG_HEADER_NOT_FIELD;
		if (p[i] < 33 || p[i] > 126)
			return MSG_HEADER_NOT_FIELD;
	}
	return MSG_HEADER_MAYBE;
}

void
msg_header_date(char *out, size_t len, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	if (strftime(out, len, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0 && len > 0)
		out[0] = 0;
}
