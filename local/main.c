/* SPDX-License-Identifier: MIT */
/* local - the Tern local delivery agent: virtual mailboxes and the
 * system's users (aliases, .forward, Maildir or mbox, files, commands). */
#include "server/server.h"

#include "local.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "local",
		.kind = SERVER_SINGLE,
		.pre_jail = local_init, /* tables open as root */
		.serve = local_serve,
		.keep_root = 1,
	};

	server_main(argc, argv, &spec);
}
