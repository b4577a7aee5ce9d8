/* SPDX-License-Identifier: MIT */
/* sasl_plain - the SASL PLAIN message (RFC 4616). */
#include <string.h>

#include "mail/sasl_plain.h"

int
sasl_plain_decode(const char *msg, size_t len, struct sasl_plain *r,
    const char **error_r)
{
	const char *nul1, *nul2, *end = msg + len;

	memset(r, 0, sizeof(*r));
	if ((nul1 = memchr(msg, '\0', len)) == NULL ||
	    (nul2 = memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1))) == NULL ||
	    memchr(nul2 + 1, '\0', (size_t)(end - nul2 - 1)) != NULL) {
		*error_r = "PLAIN message needs exactly two NUL separators";
		return -1;
	}
	r->authzid = msg;
	r->authzid_len = (size_t)(nul1 - msg);
	r->authcid = nul1 + 1;
	r->authcid_len = (size_t)(nul2 - nul1 - 1);
	r->passwd = nul2 + 1;
	r->passwd_len = (size_t)(end - nul2 - 1);
	if (r->authcid_len == 0 || r->passwd_len == 0) {
		*error_r = "empty PLAIN user name or password";
		return -1;
	}
	if (r->authzid_len > SASL_PLAIN_FIELD_MAX ||
	    r->authcid_len > SASL_PLAIN_FIELD_MAX ||
	    r->passwd_len > SASL_PLAIN_FIELD_MAX) {
		*error_r = "PLAIN field too long";
		return -1;
	}
	return 0;
}
