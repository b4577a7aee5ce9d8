/* SPDX-License-Identifier: MIT */
/* store_err - error text for the store modules. */
#include <stdarg.h>

#include "store/store_err.h"
#include "util/buf.h"

int
store_err(struct buf *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	buf_reset(err);
	va_start(ap, fmt);
	(void)buf_vprintf(err, fmt, ap);
	va_end(ap);
	return -1;
}
