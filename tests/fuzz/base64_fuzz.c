/* SPDX-License-Identifier: MIT */
/* base64_fuzz - the strict decoder on arbitrary text: whatever it accepts
 * encodes back to exactly the same text (one encoding per byte string),
 * and every byte string encodes to text that decodes back to it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *error = NULL;
	struct buf dec, enc;

	buf_init(&dec, 1 << 20);
	buf_init(&enc, 1 << 20);
	if (base64_decode(text, size, &dec, &error) < 0) {
		if (error == NULL || dec.len != 0)
			__builtin_trap();
	} else if (base64_encode(dec.data, dec.len, &enc) < 0 ||
	    enc.len != size || memcmp(enc.data, text, size) != 0)
		__builtin_trap();
	buf_reset(&dec);
	buf_reset(&enc);
	if (base64_encode(data, size, &enc) < 0 ||
	    enc.len != base64_encoded_len(size) ||
	    base64_decode(enc.data, enc.len, &dec, &error) < 0 ||
	    dec.len != size || memcmp(dec.data, data, size) != 0)
		__builtin_trap();
	buf_deinit(&dec);
	buf_deinit(&enc);
	return 0;
}
