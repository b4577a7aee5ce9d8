/* SPDX-License-Identifier: MIT */
/* passwd_verify - check a password against a stored passwd-file secret. */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "mail/passwd_verify.h"
#include "util/base64.h"
#include "util/buf.h"

#define SCRAM_ITER_MAX 1000000
#define SCRAM_SALT_MAX 128

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

/* Decode the base64 text of len bytes into out (room for max); returns
 * the decoded length or -1. */
static int
b64_decode(const char *in, size_t len, unsigned char *out, size_t max)
{
	const char *error;
	struct buf b;
	int n = -1;

	buf_init(&b, max);
	if (len > 0 && base64_decode(in, len, &b, &error) == 0) {
		memcpy(out, b.data, b.len);
		n = (int)b.len;
	}
	/* The stored keys are secrets too. */
	explicit_bzero(b.data, b.cap);
	buf_deinit(&b);
	return n;
}

static int
verify_scram(const char *stored, const char *password, const char **error_r)
{
	unsigned char salt[SCRAM_SALT_MAX], skey[64], svkey[64];
	unsigned char salted[SHA256_DIGEST_LENGTH];
	unsigned char ckey[SHA256_DIGEST_LENGTH], want[SHA256_DIGEST_LENGTH];
	unsigned int mdlen = 0;
	const char *p = stored, *c1, *c2, *c3;
	char *end;
	unsigned long iter;
	int saltlen, skeylen, svkeylen, rc = -1;

	iter = strtoul(p, &end, 10);
	c1 = end;
	if (end == p || *c1 != ',' || iter == 0 || iter > SCRAM_ITER_MAX ||
	    (c2 = strchr(c1 + 1, ',')) == NULL ||
	    (c3 = strchr(c2 + 1, ',')) == NULL || strchr(c3 + 1, ',') != NULL)
		goto bad;
	saltlen = b64_decode(c1 + 1, (size_t)(c2 - c1 - 1), salt, sizeof(salt));
	skeylen = b64_decode(c2 + 1, (size_t)(c3 - c2 - 1), skey, sizeof(skey));
	svkeylen = b64_decode(c3 + 1, strlen(c3 + 1), svkey, sizeof(svkey));
	if (saltlen <= 0 || skeylen != SHA256_DIGEST_LENGTH ||
	    svkeylen != SHA256_DIGEST_LENGTH)
		goto bad;
	/* RFC 5802 3: SaltedPassword := Hi(password, salt, i) (PBKDF2),
	 * ClientKey := HMAC(SaltedPassword, "Client Key"),
	 * StoredKey := H(ClientKey). */
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, saltlen,
		(int)iter, EVP_sha256(), sizeof(salted), salted) != 1 ||
	    HMAC(EVP_sha256(), salted, sizeof(salted),
		(const unsigned char *)"Client Key", 10, ckey,
		&mdlen) == NULL ||
	    mdlen != sizeof(ckey) ||
	    EVP_Digest(ckey, sizeof(ckey), want, NULL, EVP_sha256(), NULL) !=
		1) {
		*error_r = "SCRAM-SHA-256 key derivation failed";
		rc = -1;
	} else
		rc = same(want, sizeof(want), skey, (size_t)skeylen);
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(ckey, sizeof(ckey));
	explicit_bzero(want, sizeof(want));
	return rc;
bad:
	*error_r = "malformed SCRAM-SHA-256 stored key";
	return -1;
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
