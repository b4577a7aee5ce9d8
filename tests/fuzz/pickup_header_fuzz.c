/* SPDX-License-Identifier: MIT */
/* pickup_header_fuzz - pickup's scan of a submission's header section on
 * arbitrary bytes: the section it finds ends at a line boundary within
 * the input, and a Message-ID it keeps is a C string of bounded size. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pickup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pickup_header h;
	const char *p = (const char *)data;

	pickup_header_scan(p, size, &h);
	if (h.len > size || (h.len > 0 && p[h.len - 1] != '\n'))
		__builtin_trap();
	if (memchr(h.message_id_value, 0, sizeof(h.message_id_value)) == NULL)
		__builtin_trap();
	if (h.body_sep && (h.len >= size || p[h.len] != '\n'))
		__builtin_trap();
	return 0;
}
