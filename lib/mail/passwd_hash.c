/* SPDX-License-Identifier: MIT */
/* passwd_hash - make the stored secret for a new password. */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "mail/passwd_hash.h"
#include "util/base64.h"
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
	unsigned char salt[16], salted[SHA256_DIGEST_LENGTH];
	unsigned char ckey[SHA256_DIGEST_LENGTH], skey[SHA256_DIGEST_LENGTH];
	unsigned char svkey[SHA256_DIGEST_LENGTH];
	unsigned int l1 = 0, l2 = 0;
	int rc = -1;

	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		*error_r = "no random bytes for the salt";
		return -1;
	}
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
		(int)sizeof(salt), PASSWD_HASH_SCRAM_ITER, EVP_sha256(),
		sizeof(salted), salted) != 1 ||
	    HMAC(EVP_sha256(), salted, sizeof(salted),
		(const unsigned char *)"Client Key", 10, ckey, &l1) == NULL ||
	    HMAC(EVP_sha256(), salted, sizeof(salted),
		(const unsigned char *)"Server Key", 10, svkey, &l2) == NULL ||
	    l1 != sizeof(ckey) || l2 != sizeof(svkey) ||
	    EVP_Digest(ckey, sizeof(ckey), skey, NULL, EVP_sha256(), NULL) !=
		1) {
		*error_r = "SCRAM-SHA-256 key derivation failed";
		goto done;
	}
	buf_reset(out);
	if (buf_printf(out, "{SCRAM-SHA-256}%d,", PASSWD_HASH_SCRAM_ITER) < 0 ||
	    base64_encode(salt, sizeof(salt), out) < 0 ||
	    buf_putc(out, ',') < 0 ||
	    base64_encode(skey, sizeof(skey), out) < 0 ||
	    buf_putc(out, ',') < 0 ||
	    base64_encode(svkey, sizeof(svkey), out) < 0) {
		*error_r = "hash too long";
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(ckey, sizeof(ckey));
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
