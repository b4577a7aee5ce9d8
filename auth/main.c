/* SPDX-License-Identifier: MIT */
/* auth - the authentication service of smtpd, pop3d and imapd. */
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
	};

	server_main(argc, argv, &spec);
}
