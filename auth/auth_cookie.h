/* auth_cookie - one-time proofs of a login, for the process that starts
 * a user's mail session.
 *
 * pop3d and imapd parse a client's commands before login in an
 * unprivileged process; a root process then starts the user's session as
 * the mailbox owner. That root process must not take the user's name from
 * the unprivileged one (which the client may have subverted): it asks
 * auth. Each successful attempt gets a cookie, 128 random bits, that the
 * login process passes on and the root process redeems with auth for the
 * user name, once, within AUTH_COOKIE_TTL_MS, and only for the service
 * the attempt was made for (Dovecot's login cookies serve the same end).
 * At most AUTH_COOKIE_MAX are outstanding: past that, expired ones go,
 * and no new one is issued while still full (the login then fails
 * temporarily). Times are a caller's milliseconds. Not thread-safe. */
#ifndef TERN_AUTH_COOKIE_H
#define TERN_AUTH_COOKIE_H

#include <stdint.h>

#define AUTH_COOKIE_TTL_MS (60 * 1000)
#define AUTH_COOKIE_MAX 10000
#define AUTH_COOKIE_LEN 32 /* hex digits */

struct auth_cookies;

struct auth_cookies *auth_cookies_create(void);
void auth_cookies_destroy(struct auth_cookies **tp);

/* A new cookie for user of service into out (AUTH_COOKIE_LEN hex digits
 * and a NUL). Returns 0, or -1 when the table is full or no random octets
 * could be had. */
int auth_cookie_issue(struct auth_cookies *t, const char *user,
    const char *service, int64_t now_ms, char out[AUTH_COOKIE_LEN + 1]);

/* The user that cookie was issued to for service, removing it: 1 with
 * *user_r (the caller frees it), or 0 for a cookie that is unknown,
 * expired, already redeemed or of another service. */
int auth_cookie_redeem(struct auth_cookies *t, const char *cookie,
    const char *service, int64_t now_ms, char **user_r);

/* Forget expired cookies. */
void auth_cookies_expire(struct auth_cookies *t, int64_t now_ms);

#endif
