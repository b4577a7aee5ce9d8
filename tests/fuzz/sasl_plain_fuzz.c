/* SPDX-License-Identifier: MIT */
/* sasl_plain_fuzz - RFC 4616 messages on arbitrary bytes: a decoded
 * message has its fields inside the input and no NUL inside them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/sasl_plain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data, *error = NULL;
	struct sasl_plain r;

	if (sasl_plain_decode(msg, size, &r, &error) < 0) {
		if (error == NULL)
			__builtin_trap();
		return 0;
	}
	if (r.authzid_len + r.authcid_len + r.passwd_len + 2 != size ||
	    r.authcid_len == 0 || r.passwd_len == 0 ||
	    memchr(r.authcid, '\0', r.authcid_len) != NULL ||
	    memchr(r.passwd, '\0', r.passwd_len) != NULL)
		__builtin_trap();
	return 0;
}
