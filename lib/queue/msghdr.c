/* SPDX-License-Identifier: MIT */
/* msghdr - the header section of a queued message. */
#include <stddef.h>

#include "queue/msghdr.h"
#include "queue/qfile.h"
#include "util/buf.h"

int
msghdr_read(int fd, struct buf *out, const char **error_r)
{
	struct qfile_content *c;
	const char *p;
	size_t n;
	int ret;

	if (qfile_content_open(fd, &c, error_r) < 0)
		return -1;
	while ((ret = qfile_content_read(c, &p, &n, error_r)) > 0) {
		const char *blank = NULL;
		size_t i;

		/* An LF at the start of a line is the empty line. */
		for (i = 0; i < n; i++) {
			int line_start = i > 0
			    ? p[i - 1] == '\n'
			    : out->len == 0 || out->data[out->len - 1] == '\n';

			if (p[i] == '\n' && line_start) {
				blank = p + i;
				break;
			}
		}
		if (blank != NULL)
			n = (size_t)(blank - p);
		if (n > out->max - out->len)
			n = out->max - out->len;
		buf_append(out, p, n);
		if (blank != NULL || out->len == out->max) {
			ret = 0;
			break;
		}
	}
	qfile_content_close(&c);
	return ret < 0 ? -1 : 0;
}
