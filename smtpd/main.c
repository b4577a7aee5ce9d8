/* SPDX-License-Identifier: MIT */
/* smtpd - the Tern SMTP server. */
#include <stdlib.h>

#include "mail/resolve.h"
#include "server/server.h"

#include "smtpd.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "smtpd",
		.kind = SERVER_SINGLE,
		/* Tables open as root; a missing one means 451 at RCPT,
		 * never a daemon that cannot start. */
		.pre_jail = resolve_init_lenient,
		.serve = smtpd_session,
	};

	server_main(argc, argv, &spec);
}
