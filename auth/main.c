/* SPDX-License-Identifier: MIT */
/* auth - the authentication service of smtpd, pop3d and imapd. */
#include "conf/params.h"
#include "server/server.h"

#include "auth_serve.h"

int
main(int argc, char **argv)
{
	/* SERVER_MULTI: the penalties must be one table for all clients,
	 * so one process keeps every connection (see auth_serve.h). */
	static const struct server_spec spec = {
		.name = "auth",
		.kind = SERVER_MULTI,
		.post_jail = auth_init,
		.connect = auth_accept,
		.busy = auth_busy,
		/* Its own user: no other daemon can read the user table. */
		.owner = &var_auth_owner,
		.owner_param = VAR_AUTH_OWNER,
	};

	server_main(argc, argv, &spec);
}
