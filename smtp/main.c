/* SPDX-License-Identifier: MIT */
/* smtp - the Tern SMTP client: delivers queued mail to other hosts. */
#include "conf/params.h"
#include "server/server.h"
#include "util/log.h"

#include "smtp.h"

/* Refuse to start with a value no delivery could use, naming it. */
static void
smtp_check(void)
{
	if (smtp_families(var_inet_protocols) == 0)
		log_fatal("bad %s value \"%s\": want all, ipv4, ipv6 or "
			  "\"ipv4, ipv6\"",
		    VAR_INET_PROTOCOLS, var_inet_protocols);
	smtp_tls_policy_init();
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "smtp",
		.kind = SERVER_SINGLE,
		.pre_jail = smtp_check,
		.serve = smtp_serve,
	};

	server_main(argc, argv, &spec);
}
