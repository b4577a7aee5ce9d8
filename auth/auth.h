/* auth - auth(8)'s state: the user table and the failure penalties.
 *
 * The user table is auth_user_file in Dovecot's passwd-file format
 * (passwd_file.h), held in memory by user name (the first line of a name
 * wins; later ones are warned about). auth_refresh() looks at the file
 * at most once every AUTH_CHECK_MS and reads it again when its device,
 * inode, size or modification time changed. A table that cannot be
 * read, or that others may read or that group or others may change, is
 * no table: lookups are temporary failures until it is fixed, and the
 * warning names the file. auth_lookup() is the lookup callback of
 * sasl_server.h. The strings it gives stay valid until the next
 * auth_refresh(), so callers refresh only between SASL steps.
 *
 * Penalties: failures are counted per client address and per user name.
 * The final reply of an attempt (success or failure alike, so a client
 * learns nothing by giving up early) is delayed by AUTH_PENALTY_MS(n)
 * for the larger of the two counts n: 0 s, 2 s, 4 s, 8 s, then 15 s.
 * A count is forgotten AUTH_PENALTY_FORGET_MS after its last failure; a
 * success forgets its user's count, not its address's (an attacker with
 * one good account must not clear the penalty of his guesses). Each
 * table keeps at most AUTH_PENALTY_MAX entries: when full, expired ones
 * go, and a new name past the cap is not counted (its address still is).
 * Times are milliseconds on a caller's clock, so tests inject it. Not
 * thread-safe; nothing here is fatal except running out of memory. */
#ifndef TERN_AUTH_H
#define TERN_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "mail/sasl_server.h"

#define AUTH_CHECK_MS 1000                  /* user table stat interval */
#define AUTH_PENALTY_FORGET_MS (300 * 1000) /* 5 minutes */
#define AUTH_PENALTY_CAP_MS 15000
#define AUTH_PENALTY_MAX 10000 /* entries per penalty table */

struct auth;

/* A state for the user table at path (copied; not read yet). */
struct auth *auth_create(const char *path);
void auth_destroy(struct auth **ap);

/* Check the table (at most once every AUTH_CHECK_MS of now_ms, or always
 * when force) and load it again when it changed. Returns 0 when a table
 * is loaded, or -1 with *error_r (valid until the next call; it names
 * the file) when there is none. Warns when the table's state changes
 * (first failure, recovery), not at every call. */
int
auth_refresh(struct auth *a, int64_t now_ms, int force, const char **error_r);
/* sasl_lookup_fn with ctx a struct auth: 1 found, 0 unknown, -1 no
 * table. */
int auth_lookup(void *ctx, const char *user, struct sasl_secret *secret_r);
/* Users in the loaded table (0 when none). */
size_t auth_user_count(const struct auth *a);
/* The mechanisms to offer, space-separated, strongest first: PLAIN and
 * LOGIN always; CRAM-MD5 and SCRAM-SHA-256 only when every user's
 * stored secret allows them (otherwise a client that picks the strongest
 * offered would fail for some users). Valid until the next refresh. */
const char *auth_mechs(const struct auth *a);
/* 1 when mech (case-insensitive) is in auth_mechs(). */
int auth_mech_offered(const struct auth *a, const char *mech);

/* The delay for the n-th failure count (0 for n = 0). */
long auth_penalty_ms(long n);
/* The delay for a final reply to addr about user (either may be NULL or
 * ""), from the failures counted so far. */
long
auth_delay(struct auth *a, const char *addr, const char *user, int64_t now_ms);
/* Count one failure of addr and of user. */
void
auth_failed(struct auth *a, const char *addr, const char *user, int64_t now_ms);
/* user authenticated: forget its failures. */
void auth_succeeded(struct auth *a, const char *user);
/* Forget counts whose last failure is AUTH_PENALTY_FORGET_MS old. */
void auth_expire(struct auth *a, int64_t now_ms);
/* Entries in the address and user penalty tables. */
size_t auth_penalty_count(const struct auth *a);

#endif
