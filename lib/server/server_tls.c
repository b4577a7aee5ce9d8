/* SPDX-License-Identifier: MIT */
/* server_tls - a network daemon's TLS as main.cf sets it. See
 * server_tls.h. */
#include <stdio.h>

#include "conf/params.h"
#include "server/server_tls.h"
#include "tls/tls.h"
#include "util/log.h"

void
server_tls_init(const struct server_tls_params *p, enum tls_level *level_r,
    struct tls_server **srv_r)
{
	struct tls_server_conf conf;
	char tickets[4096];
	const char *error;

	if (tls_server_level_parse(p->level, level_r, &error) < 0)
		log_fatal("%s/main.cf: %s: unknown security level \"%s\" "
			  "(none, may or encrypt)",
		    var_config_dir, p->level_param, log_str(p->level));
	if ((*level_r == TLS_LEVEL_NONE && !p->wrappermode) || *srv_r != NULL)
		return;
	snprintf(tickets, sizeof(tickets), "%s/tls/%s", var_queue_dir,
	    p->ticket_name);
	conf.cert_files = p->cert_files;
	conf.key_files = p->key_files;
	conf.cert_param = p->cert_param;
	conf.ticket_file = tickets;
	conf.ticket_lifetime = var_smtpd_tls_scache_timeout;
	conf.sni_maps = var_tls_server_sni_maps;
	conf.sni_param = VAR_TLS_SERVER_SNI_MAPS;
	conf.db_type = var_db_type;
	*srv_r = tls_server_load(&conf);
}
