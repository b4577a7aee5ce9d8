/* SPDX-License-Identifier: MIT */
/* addr_fuzz - RFC 5321 path parsing on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/addr.h"
#include "util/buf.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flags[] = { 0, ADDR_ALLOW_NULL,
		ADDR_ALLOW_BARE | ADDR_ALLOW_LOCAL };
	char *s = xstrndup((const char *)data, size);
	struct buf out;
	size_t i;

	buf_init(&out, ADDR_PATH_MAX + 1);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const char *end, *error;

		buf_reset(&out);
		if (addr_parse_path(s, flags[i], &out, &end, &error) == 0) {
			/* The canonical form parses again to itself. */
			struct buf again;

			buf_init(&again, ADDR_PATH_MAX + 1);
			if (out.len > 0 &&
			    addr_parse_addr_spec(out.data, out.len, &again,
				&error) == 0 &&
			    strcmp(again.data, out.data) != 0)
				__builtin_trap();
			buf_deinit(&again);
		}
	}
	buf_deinit(&out);
	xfree(s);
	return 0;
}
