/* SPDX-License-Identifier: MIT */
/* passwd_hash - make the stored secret for a new password. */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "mail/passwd_hash.h"
#include "mail/passwd_scram.h"
#include "util/buf.h"

static int
hash_crypt(const char *name, const char *prefix, const char *password,
    struct buf *out, const char **error_r)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = -1;

	if (crypt_gensalt_rn(prefix, 0, NULL, 0, setting, sizeof(setting)) ==
	    NULL) {
		*error_r = "crypt(3) lacks this scheme";
		return -1;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*')
		*error_r = "crypt(3) failed";
	else {
		buf_reset(out);
		if (buf_printf(out, "{%s}%s", name, h) < 0)
			*error_r = "hash too long";
		else
			rc = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

static int
hash_scram(const char *password, struct buf *out, const char **error_r)
{
	struct passwd_scram k;
	int rc = -1;

	memset(&k, 0, sizeof(k));
	k.iter = PASSWD_HASH_SCRAM_ITER;
	k.salt_len = 16;
	if (RAND_bytes(k.salt, (int)k.salt_len) != 1) {
		*error_r = "no random bytes for the salt";
		return -1;
	}
	if (passwd_scram_derive(password, strlen(password), &k, error_r) < 0)
		goto done;
	buf_reset(out);
	if (buf_puts(out, "{SCRAM-SHA-256}") < 0 ||
	    passwd_scram_format(&k, out) < 0) {
		*error_r = "hash too long";
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(&k, sizeof(k));
	return rc;
}

int
passwd_hash(const char *scheme, const char *password, struct buf *out,
    const char **error_r)
{
	if (strcasecmp(scheme, "SHA512-CRYPT") == 0)
		return hash_crypt("SHA512-CRYPT", "$6$", password, out,
		    error_r);
	if (strcasecmp(scheme, "YESCRYPT") == 0)
		return hash_crypt("CRYPT", "$y$", password, out, error_r);
	if (strcasecmp(scheme, "SCRAM-SHA-256") == 0)
		return hash_scram(password, out, error_r);
	if (strcasecmp(scheme, "PLAIN") == 0) {
		buf_reset(out);
		if (buf_printf(out, "{PLAIN}%s", password) < 0) {
			*error_r = "password too long";
			return -1;
		}
		return 0;
	}
	*error_r = "unsupported password scheme";
	return -1;
}
