/* tls_level - the names of TLS security levels and the policy table's
 * values, as Postfix spells them: what main.cf, smtp_tls_policy_maps and
 * tern check all read the same way.
 *
 * A server offers none, may (STARTTLS) or encrypt (TLS required); a
 * client also knows verify and secure. Levels are ordered: each asks for
 * all that the ones before it ask for. */
#ifndef TERN_TLS_TLS_LEVEL_H
#define TERN_TLS_TLS_LEVEL_H

#include <stddef.h>

struct buf;

enum tls_level {
	TLS_LEVEL_NONE,    /* never TLS */
	TLS_LEVEL_MAY,     /* TLS when the peer can; clear text otherwise */
	TLS_LEVEL_ENCRYPT, /* TLS or nothing; the certificate not checked */
	TLS_LEVEL_VERIFY,  /* client: and the certificate is trusted and
			      names the server (the MX host, or match=) */
	TLS_LEVEL_SECURE,  /* client: the same, the name being the next-hop
			      domain (DNS is not trusted to name the server) */
};

/* The level named by the len bytes at name (any case): 0, or -1. */
int tls_level_parse(const char *name, size_t len, enum tls_level *level_r);
/* A server's level (none, may or encrypt; an empty value is none): 0,
 * or -1 with *error_r (static text saying which values there are). */
int tls_server_level_parse(const char *value, enum tls_level *level_r,
    const char **error_r);
/* The level's name ("may"). */
const char *tls_level_name(enum tls_level level);

/* A client policy table value: "level [match=name]" (white space or
 * commas between). Returns 0 with the level and match (empty when not
 * given), or -1 with *error_r (static text). Room is left here for the
 * attributes that DANE and MTA-STS will bring. */
int tls_policy_parse(const char *value, enum tls_level *level_r,
    struct buf *match, const char **error_r);

#endif
