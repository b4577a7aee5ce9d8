/* SPDX-License-Identifier: MIT */
/* local - the Tern local (virtual mailbox) delivery agent. */
#include "mail/resolve.h"
#include "server/server.h"
#include "util/log.h"

#include "local.h"

static void
local_pre_jail(void)
{
	const char *error;

	if (resolve_open(&error) < 0)
		log_fatal("%s", error);
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "local",
		.kind = SERVER_SINGLE,
		.pre_jail = local_pre_jail,
		.serve = local_serve,
	};

	server_main(argc, argv, &spec);
}
