/* SPDX-License-Identifier: MIT */
/* mastercf_fuzz - the master.cf parser on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "conf/mastercf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mastercf *cf;
	const char *error;

	if (mastercf_parse("fuzz.cf", (const char *)data, size, &cf, &error) ==
	    0)
		mastercf_destroy(&cf);
	return 0;
}
