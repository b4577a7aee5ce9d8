/* passwd_hash - make the stored secret for a new password.
 *
 * Writes "{SCHEME}secret" as a passwd-file password field: SHA512-CRYPT
 * and yescrypt through libxcrypt's crypt_gensalt_rn (a fresh random salt
 * from the system), SCRAM-SHA-256 as Dovecot stores it
 * ("iterations,base64 salt,base64 StoredKey,base64 ServerKey"), and
 * PLAIN only when asked by name. passwd_verify() accepts every result.
 * Scratch copies of the password are wiped. Re-entrant. */
#ifndef TERN_MAIL_PASSWD_HASH_H
#define TERN_MAIL_PASSWD_HASH_H

struct buf;

/* The default scheme of new passwords. */
#define PASSWD_HASH_DEFAULT "SHA512-CRYPT"
/* Iterations of new SCRAM-SHA-256 keys (RFC 7677 asks at least 4096). */
#define PASSWD_HASH_SCRAM_ITER 4096

/* Hash password under scheme ("SHA512-CRYPT", "YESCRYPT",
 * "SCRAM-SHA-256", "PLAIN"; case-insensitive) into out, replacing its
 * contents with "{SCHEME}secret". Returns 0, or -1 with *error_r set for
 * an unknown scheme, one this libxcrypt lacks, a failed random source or
 * an out buffer that is too small. */
int passwd_hash(const char *scheme, const char *password, struct buf *out,
    const char **error_r);

#endif
