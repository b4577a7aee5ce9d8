/* passwd_scram - SCRAM-SHA-256 keys (RFC 5802 3, RFC 7677) and their
 * stored form.
 *
 * The stored form is Dovecot's "iterations,base64 salt,base64 StoredKey,
 * base64 ServerKey" (the part after "{SCRAM-SHA-256}"). passwd_hash makes
 * it, passwd_verify checks a password against it, and sasl_server runs the
 * SCRAM exchange from it. A struct passwd_scram holds key material: wipe it
 * with explicit_bzero once used. Uses OpenSSL's non-deprecated EVP
 * interfaces only. Re-entrant, nothing kept, never fatal. */
#ifndef TERN_MAIL_PASSWD_SCRAM_H
#define TERN_MAIL_PASSWD_SCRAM_H

#include <stddef.h>

struct buf;

#define PASSWD_SCRAM_KEY_LEN 32 /* SHA-256 */
#define PASSWD_SCRAM_SALT_MAX 128
#define PASSWD_SCRAM_ITER_MAX 1000000

struct passwd_scram {
	unsigned int iter;
	size_t salt_len;
	unsigned char salt[PASSWD_SCRAM_SALT_MAX];
	unsigned char stored_key[PASSWD_SCRAM_KEY_LEN];
	unsigned char server_key[PASSWD_SCRAM_KEY_LEN];
};

/* Parse the stored form into *r. Returns 0, or -1 with *error_r set when
 * it is malformed (an iteration count of 0 or above
 * PASSWD_SCRAM_ITER_MAX, an empty or oversized salt, keys that are not 32
 * bytes, text that is not canonical base64). */
int passwd_scram_parse(const char *stored, struct passwd_scram *r,
    const char **error_r);

/* Derive r->stored_key and r->server_key from the password of len bytes
 * and the r->iter and r->salt that the caller set (RFC 5802 3:
 * SaltedPassword := Hi(password, salt, i), ClientKey and ServerKey its
 * HMACs, StoredKey := H(ClientKey)). Returns 0, or -1 with *error_r set
 * when OpenSSL fails. */
int passwd_scram_derive(const char *password, size_t len,
    struct passwd_scram *r, const char **error_r);

/* Append the stored form of *r to out. Returns 0, or -1 when out's
 * maximum would be exceeded. */
int passwd_scram_format(const struct passwd_scram *r, struct buf *out);

/* out := HMAC-SHA-256(key, data) / SHA-256(data). Return 0, or -1 when
 * OpenSSL fails. */
int passwd_scram_hmac(const unsigned char *key, size_t key_len,
    const void *data, size_t len, unsigned char out[PASSWD_SCRAM_KEY_LEN]);
int passwd_scram_hash(const void *data, size_t len,
    unsigned char out[PASSWD_SCRAM_KEY_LEN]);

#endif
