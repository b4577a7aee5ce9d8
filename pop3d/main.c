/* SPDX-License-Identifier: MIT */
/* pop3d - the Tern POP3 server. */
#include "server/server.h"

#include "pop3d.h"

int
main(int argc, char **argv)
{
	/* drops_itself: the process master starts stays root (when master
	 * is) only to start each login as mail_owner and each session as
	 * the mailbox owner; it never reads the client (pop3d.h). */
	static const struct server_spec spec = {
		.name = "pop3d",
		.kind = SERVER_SINGLE,
		.pre_jail = pop3d_pre_jail,
		.serve = pop3d_serve,
		.drops_itself = 1,
	};

	server_main(argc, argv, &spec);
}
