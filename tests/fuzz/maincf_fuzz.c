/* SPDX-License-Identifier: MIT */
/* maincf_fuzz - the main.cf parser on arbitrary text: logical lines,
 * continuation, $name expansion (loops, nesting), and the conversion and
 * range checks of every parameter in the table. */
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ignore(const char *a, const char *b, void *ctx)
{
	(void)a;
	(void)b;
	(void)ctx;
}

static void
ignore_warning(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *error;

	(void)fuzz_file("main.cf", data, size);
	if (config_load(fuzz_dir(), &error) == 0) {
		config_foreach_set(ignore, NULL);
		config_foreach_warning(ignore_warning, NULL);
	}
	return 0;
}
