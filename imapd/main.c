/* SPDX-License-Identifier: MIT */
/* imapd - the Tern IMAP server. */
#include "server/server.h"

#include "imapd.h"

int
main(int argc, char **argv)
{
	/* drops_itself: the process master starts stays root (when master
	 * is) only to start each login as mail_owner and each session as
	 * the mailbox owner; it never reads the client (imapd.h). */
	static const struct server_spec spec = {
		.name = "imapd",
		.kind = SERVER_SINGLE,
		.pre_jail = imapd_pre_jail,
		.serve = imapd_serve,
		.drops_itself = 1,
	};

	server_main(argc, argv, &spec);
}
