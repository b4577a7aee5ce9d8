/* SPDX-License-Identifier: MIT */
/* mutf7_fuzz - modified UTF-7 on arbitrary bytes, both ways: what the
 * strict decoder accepts encodes back to exactly the same text (one
 * spelling per name), what the encoder accepts decodes back to the same
 * UTF-8, and a refusal leaves the output as it was. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "util/mutf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Text past this many bytes is not tried (names are short). */
#define INPUT_MAX 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *error = NULL;
	struct buf a, b;

	if (size > INPUT_MAX)
		return 0;
	buf_init(&a, 4 * INPUT_MAX);
	buf_init(&b, 4 * INPUT_MAX);
	if (mutf7_to_utf8(text, size, &a, &error) < 0) {
		if (error == NULL || a.len != 0)
			__builtin_trap();
	} else if (mutf7_from_utf8(a.data, a.len, &b, &error) < 0 ||
	    b.len != size || memcmp(b.data, text, size) != 0)
		__builtin_trap();
	buf_reset(&a);
	buf_reset(&b);
	error = NULL;
	if (mutf7_from_utf8(text, size, &a, &error) < 0) {
		if (error == NULL || a.len != 0)
			__builtin_trap();
	} else if (mutf7_to_utf8(a.data, a.len, &b, &error) < 0 ||
	    b.len != size || memcmp(b.data, text, size) != 0)
		__builtin_trap();
	buf_deinit(&a);
	buf_deinit(&b);
	return 0;
}
