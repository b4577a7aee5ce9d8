/* SPDX-License-Identifier: MIT */
/* sasl_scram_fuzz - SCRAM client-first-messages on arbitrary bytes: a
 * parsed message has its nonce and bare part inside the input. */
#include <stddef.h>
#include <stdint.h>

#include "mail/sasl_scram.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data, *error = NULL;
	struct sasl_scram_first r;
	struct buf az, user;

	buf_init(&az, 1024);
	buf_init(&user, 1024);
	if (sasl_scram_client_first(msg, size, &r, &az, &user, &error) < 0) {
		if (error == NULL)
			__builtin_trap();
	} else if (r.bare_off >= size || r.nonce < msg ||
	    r.nonce + r.nonce_len > msg + size || r.nonce_len == 0 ||
	    user.len == 0 || (r.cbind != 'n' && r.cbind != 'y'))
		__builtin_trap();
	buf_deinit(&az);
	buf_deinit(&user);
	return 0;
}
