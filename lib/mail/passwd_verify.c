/* SPDX-License-Identifier: MIT */
/* passwd_verify - check a password against a stored passwd-file secret. */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "mail/passwd_scram.h"
#include "mail/passwd_verify.h"

static int
is_crypt_scheme(const char *s)
{
	static const char *const names[] = { "CRYPT", "SHA512-CRYPT",
		"SHA256-CRYPT", "BLF-CRYPT", "MD5-CRYPT", "DES-CRYPT" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/* Equal lengths compared in constant time; the length itself is public. */
static int
same(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

static int
verify_crypt(const char *stored, const char *password, const char **error_r)
{
	struct crypt_data *cd;
	const char *out;
	int rc;

	if (*stored == '\0' || *stored == '*' || *stored == '!') {
		/* Empty or locked: nothing matches. */
		return 0;
	}
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	out = crypt_rn(password, stored, cd, (int)sizeof(*cd));
	if (out == NULL || out[0] == '*') {
		*error_r = "stored hash not supported by crypt(3)";
		rc = -1;
	} else
		rc = same(out, strlen(out), stored, strlen(stored));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

static int
verify_scram(const char *stored, const char *password, const char **error_r)
{
	struct passwd_scram have, want;
	int rc = -1;

	if (passwd_scram_parse(stored, &have, error_r) < 0)
		return -1;
	memset(&want, 0, sizeof(want));
	want.iter = have.iter;
	want.salt_len = have.salt_len;
	memcpy(want.salt, have.salt, have.salt_len);
	if (passwd_scram_derive(password, strlen(password), &want, error_r) ==
	    0)
		rc = same(want.stored_key, sizeof(want.stored_key),
		    have.stored_key, sizeof(have.stored_key));
	explicit_bzero(&have, sizeof(have));
	explicit_bzero(&want, sizeof(want));
	return rc;
}

int
passwd_verify(const char *scheme, const char *stored, const char *password,
    const char **error_r)
{
	if (scheme == NULL || is_crypt_scheme(scheme))
		return verify_crypt(stored, password, error_r);
	if (strcasecmp(scheme, "PLAIN") == 0 ||
	    strcasecmp(scheme, "CLEAR") == 0 ||
	    strcasecmp(scheme, "CLEARTEXT") == 0)
		return same(stored, strlen(stored), password, strlen(password));
	if (strcasecmp(scheme, "SCRAM-SHA-256") == 0)
		return verify_scram(stored, password, error_r);
	*error_r = "unsupported password scheme";
	return -1;
}
