/* sasl_scram - SCRAM client messages (RFC 5802 7, RFC 7677).
 *
 * sasl_scram_client_first() splits the client-first-message: the GS2
 * channel-binding flag ('n' or 'y'; "p=" is refused since this server
 * offers no -PLUS mechanism), the optional authzid, the user name with
 * its "=2C"/"=3D" escapes undone, the client nonce, and where the
 * client-first-message-bare starts (it goes into AuthMessage). A
 * mandatory extension ("m=") is refused. Decoded names go into caller
 * buffers whose contents are replaced; the nonce points into msg.
 * Re-entrant, nothing kept. */
#ifndef TERN_MAIL_SASL_SCRAM_H
#define TERN_MAIL_SASL_SCRAM_H

#include <stddef.h>

struct buf;

struct sasl_scram_first {
	char cbind;        /* 'n' or 'y' */
	size_t bare_off;   /* client-first-message-bare = msg + bare_off */
	const char *nonce; /* the c-nonce, nonce_len bytes */
	size_t nonce_len;
};

/* Parse the len bytes of msg. authzid_r gets the authzid ("" when none),
 * user_r the user name. Returns 0, or -1 with *error_r set. */
int
sasl_scram_client_first(const char *msg, size_t len, struct sasl_scram_first *r,
    struct buf *authzid_r, struct buf *user_r, const char **error_r);

#endif
