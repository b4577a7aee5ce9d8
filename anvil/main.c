/* SPDX-License-Identifier: MIT */
/* anvil - client connection and rate counts for smtpd's limits. */
#include "server/server.h"

#include "anvil_serve.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "anvil",
		.kind = SERVER_MULTI,
		.post_jail = anvil_init,
		.connect = anvil_accept,
		.busy = anvil_busy,
	};

	server_main(argc, argv, &spec);
}
