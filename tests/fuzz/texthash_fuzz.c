/* SPDX-License-Identifier: MIT */
/* texthash_fuzz - the lookup table text source parser (texthash:, and the
 * source of every hash: and btree: table) on arbitrary text. Every key of
 * a table that opens is found again. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "util/dict.h"
#include "util/mem.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("map", data, size), *error, *value;
	struct buf spec;
	struct dict *d;
	char *text = xstrndup((const char *)data, size), *key;
	size_t len;

	buf_init(&spec, 1024);
	if (buf_printf(&spec, "texthash:%s", path) < 0)
		__builtin_trap();
	if (dict_open(spec.data, NULL, &d, &error) == 0) {
		/* The first key: the first word of the first line that
		 * starts with neither white space nor '#'. */
		len = strcspn(text, " \t\r\n\f\v");
		if (len > 0 && text[0] != '#') {
			key = xstrndup(text, len);
			if (dict_lookup(d, key, &value, &error) != 1)
				__builtin_trap();
			xfree(key);
		}
		dict_close(&d);
	}
	buf_deinit(&spec);
	xfree(text);
	return 0;
}
