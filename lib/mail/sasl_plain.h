/* sasl_plain - the SASL PLAIN message (RFC 4616).
 *
 * message = [authzid] NUL authcid NUL passwd, already base64-decoded.
 * The decoder checks the shape only: authcid and passwd are non-empty,
 * no field holds a NUL (there are exactly two), each is at most
 * SASL_PLAIN_FIELD_MAX octets. Whether an authzid other than the authcid
 * is allowed is the caller's policy (auth(8) refuses it). The result
 * points into the caller's message, which must outlive it; nothing is
 * copied or kept. Re-entrant. */
#ifndef TERN_MAIL_SASL_PLAIN_H
#define TERN_MAIL_SASL_PLAIN_H

#include <stddef.h>

/* Longest field accepted (RFC 4616 2 asks for at least 255). */
#define SASL_PLAIN_FIELD_MAX 1024

struct sasl_plain {
	const char *authzid; /* "" when the client sent none */
	size_t authzid_len;
	const char *authcid;
	size_t authcid_len;
	const char *passwd;
	size_t passwd_len;
};

/* Split the len bytes of msg into *r. The fields are not NUL-terminated
 * except where msg's own NULs end them (authzid, authcid); passwd ends at
 * msg + len. Returns 0, or -1 with *error_r set. */
int sasl_plain_decode(const char *msg, size_t len, struct sasl_plain *r,
    const char **error_r);

#endif
