/* passwd_verify - check a password against a stored passwd-file secret.
 *
 * Schemes: crypt(3) through libxcrypt (no scheme, {CRYPT}, {SHA512-CRYPT},
 * {SHA256-CRYPT}, {BLF-CRYPT}, {MD5-CRYPT}, {DES-CRYPT}: the hash's own
 * prefix says which method, so these names are equivalent here, as in
 * Dovecot); {PLAIN} (and {CLEAR}, {CLEARTEXT}); {SCRAM-SHA-256} in
 * Dovecot's stored form "iterations,base64 salt,base64 StoredKey,base64
 * ServerKey". Comparisons take time independent of where the secrets
 * differ. Scratch copies of secrets are wiped. Re-entrant. */
#ifndef TERN_MAIL_PASSWD_VERIFY_H
#define TERN_MAIL_PASSWD_VERIFY_H

/* Check password against stored (the field after its {SCHEME} prefix)
 * under scheme (NULL: crypt). Returns 1 on a match, 0 on a mismatch, or
 * -1 with *error_r set for an unknown scheme or a malformed stored
 * secret (an administrator's error, never the user's). */
int passwd_verify(const char *scheme, const char *stored, const char *password,
    const char **error_r);

#endif
