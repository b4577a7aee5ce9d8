/* SPDX-License-Identifier: MIT */
/* dsn_param_fuzz - the RFC 3461 parameter parsers and xtext on arbitrary
 * bytes: what parses formats back to a value that parses to the same. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/dsn_param.h"
#include "util/buf.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf a, b, c;
	int mask;

	buf_init(&a, 4096);
	buf_init(&b, 4096);
	buf_init(&c, 4096);
	if ((mask = dsn_notify_parse(s)) >= 0) {
		if (mask == 0 || dsn_notify_format(mask, &a) < 0 ||
		    dsn_notify_parse(a.data) != mask)
			__builtin_trap();
	}
	(void)dsn_ret_parse(s);
	if (dsn_xtext_decode(s, &a) == 0) {
		/* Encoding the decoded text gives xtext that decodes to it. */
		buf_reset(&b);
		if (dsn_xtext_encode(a.data, &b) < 0 ||
		    dsn_xtext_decode(b.data, &c) < 0 ||
		    strcmp(a.data, c.data) != 0)
			__builtin_trap();
	}
	if (dsn_envid_parse(s, &a) == 0 && a.len > DSN_ENVID_MAX)
		__builtin_trap();
	if (dsn_orcpt_parse(s, &a) == 0) {
		if (dsn_orcpt_format(a.data, &b) < 0 ||
		    dsn_orcpt_parse(b.data, &c) < 0 ||
		    strcmp(a.data, c.data) != 0)
			__builtin_trap();
	}
	buf_deinit(&a);
	buf_deinit(&b);
	buf_deinit(&c);
	xfree(s);
	return 0;
}
