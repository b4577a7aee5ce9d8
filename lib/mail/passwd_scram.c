/* SPDX-License-Identifier: MIT */
/* passwd_scram - SCRAM-SHA-256 keys and their stored form. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mail/passwd_scram.h"
#include "util/base64.h"
#include "util/buf.h"

/* Decode the base64 text of len bytes into out, exactly want bytes when
 * want > 0, else 1 to max bytes. Returns the decoded length or -1. */
static int
decode_field(const char *in, size_t len, unsigned char *out, size_t max,
    size_t want)
{
	const char *error;
	struct buf b;
	int n = -1;

	buf_init(&b, max);
	if (base64_decode(in, len, &b, &error) == 0 && b.len > 0 &&
	    (want == 0 || b.len == want)) {
		memcpy(out, b.data, b.len);
		n = (int)b.len;
	}
	/* The keys are secrets: wipe the scratch copy. */
	explicit_bzero(b.data, b.cap);
	buf_deinit(&b);
	return n;
}

int
passwd_scram_parse(const char *stored, struct passwd_scram *r,
    const char **error_r)
{
	const char *c1, *c2, *c3;
	unsigned long iter;
	char *end;
	int n;

	memset(r, 0, sizeof(*r));
	if (*stored < '0' || *stored > '9')
		goto bad;
	iter = strtoul(stored, &end, 10);
	c1 = end;
	if (*c1 != ',' || iter == 0 || iter > PASSWD_SCRAM_ITER_MAX ||
	    (c2 = strchr(c1 + 1, ',')) == NULL ||
	    (c3 = strchr(c2 + 1, ',')) == NULL || strchr(c3 + 1, ',') != NULL)
		goto bad;
	r->iter = (unsigned int)iter;
	if ((n = decode_field(c1 + 1, (size_t)(c2 - c1 - 1), r->salt,
		 sizeof(r->salt), 0)) < 0)
		goto bad;
	r->salt_len = (size_t)n;
	if (decode_field(c2 + 1, (size_t)(c3 - c2 - 1), r->stored_key,
		sizeof(r->stored_key), sizeof(r->stored_key)) < 0 ||
	    decode_field(c3 + 1, strlen(c3 + 1), r->server_key,
		sizeof(r->server_key), sizeof(r->server_key)) < 0)
		goto bad;
	return 0;
bad:
	explicit_bzero(r, sizeof(*r));
	*error_r = "malformed SCRAM-SHA-256 stored key";
	return -1;
}

int
passwd_scram_hmac(const unsigned char *key, size_t key_len, const void *data,
    size_t len, unsigned char out[PASSWD_SCRAM_KEY_LEN])
{
	size_t n = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, data,
		len, out, PASSWD_SCRAM_KEY_LEN, &n) == NULL ||
	    n != PASSWD_SCRAM_KEY_LEN)
		return -1;
	return 0;
}

int
passwd_scram_hash(const void *data, size_t len,
    unsigned char out[PASSWD_SCRAM_KEY_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != PASSWD_SCRAM_KEY_LEN)
		return -1;
	return 0;
}

int
passwd_scram_derive(const char *password, size_t len, struct passwd_scram *r,
    const char **error_r)
{
	unsigned char salted[PASSWD_SCRAM_KEY_LEN], ckey[PASSWD_SCRAM_KEY_LEN];
	int rc = -1;

	if (len > (size_t)0x7fffffff || r->salt_len > sizeof(r->salt) ||
	    r->iter == 0 || r->iter > PASSWD_SCRAM_ITER_MAX) {
		*error_r = "SCRAM-SHA-256 key derivation refused";
		return -1;
	}
	if (PKCS5_PBKDF2_HMAC(password, (int)len, r->salt, (int)r->salt_len,
		(int)r->iter, EVP_sha256(), sizeof(salted), salted) != 1 ||
	    passwd_scram_hmac(salted, sizeof(salted), "Client Key", 10, ckey) <
		0 ||
	    passwd_scram_hmac(salted, sizeof(salted), "Server Key", 10,
		r->server_key) < 0 ||
	    passwd_scram_hash(ckey, sizeof(ckey), r->stored_key) < 0)
		*error_r = "SCRAM-SHA-256 key derivation failed";
	else
		rc = 0;
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(ckey, sizeof(ckey));
	return rc;
}

int
passwd_scram_format(const struct passwd_scram *r, struct buf *out)
{
	size_t start = out->len;

	if (buf_printf(out, "%u,", r->iter) < 0 ||
	    base64_encode(r->salt, r->salt_len, out) < 0 ||
	    buf_putc(out, ',') < 0 ||
	    base64_encode(r->stored_key, sizeof(r->stored_key), out) < 0 ||
	    buf_putc(out, ',') < 0 ||
	    base64_encode(r->server_key, sizeof(r->server_key), out) < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}
