/* server_tls - a network daemon's TLS as main.cf sets it: the security
 * level (an unknown one is fatal, naming main.cf and the parameter), the
 * certificates, session tickets shared by every process of the service
 * (keys in $queue_directory/tls/, root's like pid/), and
 * tls_server_sni_maps. Called before the privilege drop: the keys are
 * read as root. smtpd and pop3d (and imapd) load theirs through it. */
#ifndef TERN_SERVER_SERVER_TLS_H
#define TERN_SERVER_SERVER_TLS_H

#include "tls/tls_level.h"

struct tls_server;

struct server_tls_params {
	const char *level, *level_param; /* the level's value and name */
	int wrappermode;                 /* TLS from the first byte */
	const char *cert_files, *key_files, *cert_param;
	const char *ticket_name; /* the ticket key file in tls/ */
};

/* The level into *level_r, and the server context into *srv_r unless one
 * is there already (a fuzz harness calls again for each level it tries):
 * it stays NULL when TLS is off (level none without wrapper mode) or its
 * certificates cannot be loaded (logged: "TLS is not available: ..."). */
void server_tls_init(const struct server_tls_params *p, enum tls_level *level_r,
    struct tls_server **srv_r);

/* For tern check: each finding, error 1 for what stops a daemon (or all
 * outbound mail), 0 for a warning (what a daemon lives with and logs). */
typedef void server_check_report_fn(void *ctx, int error, const char *text);
struct mastercf;

/* The TLS settings of every smtpd, pop3d and imapd service of cf (NULL: main.cf
 * only: no services), from main.cf or its -o: the level must be known,
 * and where TLS is required the certificates must load (a warning at
 * may, where the daemon then offers no STARTTLS or STLS); smtp's level
 * (error), its CA file, policy table and the SNI tables (warnings).
 * Messages name the file (config_dir/main.cf, or the master.cf line and
 * service) and the parameter. */
void server_tls_check(const struct mastercf *cf, const char *config_dir,
    server_check_report_fn *report, void *ctx);

#endif
